// Quorum arithmetic, progress flow control and membership transitions.
#include <gtest/gtest.h>

#include "raftstore/raft/confchange.h"
#include "raftstore/raft/progress.h"
#include "raftstore/raft/quorum.h"
#include "raftstore/raft/tracker.h"

namespace nokv::raft {
namespace {

uint64_t Committed(const JointConfig& c, const std::map<uint64_t, uint64_t>& acked) {
  return c.CommittedIndex([&](uint64_t id, uint64_t* index) {
    auto it = acked.find(id);
    if (it == acked.end()) return false;
    *index = it->second;
    return true;
  });
}

TEST(QuorumTest, MajorityCommittedIndexIsMedianOfAcks) {
  JointConfig c;
  c.incoming = MajorityConfig({1, 2, 3});
  EXPECT_EQ(Committed(c, {{1, 5}, {2, 3}, {3, 1}}), 3u);
  EXPECT_EQ(Committed(c, {{1, 5}}), 0u);  // missing acks count as 0
  c.incoming = MajorityConfig({1, 2, 3, 4});
  EXPECT_EQ(Committed(c, {{1, 9}, {2, 8}, {3, 2}, {4, 1}}), 2u);  // needs 3 of 4
}

TEST(QuorumTest, JointCommitNeedsBothMajorities) {
  JointConfig c;
  c.incoming = MajorityConfig({1, 2, 3});
  c.outgoing = MajorityConfig({3, 4, 5});
  // Incoming majority at 7, outgoing majority only at 2.
  EXPECT_EQ(Committed(c, {{1, 7}, {2, 7}, {3, 2}, {4, 1}, {5, 1}}), 1u);
  EXPECT_EQ(Committed(c, {{1, 7}, {2, 7}, {3, 7}, {4, 5}, {5, 1}}), 5u);
}

TEST(QuorumTest, VoteOutcomes) {
  MajorityConfig m({1, 2, 3});
  EXPECT_EQ(m.Vote({{1, true}}), VoteResult::kPending);
  EXPECT_EQ(m.Vote({{1, true}, {2, true}}), VoteResult::kWon);
  EXPECT_EQ(m.Vote({{1, true}, {2, false}, {3, false}}), VoteResult::kLost);
  EXPECT_EQ(MajorityConfig().Vote({}), VoteResult::kWon);
  JointConfig j{MajorityConfig({1, 2, 3}), MajorityConfig({1, 4, 5})};
  EXPECT_EQ(j.Vote({{1, true}, {2, true}}), VoteResult::kPending);
  EXPECT_EQ(j.Vote({{1, true}, {2, true}, {4, true}}), VoteResult::kWon);
  EXPECT_EQ(j.Vote({{1, true}, {2, true}, {4, false}, {5, false}}), VoteResult::kLost);
}

TEST(InflightsTest, WindowByCountAndBytes) {
  Inflights in(3, 0);
  in.Add(1, 10);
  in.Add(2, 10);
  EXPECT_FALSE(in.Full());
  in.Add(3, 10);
  EXPECT_TRUE(in.Full());
  in.FreeLE(2);
  EXPECT_EQ(in.Count(), 1u);
  EXPECT_FALSE(in.Full());
  for (uint64_t i = 4; i < 40; ++i) {  // wrap around the ring many times
    in.Add(i, 1);
    in.FreeLE(i - 1);
  }
  EXPECT_EQ(in.Count(), 1u);
  Inflights by_bytes(100, 25);
  by_bytes.Add(1, 10);
  by_bytes.Add(2, 10);
  EXPECT_FALSE(by_bytes.Full());
  by_bytes.Add(3, 10);
  EXPECT_TRUE(by_bytes.Full());
  by_bytes.FreeLE(3);
  EXPECT_EQ(by_bytes.bytes(), 0u);
}

TEST(ProgressTest, ProbeDecreaseIgnoresStaleRejections) {
  Progress pr(10, 8, 0, false);
  pr.match = 3;
  // Probe: only a rejection of next-1 counts.
  EXPECT_FALSE(pr.MaybeDecreaseTo(5, 4));
  EXPECT_TRUE(pr.MaybeDecreaseTo(9, 6));
  EXPECT_EQ(pr.next, 7u);
  // The hint never moves next below match+1.
  EXPECT_TRUE(pr.MaybeDecreaseTo(6, 0));
  EXPECT_EQ(pr.next, 4u);
  pr.BecomeReplicate();
  pr.next = 20;
  EXPECT_FALSE(pr.MaybeDecreaseTo(2, 0));  // at or below match: stale
  EXPECT_TRUE(pr.MaybeDecreaseTo(15, 0));
  EXPECT_EQ(pr.next, 4u);
}

TEST(ProgressTest, PausedStates) {
  Progress pr(1, 2, 0, false);
  EXPECT_FALSE(pr.IsPaused());
  pr.probe_paused = true;
  EXPECT_TRUE(pr.IsPaused());
  pr.BecomeReplicate();
  pr.inflights.Add(1, 1);
  pr.inflights.Add(2, 1);
  EXPECT_TRUE(pr.IsPaused());
  pr.BecomeSnapshot(10);
  EXPECT_TRUE(pr.IsPaused());
  pr.match = 10;
  pr.BecomeProbe();
  EXPECT_EQ(pr.next, 11u);
}

raftpb::ConfChange Change(std::vector<std::pair<raftpb::ConfChangeType, uint64_t>> changes,
                          raftpb::ConfChangeTransition t = raftpb::CONF_CHANGE_TRANSITION_AUTO) {
  raftpb::ConfChange cc;
  cc.set_transition(t);
  for (auto [type, id] : changes) {
    auto* ch = cc.add_changes();
    ch->set_type(type);
    ch->set_node_id(id);
  }
  return cc;
}

ProgressTracker TrackerWith(const raftpb::ConfState& cs) {
  ProgressTracker empty(8, 0);
  auto r = RestoreConfState(cs, empty, 10);
  EXPECT_TRUE(r.ok()) << r.status();
  ProgressTracker t(8, 0);
  t.SetConfig(std::move(r->config), std::move(r->progress));
  return t;
}

TEST(ConfChangeTest, SimpleAllowsOneVoterChange) {
  raftpb::ConfState cs;
  for (uint64_t id : {1, 2, 3}) cs.add_voters(id);
  ProgressTracker t = TrackerWith(cs);
  ConfChanger changer(t, 10);
  auto add = changer.Simple(Change({{raftpb::CONF_CHANGE_ADD_NODE, 4}}));
  ASSERT_TRUE(add.ok()) << add.status();
  EXPECT_EQ(add->config.voters.incoming.ids().size(), 4u);
  auto two = changer.Simple(
      Change({{raftpb::CONF_CHANGE_ADD_NODE, 4}, {raftpb::CONF_CHANGE_ADD_NODE, 5}}));
  EXPECT_FALSE(two.ok());
  auto learner = changer.Simple(Change({{raftpb::CONF_CHANGE_ADD_LEARNER_NODE, 7}}));
  ASSERT_TRUE(learner.ok());
  EXPECT_TRUE(learner->progress.at(7).is_learner);
  auto none = changer.Simple(Change({{raftpb::CONF_CHANGE_REMOVE_NODE, 1},
                                     {raftpb::CONF_CHANGE_REMOVE_NODE, 2},
                                     {raftpb::CONF_CHANGE_REMOVE_NODE, 3}}));
  EXPECT_FALSE(none.ok());
}

TEST(ConfChangeTest, JointEnterAndLeaveReplacesVoters) {
  raftpb::ConfState cs;
  for (uint64_t id : {1, 2, 3}) cs.add_voters(id);
  ProgressTracker t = TrackerWith(cs);
  // Replace 2 and 3 by 4 and 5 in one joint transition; demote 3 to learner.
  auto joint =
      ConfChanger(t, 10).EnterJoint(false, Change({{raftpb::CONF_CHANGE_REMOVE_NODE, 2},
                                                   {raftpb::CONF_CHANGE_ADD_LEARNER_NODE, 3},
                                                   {raftpb::CONF_CHANGE_ADD_NODE, 4},
                                                   {raftpb::CONF_CHANGE_ADD_NODE, 5}}));
  ASSERT_TRUE(joint.ok()) << joint.status();
  EXPECT_EQ(joint->config.DebugString(), "voters=(1 4 5)&&(1 2 3) learners_next=(3)");
  t.SetConfig(joint->config, joint->progress);
  EXPECT_FALSE(ConfChanger(t, 10).Simple(Change({{raftpb::CONF_CHANGE_ADD_NODE, 6}})).ok());
  EXPECT_FALSE(ConfChanger(t, 10).EnterJoint(false, Change({})).ok());
  // Round trip through ConfState (what a snapshot carries).
  ProgressTracker restored = TrackerWith(joint->config.ToConfState());
  EXPECT_EQ(restored.config().DebugString(), joint->config.DebugString());
  auto left = ConfChanger(t, 10).LeaveJoint();
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_EQ(left->config.DebugString(), "voters=(1 4 5) learners=(3)");
  EXPECT_EQ(left->progress.count(2), 0u);
  EXPECT_TRUE(left->progress.at(3).is_learner);
  t.SetConfig(left->config, left->progress);
  EXPECT_FALSE(ConfChanger(t, 10).LeaveJoint().ok());
}

TEST(ConfChangeTest, PromoteLearner) {
  raftpb::ConfState cs;
  for (uint64_t id : {1, 2, 3}) cs.add_voters(id);
  cs.add_learners(4);
  ProgressTracker t = TrackerWith(cs);
  auto promoted = ConfChanger(t, 10).Simple(Change({{raftpb::CONF_CHANGE_ADD_NODE, 4}}));
  ASSERT_TRUE(promoted.ok());
  EXPECT_EQ(promoted->config.DebugString(), "voters=(1 2 3 4)");
  EXPECT_FALSE(promoted->progress.at(4).is_learner);
}

}  // namespace
}  // namespace nokv::raft
