#include "tests/raftstore/raft/cluster_harness.h"

#include <algorithm>
#include <utility>

namespace nokv::raft::testing {

ClusterHarness::ClusterHarness(std::vector<uint64_t> ids, ConfigTweak tweak,
                               std::vector<uint64_t> voters)
    : tweak_(std::move(tweak)), initial_voters_(std::move(voters)) {
  if (initial_voters_.empty()) initial_voters_ = ids;
  for (uint64_t id : ids) {
    Node& n = nodes_[id];
    n.storage = std::make_unique<MemoryStorage>(MemoryStorage::WithVoters(initial_voters_));
    (void)StartNode(id);
  }
}

absl::Status ClusterHarness::StartNode(uint64_t id) {
  Node& n = nodes_.at(id);
  Config c;
  c.id = id;
  c.election_tick = 10;
  c.heartbeat_tick = 1;
  c.storage = n.storage.get();
  c.random_seed = 42 + id;
  c.failpoints = &n.failpoints;
  if (tweak_) tweak_(&c);
  // The "state machine" (list of applied payloads) is rebuilt from the snapshot + log.
  absl::StatusOr<raftpb::Snapshot> snap = n.storage->GetSnapshot();
  if (!snap.ok()) return snap.status();
  c.applied = snap->metadata().index();
  n.applied_index = c.applied;
  absl::StatusOr<std::unique_ptr<RawNode>> raw = RawNode::Create(c);
  if (!raw.ok()) return raw.status();
  n.raw = std::move(*raw);
  return absl::OkStatus();
}

absl::Status ClusterHarness::Restart(uint64_t id) {
  Node& n = nodes_.at(id);
  n.raw.reset();
  n.applied.clear();
  n.reads.clear();
  return StartNode(id);
}

absl::Status ClusterHarness::AddFreshNode(uint64_t id) {
  // A joining node starts from the cluster's bootstrap configuration (it is not a member of it,
  // so it never campaigns) and learns later membership from the log or a snapshot.
  Node& n = nodes_[id];
  n.storage = std::make_unique<MemoryStorage>(MemoryStorage::WithVoters(initial_voters_));
  return StartNode(id);
}

absl::Status ClusterHarness::CompactAt(uint64_t id, uint64_t index) {
  Node& n = nodes_.at(id);
  absl::StatusOr<raftpb::Snapshot> s =
      n.storage->CreateSnapshot(index, n.raw->conf_state(), "snapshot");
  if (!s.ok()) return s.status();
  return n.storage->Compact(index);
}

bool ClusterHarness::Deliverable(const raftpb::Message& m) const {
  if (isolated_.count(m.from()) || isolated_.count(m.to())) return false;
  if (cuts_.count({std::min(m.from(), m.to()), std::max(m.from(), m.to())})) return false;
  if (dropped_types_.count(m.type())) return false;
  return nodes_.count(m.to()) > 0;
}

absl::Status ClusterHarness::ProcessAll() {
  for (auto& [id, n] : nodes_) {
    Node* node = &n;
    ReadyHandlers h;
    h.send = [this](raftpb::Message m) { mailbox_.push_back(std::move(m)); };
    h.install_snapshot = [node](const raftpb::Snapshot& s) {
      node->applied.clear();
      node->applied.push_back("<snapshot>");
      node->applied_index = s.metadata().index();
      ++node->snapshots_installed;
      return absl::OkStatus();
    };
    h.apply = [node](const raftpb::Entry& e) -> absl::Status {
      node->applied_index = e.index();
      if (e.type() == raftpb::ENTRY_CONF_CHANGE) {
        raftpb::ConfChange cc;
        if (!cc.ParseFromString(e.data())) return absl::DataLossError("bad conf change");
        absl::StatusOr<raftpb::ConfState> cs = node->raw->ApplyConfChange(cc);
        if (!cs.ok()) return cs.status();
        node->conf_state = *cs;
        return absl::OkStatus();
      }
      if (!e.data().empty()) node->applied.push_back(e.data());
      return absl::OkStatus();
    };
    h.read_ready = [node](const ReadState& rs) { node->reads.push_back(rs); };
    absl::Status s = ProcessReady(*n.raw, *n.storage, h, &n.failpoints);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ClusterHarness::DeliverOnce() {
  std::vector<raftpb::Message> batch = std::move(mailbox_);
  mailbox_.clear();
  for (raftpb::Message& m : batch) {
    uint64_t from = m.from(), to = m.to();
    bool snapshot = m.type() == raftpb::MSG_SNAPSHOT;
    bool deliverable = Deliverable(m);
    if (deliverable) {
      absl::Status s = nodes_.at(to).raw->Step(std::move(m));
      if (!s.ok() && s.code() != absl::StatusCode::kUnavailable) return s;
    }
    // Like a real transport, report every snapshot's fate to its sender.
    if (snapshot && nodes_.count(from)) nodes_.at(from).raw->ReportSnapshot(to, !deliverable);
  }
  return ProcessAll();
}

absl::Status ClusterHarness::Stabilize(int max_rounds) {
  absl::Status s = ProcessAll();
  if (!s.ok()) return s;
  for (int i = 0; i < max_rounds && !mailbox_.empty(); ++i) {
    s = DeliverOnce();
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status ClusterHarness::TickAll(int ticks) {
  for (int t = 0; t < ticks; ++t) {
    for (auto& [id, n] : nodes_) {
      absl::Status s = n.raw->Tick();
      if (!s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

absl::Status ClusterHarness::Tick(uint64_t id, int ticks) {
  for (int t = 0; t < ticks; ++t) {
    absl::Status s = node(id).Tick();
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

uint64_t ClusterHarness::Leader() const {
  uint64_t leader = 0;
  for (const auto& [id, n] : nodes_) {
    if (n.raw->Status().state == StateType::kLeader) {
      if (leader != 0) return 0;
      leader = id;
    }
  }
  return leader;
}

}  // namespace nokv::raft::testing
