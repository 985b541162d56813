// CompactionIterator: the drop rules of compaction, applied to the merged inputs in internal-key
// order (RocksDB's CompactionIterator, Pebble's compaction iterator). The job that writes output
// files (compaction.cc) only decides where to cut them.
//
// What is dropped (docs/notes/2026-11-24-engine-v1.md, "version GC"):
//   - a version shadowed by a newer version of the same key in the same snapshot stripe (no
//     live snapshot between them, so no reader can tell them apart);
//   - a point covered by a range tombstone of its own snapshot stripe (each stripe is judged
//     with only the tombstones up to its top: a newer tombstone in a later stripe must not hide
//     an older one that is about to be dropped);
//   - at the bottommost level, deletions older than every snapshot (nothing below to delete);
//   - expired TTL values become deletions (smaller, same meaning), and then follow the rule above.
// Range tombstones: at the bottom, kept when some snapshot predates them (nothing below can
// need them otherwise); above it, always kept (they delete data in lower levels).
// KeptTombstones() gives them clipped to an output file's key range.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engine/format/dbformat.h"
#include "engine/format/internal_iterator.h"
#include "engine/format/range_tombstone.h"
#include "engine/lsm/range_del.h"

namespace nokv {

class CompactionIterator {
 public:
  struct Options {
    // Live snapshot sequences, ascending. The latest state is always kept in addition.
    std::vector<SequenceNumber> snapshots;
    uint64_t now_millis = 0;
    // No level below the output holds data in the inputs' key range.
    bool bottommost = true;
  };

  // `input` yields the merged point entries; `tombstones` are every range tombstone of the
  // inputs. Both must outlive the iterator.
  CompactionIterator(InternalIterator* input, const std::vector<RangeTombstone>& tombstones,
                     Options options);

  // Positions at the first surviving entry.
  void SeekToFirst();
  bool Valid() const { return valid_; }
  void Next();
  // The entry to write (its kind may differ from the input's: an expired value is a deletion).
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  std::string_view user_key() const { return ExtractUserKey(key_); }
  // The first surviving entry of its user key: an output may be cut before it (never inside a
  // user key, so a key's versions never straddle files).
  bool starts_user_key() const { return starts_user_key_; }
  absl::Status status() const;

  // The tombstones that must survive, clipped to [lo, hi) (empty = unbounded on that side).
  // At the bottom the job passes an output's [first key, last key + "\0"): nothing a tombstone
  // deletes lies outside the points written there. Above it, the outputs' ranges tile the
  // whole input range, so no part of a tombstone is lost. The clipped end is exclusive (see
  // FileMetaData::EndsBefore).
  std::vector<RangeTombstone> KeptTombstones(std::string_view lo, std::string_view hi) const;
  bool HasKeptTombstones() const { return !kept_tombstones_.empty(); }

  uint64_t input_entries() const { return input_entries_; }
  uint64_t dropped_entries() const { return dropped_entries_; }

 private:
  // Index of the snapshot stripe holding `seq`: the number of snapshots < seq.
  size_t Stripe(SequenceNumber seq) const;
  // Advances input_ to the next surviving entry (from its current position).
  void FindNext();

  InternalIterator* const input_;
  const std::vector<RangeTombstone>& tombstones_;
  const Options options_;
  std::vector<RangeDelIndex> range_del_by_stripe_;  // empty without tombstones
  std::vector<RangeTombstone> kept_tombstones_;

  bool valid_ = false;
  absl::Status status_;
  std::string current_user_key_;  // of the last input entry seen
  bool has_current_ = false;
  size_t last_stripe_ = SIZE_MAX;
  bool emitted_current_key_ = false;  // some version of current_user_key_ survived
  bool starts_user_key_ = false;
  std::string_view key_, value_;
  std::string converted_;  // the rewritten key of an expired value
  uint64_t input_entries_ = 0;
  uint64_t dropped_entries_ = 0;
};

}  // namespace nokv
