#include "engine/sst/meta_blocks.h"

#include "src/util/coding.h"

namespace nokv {
namespace sst {
namespace {

constexpr uint32_t kNumPropertyFields = 11;

}  // namespace

void EncodeProperties(const TableProperties& p, std::string* dst) {
  const uint64_t fields[kNumPropertyFields] = {
      p.num_entries,   p.num_deletions,   p.num_range_deletions, p.num_data_blocks,
      p.raw_key_bytes, p.raw_value_bytes, p.data_bytes,          p.index_bytes,
      p.filter_bytes,  p.smallest_seq,    p.largest_seq};
  PutVarint32(dst, kNumPropertyFields);
  for (uint64_t f : fields) PutVarint64(dst, f);
  PutLengthPrefixed(dst, p.smallest_point_key);
  PutLengthPrefixed(dst, p.largest_point_key);
}

bool DecodeProperties(std::string_view input, TableProperties* p) {
  uint32_t count = 0;
  if (!GetVarint32(&input, &count) || count < kNumPropertyFields) return false;
  uint64_t* fields[kNumPropertyFields] = {
      &p->num_entries,   &p->num_deletions,   &p->num_range_deletions, &p->num_data_blocks,
      &p->raw_key_bytes, &p->raw_value_bytes, &p->data_bytes,          &p->index_bytes,
      &p->filter_bytes,  &p->smallest_seq,    &p->largest_seq};
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t v = 0;
    if (!GetVarint64(&input, &v)) return false;
    if (i < kNumPropertyFields) *fields[i] = v;
  }
  std::string_view smallest, largest;
  if (!GetLengthPrefixed(&input, &smallest) || !GetLengthPrefixed(&input, &largest)) {
    return false;
  }
  // Point keys are internal keys: empty (no points) or at least the 8-byte tag.
  if ((!smallest.empty() && smallest.size() < 8) || (!largest.empty() && largest.size() < 8)) {
    return false;
  }
  p->smallest_point_key.assign(smallest);
  p->largest_point_key.assign(largest);
  return input.empty();
}

void EncodeRangeTombstones(const std::vector<RangeTombstone>& tombstones, std::string* dst) {
  PutVarint64(dst, tombstones.size());
  for (const RangeTombstone& t : tombstones) {
    PutLengthPrefixed(dst, t.begin);
    PutLengthPrefixed(dst, t.end);
    PutVarint64(dst, t.sequence);
  }
}

bool DecodeRangeTombstones(std::string_view input, std::vector<RangeTombstone>* tombstones) {
  uint64_t count = 0;
  if (!GetVarint64(&input, &count)) return false;
  // Each tombstone takes at least 3 bytes: a bound on `count` before reserving memory.
  if (count > input.size() / 3) return false;
  tombstones->clear();
  tombstones->reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view begin, end;
    uint64_t seq = 0;
    if (!GetLengthPrefixed(&input, &begin) || !GetLengthPrefixed(&input, &end) ||
        !GetVarint64(&input, &seq) || seq > kMaxSequenceNumber) {
      return false;
    }
    tombstones->push_back(RangeTombstone{std::string(begin), std::string(end), seq});
  }
  return input.empty();
}

}  // namespace sst
}  // namespace nokv
