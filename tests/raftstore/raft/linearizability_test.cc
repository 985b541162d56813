// The checker must accept linearizable histories and reject known non-linearizable ones;
// otherwise a passing simulation proves nothing.
#include "tests/raftstore/raft/sim/linearizability.h"

#include <gtest/gtest.h>

namespace nokv::raft::sim {
namespace {

KvOperation Put(int client, uint64_t call, uint64_t ret, std::string value) {
  KvOperation op;
  op.client = client;
  op.kind = KvOpKind::kPut;
  op.key = "k";
  op.value = std::move(value);
  op.call = call;
  op.returned = ret;
  return op;
}

KvOperation Get(int client, uint64_t call, uint64_t ret, std::optional<std::string> seen) {
  KvOperation op;
  op.client = client;
  op.kind = KvOpKind::kGet;
  op.key = "k";
  op.call = call;
  op.returned = ret;
  op.read_value = std::move(seen);
  return op;
}

KvOperation Cas(int client, uint64_t call, uint64_t ret, std::optional<std::string> expected,
                std::string value, bool swapped) {
  KvOperation op = Put(client, call, ret, std::move(value));
  op.kind = KvOpKind::kCas;
  op.expected = std::move(expected);
  op.cas_swapped = swapped;
  return op;
}

KvOperation Incomplete(KvOperation op) {
  op.completed = false;
  return op;
}

TEST(LinearizabilityTest, AcceptsSequentialAndConcurrentHistories) {
  EXPECT_TRUE(CheckKvLinearizable({Put(0, 1, 2, "a"), Get(1, 3, 4, "a")}).linearizable);
  // A read concurrent with a write may see either value.
  EXPECT_TRUE(CheckKvLinearizable({Put(0, 1, 10, "a"), Get(1, 2, 3, std::nullopt)}).linearizable);
  EXPECT_TRUE(CheckKvLinearizable({Put(0, 1, 10, "a"), Get(1, 2, 3, "a")}).linearizable);
  EXPECT_TRUE(CheckKvLinearizable({Cas(0, 1, 2, std::nullopt, "a", true),
                                   Cas(1, 3, 4, "b", "c", false), Get(2, 5, 6, "a")})
                  .linearizable);
}

TEST(LinearizabilityTest, RejectsStaleReadAfterCompletedWrite) {
  LinearizabilityResult r =
      CheckKvLinearizable({Put(0, 1, 2, "a"), Put(0, 3, 4, "b"), Get(1, 5, 6, "a")});
  EXPECT_FALSE(r.linearizable);
  EXPECT_FALSE(r.inconclusive);
  EXPECT_NE(r.explanation.find("get(k) -> a"), std::string::npos) << r.explanation;
}

TEST(LinearizabilityTest, RejectsReadsThatGoBackInTime) {
  // Both reads overlap the write, but once one client saw "a" a later read cannot see nothing.
  EXPECT_FALSE(
      CheckKvLinearizable({Put(0, 1, 100, "a"), Get(1, 2, 3, "a"), Get(2, 4, 5, std::nullopt)})
          .linearizable);
}

TEST(LinearizabilityTest, RejectsLostWriteAndDoubleSwap) {
  // A completed write that no later read observes.
  EXPECT_FALSE(CheckKvLinearizable({Put(0, 1, 2, "a"), Get(1, 3, 4, std::nullopt)}).linearizable);
  // Two CAS from the same expected value cannot both succeed.
  EXPECT_FALSE(CheckKvLinearizable({Put(0, 1, 2, "a"), Cas(1, 3, 10, "a", "b", true),
                                    Cas(2, 4, 11, "a", "c", true)})
                   .linearizable);
  // A value nobody wrote.
  EXPECT_FALSE(CheckKvLinearizable({Get(1, 3, 4, "ghost")}).linearizable);
}

TEST(LinearizabilityTest, IncompleteWritesMayOrMayNotHappen) {
  // Took effect, observed later.
  EXPECT_TRUE(
      CheckKvLinearizable({Incomplete(Put(0, 1, 0, "a")), Get(1, 50, 51, "a")}).linearizable);
  // Never took effect.
  EXPECT_TRUE(CheckKvLinearizable({Incomplete(Put(0, 1, 0, "a")), Get(1, 50, 51, std::nullopt)})
                  .linearizable);
  // But it cannot take effect before it was issued.
  EXPECT_FALSE(
      CheckKvLinearizable({Get(1, 1, 2, "a"), Incomplete(Put(0, 5, 0, "a"))}).linearizable);
  // Nor be observed, then un-observed.
  EXPECT_FALSE(CheckKvLinearizable({Incomplete(Put(0, 1, 0, "a")), Get(1, 10, 11, "a"),
                                    Get(1, 12, 13, std::nullopt)})
                   .linearizable);
}

TEST(LinearizabilityTest, KeysAreIndependent) {
  KvOperation other = Get(1, 3, 4, std::nullopt);
  other.key = "other";
  EXPECT_TRUE(CheckKvLinearizable({Put(0, 1, 2, "a"), other}).linearizable);
}

TEST(LinearizabilityTest, ManyConcurrentClientsStayTractable) {
  std::vector<KvOperation> history;
  // 8 clients writing and reading concurrently in overlapping windows, all consistent with the
  // order of calls.
  uint64_t t = 1;
  std::optional<std::string> last;
  for (int round = 0; round < 40; ++round) {
    for (int c = 0; c < 8; ++c) {
      std::string v = "v" + std::to_string(round) + "-" + std::to_string(c);
      history.push_back(Put(c, t, t + 20, v));
      t += 2;
    }
    history.push_back(Get(9, t + 25, t + 26, "v" + std::to_string(round) + "-7"));
    t += 30;
  }
  LinearizabilityResult r = CheckKvLinearizable(history);
  EXPECT_TRUE(r.linearizable) << r.explanation;
}

}  // namespace
}  // namespace nokv::raft::sim
