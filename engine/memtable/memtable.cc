#include "engine/memtable/memtable.h"

#include <cstring>
#include <mutex>

#include "src/util/coding.h"

namespace nokv {
namespace {

std::string_view DecodeLengthPrefixed(const char* p) {
  uint32_t len = 0;
  const char* q = GetVarint32Ptr(p, p + 5, &len);
  return std::string_view(q, len);
}

// Encodes a seek target in the entry format (only the key part is read by the comparator).
const char* EncodeSeekKey(std::string* scratch, std::string_view internal_key) {
  scratch->clear();
  PutVarint32(scratch, static_cast<uint32_t>(internal_key.size()));
  scratch->append(internal_key.data(), internal_key.size());
  return scratch->data();
}

}  // namespace

int MemTable::KeyComparator::operator()(const char* a, const char* b) const {
  return CompareInternalKeys(DecodeLengthPrefixed(a), DecodeLengthPrefixed(b));
}

class MemTable::Iter final : public InternalIterator {
 public:
  Iter(const Table* table, std::shared_ptr<const MemTable> owner)
      : owner_(std::move(owner)), iter_(table) {}
  bool Valid() const override { return iter_.Valid(); }
  void SeekToFirst() override { iter_.SeekToFirst(); }
  void SeekToLast() override { iter_.SeekToLast(); }
  void Seek(std::string_view target) override { iter_.Seek(EncodeSeekKey(&scratch_, target)); }
  void SeekForPrev(std::string_view target) override {
    iter_.SeekForPrev(EncodeSeekKey(&scratch_, target));
  }
  void Next() override { iter_.Next(); }
  void Prev() override { iter_.Prev(); }
  std::string_view key() const override { return DecodeLengthPrefixed(iter_.key()); }
  std::string_view value() const override {
    std::string_view k = DecodeLengthPrefixed(iter_.key());
    return DecodeLengthPrefixed(k.data() + k.size());
  }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  std::shared_ptr<const MemTable> owner_;
  Table::Iterator iter_;
  std::string scratch_;
};

// Small arena blocks keep the size estimate close to real use, so small memtables are not
// judged full after their first entry.
MemTable::MemTable(size_t arena_block_bytes)
    : arena_(arena_block_bytes), table_(KeyComparator(), &arena_) {}

void MemTable::Add(SequenceNumber seq, ValueKind kind, std::string_view user_key,
                   std::string_view stored_value) {
  size_t ikey_len = user_key.size() + 8;
  size_t encoded_len =
      VarintLength(ikey_len) + ikey_len + VarintLength(stored_value.size()) + stored_value.size();
  char* buf = arena_.Allocate(encoded_len);
  char* p = EncodeVarint64(buf, ikey_len);
  std::memcpy(p, user_key.data(), user_key.size());
  p += user_key.size();
  EncodeFixed64(p, PackTag(seq, kind));
  p += 8;
  p = EncodeVarint64(p, stored_value.size());
  if (!stored_value.empty()) std::memcpy(p, stored_value.data(), stored_value.size());
  table_.Insert(buf);
  num_entries_.fetch_add(1, std::memory_order_relaxed);
  if (kind == ValueKind::kDeletion) num_deletions_.fetch_add(1, std::memory_order_relaxed);
  if (seq > largest_seq_.load(std::memory_order_relaxed)) {
    largest_seq_.store(seq, std::memory_order_relaxed);
  }
}

void MemTable::AddRangeTombstone(SequenceNumber seq, std::string_view begin, std::string_view end) {
  std::unique_lock<std::shared_mutex> lock(tombstones_mu_);
  tombstones_.push_back(RangeTombstone{std::string(begin), std::string(end), seq});
  tombstone_count_.fetch_add(1, std::memory_order_release);
  tombstone_bytes_.fetch_add(begin.size() + end.size() + 64, std::memory_order_relaxed);
  if (seq > largest_seq_.load(std::memory_order_relaxed)) {
    largest_seq_.store(seq, std::memory_order_relaxed);
  }
}

bool MemTable::Get(std::string_view user_key, SequenceNumber snapshot, ValueKind* kind,
                   SequenceNumber* seq, std::string* stored_value) const {
  std::string scratch;
  PutVarint32(&scratch, static_cast<uint32_t>(user_key.size() + 8));
  AppendInternalKey(&scratch, user_key, snapshot, kValueKindForSeek);
  Table::Iterator iter(&table_);
  iter.Seek(scratch.data());
  if (!iter.Valid()) return false;
  std::string_view ikey = DecodeLengthPrefixed(iter.key());
  if (ExtractUserKey(ikey) != user_key) return false;
  uint64_t tag = ExtractTag(ikey);
  *seq = tag >> 8;
  *kind = static_cast<ValueKind>(tag & 0xff);
  if (*kind == ValueKind::kValue) {
    std::string_view v = DecodeLengthPrefixed(ikey.data() + ikey.size());
    stored_value->assign(v.data(), v.size());
  }
  return true;
}

SequenceNumber MemTable::MaxCoveringTombstone(std::string_view user_key,
                                              SequenceNumber snapshot) const {
  if (tombstone_count_.load(std::memory_order_acquire) == 0) return 0;
  std::shared_lock<std::shared_mutex> lock(tombstones_mu_);
  SequenceNumber best = 0;
  for (const RangeTombstone& t : tombstones_) {
    if (t.sequence <= snapshot && t.sequence > best && t.Covers(user_key)) best = t.sequence;
  }
  return best;
}

std::vector<RangeTombstone> MemTable::RangeTombstones() const {
  if (tombstone_count_.load(std::memory_order_acquire) == 0) return {};
  std::shared_lock<std::shared_mutex> lock(tombstones_mu_);
  return tombstones_;
}

uint64_t MemTable::num_range_tombstones() const {
  return tombstone_count_.load(std::memory_order_acquire);
}

std::unique_ptr<InternalIterator> MemTable::NewIterator(
    std::shared_ptr<const MemTable> owner) const {
  return std::make_unique<Iter>(&table_, std::move(owner));
}

size_t MemTable::ApproximateMemoryUsage() const {
  return arena_.MemoryUsage() + tombstone_bytes_.load(std::memory_order_relaxed);
}

}  // namespace nokv
