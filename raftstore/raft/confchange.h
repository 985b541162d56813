// Membership change transitions (joint consensus, Raft thesis §4.3, in etcd/raft's ConfChangeV2
// form). Each function computes the next configuration and progress map from the current one
// without mutating it; the caller installs the result. Pure; not thread-safe.
//
//   Simple:     at most one voter added or removed (learners freely); no joint phase.
//   EnterJoint: C_old -> C_old,new. Decisions need majorities of both.
//   LeaveJoint: C_old,new -> C_new. Outgoing-only voters are dropped (or become learners).
#pragma once

#include <cstdint>
#include <utility>

#include "absl/status/statusor.h"
#include "raftstore/raft/raft.pb.h"
#include "raftstore/raft/tracker.h"

namespace nokv::raft {

struct ConfChangeResult {
  TrackerConfig config;
  ProgressMap progress;
};

class ConfChanger {
 public:
  // `last_index` initializes the Progress of added members.
  ConfChanger(const ProgressTracker& tracker, uint64_t last_index)
      : tracker_(tracker), last_index_(last_index) {}

  absl::StatusOr<ConfChangeResult> Simple(const raftpb::ConfChange& cc) const;
  absl::StatusOr<ConfChangeResult> EnterJoint(bool auto_leave, const raftpb::ConfChange& cc) const;
  absl::StatusOr<ConfChangeResult> LeaveJoint() const;

  // Dispatches by cc.transition() and whether cc is a leave request (empty changes).
  absl::StatusOr<ConfChangeResult> Apply(const raftpb::ConfChange& cc) const;

 private:
  ConfChangeResult Copy() const;
  absl::Status ApplyChanges(const raftpb::ConfChange& cc, ConfChangeResult* r) const;
  void MakeVoter(uint64_t id, ConfChangeResult* r) const;
  void MakeLearner(uint64_t id, ConfChangeResult* r) const;
  void Remove(uint64_t id, ConfChangeResult* r) const;
  void InitProgress(uint64_t id, bool learner, ConfChangeResult* r) const;
  static absl::Status CheckInvariants(const ConfChangeResult& r);

  friend absl::StatusOr<ConfChangeResult> RestoreConfState(const raftpb::ConfState& cs,
                                                           const ProgressTracker& empty_tracker,
                                                           uint64_t last_index);

  const ProgressTracker& tracker_;
  uint64_t last_index_;
};

// Whether applying `cc` needs joint consensus (more than one voter changes, or it asks for it).
bool ConfChangeNeedsJoint(const raftpb::ConfChange& cc);
// Whether `cc` is a request to leave a joint configuration.
inline bool IsLeaveJoint(const raftpb::ConfChange& cc) { return cc.changes_size() == 0; }

// Rebuilds a tracker configuration from a snapshot's ConfState, replaying it as changes.
absl::StatusOr<ConfChangeResult> RestoreConfState(const raftpb::ConfState& cs,
                                                  const ProgressTracker& empty_tracker,
                                                  uint64_t last_index);

}  // namespace nokv::raft
