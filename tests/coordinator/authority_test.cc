// The coordinator's authority and allocators on a real meta store (LocalMetaStore on MemVFS)
// with an injected clock: bootstrap, fenced windows, renewal, lease loss, takeover after
// expiry (never before), a restarted incarnation sealing its own era, clean step-down, and
// strictly increasing timestamps and unique IDs across every handover.
#include "coordinator/authority/authority.h"

#include <gtest/gtest.h>

#include "coordinator/tso/fenced_window.h"
#include "coordinator/tso/hybrid_ts.h"
#include "engine/vfs/mem_vfs.h"
#include "meta/local_store.h"

namespace nokv::coordinator {
namespace {

TEST(FencedWindowTest, ServesOnlyBelowADurableFence) {
  FencedWindow w(100);
  EXPECT_FALSE(w.Take(0, 1).has_value()) << "detached";
  w.Attach(50);
  EXPECT_FALSE(w.Take(0, 1).has_value()) << "attached, but no fence of this holder yet";
  ASSERT_EQ(w.FenceTarget(0), 150u);
  w.Open(150);
  EXPECT_EQ(*w.Take(0, 10), 50u);
  EXPECT_EQ(*w.Take(0, 1), 60u);
  EXPECT_EQ(*w.Take(100, 1), 100u) << "the floor (clock) lifts the next value";
  EXPECT_FALSE(w.Take(0, 60).has_value()) << "would cross the fence";
  EXPECT_EQ(w.FenceTarget(0), 201u) << "less than half a window left";
  EXPECT_EQ(w.FenceTarget(0, 60), 261u) << "room for the large batch";
  w.Open(120);
  EXPECT_EQ(w.limit(), 150u) << "a fence never moves the limit back";
  w.Detach();
  EXPECT_FALSE(w.Take(0, 1).has_value());
}

class AuthorityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = meta::LocalMetaStore::Open(vfs_, "/meta", {});
    ASSERT_TRUE(store.ok());
    meta_ = *std::move(store);
    options_.lease_ms = 3000;
    options_.renew_interval_ms = 1000;
    options_.max_clock_drift_ms = 200;
    options_.tso_window_ms = 1000;
    options_.id_window = 100;
  }
  std::unique_ptr<Authority> Make(uint64_t id) {
    return std::make_unique<Authority>(id, meta_.get(), &clock_, options_);
  }
  // Steps until the authority does nothing more (bounded).
  std::vector<AuthorityAction> Settle(Authority* a) {
    std::vector<AuthorityAction> actions;
    for (int i = 0; i < 20; ++i) {
      StepResult r = a->Step();
      EXPECT_TRUE(r.status.ok()) << AuthorityActionName(r.action) << ": " << r.status;
      if (r.action == AuthorityAction::kNone) break;
      actions.push_back(r.action);
    }
    return actions;
  }
  uint64_t Tso(Authority* a) {
    auto r = a->AllocateTso(1, std::chrono::milliseconds(0));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->first : 0;
  }

  MemVFS vfs_;
  ManualClock clock_;
  CoordinatorOptions options_;
  std::unique_ptr<meta::LocalMetaStore> meta_;
};

TEST_F(AuthorityTest, BootstrapFencesBeforeServing) {
  auto a = Make(1);
  StepResult r = a->Step();
  ASSERT_EQ(r.action, AuthorityAction::kBootstrap);
  ASSERT_TRUE(r.status.ok());
  ASSERT_TRUE(a->ServingGrant().has_value());
  EXPECT_EQ(a->ServingGrant()->era, 1u);
  // No window yet: nothing is durable for this holder.
  EXPECT_FALSE(a->AllocateTso(1, std::chrono::milliseconds(0)).ok());
  EXPECT_EQ(a->Step().action, AuthorityAction::kFenceTso);
  EXPECT_EQ(a->Step().action, AuthorityAction::kFenceId);
  EXPECT_EQ(a->Step().action, AuthorityAction::kNone);
  const uint64_t fence = meta_->State()->tso_fence();
  uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    auto ts = a->AllocateTso(1 + i % 7, std::chrono::milliseconds(0));
    ASSERT_TRUE(ts.ok()) << ts.status();
    EXPECT_GT(ts->first, last);
    EXPECT_GE(ts->first, ComposeTs(clock_.NowUnixMillis(), 0));
    EXPECT_LT(ts->first + i % 7, fence) << "served at or above the durable fence";
    last = ts->first + i % 7;
  }
  auto ids = a->AllocateIds(10, std::chrono::milliseconds(0));
  ASSERT_TRUE(ids.ok());
  EXPECT_LT(ids->first + 9, meta_->State()->id_fence());
}

TEST_F(AuthorityTest, LeaseLapsesWithoutRenewalAndRenewalKeepsIt) {
  auto a = Make(1);
  Settle(a.get());
  clock_.AdvanceMillis(options_.renew_interval_ms);
  EXPECT_EQ(a->Step().action, AuthorityAction::kRenew);
  clock_.AdvanceMillis(options_.lease_ms - options_.max_clock_drift_ms - 1);
  EXPECT_TRUE(a->ServingGrant().has_value()) << "renewed lease still valid";
  clock_.AdvanceMillis(2);
  EXPECT_FALSE(a->ServingGrant().has_value()) << "stops drift before the lease others see";
  EXPECT_FALSE(a->AllocateTso(1, std::chrono::milliseconds(0)).ok());
}

