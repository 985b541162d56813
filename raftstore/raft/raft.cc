// Terms, elections, message dispatch and the follower side of replication. The leader side lives
// in raft_leader.cc. Design notes: docs/raft.md.
#include "raftstore/raft/raft.h"

#include <algorithm>
#include <utility>

#include "raftstore/raft/confchange.h"
#include "raftstore/raft/errors.h"
#include "src/util/str_cat.h"

namespace nokv::raft {
namespace {

raftpb::MessageType VoteResponseType(raftpb::MessageType t) {
  return t == raftpb::MSG_PRE_VOTE ? raftpb::MSG_PRE_VOTE_RESPONSE : raftpb::MSG_VOTE_RESPONSE;
}

absl::Status Invalid(const std::string& msg) {
  return absl::InvalidArgumentError(absl::string_view(msg.data(), msg.size()));
}

}  // namespace

const char* StateTypeName(StateType state) {
  switch (state) {
    case StateType::kFollower:
      return "follower";
    case StateType::kCandidate:
      return "candidate";
    case StateType::kLeader:
      return "leader";
    case StateType::kPreCandidate:
      return "pre-candidate";
  }
  return "?";
}

absl::Status Config::Validate() const {
  if (id == 0) return Invalid("raft config: id must be non-zero");
  if (heartbeat_tick <= 0) return Invalid("raft config: heartbeat_tick must be positive");
  if (election_tick <= heartbeat_tick) {
    return Invalid("raft config: election_tick must exceed heartbeat_tick");
  }
  if (storage == nullptr) return Invalid("raft config: storage is required");
  if (max_inflight_msgs == 0) return Invalid("raft config: max_inflight_msgs must be positive");
  if (lease_drift_ticks < 0 || lease_drift_ticks >= election_tick) {
    return Invalid("raft config: lease_drift_ticks must be in [0, election_tick)");
  }
  return absl::OkStatus();
}

Raft::Raft(const Config& c)
    : id_(c.id),
      log_(c.storage),
      tracker_(c.max_inflight_msgs, c.max_inflight_bytes),
      heartbeat_timeout_(c.heartbeat_tick),
      election_timeout_(c.election_tick),
      max_msg_size_(c.max_size_per_msg),
      max_uncommitted_size_(c.max_uncommitted_entries_size),
      check_quorum_(c.check_quorum),
      pre_vote_(c.pre_vote),
      lease_drift_ticks_(c.lease_drift_ticks),
      disable_proposal_forwarding_(c.disable_proposal_forwarding),
      step_down_on_removal_(c.step_down_on_removal),
      rng_(c.random_seed ^ (c.id * 0x9e3779b97f4a7c15ULL)),
      failpoints_(c.failpoints) {}

absl::StatusOr<std::unique_ptr<Raft>> Raft::Create(const Config& config) {
  absl::Status s = config.Validate();
  if (!s.ok()) return s;
  absl::StatusOr<InitialState> init = config.storage->GetInitialState();
  if (!init.ok()) return init.status();
  std::unique_ptr<Raft> r(new Raft(config));
  absl::StatusOr<ConfChangeResult> conf =
      RestoreConfState(init->conf_state, r->tracker_, r->log_.LastIndex());
  if (!conf.ok()) return conf.status();
  r->SwitchToConfig(std::move(conf->config), std::move(conf->progress));
  const raftpb::HardState& hs = init->hard_state;
  if (hs.term() != 0 || hs.vote() != 0 || hs.commit() != 0) {
    if (hs.commit() < r->log_.committed() || hs.commit() > r->log_.LastIndex()) {
      return absl::DataLossError(
          absl::string_view(StrCat("raft: hard state commit ", hs.commit(), " outside [",
                                   r->log_.committed(), ", ", r->log_.LastIndex(), "]")));
    }
    r->log_.set_committed_for_restart(hs.commit());
    r->term_ = hs.term();
    r->vote_ = hs.vote();
  }
  if (config.applied > 0) {
    if (config.applied > r->log_.committed()) {
      return Invalid(
          StrCat("raft: applied ", config.applied, " beyond commit ", r->log_.committed()));
    }
    r->log_.AppliedTo(config.applied);
  }
  r->BecomeFollower(r->term_, 0);
  // A restart counts as "recently heard from a leader" (see raft.h). A node that never left
  // term 0 cannot have acknowledged any leader, so a fresh cluster elects without delay.
  r->vote_guard_ = hs.term() > 0;
  return r;
}

raftpb::HardState Raft::hard_state() const {
  raftpb::HardState hs;
  hs.set_term(term_);
  hs.set_vote(vote_);
  hs.set_commit(log_.committed());
  return hs;
}

bool Raft::PassFailpoint(Failpoint fp) {
  FailpointAction action = EvaluateFailpoint(failpoints_, fp);
  if (action == FailpointAction::kOff) return true;
  RecordError(FailpointStatus(fp, action));
  return false;
}

void Raft::RecordError(absl::Status s) {
  if (failpoint_status_.ok()) failpoint_status_ = std::move(s);
}

absl::Status Raft::TakeFailpointStatus() {
  absl::Status s = std::move(failpoint_status_);
  failpoint_status_ = absl::OkStatus();
  return s;
}

void Raft::Send(raftpb::Message m) {
  m.set_from(id_);
  if (m.type() == raftpb::MSG_VOTE || m.type() == raftpb::MSG_VOTE_RESPONSE ||
      m.type() == raftpb::MSG_PRE_VOTE || m.type() == raftpb::MSG_PRE_VOTE_RESPONSE) {
    // Vote messages carry the term being campaigned for, set by the caller.
  } else if (m.type() != raftpb::MSG_PROPOSE && m.type() != raftpb::MSG_READ_INDEX) {
    // Proposals and read requests are forwarded as local messages (term 0).
    m.set_term(term_);
  }
  if (state_ == StateType::kLeader &&
      (m.type() == raftpb::MSG_APPEND || m.type() == raftpb::MSG_HEARTBEAT ||
       m.type() == raftpb::MSG_SNAPSHOT)) {
    m.set_lease_tick(tick_count_);
    m.set_read_round(read_round_);
  }
  msgs_.push_back(std::move(m));
}

void Raft::ReplyToLeader(const raftpb::Message& request, raftpb::Message reply) {
  reply.set_to(request.from());
  reply.set_lease_tick(request.lease_tick());
  reply.set_read_round(request.read_round());
  Send(std::move(reply));
}

// ---- state transitions ----

void Raft::ResetRandomizedElectionTimeout() {
  randomized_election_timeout_ =
      election_timeout_ + static_cast<int>(rng_.Uniform(static_cast<uint64_t>(election_timeout_)));
}

void Raft::Reset(uint64_t term) {
  if (term_ != term) {
    term_ = term;
    vote_ = 0;
  }
  lead_ = 0;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
  AbortLeaderTransfer();
  tracker_.ResetVotes();
  uint64_t last = log_.LastIndex();
  for (auto& [id, pr] : tracker_.progress()) {
    Progress fresh(last + 1, tracker_.max_inflight(), tracker_.max_inflight_bytes(), pr.is_learner);
    // Our own entries count as matched only once durable (see OnPersisted).
    if (id == id_) fresh.match = log_.LastStableIndex();
    pr = std::move(fresh);
  }
  pending_conf_index_ = 0;
  uncommitted_size_ = 0;
  read_round_ = 0;
  pending_reads_.clear();
  pending_read_index_messages_.clear();
}

void Raft::BecomeFollower(uint64_t term, uint64_t lead) {
  Reset(term);
  lead_ = lead;
  state_ = StateType::kFollower;
  if (lead != 0) vote_guard_ = true;
}

void Raft::BecomeCandidate() {
  Reset(term_ + 1);
  vote_ = id_;
  state_ = StateType::kCandidate;
  vote_guard_ = false;
}

void Raft::BecomePreCandidate() {
  // Does not change term or vote: a failed pre-election leaves no trace (thesis §9.6).
  tracker_.ResetVotes();
  lead_ = 0;
  state_ = StateType::kPreCandidate;
  vote_guard_ = false;
}

void Raft::BecomeLeader() {
  Reset(term_);
  lead_ = id_;
  state_ = StateType::kLeader;
  leader_since_tick_ = tick_count_;
  if (Progress* self = tracker_.Find(id_)) {
    self->BecomeReplicate();
    self->match = log_.LastStableIndex();
    self->recent_active = true;
  }
  // A conf change may sit unapplied in the log; do not propose another until it is applied.
  pending_conf_index_ = log_.LastIndex();
  // The empty entry of the new term lets the leader commit (and learn the commit index of)
  // entries of earlier terms (Raft §5.4.2, §8).
  AppendEntries({raftpb::Entry()});
}

bool Raft::Promotable() const {
  auto it = tracker_.progress().find(id_);
  return it != tracker_.progress().end() && !it->second.is_learner &&
         !log_.unstable().snapshot().has_value();
}

bool Raft::HasUnappliedConfChanges() const {
  if (log_.applied() >= log_.committed()) return false;
  absl::StatusOr<std::vector<raftpb::Entry>> pending =
      log_.Slice(std::max(log_.applied() + 1, log_.FirstIndex()), log_.committed() + 1, UINT64_MAX);
  if (!pending.ok()) return true;  // be conservative
  for (const raftpb::Entry& e : *pending) {
    if (e.type() == raftpb::ENTRY_CONF_CHANGE) return true;
  }
  return false;
}

// ---- elections ----

void Raft::Hup(CampaignType type) {
  if (state_ == StateType::kLeader) return;
  if (!Promotable()) return;
  // A node must not campaign with a committed but unapplied conf change: it might campaign
  // under a configuration that is already superseded.
  if (HasUnappliedConfChanges()) return;
  Campaign(type);
}

void Raft::Campaign(CampaignType type) {
  if (!PassFailpoint(Failpoint::kBeforeCampaign)) return;
  uint64_t term;
  raftpb::MessageType vote_type;
  if (type == CampaignType::kPreElection) {
    BecomePreCandidate();
    vote_type = raftpb::MSG_PRE_VOTE;
    term = term_ + 1;  // the term we would campaign for
  } else {
    BecomeCandidate();
    vote_type = raftpb::MSG_VOTE;
    term = term_;
  }
  if (Poll(id_, VoteResponseType(vote_type), true) == VoteResult::kWon) {
    // Single-voter configuration.
    if (type == CampaignType::kPreElection) {
      Campaign(CampaignType::kElection);
    } else {
      BecomeLeader();
    }
    return;
  }
  for (uint64_t id : tracker_.VoterIds()) {
    if (id == id_) continue;
    raftpb::Message m;
    m.set_to(id);
    m.set_term(term);
    m.set_type(vote_type);
    m.set_index(log_.LastIndex());
    m.set_log_term(log_.LastTerm());
    m.set_leader_transfer(type == CampaignType::kTransfer);
    Send(std::move(m));
  }
}

VoteResult Raft::Poll(uint64_t id, raftpb::MessageType /*type*/, bool granted) {
  tracker_.RecordVote(id, granted);
  size_t yes = 0, no = 0;
  return tracker_.TallyVotes(&yes, &no);
}

void Raft::HandleVoteRequest(const raftpb::Message& m) {
  // We may vote for m.from if we already did in this term, or have not voted and know no
  // leader; a pre-vote for a future term is always a candidate.
  bool can_vote = vote_ == m.from() || (vote_ == 0 && lead_ == 0) ||
                  (m.type() == raftpb::MSG_PRE_VOTE && m.term() > term_);
  raftpb::Message resp;
  resp.set_to(m.from());
  resp.set_type(VoteResponseType(m.type()));
  if (can_vote && log_.IsUpToDate(m.index(), m.log_term())) {
    // The response carries the candidate's term so that it counts there (and, for a pre-vote,
    // so that it is not mistaken for a stale reply).
    resp.set_term(m.term());
    Send(std::move(resp));
    if (m.type() == raftpb::MSG_VOTE) {
      election_elapsed_ = 0;
      vote_ = m.from();
    }
  } else {
    resp.set_term(term_);
    resp.set_reject(true);
    Send(std::move(resp));
  }
}

// ---- dispatch ----

absl::Status Raft::Step(raftpb::Message m) {
  if (m.term() == 0) {
    // Local message or forwarded proposal/read.
  } else if (m.term() > term_) {
    if (m.type() == raftpb::MSG_VOTE || m.type() == raftpb::MSG_PRE_VOTE) {
      // With check_quorum, a node that heard from a leader within the election timeout (or just
      // started) ignores vote requests: this keeps a partitioned node from disrupting a healthy
      // leader, and is what makes the leader's lease sound. Transfers bypass it.
      bool in_lease =
          check_quorum_ && election_elapsed_ < election_timeout_ && (lead_ != 0 || vote_guard_);
      if (in_lease && !m.leader_transfer()) return absl::OkStatus();
    }
    if (m.type() == raftpb::MSG_PRE_VOTE) {
      // Pre-votes never change our term.
    } else if (m.type() == raftpb::MSG_PRE_VOTE_RESPONSE && !m.reject()) {
      // A granted pre-vote carries the future term; we move there only if we win.
    } else if (m.type() == raftpb::MSG_APPEND || m.type() == raftpb::MSG_HEARTBEAT ||
               m.type() == raftpb::MSG_SNAPSHOT) {
      BecomeFollower(m.term(), m.from());
    } else {
      BecomeFollower(m.term(), 0);
    }
  } else if (m.term() < term_) {
    if ((check_quorum_ || pre_vote_) &&
        (m.type() == raftpb::MSG_HEARTBEAT || m.type() == raftpb::MSG_APPEND)) {
      // A stale leader (e.g. healed from a partition) learns the new term and steps down.
      // Without this it could keep followers that ignore it from ever electing anyone.
      raftpb::Message resp;
      resp.set_to(m.from());
      resp.set_type(raftpb::MSG_APPEND_RESPONSE);
      Send(std::move(resp));
    } else if (m.type() == raftpb::MSG_PRE_VOTE) {
      raftpb::Message resp;
      resp.set_to(m.from());
      resp.set_term(term_);
      resp.set_type(raftpb::MSG_PRE_VOTE_RESPONSE);
      resp.set_reject(true);
      Send(std::move(resp));
    }
    return TakeFailpointStatus();
  }

  switch (m.type()) {
    case raftpb::MSG_HUP:
      Hup(pre_vote_ ? CampaignType::kPreElection : CampaignType::kElection);
      break;
    case raftpb::MSG_VOTE:
    case raftpb::MSG_PRE_VOTE:
      HandleVoteRequest(m);
      break;
    default: {
      absl::Status s = StepByState(m);
      if (!s.ok()) {
        // A crash or injected error recorded on the way takes precedence.
        absl::Status injected = TakeFailpointStatus();
        return injected.ok() ? s : injected;
      }
    }
  }
  return TakeFailpointStatus();
}

absl::Status Raft::StepByState(raftpb::Message& m) {
  switch (state_) {
    case StateType::kLeader:
      return StepLeader(m);
    case StateType::kCandidate:
    case StateType::kPreCandidate:
      if (m.type() == raftpb::MSG_PROPOSE) return ProposalDroppedError("no leader (campaigning)");
      if (m.type() == raftpb::MSG_READ_INDEX) return ProposalDroppedError("no leader for read");
      if (m.type() == raftpb::MSG_TRANSFER_LEADER) {
        return ProposalDroppedError("no leader to transfer from");
      }
      StepCandidate(m);
      return absl::OkStatus();
    case StateType::kFollower:
      if (m.type() == raftpb::MSG_PROPOSE) {
        if (lead_ == 0) return ProposalDroppedError("no leader");
        if (disable_proposal_forwarding_) return ProposalDroppedError("forwarding disabled");
        m.set_to(lead_);
        Send(std::move(m));
        return absl::OkStatus();
      }
      if (m.type() == raftpb::MSG_READ_INDEX || m.type() == raftpb::MSG_TRANSFER_LEADER) {
        if (lead_ == 0) return ProposalDroppedError("no leader");
        m.set_to(lead_);
        Send(std::move(m));
        return absl::OkStatus();
      }
      StepFollower(m);
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

void Raft::StepCandidate(raftpb::Message& m) {
  raftpb::MessageType my_response = state_ == StateType::kPreCandidate
                                        ? raftpb::MSG_PRE_VOTE_RESPONSE
                                        : raftpb::MSG_VOTE_RESPONSE;
  switch (m.type()) {
    case raftpb::MSG_APPEND:
      BecomeFollower(m.term(), m.from());
      HandleAppendEntries(m);
      return;
    case raftpb::MSG_HEARTBEAT:
      BecomeFollower(m.term(), m.from());
      HandleHeartbeat(m);
      return;
    case raftpb::MSG_SNAPSHOT:
      BecomeFollower(m.term(), m.from());
      HandleSnapshot(m);
      return;
    default:
      break;
  }
  if (m.type() != my_response) return;  // includes MSG_TIMEOUT_NOW: already campaigning
  switch (Poll(m.from(), m.type(), !m.reject())) {
    case VoteResult::kWon:
      if (state_ == StateType::kPreCandidate) {
        Campaign(CampaignType::kElection);
      } else {
        BecomeLeader();
        BcastAppend();
      }
      break;
    case VoteResult::kLost:
      // Pre-vote lost, or vote lost: stay in this term as a follower without a leader.
      BecomeFollower(term_, 0);
      break;
    case VoteResult::kPending:
      break;
  }
}

void Raft::StepFollower(raftpb::Message& m) {
  switch (m.type()) {
    case raftpb::MSG_APPEND:
      election_elapsed_ = 0;
      lead_ = m.from();
      vote_guard_ = true;
      HandleAppendEntries(m);
      break;
    case raftpb::MSG_HEARTBEAT:
      election_elapsed_ = 0;
      lead_ = m.from();
      vote_guard_ = true;
      HandleHeartbeat(m);
      break;
    case raftpb::MSG_SNAPSHOT:
      election_elapsed_ = 0;
      lead_ = m.from();
      vote_guard_ = true;
      HandleSnapshot(m);
      break;
    case raftpb::MSG_TIMEOUT_NOW:
      // The leader hands us leadership: campaign at once, bypassing pre-vote and leases.
      Hup(CampaignType::kTransfer);
      break;
    case raftpb::MSG_READ_INDEX_RESPONSE:
      read_states_.push_back(ReadState{m.index(), m.context()});
      break;
    default:
      break;  // responses meant for a leader we no longer are
  }
}

// ---- follower side of replication ----

void Raft::HandleAppendEntries(const raftpb::Message& m) {
  raftpb::Message resp;
  resp.set_type(raftpb::MSG_APPEND_RESPONSE);
  if (m.index() < log_.committed()) {
    // Everything up to our commit index matches the leader (Log Matching); tell it where we are.
    resp.set_index(log_.committed());
    ReplyToLeader(m, std::move(resp));
    return;
  }
  std::vector<raftpb::Entry> entries(m.entries().begin(), m.entries().end());
  bool accepted = false;
  uint64_t last_new = 0;
  absl::Status s =
      log_.MaybeAppend(m.index(), m.log_term(), m.commit(), entries, &accepted, &last_new);
  if (!s.ok()) {
    RecordError(std::move(s));
    return;
  }
  if (accepted) {
    resp.set_index(last_new);
    ReplyToLeader(m, std::move(resp));
    return;
  }
  // Reject with a hint that lets the leader skip a whole term of mismatching entries.
  uint64_t hint_index = std::min(m.index(), log_.LastIndex());
  auto [index, term] = log_.FindConflictByTerm(hint_index, m.log_term());
  resp.set_index(m.index());
  resp.set_reject(true);
  resp.set_reject_hint(index);
  resp.set_log_term(term);
  ReplyToLeader(m, std::move(resp));
}

void Raft::HandleHeartbeat(const raftpb::Message& m) {
  // The leader sends min(our match, its commit), so this never exceeds our log.
  absl::Status s = log_.CommitTo(std::min(m.commit(), log_.LastIndex()));
  if (!s.ok()) RecordError(std::move(s));
  raftpb::Message resp;
  resp.set_type(raftpb::MSG_HEARTBEAT_RESPONSE);
  ReplyToLeader(m, std::move(resp));
}

void Raft::HandleSnapshot(const raftpb::Message& m) {
  raftpb::Message resp;
  resp.set_type(raftpb::MSG_APPEND_RESPONSE);
  if (Restore(m.snapshot())) {
    resp.set_index(log_.LastIndex());
  } else {
    resp.set_index(log_.committed());
  }
  ReplyToLeader(m, std::move(resp));
}

bool Raft::Restore(const raftpb::Snapshot& snapshot) {
  const raftpb::SnapshotMetadata& meta = snapshot.metadata();
  // A snapshot at or below our commit index is stale: we already have everything in it.
  if (meta.index() <= log_.committed()) return false;
  if (state_ != StateType::kFollower) {
    // Defensive (etcd does the same): only a follower of the sender installs snapshots.
    BecomeFollower(term_ + 1, 0);
    return false;
  }
  // Unlike etcd we do not refuse a snapshot whose configuration lacks this node: a node being
  // re-added is missing from every snapshot taken before the change that adds it, and the
  // leader cannot take a newer one until the re-added node helps commit. The node installs it
  // as a non-member and learns its membership from the log that follows.
  const raftpb::ConfState& cs = meta.conf_state();
  if (log_.MatchTerm(meta.index(), meta.term())) {
    // We have the snapshot's last entry: just fast-forward the commit index.
    absl::Status s = log_.CommitTo(meta.index());
    if (!s.ok()) RecordError(std::move(s));
    return false;
  }
  if (!PassFailpoint(Failpoint::kDuringSnapshotInstall)) return false;
  log_.Restore(snapshot);
  ProgressTracker empty(tracker_.max_inflight(), tracker_.max_inflight_bytes());
  absl::StatusOr<ConfChangeResult> conf = RestoreConfState(cs, empty, log_.LastIndex());
  if (!conf.ok()) {
    RecordError(conf.status());
    return false;
  }
  SwitchToConfig(std::move(conf->config), std::move(conf->progress));
  return true;
}

// ---- ticks ----

absl::Status Raft::Tick() {
  ++tick_count_;
  if (state_ == StateType::kLeader) {
    TickHeartbeat();
  } else {
    TickElection();
  }
  return TakeFailpointStatus();
}

void Raft::TickElection() {
  ++election_elapsed_;
  if (election_elapsed_ >= election_timeout_) vote_guard_ = false;
  if (Promotable() && election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    Hup(pre_vote_ ? CampaignType::kPreElection : CampaignType::kElection);
  }
}

void Raft::TickHeartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= election_timeout_) {
    election_elapsed_ = 0;
    if (check_quorum_ && !tracker_.QuorumActive(id_)) {
      // Cannot reach a quorum: stop accepting proposals and serving reads (thesis §6.2).
      BecomeFollower(term_, 0);
      return;
    }
    // A transfer that did not finish within an election timeout is abandoned (a removed
    // leader then picks a transferee again).
    if (lead_transferee_ != 0) AbortLeaderTransfer();
    MaybeHandOffLeadership();
  }
  if (heartbeat_elapsed_ >= heartbeat_timeout_) {
    heartbeat_elapsed_ = 0;
    BcastHeartbeat();
  }
}

}  // namespace nokv::raft
