// The Raft consensus state machine (Ongaro & Ousterhout 2014; Ongaro's thesis 2014), shaped like
// etcd/raft: a pure function of its inputs. It owns no threads, sockets, clocks, files or
// unseeded randomness. Inputs arrive through Step()/Tick(); outputs accumulate in msgs_ and
// read_states_ and are drained by RawNode into Ready batches. Use RawNode; this class is the
// engine room and its non-const methods are not a stable API.
//
// Not thread-safe: one thread drives a node.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "raftstore/raft/failpoints.h"
#include "raftstore/raft/raft.pb.h"
#include "raftstore/raft/raft_log.h"
#include "raftstore/raft/storage.h"
#include "raftstore/raft/tracker.h"
#include "src/util/random.h"

namespace nokv::raft {

enum class StateType { kFollower, kCandidate, kLeader, kPreCandidate };
const char* StateTypeName(StateType state);

// How a ReadIndex request may be answered.
enum class ReadMode {
  // Leadership confirmed by a quorum round trip after the request (Raft thesis §6.4).
  kSafe,
  // Answered locally while the leader's lease holds (thesis §6.4.1); falls back to kSafe when it
  // does not. Requires check_quorum. See docs/raft.md for the clock-drift bound.
  kLease,
};

struct Config {
  // This node's id; non-zero.
  uint64_t id = 0;
  // Ticks without hearing from a leader before a follower campaigns (randomized in
  // [election_tick, 2*election_tick)). Must exceed heartbeat_tick.
  int election_tick = 10;
  int heartbeat_tick = 1;
  // Not owned; must outlive the node. Holds the persisted log, hard state and snapshot.
  const LogStorage* storage = nullptr;
  // Last index the state machine already applied (restart); entries up to it are not re-sent.
  uint64_t applied = 0;
  // Flow control: byte budget of one append message, entries in flight per follower (count and
  // bytes; 0 bytes = unlimited) and the uncommitted tail a leader accepts (0 = unlimited).
  uint64_t max_size_per_msg = 1 << 20;
  size_t max_inflight_msgs = 256;
  uint64_t max_inflight_bytes = 0;
  uint64_t max_uncommitted_entries_size = 0;
  // Byte budget of committed entries handed out per Ready.
  uint64_t max_committed_size_per_ready = 4 << 20;
  // Leader steps down when it has not heard from a quorum for an election timeout; followers
  // that heard from a leader within the election timeout ignore vote requests (the lease).
  bool check_quorum = false;
  // Candidates first run a pre-election that does not bump terms (thesis §9.6).
  bool pre_vote = false;
  // Ticks by which the leader shortens its lease to absorb clock-rate drift between nodes.
  int lease_drift_ticks = 1;
  bool disable_proposal_forwarding = false;
  // A leader removed from (or demoted out of) the voters steps down at once when the change
  // applies. Off by default: it keeps leading without counting itself and hands leadership to
  // the most up-to-date voter, which keeps the group from wedging (docs/notes).
  bool step_down_on_removal = false;
  // Seed of the node's private generator (election timeout jitter). Distinct nodes should get
  // distinct seeds.
  uint64_t random_seed = 0;
  // Not owned; may be null. Phase failpoints evaluated by this node.
  Failpoints* failpoints = nullptr;

  absl::Status Validate() const;
};

struct ReadState {
  // The state machine may answer the read once it has applied this index.
  uint64_t index = 0;
  std::string context;
};

struct SoftState {
  uint64_t lead = 0;
  StateType state = StateType::kFollower;
  bool operator==(const SoftState& o) const { return lead == o.lead && state == o.state; }
  bool operator!=(const SoftState& o) const { return !(*this == o); }
};

class Raft {
 public:
  static absl::StatusOr<std::unique_ptr<Raft>> Create(const Config& config);

  // Processes one message (network or local). Returns FailpointCrashError/InjectedError when a
  // failpoint fired, InvalidArgument/Internal when the message contradicts this node's log.
  absl::Status Step(raftpb::Message m);
  // Advances the logical clock by one tick.
  absl::Status Tick();

  // Called by RawNode after the driver persisted entries up to the log's stable index.
  void OnPersisted();
  absl::StatusOr<raftpb::ConfState> ApplyConfChange(const raftpb::ConfChange& cc);
  void ReduceUncommittedSize(const std::vector<raftpb::Entry>& applied);
  // Leader with an auto-leave joint config whose entering entry is applied: propose the leave.
  void MaybeAutoLeaveJoint();
  // The first failpoint error/crash recorded since the last call (OK if none).
  absl::Status TakeFailpointStatus();

  // Whether this leader may answer reads from its lease now.
  bool LeaseValid() const;

  uint64_t id() const { return id_; }
  uint64_t term() const { return term_; }
  uint64_t vote() const { return vote_; }
  uint64_t lead() const { return lead_; }
  uint64_t lead_transferee() const { return lead_transferee_; }
  StateType state() const { return state_; }
  bool is_learner() const { return is_learner_; }
  uint64_t tick_count() const { return tick_count_; }
  const RaftLog& log() const { return log_; }
  RaftLog& mutable_log() { return log_; }
  const ProgressTracker& tracker() const { return tracker_; }
  raftpb::HardState hard_state() const;
  SoftState soft_state() const { return SoftState{lead_, state_}; }
  bool HasPendingOutput() const { return !msgs_.empty() || !read_states_.empty(); }
  std::vector<raftpb::Message>& msgs() { return msgs_; }
  std::vector<ReadState>& read_states() { return read_states_; }

