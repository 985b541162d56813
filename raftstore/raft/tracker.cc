#include "raftstore/raft/tracker.h"

#include "src/util/str_cat.h"

namespace nokv::raft {

raftpb::ConfState TrackerConfig::ToConfState() const {
  raftpb::ConfState cs;
  for (uint64_t id : voters.incoming.ids()) cs.add_voters(id);
  for (uint64_t id : voters.outgoing.ids()) cs.add_voters_outgoing(id);
  for (uint64_t id : learners) cs.add_learners(id);
  for (uint64_t id : learners_next) cs.add_learners_next(id);
  cs.set_auto_leave(auto_leave);
  return cs;
}

std::string TrackerConfig::DebugString() const {
  std::string out = StrCat("voters=", voters.DebugString());
  if (!learners.empty()) {
    out += " learners=";
    out += MajorityConfig(learners).DebugString();
  }
  if (!learners_next.empty()) {
    out += " learners_next=";
    out += MajorityConfig(learners_next).DebugString();
  }
  if (auto_leave) out += " autoleave";
  return out;
}

Progress* ProgressTracker::Find(uint64_t id) {
  auto it = progress_.find(id);
  return it == progress_.end() ? nullptr : &it->second;
}

void ProgressTracker::SetConfig(TrackerConfig config, ProgressMap progress) {
  config_ = std::move(config);
  progress_ = std::move(progress);
}

bool ProgressTracker::IsVoter(uint64_t id) const {
  return config_.voters.incoming.ids().count(id) > 0 || config_.voters.outgoing.ids().count(id) > 0;
}

uint64_t ProgressTracker::Committed() const {
  return config_.voters.CommittedIndex([this](uint64_t id, uint64_t* index) {
    auto it = progress_.find(id);
    if (it == progress_.end()) return false;
    *index = it->second.match;
    return true;
  });
}

uint64_t ProgressTracker::QuorumLeaseTick(uint64_t self, uint64_t now) const {
  return config_.voters.CommittedIndex([&](uint64_t id, uint64_t* index) {
    if (id == self) {
      *index = now;
      return true;
    }
    auto it = progress_.find(id);
    if (it == progress_.end()) return false;
    *index = it->second.lease_tick_acked;
    return true;
  });
}

uint64_t ProgressTracker::QuorumReadRound(uint64_t self, uint64_t now) const {
  return config_.voters.CommittedIndex([&](uint64_t id, uint64_t* index) {
    if (id == self) {
      *index = now;
      return true;
    }
    auto it = progress_.find(id);
    if (it == progress_.end()) return false;
    *index = it->second.read_round_acked;
    return true;
  });
}

bool ProgressTracker::QuorumActive(uint64_t self) {
  std::map<uint64_t, bool> active;
  for (auto& [id, pr] : progress_) {
    if (pr.is_learner) continue;
    active[id] = (id == self) || pr.recent_active;
  }
  for (auto& [id, pr] : progress_) {
    if (id != self) pr.recent_active = false;
  }
  return config_.voters.Vote(active) == VoteResult::kWon;
}

VoteResult ProgressTracker::TallyVotes(size_t* granted, size_t* rejected) const {
  *granted = 0;
  *rejected = 0;
  for (const auto& [id, pr] : progress_) {
    if (pr.is_learner) continue;
    auto it = votes_.find(id);
    if (it == votes_.end()) continue;
    if (it->second) {
      ++*granted;
    } else {
      ++*rejected;
    }
  }
  return config_.voters.Vote(votes_);
}

}  // namespace nokv::raft
