// Raft behaviour in the style of the paper's properties and etcd/raft's unit tests: election
// safety, log matching, leader completeness, stale terms, pre-vote, check-quorum, replication,
// flow control, snapshots, reads, transfer and membership.
#include <gtest/gtest.h>

#include <algorithm>

#include "raftstore/raft/errors.h"
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

ClusterHarness::ConfigTweak PreVoteCheckQuorum() {
  return [](Config* c) {
    c->pre_vote = true;
    c->check_quorum = true;
  };
}

raftpb::Message Msg(raftpb::MessageType type, uint64_t from, uint64_t to, uint64_t term) {
  raftpb::Message m;
  m.set_type(type);
  m.set_from(from);
  m.set_to(to);
  m.set_term(term);
  return m;
}

TEST(RaftElectionTest, OneLeaderPerTermIn3And5NodeClusters) {
  for (std::vector<uint64_t> ids : {std::vector<uint64_t>{1, 2, 3}, {1, 2, 3, 4, 5}}) {
    ClusterHarness h(ids);
    Elect(h, 1);
    for (uint64_t id : ids) {
      EXPECT_EQ(h.node(id).Status().term, 1u);
      EXPECT_EQ(h.node(id).Status().lead, 1u);
    }
    EXPECT_EQ(h.Leader(), 1u);
  }
}

TEST(RaftElectionTest, ElectionTimeoutElectsSomeone) {
  ClusterHarness h({1, 2, 3}, PreVoteCheckQuorum());
  for (int i = 0; i < 50 && h.Leader() == 0; ++i) {
    ASSERT_OK(h.TickAll());
    ASSERT_OK(h.Stabilize());
  }
  EXPECT_NE(h.Leader(), 0u);
}

TEST(RaftElectionTest, AtMostOneVotePerTerm) {
  ClusterHarness h({1, 2, 3});
  raftpb::Message vote = Msg(raftpb::MSG_VOTE, 1, 2, 1);
  ASSERT_OK(h.node(2).Step(vote));
  raftpb::Message other = Msg(raftpb::MSG_VOTE, 3, 2, 1);
  ASSERT_OK(h.node(2).Step(other));
  ASSERT_OK(h.ProcessAll());
  ASSERT_EQ(h.mailbox().size(), 2u);
  EXPECT_FALSE(h.mailbox()[0].reject());  // granted to 1
  EXPECT_EQ(h.mailbox()[0].to(), 1u);
  EXPECT_TRUE(h.mailbox()[1].reject());  // 3 refused in the same term
  EXPECT_EQ(h.node(2).Status().vote, 1u);
  // The vote is durable before the grant leaves the node.
  EXPECT_EQ(h.storage(2).hard_state().vote(), 1u);
}

TEST(RaftElectionTest, StaleTermMessagesAreRejected) {
  ClusterHarness h({1, 2, 3}, PreVoteCheckQuorum());
  Elect(h, 1);
  ASSERT_OK(h.node(1).TransferLeader(2));  // term 2, without disturbing check-quorum leases
  ASSERT_OK(h.Stabilize());
  ASSERT_EQ(h.Leader(), 2u);
  uint64_t term = h.node(3).Status().term;
  raftpb::Message stale = Msg(raftpb::MSG_APPEND, 1, 3, term - 1);
  stale.set_index(0);
  stale.set_commit(100);
  ASSERT_OK(h.node(3).Step(stale));
  EXPECT_EQ(h.node(3).Status().lead, 2u);
  EXPECT_EQ(h.node(3).Status().term, term);
  ASSERT_OK(h.ProcessAll());
  // The stale leader is told the current term so it steps down.
  ASSERT_EQ(h.mailbox().size(), 1u);
  EXPECT_EQ(h.mailbox()[0].type(), raftpb::MSG_APPEND_RESPONSE);
  EXPECT_EQ(h.mailbox()[0].term(), term);
}

