// The Coordinator's handlers in process (no gRPC): redirects from a non-holder, region
// heartbeats classified against meta (stale refused with meta's descriptor, newer published,
// older overlaps evicted), routing by key, split reports (idempotent, bad ones refused),
// leader-transfer hints that spread leaders, request limits, and the EraGuard.
#include "coordinator/server/coordinator.h"

#include <gtest/gtest.h>

#include "coordinator/client/era_guard.h"
#include "engine/vfs/mem_vfs.h"
#include "meta/local_store.h"
#include "tests/config/test_cluster_config.h"

namespace nokv::coordinator {
namespace {

class CoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    test::TestClusterShape shape;
    shape.coordinators = 3;
    shape.split_keys = {"f", "m", "t"};  // 4 regions, peers on stores 1..3
    config_ = test::MakeTestClusterConfig(shape);
    auto store = meta::LocalMetaStore::Open(vfs_, "/meta", {});
    ASSERT_TRUE(store.ok());
    meta_ = *std::move(store);
    options_.hint_interval_ms = 0;
    holder_ =
        std::make_unique<Coordinator>(1, config_, meta_.get(), &clock_, options_, nullptr, nullptr);
    follower_ =
        std::make_unique<Coordinator>(2, config_, meta_.get(), &clock_, options_, nullptr, nullptr);
    for (int i = 0; i < 10; ++i) holder_->authority().Step();
    ASSERT_TRUE(meta_->State()->bootstrapped());
  }

  coordinatorpb::RegionHeartbeatRequest Heartbeat(uint64_t region_id, uint64_t leader_store) {
    const metapb::RegionDescriptor& r = meta_->State()->RegionById(region_id)->region();
    coordinatorpb::RegionHeartbeatRequest q;
    q.set_store_id(leader_store);
    *q.mutable_region() = r;
    for (const auto& p : r.peers()) {
      if (p.store_id() == leader_store) *q.mutable_leader() = p;
    }
    q.set_term(5);
    q.set_approximate_size(1000 * region_id);
    return q;
  }

  MemVFS vfs_;
  ManualClock clock_;
  CoordinatorOptions options_;
  configpb::ClusterConfig config_;
  std::unique_ptr<meta::LocalMetaStore> meta_;
  std::unique_ptr<Coordinator> holder_;
  std::unique_ptr<Coordinator> follower_;
};

TEST_F(CoordinatorTest, NonHolderRedirectsWithTheNewestEra) {
  coordinatorpb::TsoResponse r;
  ASSERT_TRUE(follower_->Tso({}, &r).ok());
  EXPECT_EQ(r.header().error().code(), coordinatorpb::NOT_HOLDER);
  EXPECT_EQ(r.header().error().holder_id(), 1u);
  EXPECT_EQ(r.header().error().holder_addr(), config_.coordinators(0).addr());
  EXPECT_EQ(r.header().era(), 1u);
  EXPECT_EQ(r.first_ts(), 0u);
  coordinatorpb::StatusResponse st;
  ASSERT_TRUE(follower_->Status({}, &st).ok());
  EXPECT_FALSE(st.is_holder());
  EXPECT_EQ(st.holder_id(), 1u);
  EXPECT_EQ(st.region_count(), 4u);
}

