// The leader's bookkeeping of the membership configuration, every member's Progress and the
// votes of the current election. Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "raftstore/raft/progress.h"
#include "raftstore/raft/quorum.h"
#include "raftstore/raft/raft.pb.h"

namespace nokv::raft {

// Membership: voters (possibly joint), learners, and learners-to-be (voters of the outgoing
// config that become learners when the joint config is left).
struct TrackerConfig {
  JointConfig voters;
  std::set<uint64_t> learners;
  std::set<uint64_t> learners_next;
  bool auto_leave = false;

  raftpb::ConfState ToConfState() const;
  std::string DebugString() const;
};

using ProgressMap = std::map<uint64_t, Progress>;

class ProgressTracker {
 public:
  ProgressTracker(size_t max_inflight, uint64_t max_inflight_bytes)
      : max_inflight_(max_inflight), max_inflight_bytes_(max_inflight_bytes) {}

  const TrackerConfig& config() const { return config_; }
  ProgressMap& progress() { return progress_; }
  const ProgressMap& progress() const { return progress_; }
  Progress* Find(uint64_t id);
  void SetConfig(TrackerConfig config, ProgressMap progress);

  bool IsSingleton() const {
    return config_.voters.incoming.ids().size() == 1 && !config_.voters.IsJoint();
  }
  bool IsVoter(uint64_t id) const;
  std::set<uint64_t> VoterIds() const { return config_.voters.Ids(); }

  // Largest index replicated on a quorum of voters (by Progress::match).
  uint64_t Committed() const;
  // Largest leader tick / read round echoed by a quorum of voters; `self` acknowledges `now`.
  uint64_t QuorumLeaseTick(uint64_t self, uint64_t now) const;
  uint64_t QuorumReadRound(uint64_t self, uint64_t now) const;
  // Whether a quorum was recently active (`self` counts as active); clears recent_active.
  bool QuorumActive(uint64_t self);

  void ResetVotes() { votes_.clear(); }
  void RecordVote(uint64_t id, bool granted) { votes_.emplace(id, granted); }
  VoteResult TallyVotes(size_t* granted, size_t* rejected) const;

  size_t max_inflight() const { return max_inflight_; }
  uint64_t max_inflight_bytes() const { return max_inflight_bytes_; }

 private:
  size_t max_inflight_;
  uint64_t max_inflight_bytes_;
  TrackerConfig config_;
  ProgressMap progress_;
  std::map<uint64_t, bool> votes_;
};

}  // namespace nokv::raft
