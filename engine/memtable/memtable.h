// The in-memory write buffer: an arena skiplist of point entries plus a list of range
// tombstones. One writer (the write leader) at a time; any number of concurrent readers.
// Shared through shared_ptr: readers and iterators keep a memtable alive after it is flushed.
#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/format/dbformat.h"
#include "engine/format/internal_iterator.h"
#include "engine/format/range_tombstone.h"
#include "engine/memtable/skiplist.h"
#include "src/util/arena.h"

namespace nokv {

class MemTable {
 public:
  // `arena_block_bytes`: the arena grows in blocks of this size, so it is also the smallest
  // memory a memtable reports (DBs pick it from their memtable budget: NewMemTable()).
  explicit MemTable(size_t arena_block_bytes = 32 << 10);
  MemTable(const MemTable&) = delete;
  MemTable& operator=(const MemTable&) = delete;

  // Writer side (externally serialized).
  void Add(SequenceNumber seq, ValueKind kind, std::string_view user_key,
           std::string_view stored_value);
  void AddRangeTombstone(SequenceNumber seq, std::string_view begin, std::string_view end);

  // Newest entry for `user_key` with sequence <= `snapshot`. Returns false if none.
  // On true, *kind and *seq describe it and *stored_value holds the stored value (kValue).
  bool Get(std::string_view user_key, SequenceNumber snapshot, ValueKind* kind, SequenceNumber* seq,
           std::string* stored_value) const;
  // Largest sequence of a tombstone covering `user_key` visible at `snapshot`; 0 if none.
  SequenceNumber MaxCoveringTombstone(std::string_view user_key, SequenceNumber snapshot) const;
  // Copies of all range tombstones.
  std::vector<RangeTombstone> RangeTombstones() const;

  // Iterates point entries; the iterator keeps this memtable alive via `owner`.
  std::unique_ptr<InternalIterator> NewIterator(std::shared_ptr<const MemTable> owner) const;

  size_t ApproximateMemoryUsage() const;
  uint64_t num_entries() const { return num_entries_.load(std::memory_order_relaxed); }
  uint64_t num_deletions() const { return num_deletions_.load(std::memory_order_relaxed); }
  bool empty() const { return num_entries() == 0 && num_range_tombstones() == 0; }
  uint64_t num_range_tombstones() const;
  SequenceNumber largest_sequence() const { return largest_seq_.load(std::memory_order_relaxed); }

  // Entries in the skiplist are: varint32 internal_key_len | internal key | varint32 value_len
  // | value, in one arena allocation.
  struct KeyComparator {
    int operator()(const char* a, const char* b) const;
  };
  using Table = SkipList<const char*, KeyComparator>;

 private:
  class Iter;

  Arena arena_;
  Table table_;
  std::atomic<uint64_t> num_entries_{0};
  std::atomic<uint64_t> num_deletions_{0};
  std::atomic<SequenceNumber> largest_seq_{0};
  mutable std::shared_mutex tombstones_mu_;
  std::vector<RangeTombstone> tombstones_;  // guarded by tombstones_mu_
  std::atomic<size_t> tombstone_bytes_{0};
  std::atomic<uint64_t> tombstone_count_{0};  // lets readers skip the lock when zero
};

}  // namespace nokv