 private:
  enum class CampaignType { kPreElection, kElection, kTransfer };
  struct PendingRead {
    std::string context;
    uint64_t index;
    uint64_t round;
    uint64_t from;
  };

  explicit Raft(const Config& config);

  // ---- raft.cc: terms, elections, dispatch, follower side ----
  absl::Status StepByState(raftpb::Message& m);
  void StepFollower(raftpb::Message& m);
  void StepCandidate(raftpb::Message& m);
  void HandleVoteRequest(const raftpb::Message& m);
  void Hup(CampaignType type);
  void Campaign(CampaignType type);
  VoteResult Poll(uint64_t id, raftpb::MessageType type, bool granted);
  void BecomeFollower(uint64_t term, uint64_t lead);
  void BecomeCandidate();
  void BecomePreCandidate();
  void BecomeLeader();
  void Reset(uint64_t term);
  void ResetRandomizedElectionTimeout();
  bool Promotable() const;
  bool HasUnappliedConfChanges() const;
  void TickElection();
  void TickHeartbeat();
  void HandleAppendEntries(const raftpb::Message& m);
  void HandleHeartbeat(const raftpb::Message& m);
  void HandleSnapshot(const raftpb::Message& m);
  bool Restore(const raftpb::Snapshot& snapshot);
  void Send(raftpb::Message m);
  void ReplyToLeader(const raftpb::Message& request, raftpb::Message reply);
  // Evaluates a phase failpoint; false means "skip the phase" (and records error/crash).
  bool PassFailpoint(Failpoint fp);
  void RecordError(absl::Status s);

  // ---- raft_leader.cc: replication, commit, reads, transfer, membership ----
  absl::Status StepLeader(raftpb::Message& m);
  absl::Status HandlePropose(raftpb::Message& m);
  void HandleAppendResponse(const raftpb::Message& m, Progress* pr);
  void HandleHeartbeatResponse(const raftpb::Message& m, Progress* pr);
  void HandleTransferLeader(const raftpb::Message& m, Progress* pr);
  void HandleReadIndex(const raftpb::Message& m);
  void RecordLeaderAck(const raftpb::Message& m, Progress* pr);
  void MaybeReleaseReads();
  void ReplyRead(uint64_t to, uint64_t index, const std::string& context);
  bool AppendEntries(std::vector<raftpb::Entry> entries);
  bool MaybeCommit();
  bool CommittedEntryInCurrentTerm() const;
  void OnCommitAdvanced();
  void BcastAppend();
  void BcastHeartbeat();
  void SendAppend(uint64_t to) { MaybeSendAppend(to, /*send_if_empty=*/true); }
  bool MaybeSendAppend(uint64_t to, bool send_if_empty);
  bool MaybeSendSnapshot(uint64_t to, Progress* pr, raftpb::Message* m);
  void SendTimeoutNow(uint64_t to);
  // A leader that is no longer a voter keeps leading only until a voter takes over.
  void MaybeHandOffLeadership();
  void AbortLeaderTransfer() { lead_transferee_ = 0; }
  raftpb::ConfState SwitchToConfig(TrackerConfig config, ProgressMap progress);

  uint64_t id_;
  uint64_t term_ = 0;
  uint64_t vote_ = 0;
  RaftLog log_;
  ProgressTracker tracker_;
  StateType state_ = StateType::kFollower;
  bool is_learner_ = false;
  uint64_t lead_ = 0;
  uint64_t lead_transferee_ = 0;
  // Index of the latest conf change this leader proposed; another waits until it is applied.
  uint64_t pending_conf_index_ = 0;
  uint64_t uncommitted_size_ = 0;

  std::vector<raftpb::Message> msgs_;
  std::vector<ReadState> read_states_;

  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  int heartbeat_timeout_;
  int election_timeout_;
  int randomized_election_timeout_ = 0;
  // Local monotonic tick counter: the clock of the leader lease. Starts at 1 so that 0 means
  // "never acknowledged".
  uint64_t tick_count_ = 1;
  uint64_t leader_since_tick_ = 0;
  // Set on start-up and whenever a leader is heard from: while it is set and the election timer
  // has not expired, vote requests are ignored (with check_quorum). Covering start-up matters
  // for the lease: a follower that acknowledged a leader and then restarted must not vote the
  // leader's lease away before a full election timeout passes.
  bool vote_guard_ = true;
  // The term in which this leader sent MsgTimeoutNow: its lease is void for the rest of the term
  // because the transferee's election bypasses the followers' lease.
  uint64_t lease_void_term_ = 0;

  // ReadIndex (thesis §6.4): requests wait for a quorum to echo a read round >= theirs.
  uint64_t read_round_ = 0;
  std::deque<PendingRead> pending_reads_;
  // Requests received before this leader committed an entry of its term.
  std::vector<raftpb::Message> pending_read_index_messages_;

  uint64_t max_msg_size_;
  uint64_t max_uncommitted_size_;
  bool check_quorum_;
  bool pre_vote_;
  int lease_drift_ticks_;
  bool disable_proposal_forwarding_;
  bool step_down_on_removal_;
  nokv::Random rng_;
  Failpoints* failpoints_;
  absl::Status failpoint_status_;
};

}  // namespace nokv::raft
