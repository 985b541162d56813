// Each protocol-phase failpoint fires where documented and the node recovers from it.
#include <gtest/gtest.h>

#include "raftstore/raft/errors.h"
#include "raftstore/raft/failpoints.h"
#include "tests/raftstore/raft/cluster_harness.h"

namespace nokv::raft {
namespace {

using testing::ClusterHarness;

#define ASSERT_OK(expr)                    \
  do {                                     \
    absl::Status s_ = (expr);              \
    ASSERT_TRUE(s_.ok()) << s_.ToString(); \
  } while (0)

void Elect(ClusterHarness& h, uint64_t id) {
  ASSERT_OK(h.node(id).Campaign());
  ASSERT_OK(h.Stabilize());
  ASSERT_EQ(h.node(id).Status().state, StateType::kLeader);
}

TEST(FailpointTest, NamesRoundTripAndAtLeastEightExist) {
  int count = static_cast<int>(Failpoint::kCount);
  EXPECT_GE(count, 8);
  for (int i = 0; i < count; ++i) {
    auto fp = static_cast<Failpoint>(i);
    EXPECT_EQ(FailpointFromName(FailpointName(fp)), fp);
  }
  EXPECT_FALSE(FailpointFromName("raft/no-such-phase").has_value());
  Failpoints fps;
  EXPECT_EQ(fps.Evaluate(Failpoint::kBeforeApply), FailpointAction::kOff);
  fps.Arm(Failpoint::kBeforeApply, FailpointAction::kDrop, 2);
  EXPECT_EQ(fps.Evaluate(Failpoint::kBeforeApply), FailpointAction::kDrop);
  EXPECT_EQ(fps.Evaluate(Failpoint::kBeforeApply), FailpointAction::kDrop);
  EXPECT_EQ(fps.Evaluate(Failpoint::kBeforeApply), FailpointAction::kOff);  // used up
  EXPECT_EQ(fps.fired(Failpoint::kBeforeApply), 2u);
}

TEST(FailpointTest, BeforeCampaignDropAndCrash) {
  ClusterHarness h({1, 2, 3});
  h.failpoints(1).Arm(Failpoint::kBeforeCampaign, FailpointAction::kDrop);
  ASSERT_OK(h.node(1).Campaign());
  EXPECT_EQ(h.node(1).Status().state, StateType::kFollower);
  EXPECT_EQ(h.node(1).Status().term, 0u);
  h.failpoints(1).Arm(Failpoint::kBeforeCampaign, FailpointAction::kCrash);
  EXPECT_TRUE(IsFailpointCrash(h.node(1).Campaign()));
  ASSERT_OK(h.Restart(1));
  Elect(h, 1);
}

TEST(FailpointTest, BeforeAppendPersistCrashLosesOnlyUnpersistedEntries) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  uint64_t last = h.storage(1).LastIndex();
  ASSERT_OK(h.Propose(1, "x"));
  h.failpoints(1).Arm(Failpoint::kBeforeAppendPersist, FailpointAction::kCrash);
  EXPECT_TRUE(IsFailpointCrash(h.ProcessAll()));
  EXPECT_EQ(h.storage(1).LastIndex(), last);  // nothing was written
  EXPECT_TRUE(h.mailbox().empty());           // and nothing was sent
  ASSERT_OK(h.Restart(1));
  for (int i = 0; i < 30 && h.Leader() == 0; ++i) {
    ASSERT_OK(h.TickAll());
    ASSERT_OK(h.Stabilize());
  }
  uint64_t leader = h.Leader();
  ASSERT_NE(leader, 0u);
  ASSERT_OK(h.Propose(leader, "y"));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.applied(2), (std::vector<std::string>{"y"}));
}

