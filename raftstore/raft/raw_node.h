// RawNode: the API a driver (raftstore's peer loop, the simulator, a benchmark) uses to run one
// Raft node. Inputs go in through the methods below; everything the node wants done comes out
// as a Ready batch, which the driver handles in this order:
//
//   1. persist rd.snapshot (if any), rd.entries and rd.hard_state (if any) -- durably;
//   2. send rd.messages (only after step 1: votes and acks promise durable state);
//   3. install rd.snapshot into the state machine, apply rd.committed_entries in order
//      (conf changes via ApplyConfChange), answer rd.read_states once applied >= index;
//   4. call Advance().
//
// ProcessReady() in ready_loop.h does exactly this. A Ready taken but not yet advanced is
// reproduced (minus messages and read states, which are handed out once) by the next
// GetReady(), so a driver may abandon one (e.g. to retry persistence later).
//
// Not thread-safe. Every method that returns a Status can return FailpointCrashError when an
// armed failpoint asks for a crash: the driver must then discard the RawNode (and the state
// machine's volatile state) and restart from storage.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "raftstore/raft/raft.h"
#include "raftstore/raft/raft.pb.h"

namespace nokv::raft {

struct Ready {
  // Leader/role change since the last Ready (informational; not persisted).
  std::optional<SoftState> soft_state;
  // Term/vote/commit to persist; set only when changed.
  std::optional<raftpb::HardState> hard_state;
  // Entries to append to stable storage (may overwrite a conflicting suffix).
  std::vector<raftpb::Entry> entries;
  // Snapshot to persist and install into the state machine.
  std::optional<raftpb::Snapshot> snapshot;
  // Committed entries to apply, in log order. Already durable once this Ready's entries are.
  std::vector<raftpb::Entry> committed_entries;
  // Outgoing messages; send after persisting. Every MSG_SNAPSHOT must be followed by
  // ReportSnapshot() with its outcome -- including when the driver drops it: until then the
  // leader sends nothing else to that follower.
  std::vector<raftpb::Message> messages;
  // Confirmed ReadIndex requests (answered by this node as leader or forwarded back to it).
  std::vector<ReadState> read_states;
  // Whether entries or hard state require an fsync before messages go out.
  bool must_sync = false;
};

struct NodeStatus {
  uint64_t id = 0;
  uint64_t term = 0;
  uint64_t vote = 0;
  uint64_t commit = 0;
  uint64_t applied = 0;
  uint64_t lead = 0;
  uint64_t lead_transferee = 0;
  StateType state = StateType::kFollower;
};

class RawNode {
 public:
  // Builds a node from `config.storage` (hard state, membership, log). Returns InvalidArgument
  // for a bad config and DataLoss when the stored hard state contradicts the stored log.
  static absl::StatusOr<std::unique_ptr<RawNode>> Create(const Config& config);

  // Advances the logical clock one tick (elections, heartbeats, check-quorum, leases).
  absl::Status Tick();
  // Starts an election now (pre-vote first when enabled).
  absl::Status Campaign();
  // Proposes a normal entry. ProposalDroppedError when there is no leader to take it, a
  // transfer is in progress or the uncommitted-size limit is reached. Success means "appended
  // or forwarded", not committed: the entry may still be lost with a leader change.
  absl::Status Propose(std::string data);
  // Proposes a membership change; refused while another is pending or with a joint config
  // that must be left first (see docs/raft.md).
  absl::Status ProposeConfChange(const raftpb::ConfChange& cc);
  // Applies a committed conf change entry; call it while applying that entry.
  absl::StatusOr<raftpb::ConfState> ApplyConfChange(const raftpb::ConfChange& cc);
  // Delivers a message from the network. Rejects local-only message types and malformed
  // appends with InvalidArgument; ignores responses from non-members.
  absl::Status Step(raftpb::Message m);
  // Requests a linearizable read point; the answer comes back as a ReadState carrying
  // `context` (which should be unique). On a follower the request is forwarded to the leader.
  absl::Status ReadIndex(std::string context, ReadMode mode = ReadMode::kSafe);
  // Asks the leader to hand leadership to `transferee`.
  absl::Status TransferLeader(uint64_t transferee);
  void ReportUnreachable(uint64_t id);
  void ReportSnapshot(uint64_t id, bool failed);

  bool HasReady() const;
  Ready GetReady();
  // Acknowledges the last Ready returned by GetReady() as handled.
  absl::Status Advance();

  NodeStatus Status() const;
  bool LeaseValid() const { return raft_->LeaseValid(); }
  raftpb::ConfState conf_state() const { return raft_->tracker().config().ToConfState(); }
  // Read-only view for invariant checkers and tests.
  const Raft& raft() const { return *raft_; }

 private:
  explicit RawNode(std::unique_ptr<Raft> raft, uint64_t max_committed_size);

  struct Taken {
    bool valid = false;
    uint64_t last_entry_index = 0;
    uint64_t last_entry_term = 0;
    uint64_t snapshot_index = 0;
    uint64_t last_committed_index = 0;
    std::vector<raftpb::Entry> applied;  // for uncommitted-size accounting
    std::optional<raftpb::HardState> hard_state;
  };

  std::unique_ptr<Raft> raft_;
  uint64_t max_committed_size_;
  SoftState prev_soft_;
  raftpb::HardState prev_hard_;
  Taken taken_;
};

}  // namespace nokv::raft
