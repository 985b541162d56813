// The Raft log's stable storage seam. The core reads through LogStorage; the driver (the code
// that handles Ready batches) writes through MutableLogStorage. MemoryStorage is the in-memory
// implementation used by tests, the simulator and benchmarks; raftstore provides an
// engine-backed one.
//
// Index model: the storage holds a snapshot (index S, term T) and the entries S+1..LastIndex().
// FirstIndex() is S+1. Term(S) is answerable (T); Term(i) for i < S is compacted.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "raftstore/raft/raft.pb.h"

namespace nokv::raft {

// Approximate in-memory size of an entry, used for flow control and batching limits.
inline uint64_t EntrySize(const raftpb::Entry& e) { return e.data().size() + 24; }

struct InitialState {
  raftpb::HardState hard_state;
  raftpb::ConfState conf_state;
};

// Read side. Implementations need not be thread-safe: one Raft node calls it from one thread.
class LogStorage {
 public:
  virtual ~LogStorage() = default;

  // The persisted hard state and the membership as of the last snapshot.
  virtual absl::StatusOr<InitialState> GetInitialState() const = 0;

  // Entries [lo, hi), stopping before the total EntrySize exceeds max_bytes but always
  // returning at least one entry when lo < hi. Returns CompactedError when lo < FirstIndex()
  // and UnavailableIndexError when hi > LastIndex() + 1.
  virtual absl::StatusOr<std::vector<raftpb::Entry>> Entries(uint64_t lo, uint64_t hi,
                                                             uint64_t max_bytes) const = 0;

  // Term of entry `index`, for FirstIndex()-1 <= index <= LastIndex().
  virtual absl::StatusOr<uint64_t> Term(uint64_t index) const = 0;

  virtual uint64_t FirstIndex() const = 0;
  virtual uint64_t LastIndex() const = 0;

  // The most recent snapshot. May return SnapshotTemporarilyUnavailableError.
  virtual absl::StatusOr<raftpb::Snapshot> GetSnapshot() const = 0;
};

// Write side, called by the Ready handler. Every mutator is durable when it returns OK.
class MutableLogStorage : public LogStorage {
 public:
  // Appends entries, replacing any existing entries at and after entries.front().index().
  // Entries at or below the snapshot index are ignored.
  virtual absl::Status Append(const std::vector<raftpb::Entry>& entries) = 0;
  virtual absl::Status SetHardState(const raftpb::HardState& hard_state) = 0;
  // Replaces the whole log by `snapshot`. Rejects a snapshot older than the current one.
  virtual absl::Status ApplySnapshot(const raftpb::Snapshot& snapshot) = 0;
  // Records a snapshot of the state machine as of `index` (which must be <= LastIndex()).
  virtual absl::StatusOr<raftpb::Snapshot> CreateSnapshot(uint64_t index,
                                                          const raftpb::ConfState& conf_state,
                                                          std::string data) = 0;
  // Drops entries before `compact_index`; Term(compact_index) stays answerable.
  virtual absl::Status Compact(uint64_t compact_index) = 0;
};

// In-memory MutableLogStorage. Not thread-safe.
class MemoryStorage final : public MutableLogStorage {
 public:
  MemoryStorage();
  // A storage bootstrapped with the initial membership (voters), as a snapshot at index 0.
  static MemoryStorage WithVoters(const std::vector<uint64_t>& voters);

  absl::StatusOr<InitialState> GetInitialState() const override;
  absl::StatusOr<std::vector<raftpb::Entry>> Entries(uint64_t lo, uint64_t hi,
                                                     uint64_t max_bytes) const override;
  absl::StatusOr<uint64_t> Term(uint64_t index) const override;
  uint64_t FirstIndex() const override;
  uint64_t LastIndex() const override;
  absl::StatusOr<raftpb::Snapshot> GetSnapshot() const override;

  absl::Status Append(const std::vector<raftpb::Entry>& entries) override;
  absl::Status SetHardState(const raftpb::HardState& hard_state) override;
  absl::Status ApplySnapshot(const raftpb::Snapshot& snapshot) override;
  absl::StatusOr<raftpb::Snapshot> CreateSnapshot(uint64_t index,
                                                  const raftpb::ConfState& conf_state,
                                                  std::string data) override;
  absl::Status Compact(uint64_t compact_index) override;

  const raftpb::HardState& hard_state() const { return hard_state_; }

 private:
  uint64_t offset() const { return entries_.front().index(); }

  raftpb::HardState hard_state_;
  raftpb::Snapshot snapshot_;
  // entries_[0] is a placeholder carrying the snapshot's index and term.
  std::vector<raftpb::Entry> entries_;
};

}  // namespace nokv::raft