TEST_F(CoordinatorTest, HeartbeatsRouteAndStaleEpochsAreRefused) {
  coordinatorpb::RegionHeartbeatResponse hr;
  auto beat = [&](const coordinatorpb::RegionHeartbeatRequest& q) {
    hr.Clear();
    return holder_->RegionHeartbeat(q, &hr);
  };
  ASSERT_TRUE(beat(Heartbeat(2, 3)).ok());
  EXPECT_EQ(hr.header().error().code(), coordinatorpb::ERROR_NONE);
  coordinatorpb::GetRegionByKeyRequest by_key;
  by_key.set_key("g");
  coordinatorpb::GetRegionResponse gr;
  ASSERT_TRUE(holder_->GetRegionByKey(by_key, &gr).ok());
  EXPECT_EQ(gr.region().region().region_id(), 2u);
  EXPECT_EQ(gr.region().leader().store_id(), 3u);
  EXPECT_EQ(gr.region().approximate_size(), 2000u);
  gr.Clear();

  // A membership change reported by the leader: newer conf_ver, published to meta.
  coordinatorpb::RegionHeartbeatRequest newer = Heartbeat(2, 3);
  newer.mutable_region()->mutable_epoch()->set_conf_ver(2);
  newer.mutable_region()->mutable_peers()->erase(newer.mutable_region()->mutable_peers()->begin());
  ASSERT_TRUE(beat(newer).ok());
  EXPECT_EQ(hr.header().error().code(), coordinatorpb::ERROR_NONE) << hr.header().error().message();
  EXPECT_EQ(meta_->State()->RegionById(2)->region().epoch().conf_ver(), 2u);
  EXPECT_EQ(meta_->State()->RegionById(2)->region().peers_size(), 2);

  // The old leader's late heartbeat from before the change: refused with meta's descriptor.
  ASSERT_TRUE(beat(Heartbeat(3, 1)).ok());
  coordinatorpb::RegionHeartbeatRequest stale = newer;
  stale.mutable_region()->mutable_epoch()->set_conf_ver(1);
  ASSERT_TRUE(beat(stale).ok());
  EXPECT_EQ(hr.header().error().code(), coordinatorpb::STALE_EPOCH);
  EXPECT_EQ(hr.header().error().current_region().epoch().conf_ver(), 2u);

  // A newer version growing over an older neighbour evicts it (e.g. a merge whose report was
  // lost).
  coordinatorpb::RegionHeartbeatRequest grown = Heartbeat(3, 1);
  grown.mutable_region()->set_end_key("");
  grown.mutable_region()->mutable_epoch()->set_version(5);
  ASSERT_TRUE(beat(grown).ok());
  EXPECT_EQ(hr.header().error().code(), coordinatorpb::ERROR_NONE) << hr.header().error().message();
  EXPECT_EQ(meta_->State()->RegionById(4), nullptr);
  by_key.set_key("zzz");
  ASSERT_TRUE(holder_->GetRegionByKey(by_key, &gr).ok());
  EXPECT_EQ(gr.region().region().region_id(), 3u);
  // The evicted region's own heartbeat now finds it retired.
  coordinatorpb::RegionHeartbeatRequest evicted = Heartbeat(3, 1);
  evicted.mutable_region()->set_region_id(4);
  ASSERT_TRUE(beat(evicted).ok());
  EXPECT_EQ(hr.header().error().code(), coordinatorpb::REGION_NOT_FOUND);
}

TEST_F(CoordinatorTest, SplitReportsArePublishedOnceAndBadOnesRefused) {
  const metapb::RegionDescriptor parent = meta_->State()->RegionById(1)->region();
  coordinatorpb::AllocIDResponse ids;
  coordinatorpb::AllocIDRequest want;
  want.set_count(4);
  ASSERT_TRUE(holder_->AllocID(want, &ids).ok());
  ASSERT_EQ(ids.header().error().code(), coordinatorpb::ERROR_NONE)
      << ids.header().error().message();
  coordinatorpb::ReportSplitRequest split;
  split.set_parent_region_id(1);
  metapb::RegionDescriptor left = parent;
  left.set_end_key("c");
  left.mutable_epoch()->set_version(2);
  metapb::RegionDescriptor right = parent;
  right.set_region_id(ids.first_id());
  right.set_start_key("c");
  right.mutable_epoch()->set_version(2);
  for (int i = 0; i < right.peers_size(); ++i)
    right.mutable_peers(i)->set_peer_id(ids.first_id() + 1 + i);
  *split.add_regions() = left;
  *split.add_regions() = right;
  coordinatorpb::ReportSplitResponse sr;
  ASSERT_TRUE(holder_->ReportSplit(split, &sr).ok());
  EXPECT_EQ(sr.header().error().code(), coordinatorpb::ERROR_NONE) << sr.header().error().message();
  const uint64_t revision = meta_->State()->revision();
  sr.Clear();
  ASSERT_TRUE(holder_->ReportSplit(split, &sr).ok());
  EXPECT_EQ(sr.header().error().code(), coordinatorpb::ERROR_NONE) << "a retried report";
  EXPECT_EQ(meta_->State()->revision(), revision) << "nothing appended twice";
  coordinatorpb::GetRegionByKeyRequest by_key;
  by_key.set_key("d");
  coordinatorpb::GetRegionResponse gr;
  ASSERT_TRUE(holder_->GetRegionByKey(by_key, &gr).ok());
  EXPECT_EQ(gr.region().region().region_id(), ids.first_id());

  // A split of a parent that no longer has that range is refused with meta's reason.
  sr.Clear();
  split.mutable_regions(0)->set_end_key("b");
  split.mutable_regions(0)->mutable_epoch()->set_version(3);
  split.mutable_regions(1)->mutable_epoch()->set_version(3);
  ASSERT_TRUE(holder_->ReportSplit(split, &sr).ok());
  EXPECT_EQ(sr.header().error().code(), coordinatorpb::REJECTED) << sr.header().error().message();
  EXPECT_NE(sr.header().error().message().find("split of region 1"), std::string::npos)
      << sr.header().error().message();
}

