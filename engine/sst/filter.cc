#include "engine/sst/filter.h"

#include <algorithm>
#include <cmath>

#include "src/util/hash.h"

namespace nokv {
namespace sst {
namespace {

// A fixed seed keeps filters stable across versions of the library; changing it would need a
// new format version.
constexpr uint64_t kBloomSeed = 0x6e6f6b76626c6f6fULL;  // "nokvbloo"

inline uint64_t BloomHash(std::string_view key) { return Hash64(key, kBloomSeed); }

}  // namespace

BloomFilterBuilder::BloomFilterBuilder(int bits_per_key) : bits_per_key_(bits_per_key) {}

void BloomFilterBuilder::AddKey(std::string_view user_key) {
  hashes_.push_back(BloomHash(user_key));
}

void BloomFilterBuilder::Finish(std::string* dst) const {
  int bpk = std::max(1, bits_per_key_);
  int k = static_cast<int>(std::lround(bpk * 0.69));  // ln 2 minimizes the false-positive rate
  k = std::clamp(k, 1, 30);
  // A small minimum keeps the false-positive rate sane for tables with very few keys.
  uint64_t bits = std::max<uint64_t>(64, uint64_t(hashes_.size()) * bpk);
  uint64_t bytes = (bits + 7) / 8;
  bits = bytes * 8;
  size_t start = dst->size();
  dst->resize(start + bytes, 0);
  char* array = dst->data() + start;
  for (uint64_t h : hashes_) {
    uint64_t h1 = h & 0xffffffffu;
    uint64_t h2 = (h >> 32) | 1;
    for (int i = 0; i < k; ++i) {
      uint64_t bit = (h1 + i * h2) % bits;
      array[bit / 8] |= static_cast<char>(1 << (bit % 8));
    }
  }
  dst->push_back(static_cast<char>(k));
}

bool BloomFilterReader::Init(std::string_view filter) {
  if (filter.size() < 2) return false;
  int k = static_cast<unsigned char>(filter.back());
  if (k < 1 || k > 30) return false;
  bits_ = filter.data();
  num_bits_ = uint64_t(filter.size() - 1) * 8;
  k_ = k;
  return true;
}

bool BloomFilterReader::KeyMayMatch(std::string_view user_key) const {
  if (bits_ == nullptr) return true;
  uint64_t h = BloomHash(user_key);
  uint64_t h1 = h & 0xffffffffu;
  uint64_t h2 = (h >> 32) | 1;
  for (int i = 0; i < k_; ++i) {
    uint64_t bit = (h1 + i * h2) % num_bits_;
    if ((bits_[bit / 8] & (1 << (bit % 8))) == 0) return false;
  }
  return true;
}

}  // namespace sst
}  // namespace nokv
