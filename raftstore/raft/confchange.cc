#include "raftstore/raft/confchange.h"

#include <algorithm>

#include "src/util/str_cat.h"

namespace nokv::raft {
namespace {

absl::Status Invalid(const std::string& msg) {
  return absl::InvalidArgumentError(absl::string_view(msg.data(), msg.size()));
}

}  // namespace

ConfChangeResult ConfChanger::Copy() const {
  return ConfChangeResult{tracker_.config(), tracker_.progress()};
}

void ConfChanger::InitProgress(uint64_t id, bool learner, ConfChangeResult* r) const {
  if (learner) {
    r->config.learners.insert(id);
  } else {
    r->config.voters.incoming.ids().insert(id);
  }
  Progress pr(std::max<uint64_t>(last_index_, 1), tracker_.max_inflight(),
              tracker_.max_inflight_bytes(), learner);
  // New members count as active so that check-quorum does not fire before they are heard.
  pr.recent_active = true;
  r->progress.insert_or_assign(id, std::move(pr));
}

void ConfChanger::MakeVoter(uint64_t id, ConfChangeResult* r) const {
  auto it = r->progress.find(id);
  if (it == r->progress.end()) {
    InitProgress(id, /*learner=*/false, r);
    return;
  }
  it->second.is_learner = false;
  r->config.learners.erase(id);
  r->config.learners_next.erase(id);
  r->config.voters.incoming.ids().insert(id);
}

void ConfChanger::MakeLearner(uint64_t id, ConfChangeResult* r) const {
  auto it = r->progress.find(id);
  if (it == r->progress.end()) {
    InitProgress(id, /*learner=*/true, r);
    return;
  }
  if (it->second.is_learner) return;
  // Drop it from the incoming voters but keep its progress.
  Progress saved = it->second;
  Remove(id, r);
  r->progress.insert_or_assign(id, std::move(saved));
  if (r->config.voters.outgoing.ids().count(id) > 0) {
    // Still a voter of the outgoing config: it becomes a learner when the joint config is left
    // (a node may not be a voter and a learner at once).
    r->config.learners_next.insert(id);
  } else {
    r->progress.at(id).is_learner = true;
    r->config.learners.insert(id);
  }
}

void ConfChanger::Remove(uint64_t id, ConfChangeResult* r) const {
  if (r->progress.count(id) == 0) return;
  r->config.voters.incoming.ids().erase(id);
  r->config.learners.erase(id);
  r->config.learners_next.erase(id);
  if (r->config.voters.outgoing.ids().count(id) == 0) r->progress.erase(id);
}

absl::Status ConfChanger::ApplyChanges(const raftpb::ConfChange& cc, ConfChangeResult* r) const {
  for (const raftpb::ConfChangeSingle& ch : cc.changes()) {
    if (ch.node_id() == 0) continue;  // etcd treats id 0 as a no-op; so do we
    switch (ch.type()) {
      case raftpb::CONF_CHANGE_ADD_NODE:
        MakeVoter(ch.node_id(), r);
        break;
      case raftpb::CONF_CHANGE_ADD_LEARNER_NODE:
        MakeLearner(ch.node_id(), r);
        break;
      case raftpb::CONF_CHANGE_REMOVE_NODE:
        Remove(ch.node_id(), r);
        break;
      default:
        return Invalid(StrCat("conf change: unknown change type ", static_cast<int>(ch.type())));
    }
  }
  if (r->config.voters.incoming.empty()) return Invalid("conf change: removed all voters");
  return absl::OkStatus();
}

absl::Status ConfChanger::CheckInvariants(const ConfChangeResult& r) {
  const TrackerConfig& c = r.config;
  for (uint64_t id : c.voters.Ids()) {
    if (r.progress.count(id) == 0)
      return Invalid(StrCat("conf change: no progress for voter ", id));
  }
  for (uint64_t id : c.learners) {
    if (r.progress.count(id) == 0)
      return Invalid(StrCat("conf change: no progress for learner ", id));
    if (c.voters.Ids().count(id) > 0)
      return Invalid(StrCat("conf change: ", id, " is voter and learner"));
    if (!r.progress.at(id).is_learner)
      return Invalid(StrCat("conf change: learner ", id, " not marked"));
  }
  for (uint64_t id : c.learners_next) {
    if (c.voters.outgoing.ids().count(id) == 0) {
      return Invalid(StrCat("conf change: learner-next ", id, " not an outgoing voter"));
    }
  }
  for (uint64_t id : c.voters.Ids()) {
    if (r.progress.at(id).is_learner)
      return Invalid(StrCat("conf change: voter ", id, " marked learner"));
  }
  if (!c.voters.IsJoint() && (!c.learners_next.empty() || c.auto_leave)) {
    return Invalid("conf change: learners_next/auto_leave outside a joint config");
  }
  return absl::OkStatus();
}

absl::StatusOr<ConfChangeResult> ConfChanger::Simple(const raftpb::ConfChange& cc) const {
  if (tracker_.config().voters.IsJoint()) {
    return Invalid("conf change: simple change requested while in a joint config");
  }
  ConfChangeResult r = Copy();
  absl::Status s = ApplyChanges(cc, &r);
  if (!s.ok()) return s;
  const std::set<uint64_t>& before = tracker_.config().voters.incoming.ids();
  const std::set<uint64_t>& after = r.config.voters.incoming.ids();
  size_t changed = 0;
  for (uint64_t id : before) changed += after.count(id) == 0;
  for (uint64_t id : after) changed += before.count(id) == 0;
  if (changed > 1) {
    return Invalid("conf change: more than one voter changed without a joint config");
  }
  s = CheckInvariants(r);
  if (!s.ok()) return s;
  return r;
}

absl::StatusOr<ConfChangeResult> ConfChanger::EnterJoint(bool auto_leave,
                                                         const raftpb::ConfChange& cc) const {
  if (tracker_.config().voters.IsJoint()) {
    return Invalid("conf change: already in a joint config");
  }
  ConfChangeResult r = Copy();
  if (r.config.voters.incoming.empty()) {
    return Invalid("conf change: cannot enter a joint config from zero voters");
  }
  r.config.voters.outgoing = r.config.voters.incoming;
  absl::Status s = ApplyChanges(cc, &r);
  if (!s.ok()) return s;
  r.config.auto_leave = auto_leave;
  s = CheckInvariants(r);
  if (!s.ok()) return s;
  return r;
}

absl::StatusOr<ConfChangeResult> ConfChanger::LeaveJoint() const {
  if (!tracker_.config().voters.IsJoint()) {
    return Invalid("conf change: cannot leave a non-joint config");
  }
  ConfChangeResult r = Copy();
  for (uint64_t id : r.config.learners_next) {
    r.config.learners.insert(id);
    r.progress.at(id).is_learner = true;
  }
  r.config.learners_next.clear();
  for (uint64_t id : r.config.voters.outgoing.ids()) {
    bool still_voter = r.config.voters.incoming.ids().count(id) > 0;
    bool learner = r.config.learners.count(id) > 0;
    if (!still_voter && !learner) r.progress.erase(id);
  }
  r.config.voters.outgoing.ids().clear();
  r.config.auto_leave = false;
  absl::Status s = CheckInvariants(r);
  if (!s.ok()) return s;
  return r;
}

bool ConfChangeNeedsJoint(const raftpb::ConfChange& cc) {
  if (cc.transition() != raftpb::CONF_CHANGE_TRANSITION_AUTO) return true;
  return cc.changes_size() > 1;
}

absl::StatusOr<ConfChangeResult> ConfChanger::Apply(const raftpb::ConfChange& cc) const {
  if (IsLeaveJoint(cc)) return LeaveJoint();
  if (!ConfChangeNeedsJoint(cc)) return Simple(cc);
  bool auto_leave = cc.transition() != raftpb::CONF_CHANGE_TRANSITION_JOINT_EXPLICIT;
  return EnterJoint(auto_leave, cc);
}

absl::StatusOr<ConfChangeResult> RestoreConfState(const raftpb::ConfState& cs,
                                                  const ProgressTracker& empty_tracker,
                                                  uint64_t last_index) {
  // Build the outgoing config first (as incoming), then enter the joint config that adds the
  // incoming voters and learners, mirroring etcd's confchange.Restore.
  ProgressTracker scratch(empty_tracker.max_inflight(), empty_tracker.max_inflight_bytes());
  raftpb::ConfChange outgoing;
  for (uint64_t id : cs.voters_outgoing()) {
    auto* ch = outgoing.add_changes();
    ch->set_type(raftpb::CONF_CHANGE_ADD_NODE);
    ch->set_node_id(id);
  }
  raftpb::ConfChange incoming;
  for (uint64_t id : cs.voters()) {
    auto* ch = incoming.add_changes();
    ch->set_type(raftpb::CONF_CHANGE_ADD_NODE);
    ch->set_node_id(id);
  }
  for (uint64_t id : cs.learners()) {
    auto* ch = incoming.add_changes();
    ch->set_type(raftpb::CONF_CHANGE_ADD_LEARNER_NODE);
    ch->set_node_id(id);
  }
  for (uint64_t id : cs.learners_next()) {
    auto* ch = incoming.add_changes();
    ch->set_type(raftpb::CONF_CHANGE_ADD_LEARNER_NODE);
    ch->set_node_id(id);
  }
  auto install = [&scratch](ConfChangeResult r) {
    scratch.SetConfig(std::move(r.config), std::move(r.progress));
  };
  if (cs.voters_outgoing_size() == 0) {
    // Not joint: add everything one at a time through the simple path.
    for (const raftpb::ConfChangeSingle& ch : incoming.changes()) {
      raftpb::ConfChange one;
      *one.add_changes() = ch;
      ConfChanger changer(scratch, last_index);
      ConfChangeResult r = changer.Copy();
      absl::Status s = changer.ApplyChanges(one, &r);
      // An empty voter set is fine while learners are being added before any voter.
      if (!s.ok() && !r.config.voters.incoming.empty()) return s;
      install(std::move(r));
    }
    ConfChangeResult out{scratch.config(), scratch.progress()};
    return out;
  }
  for (const raftpb::ConfChangeSingle& ch : outgoing.changes()) {
    raftpb::ConfChange one;
    *one.add_changes() = ch;
    ConfChanger changer(scratch, last_index);
    ConfChangeResult r = changer.Copy();
    changer.MakeVoter(ch.node_id(), &r);
    install(std::move(r));
  }
  ConfChanger changer(scratch, last_index);
  // Entering the joint config copies the outgoing voters into incoming; start incoming empty.
  ConfChangeResult r = changer.Copy();
  r.config.voters.outgoing = r.config.voters.incoming;
  r.config.voters.incoming.ids().clear();
  for (const raftpb::ConfChangeSingle& ch : incoming.changes()) {
    if (ch.type() == raftpb::CONF_CHANGE_ADD_NODE) {
      changer.MakeVoter(ch.node_id(), &r);
    } else {
      changer.MakeLearner(ch.node_id(), &r);
    }
  }
  r.config.auto_leave = cs.auto_leave();
  absl::Status s = ConfChanger::CheckInvariants(r);
  if (!s.ok()) return s;
  return r;
}

}  // namespace nokv::raft