TEST_F(AuthorityTest, TakeoverOnlyAfterExpiryAndTimestampsKeepRising) {
  auto a = Make(1);
  auto b = Make(2);
  Settle(a.get());
  uint64_t served = 0;
  for (int i = 0; i < 100; ++i) served = Tso(a.get());
  const uint64_t expires = meta_->State()->authority().tenure().expires_ms();
  // Before expiry + drift, B does nothing.
  clock_.AdvanceMillis(expires - clock_.NowUnixMillis() + options_.max_clock_drift_ms);
  EXPECT_EQ(b->Step().action, AuthorityAction::kNone);
  EXPECT_FALSE(a->ServingGrant().has_value()) << "A stopped before B may seal";
  clock_.AdvanceMillis(1);
  StepResult seal = b->Step();
  ASSERT_EQ(seal.action, AuthorityAction::kSeal);
  ASSERT_TRUE(seal.status.ok()) << seal.status;
  EXPECT_EQ(a->Step().action, AuthorityAction::kLostTenure);
  std::vector<AuthorityAction> handover = Settle(b.get());
  ASSERT_GE(handover.size(), 4u);
  EXPECT_EQ(handover[0], AuthorityAction::kIssue);
  EXPECT_EQ(handover[1], AuthorityAction::kConfirm);
  EXPECT_EQ(handover[2], AuthorityAction::kClose);
  EXPECT_EQ(handover[3], AuthorityAction::kReattach);
  ASSERT_TRUE(b->ServingGrant().has_value());
  EXPECT_EQ(b->ServingGrant()->era, 2u);
  EXPECT_GT(Tso(b.get()), served);
  EXPECT_EQ(meta_->State()->authority().sealed_through(), 1u);
}

// Bug caught: an era sealed before its lease ends (even by its own restarted process or on a
// clean shutdown) lets a reply it already served be admitted after the seal (Silence).
TEST_F(AuthorityTest, ARestartedIncarnationSealsItsOwnEraOnlyWhenTheLeaseEnds) {
  auto a = Make(1);
  Settle(a.get());
  const uint64_t before = Tso(a.get());
  const uint64_t expires = meta_->State()->authority().tenure().expires_ms();
  a.reset();  // the process dies
  auto again = Make(1);
  EXPECT_TRUE(Settle(again.get()).empty()) << "the old lease still runs";
  clock_.AdvanceMillis(expires + options_.max_clock_drift_ms + 1 - clock_.NowUnixMillis());
  std::vector<AuthorityAction> actions = Settle(again.get());
  ASSERT_FALSE(actions.empty());
  EXPECT_EQ(actions[0], AuthorityAction::kSealOwn);
  ASSERT_TRUE(again->ServingGrant().has_value());
  EXPECT_EQ(again->ServingGrant()->era, 2u);
  EXPECT_GT(Tso(again.get()), before);
}

TEST_F(AuthorityTest, StepDownStopsServingAndTheSuccessorWaitsForTheLease) {
  auto a = Make(1);
  auto b = Make(2);
  Settle(a.get());
  const uint64_t before = Tso(a.get());
  auto id_before = a->AllocateIds(5, std::chrono::milliseconds(0));
  ASSERT_TRUE(id_before.ok());
  a->StepDown();
  EXPECT_FALSE(a->ServingGrant().has_value());
  EXPECT_FALSE(a->AllocateTso(1, std::chrono::milliseconds(0)).ok());
  EXPECT_TRUE(Settle(b.get()).empty());
  clock_.AdvanceMillis(options_.lease_ms + options_.max_clock_drift_ms + 1);
  std::vector<AuthorityAction> actions = Settle(b.get());
  ASSERT_FALSE(actions.empty());
  EXPECT_EQ(actions[0], AuthorityAction::kSeal);
  EXPECT_GT(Tso(b.get()), before);
  auto id_after = b->AllocateIds(1, std::chrono::milliseconds(0));
  ASSERT_TRUE(id_after.ok());
  EXPECT_GT(id_after->first, id_before->first + 4);
}

TEST_F(AuthorityTest, AppendsTheConfiguredTopologyOnce) {
  metapb::Event store;
  store.mutable_store_joined()->mutable_store()->set_store_id(1);
  store.mutable_store_joined()->mutable_store()->set_address("s1");
  metapb::Event region;
  region.mutable_region_bootstrapped()->mutable_region()->set_region_id(7);
  auto* peer = region.mutable_region_bootstrapped()->mutable_region()->add_peers();
  peer->set_peer_id(70);
  peer->set_store_id(1);
  metapb::Event done;
  done.mutable_cluster_bootstrapped()->set_cluster_id(3);
  Authority a(1, meta_.get(), &clock_, options_, {store, region, done});
  std::vector<AuthorityAction> actions = Settle(&a);
  EXPECT_NE(std::find(actions.begin(), actions.end(), AuthorityAction::kBootstrapCluster),
            actions.end());
  EXPECT_TRUE(meta_->State()->bootstrapped());
  EXPECT_EQ(meta_->State()->regions().size(), 1u);
  // IDs start above every configured id, even though the window opened before the topology
  // was appended.
  auto id = a.AllocateIds(1, std::chrono::milliseconds(0));
  if (!id.ok()) {
    Settle(&a);  // the window must first be fenced above the configured ids
    id = a.AllocateIds(1, std::chrono::milliseconds(0));
  }
  ASSERT_TRUE(id.ok());
  EXPECT_GT(id->first, 70u);
  EXPECT_TRUE(Settle(&a).empty());
}

}  // namespace
}  // namespace nokv::coordinator