TEST(RaftElectionTest, CandidateWithStaleLogCannotWin) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  h.Isolate(3);
  for (int i = 0; i < 5; ++i) ASSERT_OK(h.Propose(1, "v" + std::to_string(i)));
  ASSERT_OK(h.Stabilize());
  h.Heal();
  h.Isolate(1);
  // 3 lacks the committed entries: 2 must refuse it (leader completeness, §5.4.1).
  ASSERT_OK(h.node(3).Campaign());
  ASSERT_OK(h.Stabilize());
  EXPECT_NE(h.node(3).Status().state, StateType::kLeader);
  ASSERT_OK(h.node(2).Campaign());
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.node(2).Status().state, StateType::kLeader);
  EXPECT_EQ(h.applied(2).size(), 5u);
  EXPECT_EQ(h.applied(3), h.applied(2));  // 3 caught up from the new leader
}

TEST(RaftElectionTest, PreVoteKeepsHealthyLeader) {
  ClusterHarness h({1, 2, 3}, PreVoteCheckQuorum());
  Elect(h, 1);
  uint64_t term = h.node(1).Status().term;
  h.Isolate(3);
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(h.TickAll());
    ASSERT_OK(h.Stabilize());
  }
  // The isolated node pre-campaigned many times without bumping its term.
  EXPECT_EQ(h.node(3).Status().term, term);
  h.Heal();
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(h.TickAll());
    ASSERT_OK(h.Stabilize());
  }
  EXPECT_EQ(h.Leader(), 1u);
  EXPECT_EQ(h.node(1).Status().term, term);
}

TEST(RaftElectionTest, WithoutPreVoteRejoiningNodeDisruptsLeader) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  uint64_t term = h.node(1).Status().term;
  h.Isolate(3);
  for (int i = 0; i < 30; ++i) ASSERT_OK(h.Tick(3));
  ASSERT_OK(h.Stabilize());
  EXPECT_GT(h.node(3).Status().term, term);
  h.Heal();
  for (int i = 0; i < 30; ++i) {
    ASSERT_OK(h.Tick(3));
    ASSERT_OK(h.Stabilize());
  }
  // The leader learned the higher term from 3's reply and stepped down: the disruption pre-vote
  // prevents.
  EXPECT_GT(h.node(1).Status().term, term);
}

TEST(RaftElectionTest, CheckQuorumLeaderStepsDownWhenIsolated) {
  ClusterHarness h({1, 2, 3}, PreVoteCheckQuorum());
  Elect(h, 1);
  h.Isolate(1);
  for (int i = 0; i < 25; ++i) ASSERT_OK(h.Tick(1));
  EXPECT_EQ(h.node(1).Status().state, StateType::kFollower);
  EXPECT_TRUE(IsProposalDropped(h.node(1).Propose("x")));
}

TEST(RaftReplicationTest, CommitsAndAppliesEverywhere) {
  ClusterHarness h({1, 2, 3, 4, 5});
  Elect(h, 1);
  for (int i = 0; i < 20; ++i) ASSERT_OK(h.Propose(1 + i % 5, "e" + std::to_string(i)));
  ASSERT_OK(h.Stabilize());
  for (uint64_t id = 1; id <= 5; ++id) {
    EXPECT_EQ(h.applied(id).size(), 20u) << "node " << id;
    EXPECT_EQ(h.applied(id), h.applied(1));
  }
}

TEST(RaftReplicationTest, ConflictingUncommittedSuffixIsOverwritten) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  h.Isolate(1);
  ASSERT_OK(h.Propose(1, "lost-1"));
  ASSERT_OK(h.Propose(1, "lost-2"));
  ASSERT_OK(h.Stabilize());
  Elect(h, 2);
  ASSERT_OK(h.Propose(2, "kept"));
  ASSERT_OK(h.Stabilize());
  h.Heal();
  ASSERT_OK(h.Propose(2, "after-heal"));
  for (int i = 0; i < 3; ++i) {  // heartbeats un-pause the probe to node 1
    ASSERT_OK(h.Tick(2));
    ASSERT_OK(h.Stabilize());
  }
  std::vector<std::string> want = {"kept", "after-heal"};
  for (uint64_t id = 1; id <= 3; ++id) EXPECT_EQ(h.applied(id), want) << "node " << id;
  // Log matching: same index -> same term on every node.
  uint64_t last = h.storage(2).LastIndex();
  for (uint64_t i = 1; i <= last; ++i) {
    EXPECT_EQ(*h.storage(1).Term(i), *h.storage(2).Term(i));
    EXPECT_EQ(*h.storage(3).Term(i), *h.storage(2).Term(i));
  }
}

