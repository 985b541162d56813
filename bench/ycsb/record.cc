#include "bench/ycsb/record.h"

#include <charconv>
#include <cstring>

#include "bench/ycsb/generators.h"
#include "src/util/coding.h"
#include "src/util/str_cat.h"

namespace nokv::bench {
namespace {

constexpr uint32_t kMagic = 0x42534359;  // "YCSB" little-endian

uint64_t FillerWord(uint64_t id, uint32_t version) {
  // SplitMix64 finaliser over (id, version): any change of either flips about half the bits.
  uint64_t z = id * 0x9e3779b97f4a7c15ULL + version + 0x632be59bd9b4e019ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

void BuildKeyName(uint64_t id, std::string* out) {
  char buf[32] = {'u', 's', 'e', 'r'};
  auto res = std::to_chars(buf + 4, buf + sizeof(buf), FnvHash64(id));
  out->assign(buf, res.ptr - buf);
}

std::string BuildKeyName(uint64_t id) {
  std::string key;
  BuildKeyName(id, &key);
  return key;
}

void BuildValue(uint64_t id, uint32_t version, size_t size, std::string* out) {
  out->resize(size);
  char* p = out->data();
  EncodeFixed64(p, id);
  EncodeFixed32(p + 8, version);
  EncodeFixed32(p + 12, kMagic);
  char word[8];
  EncodeFixed64(word, FillerWord(id, version));
  size_t pos = kMinValueSize;
  for (; pos + 8 <= size; pos += 8) std::memcpy(p + pos, word, 8);
  if (pos < size) std::memcpy(p + pos, word, size - pos);
}

absl::Status DecodeValue(std::string_view value, size_t expected_size, ValueHeader* header) {
  if (value.size() != expected_size) {
    return absl::DataLossError(
        StrCat("value has ", value.size(), " bytes, expected ", expected_size));
  }
  const char* p = value.data();
  if (DecodeFixed32(p + 12) != kMagic) return absl::DataLossError("value header magic mismatch");
  header->id = DecodeFixed64(p);
  header->version = DecodeFixed32(p + 8);
  char word[8];
  EncodeFixed64(word, FillerWord(header->id, header->version));
  size_t pos = kMinValueSize;
  for (; pos + 8 <= value.size(); pos += 8) {
    if (std::memcmp(p + pos, word, 8) != 0) {
      return absl::DataLossError(StrCat("value filler mismatch at byte ", pos, " (id ", header->id,
                                        " version ", header->version, ")"));
    }
  }
  if (pos < value.size() && std::memcmp(p + pos, word, value.size() - pos) != 0) {
    return absl::DataLossError(StrCat("value filler mismatch at byte ", pos, " (id ", header->id,
                                      " version ", header->version, ")"));
  }
  return absl::OkStatus();
}

}  // namespace nokv::bench
