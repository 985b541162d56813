// A small in-memory cluster for unit tests: each node is a RawNode over a MemoryStorage, driven
// through ProcessReady; messages go to a mailbox that the test delivers explicitly (optionally
// filtered), so scenarios read like the Raft paper's figures. Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "raftstore/raft/failpoints.h"
#include "raftstore/raft/raw_node.h"
#include "raftstore/raft/ready_loop.h"
#include "raftstore/raft/storage.h"

namespace nokv::raft::testing {

class ClusterHarness {
 public:
  using ConfigTweak = std::function<void(Config*)>;

  // Nodes `ids` bootstrapped with `voters` (default: all ids) as the initial configuration.
  explicit ClusterHarness(std::vector<uint64_t> ids, ConfigTweak tweak = nullptr,
                          std::vector<uint64_t> voters = {});

  RawNode& node(uint64_t id) { return *nodes_.at(id).raw; }
  MemoryStorage& storage(uint64_t id) { return *nodes_.at(id).storage; }
  Failpoints& failpoints(uint64_t id) { return nodes_.at(id).failpoints; }
  const std::vector<std::string>& applied(uint64_t id) const { return nodes_.at(id).applied; }
  const std::vector<ReadState>& read_states(uint64_t id) const { return nodes_.at(id).reads; }
  uint64_t snapshots_installed(uint64_t id) const { return nodes_.at(id).snapshots_installed; }
  std::vector<raftpb::Message>& mailbox() { return mailbox_; }

  // Handles every node's Ready (mailbox gets their messages). Returns the first error.
  absl::Status ProcessAll();
  // Delivers mailbox messages (dropping those between isolated/cut nodes) and processes Readies
  // until quiet. Returns the first error from any node.
  absl::Status Stabilize(int max_rounds = 1000);
  // One round: deliver what is in the mailbox now, then ProcessAll.
  absl::Status DeliverOnce();
  absl::Status TickAll(int ticks = 1);
  absl::Status Tick(uint64_t id, int ticks = 1);

  // Network shaping.
  void Isolate(uint64_t id) { isolated_.insert(id); }
  void Cut(uint64_t a, uint64_t b) { cuts_.insert({std::min(a, b), std::max(a, b)}); }
  void Heal() {
    isolated_.clear();
    cuts_.clear();
  }
  // Drops messages of `type` while set.
  void DropType(raftpb::MessageType type) { dropped_types_.insert(type); }
  void AllowType(raftpb::MessageType type) { dropped_types_.erase(type); }

  // Simulates a crash: discards the node's in-memory state and restarts it from storage.
  absl::Status Restart(uint64_t id);
  // Adds a fresh node (empty log) that is not in anyone's configuration yet.
  absl::Status AddFreshNode(uint64_t id);
  // Compacts `id`'s log: snapshot at its applied index, keep nothing before it.
  absl::Status CompactAt(uint64_t id, uint64_t index);

  // The unique leader among nodes (0 if none or several).
  uint64_t Leader() const;
  absl::Status Propose(uint64_t id, const std::string& data) { return node(id).Propose(data); }

 private:
  struct Node {
    std::unique_ptr<MemoryStorage> storage;
    std::unique_ptr<RawNode> raw;
    Failpoints failpoints;
    std::vector<std::string> applied;
    std::vector<ReadState> reads;
    uint64_t snapshots_installed = 0;
    uint64_t applied_index = 0;
    raftpb::ConfState conf_state;
  };
  absl::Status StartNode(uint64_t id);
  bool Deliverable(const raftpb::Message& m) const;

  ConfigTweak tweak_;
  std::vector<uint64_t> initial_voters_;
  std::map<uint64_t, Node> nodes_;
  std::vector<raftpb::Message> mailbox_;
  std::set<uint64_t> isolated_;
  std::set<std::pair<uint64_t, uint64_t>> cuts_;
  std::set<int> dropped_types_;
};

}  // namespace nokv::raft::testing
