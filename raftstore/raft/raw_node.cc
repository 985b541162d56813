#include "raftstore/raft/raw_node.h"

#include <utility>

#include "raftstore/raft/errors.h"
#include "src/util/str_cat.h"

namespace nokv::raft {
namespace {

bool IsLocalOnly(raftpb::MessageType t) {
  return t == raftpb::MSG_HUP || t == raftpb::MSG_BEAT || t == raftpb::MSG_UNREACHABLE ||
         t == raftpb::MSG_SNAPSHOT_STATUS;
}

bool IsResponse(raftpb::MessageType t) {
  return t == raftpb::MSG_APPEND_RESPONSE || t == raftpb::MSG_VOTE_RESPONSE ||
         t == raftpb::MSG_PRE_VOTE_RESPONSE || t == raftpb::MSG_HEARTBEAT_RESPONSE;
}

bool SameHardState(const raftpb::HardState& a, const raftpb::HardState& b) {
  return a.term() == b.term() && a.vote() == b.vote() && a.commit() == b.commit();
}

// Entries in an append must be contiguous after m.index() and not from a future term.
absl::Status ValidateAppend(const raftpb::Message& m) {
  uint64_t expect = m.index() + 1;
  uint64_t prev_term = m.log_term();
  for (const raftpb::Entry& e : m.entries()) {
    if (e.index() != expect || e.term() < prev_term || e.term() > m.term()) {
      return absl::InvalidArgumentError(absl::string_view(
          StrCat("raft: malformed append from ", m.from(), ": entry ", e.index(), "/", e.term(),
                 " after ", expect - 1, "/", prev_term, " in term ", m.term())));
    }
    prev_term = e.term();
    ++expect;
  }
  return absl::OkStatus();
}

}  // namespace

RawNode::RawNode(std::unique_ptr<Raft> raft, uint64_t max_committed_size)
    : raft_(std::move(raft)), max_committed_size_(max_committed_size) {
  prev_soft_ = raft_->soft_state();
  prev_hard_ = raft_->hard_state();
}

absl::StatusOr<std::unique_ptr<RawNode>> RawNode::Create(const Config& config) {
  absl::StatusOr<std::unique_ptr<Raft>> raft = Raft::Create(config);
  if (!raft.ok()) return raft.status();
  return std::unique_ptr<RawNode>(
      new RawNode(std::move(*raft), config.max_committed_size_per_ready));
}

absl::Status RawNode::Tick() { return raft_->Tick(); }

absl::Status RawNode::Campaign() {
  raftpb::Message m;
  m.set_type(raftpb::MSG_HUP);
  return raft_->Step(std::move(m));
}

absl::Status RawNode::Propose(std::string data) {
  raftpb::Message m;
  m.set_type(raftpb::MSG_PROPOSE);
  m.set_from(raft_->id());
  m.add_entries()->set_data(std::move(data));
  return raft_->Step(std::move(m));
}

absl::Status RawNode::ProposeConfChange(const raftpb::ConfChange& cc) {
  raftpb::Message m;
  m.set_type(raftpb::MSG_PROPOSE);
  m.set_from(raft_->id());
  raftpb::Entry* e = m.add_entries();
  e->set_type(raftpb::ENTRY_CONF_CHANGE);
  e->set_data(cc.SerializeAsString());
  return raft_->Step(std::move(m));
}

absl::StatusOr<raftpb::ConfState> RawNode::ApplyConfChange(const raftpb::ConfChange& cc) {
  return raft_->ApplyConfChange(cc);
}

absl::Status RawNode::Step(raftpb::Message m) {
  if (IsLocalOnly(m.type())) {
    return absl::InvalidArgumentError("raft: local message type received from the network");
  }
  if (IsResponse(m.type()) && raft_->tracker().progress().count(m.from()) == 0 &&
      m.type() != raftpb::MSG_VOTE_RESPONSE && m.type() != raftpb::MSG_PRE_VOTE_RESPONSE) {
    return absl::OkStatus();  // response from a node that is not a member: ignore
  }
  if (m.type() == raftpb::MSG_APPEND) {
    absl::Status s = ValidateAppend(m);
    if (!s.ok()) return s;
  }
  return raft_->Step(std::move(m));
}

absl::Status RawNode::ReadIndex(std::string context, ReadMode mode) {
  raftpb::Message m;
  m.set_type(raftpb::MSG_READ_INDEX);
  m.set_from(raft_->id());
  m.set_context(std::move(context));
  m.set_lease_read(mode == ReadMode::kLease);
  return raft_->Step(std::move(m));
}

absl::Status RawNode::TransferLeader(uint64_t transferee) {
  raftpb::Message m;
  m.set_type(raftpb::MSG_TRANSFER_LEADER);
  m.set_from(transferee);
  return raft_->Step(std::move(m));
}

void RawNode::ReportUnreachable(uint64_t id) {
  raftpb::Message m;
  m.set_type(raftpb::MSG_UNREACHABLE);
  m.set_from(id);
  (void)raft_->Step(std::move(m));
}

void RawNode::ReportSnapshot(uint64_t id, bool failed) {
  raftpb::Message m;
  m.set_type(raftpb::MSG_SNAPSHOT_STATUS);
  m.set_from(id);
  m.set_reject(failed);
  (void)raft_->Step(std::move(m));
}

bool RawNode::HasReady() const {
  const Raft& r = *raft_;
  if (r.soft_state() != prev_soft_) return true;
  if (!SameHardState(r.hard_state(), prev_hard_)) return true;
  if (r.log().unstable().snapshot().has_value()) return true;
  if (!r.log().unstable().entries().empty()) return true;
  if (r.HasPendingOutput()) return true;
  return r.log().HasNextCommittedEntries();
}

Ready RawNode::GetReady() {
  Ready rd;
  Raft& r = *raft_;
  SoftState soft = r.soft_state();
  if (soft != prev_soft_) {
    rd.soft_state = soft;
    prev_soft_ = soft;
  }
  raftpb::HardState hard = r.hard_state();
  if (!SameHardState(hard, prev_hard_)) rd.hard_state = hard;
  const UnstableLog& unstable = r.log().unstable();
  rd.entries = unstable.entries();
  if (unstable.snapshot()) rd.snapshot = *unstable.snapshot();
  if (r.log().HasNextCommittedEntries()) {
    absl::StatusOr<std::vector<raftpb::Entry>> committed =
        r.log().NextCommittedEntries(max_committed_size_);
    // Failure here means the committed range is compacted under a pending snapshot; the
    // snapshot in this Ready covers it.
    if (committed.ok()) rd.committed_entries = std::move(*committed);
  }
  rd.messages = std::move(r.msgs());
  r.msgs().clear();
  rd.read_states = std::move(r.read_states());
  r.read_states().clear();
  rd.must_sync =
      !rd.entries.empty() || (rd.hard_state && (rd.hard_state->term() != prev_hard_.term() ||
                                                rd.hard_state->vote() != prev_hard_.vote()));

  taken_ = Taken();
  taken_.valid = true;
  if (!rd.entries.empty()) {
    taken_.last_entry_index = rd.entries.back().index();
    taken_.last_entry_term = rd.entries.back().term();
  }
  if (rd.snapshot) taken_.snapshot_index = rd.snapshot->metadata().index();
  if (!rd.committed_entries.empty()) {
    taken_.last_committed_index = rd.committed_entries.back().index();
    if (r.state() == StateType::kLeader) taken_.applied = rd.committed_entries;
  }
  taken_.hard_state = rd.hard_state;
  return rd;
}

absl::Status RawNode::Advance() {
  if (!taken_.valid) return absl::FailedPreconditionError("raft: Advance without GetReady");
  Raft& r = *raft_;
  if (taken_.hard_state) prev_hard_ = *taken_.hard_state;
  if (taken_.snapshot_index != 0) {
    r.mutable_log().StableSnapshotTo(taken_.snapshot_index);
    r.mutable_log().AppliedTo(taken_.snapshot_index);
  }
  if (taken_.last_entry_index != 0) {
    r.mutable_log().StableTo(taken_.last_entry_index, taken_.last_entry_term);
    r.OnPersisted();
  }
  if (taken_.last_committed_index != 0) {
    r.mutable_log().AppliedTo(taken_.last_committed_index);
    r.ReduceUncommittedSize(taken_.applied);
    r.MaybeAutoLeaveJoint();
  }
  taken_ = Taken();
  return r.TakeFailpointStatus();
}

NodeStatus RawNode::Status() const {
  const Raft& r = *raft_;
  NodeStatus s;
  s.id = r.id();
  s.term = r.term();
  s.vote = r.vote();
  s.commit = r.log().committed();
  s.applied = r.log().applied();
  s.lead = r.lead();
  s.lead_transferee = r.lead_transferee();
  s.state = r.state();
  return s;
}

}  // namespace nokv::raft