TEST(RaftReplicationTest, OnlyCurrentTermEntriesCommitByCounting) {
  // Raft §5.4.2 / Figure 8: an entry of an earlier term stored on a majority is not committed
  // by counting replicas; it commits only together with an entry of the leader's term.
  ClusterHarness h({1, 2, 3}, [](Config* c) { c->max_size_per_msg = 1; });
  Elect(h, 1);
  h.Isolate(1);
  ASSERT_OK(h.Propose(1, "old"));  // index 2, term 1: only node 1 has it (persisted)
  ASSERT_OK(h.Stabilize());
  ASSERT_OK(h.Restart(1));  // back as a follower of term 1
  h.Heal();
  ASSERT_OK(h.node(1).Campaign());  // term 2; its no-op is index 3
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK(h.ProcessAll());
    auto& box = h.mailbox();
    // Hold back the term-2 entry from followers that already hold the term-1 entry (the first
    // append, which they reject for lacking index 2, may pass so the leader backs up).
    box.erase(std::remove_if(box.begin(), box.end(),
                             [&h](const raftpb::Message& m) {
                               if (m.type() != raftpb::MSG_APPEND) return false;
                               if (h.storage(m.to()).LastIndex() < 2) return false;
                               for (const auto& e : m.entries()) {
                                 if (e.index() >= 3) return true;
                               }
                               return false;
                             }),
              box.end());
    if (box.empty()) ASSERT_OK(h.Tick(1));  // heartbeats keep the probe going
    ASSERT_OK(h.DeliverOnce());
  }
  ASSERT_EQ(h.node(1).Status().state, StateType::kLeader);
  ASSERT_EQ(h.storage(2).LastIndex(), 2u);
  EXPECT_EQ(*h.storage(2).Term(2), 1u);      // "old" is on a majority (nodes 1 and 2)...
  EXPECT_EQ(h.node(1).Status().commit, 1u);  // ...but not committed
  ASSERT_OK(h.TickAll());
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.node(1).Status().commit, 3u);  // committed with the term-2 entry
  EXPECT_EQ(h.applied(3), (std::vector<std::string>{"old"}));
}

TEST(RaftReplicationTest, InflightWindowBoundsPipelining) {
  ClusterHarness h({1, 2}, [](Config* c) {
    c->max_inflight_msgs = 2;
    c->max_size_per_msg = 1;  // one entry per append
  });
  Elect(h, 1);
  h.DropType(raftpb::MSG_APPEND_RESPONSE);
  for (int i = 0; i < 10; ++i) ASSERT_OK(h.Propose(1, "x"));
  ASSERT_OK(h.ProcessAll());
  int appends = 0;
  for (const auto& m : h.mailbox()) appends += m.type() == raftpb::MSG_APPEND ? 1 : 0;
  EXPECT_EQ(appends, 2);
  h.AllowType(raftpb::MSG_APPEND_RESPONSE);
  h.mailbox().clear();  // the two appends are lost too
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(h.TickAll());  // heartbeat -> response -> frees a slot -> resume
    ASSERT_OK(h.Stabilize());
  }
  EXPECT_EQ(h.applied(2).size(), 10u);
}

TEST(RaftSnapshotTest, LaggingFollowerCatchesUpFromSnapshot) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  h.Isolate(3);
  for (int i = 0; i < 30; ++i) ASSERT_OK(h.Propose(1, "e" + std::to_string(i)));
  ASSERT_OK(h.Stabilize());
  uint64_t applied = h.node(1).Status().applied;
  ASSERT_OK(h.CompactAt(1, applied));
  h.Heal();
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK(h.TickAll());
    ASSERT_OK(h.Stabilize());
  }
  ASSERT_OK(h.Propose(1, "after"));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.snapshots_installed(3), 1u);
  EXPECT_EQ(h.node(3).Status().applied, h.node(1).Status().applied);
  EXPECT_EQ(h.applied(3).back(), "after");
  EXPECT_EQ(h.storage(3).FirstIndex(), applied + 1);
}

