#include "raftstore/raft/progress.h"

#include <algorithm>

#include "src/util/str_cat.h"

namespace nokv::raft {

Inflights::Inflights(size_t max_count, uint64_t max_bytes)
    : max_count_(std::max<size_t>(max_count, 1)), max_bytes_(max_bytes) {}

void Inflights::Add(uint64_t index, uint64_t bytes) {
  if (ring_.size() < max_count_ && count_ == ring_.size()) {
    // Grow lazily: most followers never fill the window. Re-linearize first.
    size_t new_size = std::min(max_count_, std::max<size_t>(ring_.size() * 2, 8));
    std::vector<Item> grown(new_size);
    for (size_t i = 0; i < count_; ++i) grown[i] = ring_[(start_ + i) % ring_.size()];
    ring_ = std::move(grown);
    start_ = 0;
  }
  if (count_ == ring_.size()) return;  // Full(); the caller checks before sending
  ring_[(start_ + count_) % ring_.size()] = Item{index, bytes};
  ++count_;
  bytes_ += bytes;
}

void Inflights::FreeLE(uint64_t index) {
  while (count_ > 0 && ring_[start_].index <= index) {
    bytes_ -= ring_[start_].bytes;
    start_ = (start_ + 1) % ring_.size();
    --count_;
  }
  if (count_ == 0) start_ = 0;
}

void Inflights::FreeFirst() {
  if (count_ > 0) FreeLE(ring_[start_].index);
}

bool Inflights::Full() const {
  return count_ >= max_count_ || (max_bytes_ != 0 && bytes_ >= max_bytes_);
}

void Inflights::Reset() {
  start_ = 0;
  count_ = 0;
  bytes_ = 0;
}

const char* ProgressStateName(ProgressState state) {
  switch (state) {
    case ProgressState::kProbe:
      return "probe";
    case ProgressState::kReplicate:
      return "replicate";
    case ProgressState::kSnapshot:
      return "snapshot";
  }
  return "?";
}

void Progress::ResetState(ProgressState new_state) {
  probe_paused = false;
  pending_snapshot = 0;
  state = new_state;
  inflights.Reset();
}

void Progress::BecomeProbe() {
  // After a snapshot, probe from the snapshot (or the match if that is further).
  if (state == ProgressState::kSnapshot) {
    uint64_t snapshot = pending_snapshot;
    ResetState(ProgressState::kProbe);
    next = std::max(match + 1, snapshot + 1);
  } else {
    ResetState(ProgressState::kProbe);
    next = match + 1;
  }
}

void Progress::BecomeReplicate() {
  ResetState(ProgressState::kReplicate);
  next = match + 1;
}

void Progress::BecomeSnapshot(uint64_t snapshot_index) {
  ResetState(ProgressState::kSnapshot);
  pending_snapshot = snapshot_index;
}

bool Progress::MaybeUpdate(uint64_t index) {
  bool updated = false;
  if (match < index) {
    match = index;
    updated = true;
    probe_paused = false;
  }
  next = std::max(next, index + 1);
  return updated;
}

bool Progress::MaybeDecreaseTo(uint64_t rejected, uint64_t match_hint) {
  if (state == ProgressState::kReplicate) {
    // Rejections of appends at or below match are stale (reordered or duplicated).
    if (rejected <= match) return false;
    next = match + 1;
    return true;
  }
  // In probe the only meaningful rejection is of the append at next-1.
  if (next == 0 || next - 1 != rejected) return false;
  next = std::max<uint64_t>(std::min(rejected, match_hint + 1), match + 1);
  probe_paused = false;
  return true;
}

bool Progress::IsPaused() const {
  switch (state) {
    case ProgressState::kProbe:
      return probe_paused;
    case ProgressState::kReplicate:
      return inflights.Full();
    case ProgressState::kSnapshot:
      return true;
  }
  return true;
}

std::string Progress::DebugString() const {
  return StrCat(ProgressStateName(state), " match=", match, " next=", next,
                is_learner ? " learner" : "",
                state == ProgressState::kSnapshot ? StrCat(" pending_snap=", pending_snapshot)
                                                  : std::string(),
                " inflight=", inflights.Count());
}

}  // namespace nokv::raft
