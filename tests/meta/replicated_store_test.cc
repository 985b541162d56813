// ReplicatedMetaStore: three members in one process over an in-memory transport that can cut
// members off. Appends from any member apply everywhere in the same order; the fold rejects
// consistently; a leader's loss elects another that keeps the log; a restarted member rebuilds
// from its files (and from a leader snapshot after compaction); a minority cannot append.
#include "meta/replicated_store.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>

#include "engine/vfs/mem_vfs.h"
#include "meta/state_text.h"
#include "tests/meta/meta_test_util.h"

namespace nokv::meta {
namespace {

constexpr auto kWait = std::chrono::seconds(20);

// Delivers messages between members of one process; members in `cut` neither send nor receive.
class LoopbackNetwork {
 public:
  class Endpoint final : public MetaTransport {
   public:
    Endpoint(LoopbackNetwork* net, uint64_t id) : net_(net), id_(id) {}
    void Send(raftpb::Message m) override { net_->Deliver(id_, std::move(m)); }

   private:
    LoopbackNetwork* net_;
    uint64_t id_;
  };

  MetaTransport* EndpointFor(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& e = endpoints_[id];
    if (e == nullptr) e = std::make_unique<Endpoint>(this, id);
    return e.get();
  }
  void Attach(uint64_t id, ReplicatedMetaStore* store) {
    std::lock_guard<std::mutex> lock(mu_);
    members_[id] = store;
  }
  void Detach(uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    members_.erase(id);
  }
  void Cut(uint64_t id, bool cut) {
    std::lock_guard<std::mutex> lock(mu_);
    if (cut) {
      cut_.insert(id);
    } else {
      cut_.erase(id);
    }
  }

 private:
  // Receive runs under the lock, so once Detach returns no delivery to that member is in
  // progress and it may be closed and destroyed.
  void Deliver(uint64_t from, raftpb::Message m) {
    std::lock_guard<std::mutex> lock(mu_);
    if (cut_.count(from) || cut_.count(m.to())) return;
    auto it = members_.find(m.to());
    if (it == members_.end()) return;
    std::vector<raftpb::Message> batch;
    batch.push_back(std::move(m));
    it->second->Receive(std::move(batch));
  }