TEST(RaftSnapshotTest, StaleSnapshotIsRejected) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  for (int i = 0; i < 5; ++i) ASSERT_OK(h.Propose(1, "e"));
  ASSERT_OK(h.Stabilize());
  uint64_t commit = h.node(2).Status().commit;
  raftpb::Message snap = Msg(raftpb::MSG_SNAPSHOT, 1, 2, h.node(1).Status().term);
  snap.mutable_snapshot()->mutable_metadata()->set_index(commit - 2);
  snap.mutable_snapshot()->mutable_metadata()->set_term(1);
  for (uint64_t id : {1, 2, 3})
    snap.mutable_snapshot()->mutable_metadata()->mutable_conf_state()->add_voters(id);
  ASSERT_OK(h.node(2).Step(snap));
  ASSERT_OK(h.ProcessAll());
  EXPECT_EQ(h.snapshots_installed(2), 0u);
  ASSERT_FALSE(h.mailbox().empty());
  EXPECT_EQ(h.mailbox().back().index(), commit);  // "I already have up to commit"
}

TEST(RaftReadTest, ReadIndexNeedsAQuorumRoundTrip) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  ASSERT_OK(h.Propose(1, "a"));
  ASSERT_OK(h.Stabilize());
  h.Isolate(1);
  ASSERT_OK(h.node(1).ReadIndex("r1"));
  ASSERT_OK(h.Stabilize());
  EXPECT_TRUE(h.read_states(1).empty());  // no quorum reachable: no answer
  h.Heal();
  ASSERT_OK(h.node(1).ReadIndex("r2"));
  ASSERT_OK(h.Stabilize());
  ASSERT_EQ(h.read_states(1).size(), 2u);  // r1 is confirmed by the same round
  EXPECT_EQ(h.read_states(1)[1].context, "r2");
  EXPECT_EQ(h.read_states(1)[1].index, h.node(1).Status().commit);
}

TEST(RaftReadTest, FollowerReadIndexIsForwarded) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  ASSERT_OK(h.Propose(1, "a"));
  ASSERT_OK(h.Stabilize());
  ASSERT_OK(h.node(3).ReadIndex("f"));
  ASSERT_OK(h.Stabilize());
  ASSERT_EQ(h.read_states(3).size(), 1u);
  EXPECT_EQ(h.read_states(3)[0].index, h.node(1).Status().commit);
}

TEST(RaftReadTest, LeaseReadIsLocalUntilTheLeaseExpires) {
  ClusterHarness h({1, 2, 3}, PreVoteCheckQuorum());
  Elect(h, 1);
  ASSERT_OK(h.TickAll());  // heartbeat round -> acks renew the lease
  ASSERT_OK(h.Stabilize());
  ASSERT_TRUE(h.node(1).LeaseValid());
  h.Isolate(1);
  ASSERT_OK(h.node(1).ReadIndex("lease", ReadMode::kLease));
  ASSERT_OK(h.ProcessAll());
  ASSERT_EQ(h.read_states(1).size(), 1u);  // answered with no round trip
  // election_tick 10, drift 1: the lease lasts 9 ticks after the last acknowledged heartbeat.
  ASSERT_OK(h.Tick(1, 9));
  EXPECT_FALSE(h.node(1).LeaseValid());
  ASSERT_OK(h.node(1).ReadIndex("late", ReadMode::kLease));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.read_states(1).size(), 1u);  // fell back to ReadIndex, which cannot complete
}

TEST(RaftReadTest, LeaseIsVoidAfterTransferStarts) {
  ClusterHarness h({1, 2, 3}, PreVoteCheckQuorum());
  Elect(h, 1);
  ASSERT_OK(h.TickAll());
  ASSERT_OK(h.Stabilize());
  ASSERT_TRUE(h.node(1).LeaseValid());
  h.DropType(raftpb::MSG_TIMEOUT_NOW);
  ASSERT_OK(h.node(1).TransferLeader(2));
  ASSERT_OK(h.Stabilize());
  EXPECT_FALSE(h.node(1).LeaseValid());
}

TEST(RaftTransferTest, TransfersLeadershipAfterCatchUp) {
  ClusterHarness h({1, 2, 3}, PreVoteCheckQuorum());
  Elect(h, 1);
  h.Isolate(3);
  for (int i = 0; i < 3; ++i) ASSERT_OK(h.Propose(1, "x"));
  ASSERT_OK(h.Stabilize());
  h.Heal();
  ASSERT_OK(h.node(1).TransferLeader(3));  // 3 lags: it is caught up first
  EXPECT_TRUE(IsProposalDropped(h.node(1).Propose("during")));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.Leader(), 3u);
  EXPECT_EQ(h.applied(3).size(), 3u);
}