TEST(FailpointTest, AfterPersistBeforeAckDropKeepsDurableState) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  ASSERT_OK(h.Propose(1, "x"));
  ASSERT_OK(h.ProcessAll());  // leader persists and sends the append
  h.failpoints(2).Arm(Failpoint::kAfterPersistBeforeAck, FailpointAction::kDrop);
  h.failpoints(3).Arm(Failpoint::kAfterPersistBeforeAck, FailpointAction::kDrop);
  ASSERT_OK(h.DeliverOnce());  // followers persist; their acks are dropped
  EXPECT_EQ(h.storage(2).LastIndex(), h.storage(1).LastIndex());
  EXPECT_EQ(h.node(1).Status().commit, h.storage(1).LastIndex() - 1);
  ASSERT_OK(h.TickAll());  // a heartbeat round recovers
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.applied(3), (std::vector<std::string>{"x"}));
}

TEST(FailpointTest, BeforeApplyDelayPostponesApplication) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  h.failpoints(2).Arm(Failpoint::kBeforeApply, FailpointAction::kDelay);
  ASSERT_OK(h.Propose(1, "x"));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.failpoints(2).fired(Failpoint::kBeforeApply), 1u);
  ASSERT_OK(h.TickAll());
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.applied(2), (std::vector<std::string>{"x"}));
}

TEST(FailpointTest, BeforeCommitAdvanceDropDelaysCommit) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  h.failpoints(1).Arm(Failpoint::kBeforeCommitAdvance, FailpointAction::kDrop);
  ASSERT_OK(h.Propose(1, "x"));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.failpoints(1).fired(Failpoint::kBeforeCommitAdvance), 1u);
  ASSERT_OK(h.Propose(1, "y"));  // the next acknowledgement commits both
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.applied(1), (std::vector<std::string>{"x", "y"}));
  h.failpoints(1).Arm(Failpoint::kBeforeCommitAdvance, FailpointAction::kError);
  ASSERT_OK(h.Propose(1, "z"));
  EXPECT_TRUE(IsFailpointInjectedError(h.Stabilize()));
}

TEST(FailpointTest, SnapshotSendAndInstallFailpoints) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  h.Isolate(3);
  for (int i = 0; i < 10; ++i) ASSERT_OK(h.Propose(1, "e"));
  ASSERT_OK(h.Stabilize());
  ASSERT_OK(h.CompactAt(1, h.node(1).Status().applied));
  h.Heal();
  h.failpoints(1).Arm(Failpoint::kBeforeSnapshotSend, FailpointAction::kDrop);
  h.failpoints(3).Arm(Failpoint::kDuringSnapshotInstall, FailpointAction::kDrop);
  for (int i = 0; i < 10; ++i) {
    ASSERT_OK(h.TickAll());
    ASSERT_OK(h.Stabilize());
  }
  EXPECT_EQ(h.failpoints(1).fired(Failpoint::kBeforeSnapshotSend), 1u);
  EXPECT_EQ(h.failpoints(3).fired(Failpoint::kDuringSnapshotInstall), 1u);
  EXPECT_EQ(h.snapshots_installed(3), 1u);  // the retry went through
  EXPECT_EQ(h.node(3).Status().applied, h.node(1).Status().applied);
}

TEST(FailpointTest, LeaderTransferAndReadIndexFailpoints) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  h.failpoints(1).Arm(Failpoint::kBeforeLeaderTransfer, FailpointAction::kDrop);
  ASSERT_OK(h.node(1).TransferLeader(2));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.Leader(), 1u);
  h.failpoints(1).Arm(Failpoint::kBeforeReadIndexConfirm, FailpointAction::kDrop, /*times=*/0);
  ASSERT_OK(h.node(1).ReadIndex("r"));
  ASSERT_OK(h.Stabilize());
  EXPECT_TRUE(h.read_states(1).empty());
  EXPECT_GE(h.failpoints(1).fired(Failpoint::kBeforeReadIndexConfirm), 1u);
  h.failpoints(1).Disarm(Failpoint::kBeforeReadIndexConfirm);
  ASSERT_OK(h.TickAll());  // the next heartbeat round confirms it
  ASSERT_OK(h.Stabilize());
  ASSERT_EQ(h.read_states(1).size(), 1u);
  ASSERT_OK(h.node(1).TransferLeader(2));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.Leader(), 2u);
}

}  // namespace
}  // namespace nokv::raft
