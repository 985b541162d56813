// The Raft log as the core sees it: a stable prefix in LogStorage followed by an unstable suffix
// (entries and possibly a snapshot) that the driver has not persisted yet. Tracks the commit and
// apply indexes. Owned by one Raft instance; not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "raftstore/raft/raft.pb.h"
#include "raftstore/raft/storage.h"

namespace nokv::raft {

// Entries (and a snapshot) accepted by the core but not yet persisted. entries_[i] has index
// offset_ + i.
class UnstableLog {
 public:
  std::optional<uint64_t> MaybeFirstIndex() const;
  std::optional<uint64_t> MaybeLastIndex() const;
  std::optional<uint64_t> MaybeTerm(uint64_t index) const;

  // The driver persisted entries up to (index, term) / the snapshot at `index`.
  void StableTo(uint64_t index, uint64_t term);
  void StableSnapshotTo(uint64_t index);
  void Restore(const raftpb::Snapshot& snapshot);
  void TruncateAndAppend(const std::vector<raftpb::Entry>& entries);
  // Copies [lo, hi) into `out`; the caller checked the bounds.
  void Slice(uint64_t lo, uint64_t hi, std::vector<raftpb::Entry>* out) const;

  uint64_t offset() const { return offset_; }
  void set_offset(uint64_t offset) { offset_ = offset; }
  const std::vector<raftpb::Entry>& entries() const { return entries_; }
  const std::optional<raftpb::Snapshot>& snapshot() const { return snapshot_; }

 private:
  std::optional<raftpb::Snapshot> snapshot_;
  std::vector<raftpb::Entry> entries_;
  uint64_t offset_ = 0;
};

class RaftLog {
 public:
  // `storage` must outlive the log.
  explicit RaftLog(const LogStorage* storage);

  uint64_t FirstIndex() const;
  uint64_t LastIndex() const;
  uint64_t LastTerm() const;
  // Term of `index`; CompactedError / UnavailableIndexError outside [FirstIndex()-1, LastIndex()].
  absl::StatusOr<uint64_t> Term(uint64_t index) const;
  bool MatchTerm(uint64_t index, uint64_t term) const;
  // Whether a candidate whose log ends at (last_index, last_term) is at least as up to date.
  bool IsUpToDate(uint64_t last_index, uint64_t last_term) const;

  // Follower append (Raft §5.3). If the entry at `index` has `log_term`, appends `entries` after
  // it (truncating a conflicting suffix), advances commit to min(leader_commit, last new index)
  // and sets *last_new_index; otherwise sets *accepted to false. Errors if the append would
  // overwrite a committed entry (the leader or this node's storage broke an invariant).
  absl::Status MaybeAppend(uint64_t index, uint64_t log_term, uint64_t leader_commit,
                           const std::vector<raftpb::Entry>& entries, bool* accepted,
                           uint64_t* last_new_index);
  // Leader append of new entries; returns the new last index.
  absl::StatusOr<uint64_t> Append(const std::vector<raftpb::Entry>& entries);

  // The first index whose term conflicts with `entries` (0 if none; entries past the end of the
  // log count as conflicting only if the log ends before them).
  uint64_t FindConflict(const std::vector<raftpb::Entry>& entries) const;
  // The largest (index', term') with index' <= index and term' <= term: a leader's fast probe
  // hint after a rejected append (etcd's findConflictByTerm).
  std::pair<uint64_t, uint64_t> FindConflictByTerm(uint64_t index, uint64_t term) const;

  // Entries [lo, hi) limited by max_bytes (at least one entry if lo < hi).
  absl::StatusOr<std::vector<raftpb::Entry>> Slice(uint64_t lo, uint64_t hi,
                                                   uint64_t max_bytes) const;
  // Entries [lo, LastIndex()] limited by max_bytes; empty if lo > LastIndex().
  absl::StatusOr<std::vector<raftpb::Entry>> EntriesFrom(uint64_t lo, uint64_t max_bytes) const;

  bool HasNextCommittedEntries() const { return committed_ > applied_; }
  absl::StatusOr<std::vector<raftpb::Entry>> NextCommittedEntries(uint64_t max_bytes) const;

  // Latest snapshot: the unstable one if any, else the storage's.
  absl::StatusOr<raftpb::Snapshot> Snapshot() const;

  absl::Status CommitTo(uint64_t index);
  // Leader commit rule: advance to `index` only if that entry is from `term` (Raft §5.4.2).
  bool MaybeCommit(uint64_t index, uint64_t term);
  void AppliedTo(uint64_t index);
  void StableTo(uint64_t index, uint64_t term) { unstable_.StableTo(index, term); }
  void StableSnapshotTo(uint64_t index) { unstable_.StableSnapshotTo(index); }
  void Restore(const raftpb::Snapshot& snapshot);

  // Highest index known durable and part of this log (0 while a snapshot is unpersisted).
  uint64_t LastStableIndex() const;

  const UnstableLog& unstable() const { return unstable_; }
  uint64_t committed() const { return committed_; }
  uint64_t applied() const { return applied_; }
  void set_committed_for_restart(uint64_t committed) { committed_ = committed; }

 private:
  const LogStorage* storage_;
  UnstableLog unstable_;
  uint64_t committed_ = 0;
  uint64_t applied_ = 0;
};

}  // namespace nokv::raft
