// The leader side of Raft: proposals, replication with flow control, the commit rule, ReadIndex
// and lease reads, leadership transfer and membership changes. Design notes: docs/raft.md.
#include <algorithm>
#include <utility>

#include "raftstore/raft/confchange.h"
#include "raftstore/raft/errors.h"
#include "raftstore/raft/raft.h"
#include "src/util/str_cat.h"

namespace nokv::raft {

absl::Status Raft::StepLeader(raftpb::Message& m) {
  switch (m.type()) {
    case raftpb::MSG_BEAT:
      BcastHeartbeat();
      return absl::OkStatus();
    case raftpb::MSG_PROPOSE:
      return HandlePropose(m);
    case raftpb::MSG_READ_INDEX:
      HandleReadIndex(m);
      return absl::OkStatus();
    default:
      break;
  }
  Progress* pr = tracker_.Find(m.from());
  if (pr == nullptr) return absl::OkStatus();  // not (or no longer) a member
  switch (m.type()) {
    case raftpb::MSG_APPEND_RESPONSE:
      HandleAppendResponse(m, pr);
      break;
    case raftpb::MSG_HEARTBEAT_RESPONSE:
      HandleHeartbeatResponse(m, pr);
      break;
    case raftpb::MSG_SNAPSHOT_STATUS:
      if (pr->state != ProgressState::kSnapshot) break;
      if (m.reject()) pr->pending_snapshot = 0;  // failed: probe from match again
      pr->BecomeProbe();
      // Wait for a heartbeat response before probing, as etcd does, so a failing transport is
      // not hammered with appends.
      pr->probe_paused = true;
      break;
    case raftpb::MSG_UNREACHABLE:
      // The optimistic pipeline was probably lost; fall back to probing.
      if (pr->state == ProgressState::kReplicate) pr->BecomeProbe();
      break;
    case raftpb::MSG_TRANSFER_LEADER:
      HandleTransferLeader(m, pr);
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

absl::Status Raft::HandlePropose(raftpb::Message& m) {
  if (m.entries_size() == 0) return absl::InvalidArgumentError("raft: empty proposal");
  if (tracker_.Find(id_) == nullptr) return ProposalDroppedError("leader removed from config");
  if (lead_transferee_ != 0) return ProposalDroppedError("leadership transfer in progress");
  std::vector<raftpb::Entry> entries;
  entries.reserve(m.entries_size());
  uint64_t last = log_.LastIndex();
  for (int i = 0; i < m.entries_size(); ++i) {
    raftpb::Entry& e = *m.mutable_entries(i);
    if (e.type() == raftpb::ENTRY_CONF_CHANGE) {
      raftpb::ConfChange cc;
      if (!cc.ParseFromString(e.data())) {
        return absl::InvalidArgumentError("raft: malformed conf change proposal");
      }
      bool already_pending = pending_conf_index_ > log_.applied();
      bool already_joint = tracker_.config().voters.IsJoint();
      bool wants_leave = IsLeaveJoint(cc);
      if (already_pending) {
        return ProposalDroppedError(StrCat("conf change at ", pending_conf_index_,
                                           " not applied yet (applied ", log_.applied(), ")"));
      }
      if (already_joint && !wants_leave) {
        return ProposalDroppedError("must leave the joint config first");
      }
      if (!already_joint && wants_leave) return ProposalDroppedError("not in a joint config");
      for (const raftpb::ConfChangeSingle& ch : cc.changes()) {
        // A removed leader may hold log entries no remaining voter has; if it stops leading
        // before the others learn that its removal committed, they still need its vote under
        // the old configuration and it refuses them (its log is longer): the group wedges. The
        // simulator found this; the rule (TiKV's too) is to move leadership first.
        if (ch.node_id() == id_ && ch.type() != raftpb::CONF_CHANGE_ADD_NODE) {
          return ProposalDroppedError("the leader cannot remove or demote itself; transfer first");
        }
      }
      pending_conf_index_ = last + i + 1;
    }
    entries.push_back(std::move(e));
  }
  if (!AppendEntries(std::move(entries))) {
    return ProposalDroppedError("uncommitted log size limit reached");
  }
  BcastAppend();
  return absl::OkStatus();
}

bool Raft::AppendEntries(std::vector<raftpb::Entry> entries) {
  uint64_t bytes = 0;
  for (const raftpb::Entry& e : entries) bytes += e.data().size();
  // An empty entry (leader's no-op) is always accepted, as is anything when nothing is pending.
  if (max_uncommitted_size_ != 0 && bytes > 0 && uncommitted_size_ > 0 &&
      uncommitted_size_ + bytes > max_uncommitted_size_) {
    return false;
  }
  uncommitted_size_ += bytes;
  uint64_t last = log_.LastIndex();
  for (size_t i = 0; i < entries.size(); ++i) {
    entries[i].set_term(term_);
    entries[i].set_index(last + 1 + i);
  }
  absl::StatusOr<uint64_t> appended = log_.Append(entries);
  if (!appended.ok()) {
    RecordError(appended.status());
    return false;
  }
  // The leader's own progress advances in OnPersisted(), once the entries are durable: counting
  // an unpersisted entry towards a quorum would let a crash lose a "committed" entry.
  return true;
}

void Raft::ReduceUncommittedSize(const std::vector<raftpb::Entry>& applied) {
  if (state_ != StateType::kLeader) return;
  uint64_t bytes = 0;
  for (const raftpb::Entry& e : applied) bytes += e.data().size();
  uncommitted_size_ = bytes > uncommitted_size_ ? 0 : uncommitted_size_ - bytes;
}

void Raft::OnPersisted() {
  if (state_ != StateType::kLeader) return;
  Progress* self = tracker_.Find(id_);
  if (self == nullptr) return;
  if (self->MaybeUpdate(log_.LastStableIndex()) && MaybeCommit()) OnCommitAdvanced();
}

bool Raft::MaybeCommit() {
  uint64_t quorum_index = tracker_.Committed();
  if (quorum_index <= log_.committed()) return false;
  // Only entries of the current term are committed by counting replicas (Raft §5.4.2); earlier
  // ones commit indirectly with them.
  absl::StatusOr<uint64_t> t = log_.Term(quorum_index);
  if (!t.ok() || *t != term_) return false;
  if (!PassFailpoint(Failpoint::kBeforeCommitAdvance)) return false;
  return log_.MaybeCommit(quorum_index, term_);
}

bool Raft::CommittedEntryInCurrentTerm() const {
  absl::StatusOr<uint64_t> t = log_.Term(log_.committed());
  return t.ok() && *t == term_;
}

void Raft::OnCommitAdvanced() {
  BcastAppend();
  if (!pending_read_index_messages_.empty() && CommittedEntryInCurrentTerm()) {
    std::vector<raftpb::Message> waiting = std::move(pending_read_index_messages_);
    pending_read_index_messages_.clear();
    for (const raftpb::Message& m : waiting) HandleReadIndex(m);
  }
}

void Raft::BcastAppend() {
  for (const auto& [id, pr] : tracker_.progress()) {
    if (id != id_) SendAppend(id);
  }
}

void Raft::BcastHeartbeat() {
  for (const auto& [id, pr] : tracker_.progress()) {
    if (id == id_) continue;
    raftpb::Message m;
    m.set_to(id);
    m.set_type(raftpb::MSG_HEARTBEAT);
    // Never tell a follower to commit beyond what it is known to hold.
    m.set_commit(std::min(pr.match, log_.committed()));
    Send(std::move(m));
  }
}

bool Raft::MaybeSendAppend(uint64_t to, bool send_if_empty) {
  Progress* pr = tracker_.Find(to);
  if (pr == nullptr || pr->IsPaused()) return false;
  raftpb::Message m;
  m.set_to(to);
  absl::StatusOr<uint64_t> prev_term = log_.Term(pr->next - 1);
  absl::StatusOr<std::vector<raftpb::Entry>> entries = log_.EntriesFrom(pr->next, max_msg_size_);
  if (!prev_term.ok() || !entries.ok()) {
    // The entries the follower needs were compacted: it needs a snapshot.
    return MaybeSendSnapshot(to, pr, &m);
  }
  if (entries->empty() && !send_if_empty) return false;
  m.set_type(raftpb::MSG_APPEND);
  m.set_index(pr->next - 1);
  m.set_log_term(*prev_term);
  m.set_commit(log_.committed());
  if (!entries->empty()) {
    uint64_t last = entries->back().index();
    uint64_t bytes = 0;
    for (const raftpb::Entry& e : *entries) bytes += EntrySize(e);
    switch (pr->state) {
      case ProgressState::kReplicate:
        pr->OptimisticUpdate(last);
        pr->inflights.Add(last, bytes);
        break;
      case ProgressState::kProbe:
        pr->probe_paused = true;
        break;
      case ProgressState::kSnapshot:
        break;
    }
    m.mutable_entries()->Reserve(static_cast<int>(entries->size()));
    for (raftpb::Entry& e : *entries) *m.add_entries() = std::move(e);
  }
  Send(std::move(m));
  return true;
}

bool Raft::MaybeSendSnapshot(uint64_t to, Progress* pr, raftpb::Message* m) {
  // Only to followers heard from recently: a snapshot is expensive to send into the void.
  if (!pr->recent_active) return false;
  absl::StatusOr<raftpb::Snapshot> snapshot = log_.Snapshot();
  if (!snapshot.ok()) {
    if (!IsSnapshotTemporarilyUnavailable(snapshot.status())) RecordError(snapshot.status());
    return false;
  }
  if (snapshot->metadata().index() == 0) return false;  // nothing was ever compacted
  if (!PassFailpoint(Failpoint::kBeforeSnapshotSend)) return false;
  m->set_type(raftpb::MSG_SNAPSHOT);
  pr->BecomeSnapshot(snapshot->metadata().index());
  *m->mutable_snapshot() = std::move(*snapshot);
  Send(std::move(*m));
  return true;
}

void Raft::RecordLeaderAck(const raftpb::Message& m, Progress* pr) {
  pr->recent_active = true;
  pr->lease_tick_acked = std::max(pr->lease_tick_acked, m.lease_tick());
  pr->read_round_acked = std::max(pr->read_round_acked, m.read_round());
}

void Raft::HandleAppendResponse(const raftpb::Message& m, Progress* pr) {
  RecordLeaderAck(m, pr);
  if (m.reject()) {
    // With a term hint, skip every entry of terms the follower cannot match.
    uint64_t next_probe = m.reject_hint();
    if (m.log_term() > 0) next_probe = log_.FindConflictByTerm(m.reject_hint(), m.log_term()).first;
    if (pr->MaybeDecreaseTo(m.index(), next_probe)) {
      if (pr->state == ProgressState::kReplicate) pr->BecomeProbe();
      SendAppend(m.from());
    }
    return;
  }
  bool was_paused = pr->IsPaused();
  if (!pr->MaybeUpdate(m.index())) return;
  switch (pr->state) {
    case ProgressState::kProbe:
      pr->BecomeReplicate();
      break;
    case ProgressState::kSnapshot:
      if (pr->match + 1 >= log_.FirstIndex() || pr->match >= pr->pending_snapshot) {
        pr->BecomeProbe();
        pr->BecomeReplicate();
      }
      break;
    case ProgressState::kReplicate:
      pr->inflights.FreeLE(m.index());
      break;
  }
  if (MaybeCommit()) {
    OnCommitAdvanced();
  } else if (was_paused) {
    SendAppend(m.from());
  }
  // Fill the window while there is something to send.
  while (MaybeSendAppend(m.from(), /*send_if_empty=*/false)) {
  }
  if (m.from() == lead_transferee_ && pr->match == log_.LastIndex()) SendTimeoutNow(m.from());
  MaybeReleaseReads();
}

void Raft::HandleHeartbeatResponse(const raftpb::Message& m, Progress* pr) {
  RecordLeaderAck(m, pr);
  pr->probe_paused = false;
  // A full window whose acks were lost would stall forever: free one slot per heartbeat so the
  // leader learns (possibly via a rejection) where the follower really is.
  if (pr->state == ProgressState::kReplicate && pr->inflights.Full()) pr->inflights.FreeFirst();
  if (pr->match < log_.LastIndex()) SendAppend(m.from());
  MaybeReleaseReads();
}

// ---- reads ----

bool Raft::LeaseValid() const {
  if (state_ != StateType::kLeader || !check_quorum_) return false;
  if (lease_void_term_ == term_ || lead_transferee_ != 0) return false;
  // Quorums are ambiguous while membership is moving; fall back to ReadIndex then.
  if (tracker_.config().voters.IsJoint() || pending_conf_index_ > log_.applied()) return false;
  uint64_t acked = tracker_.QuorumLeaseTick(id_, tick_count_);
  if (acked < leader_since_tick_) return false;
  // Followers that acknowledged a message sent at tick `acked` will not vote for anyone else
  // before election_timeout of their ticks has passed; shorten by the drift allowance.
  return tick_count_ < acked + static_cast<uint64_t>(election_timeout_ - lease_drift_ticks_);
}

void Raft::HandleReadIndex(const raftpb::Message& m) {
  if (!CommittedEntryInCurrentTerm()) {
    // The commit index of a new leader may lag entries committed by its predecessor; wait for
    // the no-op of this term to commit (thesis §6.4 step 1).
    pending_read_index_messages_.push_back(m);
    return;
  }
  uint64_t from = m.from() == 0 ? id_ : m.from();
  if (tracker_.IsSingleton() || (m.lease_read() && LeaseValid())) {
    ReplyRead(from, log_.committed(), m.context());
    return;
  }
  ++read_round_;
  pending_reads_.push_back(PendingRead{m.context(), log_.committed(), read_round_, from});
  BcastHeartbeat();
}

void Raft::MaybeReleaseReads() {
  if (pending_reads_.empty()) return;
  uint64_t acked = tracker_.QuorumReadRound(id_, read_round_);
  if (pending_reads_.front().round > acked) return;
  if (!PassFailpoint(Failpoint::kBeforeReadIndexConfirm)) return;
  while (!pending_reads_.empty() && pending_reads_.front().round <= acked) {
    PendingRead r = std::move(pending_reads_.front());
    pending_reads_.pop_front();
    ReplyRead(r.from, r.index, r.context);
  }
}

void Raft::ReplyRead(uint64_t to, uint64_t index, const std::string& context) {
  if (to == id_) {
    read_states_.push_back(ReadState{index, context});
    return;
  }
  raftpb::Message resp;
  resp.set_to(to);
  resp.set_type(raftpb::MSG_READ_INDEX_RESPONSE);
  resp.set_index(index);
  resp.set_context(context);
  Send(std::move(resp));
}

// ---- leadership transfer (thesis §3.10) ----

void Raft::HandleTransferLeader(const raftpb::Message& m, Progress* pr) {
  uint64_t transferee = m.from();
  if (pr->is_learner) return;
  if (lead_transferee_ == transferee) return;  // already in progress
  if (transferee == id_) return;               // already leader
  if (!PassFailpoint(Failpoint::kBeforeLeaderTransfer)) return;
  AbortLeaderTransfer();
  // The transfer must finish within one election timeout; proposals are refused meanwhile.
  election_elapsed_ = 0;
  lead_transferee_ = transferee;
  if (pr->match == log_.LastIndex()) {
    SendTimeoutNow(transferee);
  } else {
    SendAppend(transferee);
  }
}

void Raft::MaybeHandOffLeadership() {
  if (state_ != StateType::kLeader || lead_transferee_ != 0) return;
  Progress* self = tracker_.Find(id_);
  if (self != nullptr && !self->is_learner) return;  // still a voter
  uint64_t best = 0;
  uint64_t best_match = 0;
  for (uint64_t id : tracker_.config().voters.incoming.ids()) {
    const Progress& pr = tracker_.progress().at(id);
    if (best == 0 || pr.match > best_match) {
      best = id;
      best_match = pr.match;
    }
  }
  if (best == 0) return;
  election_elapsed_ = 0;
  lead_transferee_ = best;
  if (best_match == log_.LastIndex()) {
    SendTimeoutNow(best);
  } else {
    SendAppend(best);
  }
}

void Raft::SendTimeoutNow(uint64_t to) {
  lease_void_term_ = term_;
  raftpb::Message m;
  m.set_to(to);
  m.set_type(raftpb::MSG_TIMEOUT_NOW);
  Send(std::move(m));
}

// ---- membership ----

absl::StatusOr<raftpb::ConfState> Raft::ApplyConfChange(const raftpb::ConfChange& cc) {
  ConfChanger changer(tracker_, log_.LastIndex());
  absl::StatusOr<ConfChangeResult> r = changer.Apply(cc);
  if (!r.ok()) return r.status();
  // The change is in effect whatever happens next; a failpoint that fired on the way (e.g. in
  // releasing reads) is reported by the next call that returns a status (Advance).
  return SwitchToConfig(std::move(r->config), std::move(r->progress));
}

raftpb::ConfState Raft::SwitchToConfig(TrackerConfig config, ProgressMap progress) {
  tracker_.SetConfig(std::move(config), std::move(progress));
  raftpb::ConfState cs = tracker_.config().ToConfState();
  Progress* self = tracker_.Find(id_);
  is_learner_ = self != nullptr && self->is_learner;
  if ((self == nullptr || is_learner_) && state_ == StateType::kLeader) {
    if (step_down_on_removal_) {
      BecomeFollower(term_, 0);
      return cs;
    }
    // Removed or demoted while leading (the change was proposed under another leader). Do not
    // just stop: the others may not know yet that the change committed and, still in the old
    // or joint configuration, may need this node's vote, which it would refuse if its log is
    // longer. Keep leading (without counting ourselves) and hand leadership to the most
    // up-to-date remaining voter.
    MaybeHandOffLeadership();
  }
  if (state_ != StateType::kLeader || cs.voters_size() == 0) return cs;
  // The quorum changed: commit may advance; new members need their first append.
  if (MaybeCommit()) {
    OnCommitAdvanced();
  } else {
    for (const auto& [id, pr] : tracker_.progress()) {
      if (id != id_) MaybeSendAppend(id, /*send_if_empty=*/false);
    }
  }
  if (lead_transferee_ != 0 && !tracker_.IsVoter(lead_transferee_)) AbortLeaderTransfer();
  MaybeReleaseReads();
  return cs;
}

void Raft::MaybeAutoLeaveJoint() {
  if (state_ != StateType::kLeader || !tracker_.config().auto_leave) return;
  if (log_.applied() < pending_conf_index_) return;
  raftpb::Message m;
  m.set_type(raftpb::MSG_PROPOSE);
  raftpb::Entry* e = m.add_entries();
  e->set_type(raftpb::ENTRY_CONF_CHANGE);
  e->set_data(raftpb::ConfChange().SerializeAsString());
  // A refusal (e.g. a transfer in progress) is retried at the next Advance.
  (void)HandlePropose(m);
}

}  // namespace nokv::raft
