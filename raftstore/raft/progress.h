// The leader's view of one follower's log (Raft §5.3 nextIndex/matchIndex) plus the flow
// control state of the replication stream to it. Owned by ProgressTracker; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nokv::raft {

// Bounded window of appends sent but not acknowledged (by count and by bytes).
class Inflights {
 public:
  // max_count >= 1; max_bytes 0 = no byte limit.
  Inflights(size_t max_count, uint64_t max_bytes);

  // Records an append whose last entry is `index` and whose entries weigh `bytes`.
  void Add(uint64_t index, uint64_t bytes);
  // Frees every append whose last index is <= index.
  void FreeLE(uint64_t index);
  // Frees the oldest append (used when acknowledgements may have been lost).
  void FreeFirst();
  bool Full() const;
  size_t Count() const { return count_; }
  uint64_t bytes() const { return bytes_; }
  void Reset();

 private:
  struct Item {
    uint64_t index;
    uint64_t bytes;
  };
  size_t max_count_;
  uint64_t max_bytes_;
  std::vector<Item> ring_;  // grows up to max_count_
  size_t start_ = 0;
  size_t count_ = 0;
  uint64_t bytes_ = 0;
};

enum class ProgressState {
  // Unknown match: one append at a time until the follower's log position is found.
  kProbe,
  // Known match: appends are pipelined up to the inflight window.
  kReplicate,
  // The follower needs a snapshot; appends pause until it is installed or fails.
  kSnapshot,
};
const char* ProgressStateName(ProgressState state);

struct Progress {
  Progress(uint64_t next_index, size_t max_inflight, uint64_t max_inflight_bytes, bool learner)
      : next(next_index), inflights(max_inflight, max_inflight_bytes), is_learner(learner) {}

  uint64_t match = 0;
  uint64_t next = 1;
  ProgressState state = ProgressState::kProbe;
  // Index of the snapshot being sent while in kSnapshot.
  uint64_t pending_snapshot = 0;
  // Heard from since the last check-quorum round.
  bool recent_active = false;
  // In kProbe: an append is outstanding, wait for its reply or a heartbeat response.
  bool probe_paused = false;
  Inflights inflights;
  bool is_learner = false;
  // Largest leader tick / read round this follower echoed back in the current term.
  uint64_t lease_tick_acked = 0;
  uint64_t read_round_acked = 0;

  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(uint64_t snapshot_index);
  // Acknowledged up to `index`; returns whether match advanced.
  bool MaybeUpdate(uint64_t index);
  // Pipelining: assume the append ending at `last` will succeed.
  void OptimisticUpdate(uint64_t last) { next = last + 1; }
  // The follower rejected an append at `rejected` and hinted `match_hint`; returns whether
  // `next` moved (false for a stale rejection).
  bool MaybeDecreaseTo(uint64_t rejected, uint64_t match_hint);
  bool IsPaused() const;
  std::string DebugString() const;

 private:
  void ResetState(ProgressState state);
};

}  // namespace nokv::raft
