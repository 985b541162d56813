// Proposals per second through a 3-node Raft group running in memory: three RawNodes over
// MemoryStorage, messages passed by a queue, each Ready handled by ProcessReady (persist, send,
// apply, advance). Measures the consensus core's CPU cost (no disk, no network).
//
//   nokv-raft-bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "raftstore/raft/raw_node.h"
#include "raftstore/raft/ready_loop.h"
#include "raftstore/raft/storage.h"

namespace nokv::raft {
namespace {

class InMemoryGroup {
 public:
  explicit InMemoryGroup(int nodes) {
    std::vector<uint64_t> ids;
    for (int i = 1; i <= nodes; ++i) ids.push_back(static_cast<uint64_t>(i));
    for (uint64_t id : ids) {
      Member& m = members_[id];
      m.storage = std::make_unique<MemoryStorage>(MemoryStorage::WithVoters(ids));
      Config c;
      c.id = id;
      c.storage = m.storage.get();
      c.random_seed = id;
      c.max_inflight_msgs = 256;
      m.node = std::move(*RawNode::Create(c));
      m.handlers.send = [this](raftpb::Message msg) { queue_.push_back(std::move(msg)); };
      Member* self = &m;
      m.handlers.apply = [self](const raftpb::Entry& e) {
        self->applied = e.index();
        if (!e.data().empty()) ++self->applied_proposals;
        return absl::OkStatus();
      };
    }
    (void)members_.at(1).node->Campaign();
    Drain();
  }

  RawNode& leader() { return *members_.at(1).node; }
  uint64_t leader_applied_proposals() const { return members_.at(1).applied_proposals; }

  // Handles Readies and delivers messages until the group is quiet.
  void Drain() {
    for (;;) {
      bool busy = false;
      for (auto& [id, m] : members_) {
        if (m.node->HasReady()) {
          busy = true;
          (void)ProcessReady(*m.node, *m.storage, m.handlers, nullptr);
          MaybeCompact(m);
        }
      }
      while (!queue_.empty()) {
        busy = true;
        raftpb::Message msg = std::move(queue_.front());
        queue_.pop_front();
        (void)members_.at(msg.to()).node->Step(std::move(msg));
      }
      if (!busy) return;
    }
  }

 private:
  struct Member {
    std::unique_ptr<MemoryStorage> storage;
    std::unique_ptr<RawNode> node;
    ReadyHandlers handlers;
    uint64_t applied = 0;
    uint64_t applied_proposals = 0;
    uint64_t compacted = 0;
  };

  // Keeps memory bounded during long runs, as a real store would.
  static void MaybeCompact(Member& m) {
    if (m.applied < m.compacted + 20000) return;
    uint64_t at = m.applied - 1000;
    if (m.storage->CreateSnapshot(at, m.node->conf_state(), "").ok() &&
        m.storage->Compact(at).ok()) {
      m.compacted = at;
    }
  }

  std::map<uint64_t, Member> members_;
  std::deque<raftpb::Message> queue_;
};

// One proposal at a time, each driven to commit and apply on the leader (latency bound).
void BM_ProposeCommitSequential(benchmark::State& state) {
  InMemoryGroup group(3);
  std::string payload(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    (void)group.leader().Propose(payload);
    group.Drain();
  }
  state.SetItemsProcessed(static_cast<int64_t>(group.leader_applied_proposals()));
  state.SetBytesProcessed(state.items_processed() * state.range(0));
}
BENCHMARK(BM_ProposeCommitSequential)->Arg(128)->Arg(1024);

// Batches of proposals in flight together (how a busy region leader runs).
void BM_ProposeCommitPipelined(benchmark::State& state) {
  InMemoryGroup group(3);
  std::string payload(128, 'x');
  int64_t batch = state.range(0);
  for (auto _ : state) {
    for (int64_t i = 0; i < batch; ++i) (void)group.leader().Propose(payload);
    group.Drain();
  }
  state.SetItemsProcessed(static_cast<int64_t>(group.leader_applied_proposals()));
}
BENCHMARK(BM_ProposeCommitPipelined)->Arg(16)->Arg(256);

}  // namespace
}  // namespace nokv::raft