  std::mutex mu_;
  std::map<uint64_t, std::unique_ptr<Endpoint>> endpoints_;
  std::map<uint64_t, ReplicatedMetaStore*> members_;
  std::set<uint64_t> cut_;
};

class ReplicatedMetaStoreTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (auto& [id, m] : members_) net_.Detach(id);
    for (auto& [id, m] : members_) m->Close().IgnoreError();
  }
  ReplicatedMetaStoreOptions Options(uint64_t id) {
    ReplicatedMetaStoreOptions o;
    o.self_id = id;
    o.members = {1, 2, 3};
    o.tick_ms = 10;
    o.append_timeout = std::chrono::milliseconds(2000);
    o.snapshot_every = snapshot_every_;
    return o;
  }
  void Start(uint64_t id) {
    auto store = ReplicatedMetaStore::Open(vfs_, "/m" + std::to_string(id), Options(id),
                                           net_.EndpointFor(id), Clock::Real());
    ASSERT_TRUE(store.ok()) << store.status();
    members_[id] = *std::move(store);
    net_.Attach(id, members_[id].get());
  }
  void Stop(uint64_t id) {
    net_.Detach(id);
    ASSERT_TRUE(members_[id]->Close().ok());
    members_.erase(id);
  }
  // Polls until some running member leads (and, if given, is not `not_id`).
  uint64_t WaitForLeader(uint64_t not_id = 0) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      for (auto& [id, m] : members_) {
        if (id != not_id && m->Membership().is_leader()) return id;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return 0;
  }
  // Appends through `id`, retrying while the outcome is unknown (no leader yet).
  absl::StatusOr<uint64_t> AppendVia(uint64_t id, const std::vector<metapb::Event>& events) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (true) {
      auto r = members_[id]->Append(events);
      if (r.ok() || absl::IsFailedPrecondition(r.status()) ||
          std::chrono::steady_clock::now() > deadline) {
        return r;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  // Polls until every running member has applied `revision`.
  bool WaitApplied(uint64_t revision) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      bool all = true;
      for (auto& [id, m] : members_) all &= m->State()->revision() >= revision;
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  MemVFS vfs_;
  LoopbackNetwork net_;
  uint64_t snapshot_every_ = 1000;
  std::map<uint64_t, std::unique_ptr<ReplicatedMetaStore>> members_;
};

TEST_F(ReplicatedMetaStoreTest, EveryMemberFoldsTheSameLog) {
  for (uint64_t id : {1, 2, 3}) Start(id);
  const uint64_t leader = WaitForLeader();
  ASSERT_NE(leader, 0u);
  const uint64_t follower = leader % 3 + 1;
  const auto batches = test::FenceWorkload(30);
  for (size_t i = 0; i < batches.size(); ++i) {
    // Alternate the member the append enters through: followers forward to the leader.
    auto rev = AppendVia(i % 2 ? leader : follower, batches[i]);
    ASSERT_TRUE(rev.ok()) << rev.status();
    EXPECT_EQ(*rev, i + 1);
  }
  // A batch the fold rejects is rejected for the caller and skipped by everyone.
  auto rejected = AppendVia(follower, {test::TsoFenced(1, 5)});
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(WaitApplied(30));
  for (auto& [id, m] : members_) {
    EXPECT_EQ(DescribeState(*m->State()), test::ExpectedAfter(batches, 30)) << "member " << id;
  }
}

TEST_F(ReplicatedMetaStoreTest, LeaderLossKeepsTheLogAndARestartedMemberCatchesUp) {
  snapshot_every_ = 8;  // compaction: the restarted member needs a snapshot or its files
  for (uint64_t id : {1, 2, 3}) Start(id);
  const auto batches = test::FenceWorkload(40);
  uint64_t leader = WaitForLeader();
  ASSERT_NE(leader, 0u);
  for (size_t i = 0; i < 15; ++i) ASSERT_TRUE(AppendVia(leader, batches[i]).ok());
  Stop(leader);
  const uint64_t next = WaitForLeader(leader);
  ASSERT_NE(next, 0u);
  for (size_t i = 15; i < 40; ++i) ASSERT_TRUE(AppendVia(next, batches[i]).ok()) << i;
  Start(leader);  // from its own files, then the leader's log or snapshot
  ASSERT_TRUE(WaitApplied(40));
  for (auto& [id, m] : members_) {
    EXPECT_EQ(DescribeState(*m->State()), test::ExpectedAfter(batches, 40)) << "member " << id;
  }
  // A full restart of every member rebuilds the same state from the files alone.
  for (uint64_t id : {1, 2, 3}) Stop(id);
  for (uint64_t id : {1, 2, 3}) Start(id);
  ASSERT_NE(WaitForLeader(), 0u);
  ASSERT_TRUE(WaitApplied(40));
  for (auto& [id, m] : members_) {
    EXPECT_EQ(DescribeState(*m->State()), test::ExpectedAfter(batches, 40)) << "member " << id;
  }
}

TEST_F(ReplicatedMetaStoreTest, AMinorityCannotAppend) {
  for (uint64_t id : {1, 2, 3}) Start(id);
  const uint64_t leader = WaitForLeader();
  ASSERT_NE(leader, 0u);
  ASSERT_TRUE(AppendVia(leader, {test::TenureBootstrap(1, 0, 100)}).ok());
  net_.Cut(leader, true);
  auto cut_off = members_[leader]->Append({test::TsoFenced(1, 10)});
  EXPECT_FALSE(cut_off.ok());
  EXPECT_NE(cut_off.status().code(), absl::StatusCode::kFailedPrecondition) << cut_off.status();
  const uint64_t other = WaitForLeader(leader);
  ASSERT_NE(other, 0u);
  auto majority = AppendVia(other, {test::TsoFenced(1, 20)});
  ASSERT_TRUE(majority.ok()) << majority.status();
  net_.Cut(leader, false);
  ASSERT_TRUE(WaitApplied(*majority));
  // The cut-off member's proposal never committed: fence 20 came from the majority.
  for (auto& [id, m] : members_) EXPECT_EQ(m->State()->tso_fence(), 20u) << "member " << id;
}

}  // namespace
}  // namespace nokv::meta