raftpb::ConfChange Change(std::vector<std::pair<raftpb::ConfChangeType, uint64_t>> changes) {
  raftpb::ConfChange cc;
  for (auto [type, id] : changes) {
    auto* ch = cc.add_changes();
    ch->set_type(type);
    ch->set_node_id(id);
  }
  return cc;
}

TEST(RaftMembershipTest, JointConsensusReplacesTwoVoters) {
  ClusterHarness h({1, 2, 3});
  ASSERT_OK(h.AddFreshNode(4));
  ASSERT_OK(h.AddFreshNode(5));
  Elect(h, 1);
  ASSERT_OK(h.Propose(1, "before"));
  ASSERT_OK(h.Stabilize());
  ASSERT_OK(h.node(1).ProposeConfChange(Change({{raftpb::CONF_CHANGE_ADD_NODE, 4},
                                                {raftpb::CONF_CHANGE_ADD_NODE, 5},
                                                {raftpb::CONF_CHANGE_REMOVE_NODE, 2},
                                                {raftpb::CONF_CHANGE_REMOVE_NODE, 3}})));
  // A second change is refused until the first is applied.
  EXPECT_TRUE(IsProposalDropped(
      h.node(1).ProposeConfChange(Change({{raftpb::CONF_CHANGE_REMOVE_NODE, 4}}))));
  ASSERT_OK(h.Stabilize());
  for (int i = 0; i < 5; ++i) {  // snapshots are not needed: the log is uncompacted
    ASSERT_OK(h.TickAll());
    ASSERT_OK(h.Stabilize());
  }
  raftpb::ConfState cs = h.node(1).conf_state();
  EXPECT_EQ(std::vector<uint64_t>(cs.voters().begin(), cs.voters().end()),
            (std::vector<uint64_t>{1, 4, 5}));
  EXPECT_EQ(cs.voters_outgoing_size(), 0);  // auto-left the joint configuration
  ASSERT_OK(h.Propose(1, "after"));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.applied(4), (std::vector<std::string>{"before", "after"}));
  EXPECT_EQ(h.applied(5), h.applied(4));
  // The new configuration decides without 2 and 3.
  h.Isolate(2);
  h.Isolate(3);
  ASSERT_OK(h.Propose(1, "without-2-3"));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.applied(5).back(), "without-2-3");
}

TEST(RaftMembershipTest, LearnerReplicatesButDoesNotVote) {
  ClusterHarness h({1, 2, 3});
  ASSERT_OK(h.AddFreshNode(4));
  Elect(h, 1);
  ASSERT_OK(h.node(1).ProposeConfChange(Change({{raftpb::CONF_CHANGE_ADD_LEARNER_NODE, 4}})));
  ASSERT_OK(h.Stabilize());
  ASSERT_OK(h.Propose(1, "x"));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.applied(4), (std::vector<std::string>{"x"}));
  ASSERT_OK(h.node(4).Campaign());  // learners do not campaign
  EXPECT_EQ(h.node(4).Status().state, StateType::kFollower);
  // With 2 and 3 gone the learner cannot help commit.
  h.Isolate(2);
  h.Isolate(3);
  ASSERT_OK(h.Propose(1, "y"));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.applied(4).size(), 1u);
  h.Heal();
  ASSERT_OK(h.node(1).ProposeConfChange(Change({{raftpb::CONF_CHANGE_ADD_NODE, 4}})));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.node(1).conf_state().voters_size(), 4);
  EXPECT_EQ(h.applied(4).back(), "y");
}