TEST_F(CoordinatorTest, LeaderHintsSpreadLeaders) {
  // Every region led by store 1: once all have reported, hints move leaders elsewhere.
  std::map<uint64_t, uint64_t> leader_of = {{1, 1}, {2, 1}, {3, 1}, {4, 1}};
  int hints = 0;
  for (int round = 0; round < 6; ++round) {
    for (auto& [region, store] : leader_of) {
      coordinatorpb::RegionHeartbeatResponse hr;
      ASSERT_TRUE(holder_->RegionHeartbeat(Heartbeat(region, store), &hr).ok());
      if (hr.transfer_leader_to().peer_id() != 0) {
        ++hints;
        EXPECT_NE(hr.transfer_leader_to().store_id(), store);
        store = hr.transfer_leader_to().store_id();  // the store acts on the hint
      }
    }
  }
  EXPECT_GE(hints, 2);
  std::map<uint64_t, int> per_store;
  for (auto& [region, store] : leader_of) per_store[store]++;
  int max = 0, min = 100;
  for (uint64_t s : {1, 2, 3}) {
    max = std::max(max, per_store[s]);
    min = std::min(min, per_store[s]);
  }
  EXPECT_LE(max - min, 1) << "leaders spread evenly";
}

TEST_F(CoordinatorTest, MalformedRequestsAreInvalidArguments) {
  coordinatorpb::TsoRequest too_many;
  too_many.set_count(Coordinator::kMaxTsoCount + 1);
  coordinatorpb::TsoResponse r;
  EXPECT_EQ(holder_->Tso(too_many, &r).code(), absl::StatusCode::kInvalidArgument);
  coordinatorpb::RegionHeartbeatRequest no_leader = Heartbeat(1, 1);
  no_leader.mutable_leader()->set_peer_id(999);
  coordinatorpb::RegionHeartbeatResponse hr;
  EXPECT_EQ(holder_->RegionHeartbeat(no_leader, &hr).code(), absl::StatusCode::kInvalidArgument);
  coordinatorpb::ScanRegionsRequest backwards;
  backwards.set_start_key("z");
  backwards.set_end_key("a");
  coordinatorpb::ScanRegionsResponse sr;
  EXPECT_EQ(holder_->ScanRegions(backwards, &sr).code(), absl::StatusCode::kInvalidArgument);
}

TEST(EraGuardTest, RefusesSealedErasAndLateAllocatorReplies) {
  ManualClock clock(1'000'000);
  EraGuard guard(&clock, 100);
  coordinatorpb::ResponseHeader h;
  h.set_era(2);
  h.set_lease_expires_ms(2'000'000);
  ASSERT_TRUE(guard.Admit(h, true).ok());
  coordinatorpb::ResponseHeader old = h;
  old.set_era(1);
  EXPECT_FALSE(guard.Admit(old, false).ok()) << "an older era is sealed";
  // A redirect teaches the guard that era 2 is sealed: era 2's holder is refused from now on.
  coordinatorpb::ResponseHeader redirect;
  redirect.set_era(2);
  redirect.set_sealed_through(2);
  guard.Observe(redirect);
  EXPECT_FALSE(guard.Admit(h, false).ok());
  coordinatorpb::ResponseHeader three;
  three.set_era(3);
  three.set_lease_expires_ms(1'000'050);
  EXPECT_FALSE(guard.Admit(three, true).ok()) << "arrives within the drift bound of its lease end";
  EXPECT_TRUE(guard.Admit(three, false).ok()) << "a routing reply carries no lease";
  EXPECT_EQ(guard.newest_era(), 3u);
  EXPECT_EQ(guard.refused(), 3u);
}

}  // namespace
}  // namespace nokv::coordinator