TEST(RaftMembershipTest, LeaderMustTransferBeforeRemovingItself) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  EXPECT_TRUE(IsProposalDropped(
      h.node(1).ProposeConfChange(Change({{raftpb::CONF_CHANGE_REMOVE_NODE, 1}}))));
  EXPECT_TRUE(IsProposalDropped(
      h.node(1).ProposeConfChange(Change({{raftpb::CONF_CHANGE_ADD_LEARNER_NODE, 1}}))));
  ASSERT_OK(h.node(1).TransferLeader(2));
  ASSERT_OK(h.Stabilize());
  ASSERT_EQ(h.Leader(), 2u);
  ASSERT_OK(h.node(2).ProposeConfChange(Change({{raftpb::CONF_CHANGE_REMOVE_NODE, 1}})));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.node(2).conf_state().voters_size(), 2);
  EXPECT_EQ(h.node(1).conf_state().voters_size(), 2);
  // The removed node no longer campaigns.
  ASSERT_OK(h.node(1).Campaign());
  EXPECT_EQ(h.node(1).Status().state, StateType::kFollower);
}

TEST(RaftMembershipTest, LeaderRemovedByEarlierProposalHandsOff) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 2);
  // Leader 2 proposes removing 1; the entry reaches 1 but its commitment does not.
  h.DropType(raftpb::MSG_APPEND_RESPONSE);
  ASSERT_OK(h.node(2).ProposeConfChange(Change({{raftpb::CONF_CHANGE_REMOVE_NODE, 1}})));
  h.Cut(2, 3);
  ASSERT_OK(h.Stabilize());
  h.AllowType(raftpb::MSG_APPEND_RESPONSE);
  h.Heal();
  h.Isolate(2);
  // 1 holds the change and becomes leader; committing it removes 1 itself.
  ASSERT_OK(h.node(1).Campaign());
  ASSERT_OK(h.Stabilize());
  for (int i = 0; i < 40 && h.node(3).Status().state != StateType::kLeader; ++i) {
    ASSERT_OK(h.TickAll());
    ASSERT_OK(h.Stabilize());
    if (i == 5) h.Heal();
  }
  // 1 handed leadership to a remaining voter instead of leaving the group leaderless.
  h.Heal();
  ASSERT_OK(h.TickAll());
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.node(1).conf_state().voters_size(), 2);
  // (Without check-quorum the removed node 1 is not told that its term is over; it is no
  // longer a member, so that is harmless.)
  uint64_t leader = h.node(2).Status().state == StateType::kLeader ? 2 : 3;
  ASSERT_EQ(h.node(leader).Status().state, StateType::kLeader);
  EXPECT_GT(h.node(leader).Status().term, h.node(1).Status().term);
  ASSERT_OK(h.Propose(leader, "after"));
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.applied(2).back(), "after");
  EXPECT_EQ(h.applied(3).back(), "after");
}

TEST(RaftRestartTest, RestartKeepsPersistedStateAndReapplies) {
  ClusterHarness h({1, 2, 3});
  Elect(h, 1);
  for (int i = 0; i < 4; ++i) ASSERT_OK(h.Propose(1, "e" + std::to_string(i)));
  ASSERT_OK(h.Stabilize());
  NodeStatus before = h.node(2).Status();
  ASSERT_OK(h.Restart(2));
  EXPECT_EQ(h.node(2).Status().term, before.term);
  EXPECT_EQ(h.node(2).Status().commit, before.commit);
  ASSERT_OK(h.Stabilize());
  EXPECT_EQ(h.applied(2).size(), 4u);  // re-applied from the log
}

TEST(RaftInputTest, MalformedAndLocalMessagesAreRejected) {
  ClusterHarness h({1, 2, 3});
  EXPECT_EQ(h.node(1).Step(Msg(raftpb::MSG_HUP, 2, 1, 0)).code(),
            absl::StatusCode::kInvalidArgument);
  raftpb::Message app = Msg(raftpb::MSG_APPEND, 2, 1, 1);
  app.set_index(0);
  auto* e = app.add_entries();
  e->set_index(5);  // gap
  e->set_term(1);
  EXPECT_EQ(h.node(1).Step(app).code(), absl::StatusCode::kInvalidArgument);
  raftpb::Message future = Msg(raftpb::MSG_APPEND, 2, 1, 1);
  auto* f = future.add_entries();
  f->set_index(1);
  f->set_term(7);  // entry from a term after the message's
  EXPECT_EQ(h.node(1).Step(future).code(), absl::StatusCode::kInvalidArgument);
  Config bad;
  EXPECT_FALSE(RawNode::Create(bad).ok());
}

}  // namespace
}  // namespace nokv::raft
