// Runs the deterministic simulator over many seeds (3- and 5-node groups). Sharded so that ctest
// runs shards in parallel; a failure prints the seed and a replay command.
#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/raftstore/raft/sim/simulator.h"

namespace nokv::raft::sim {
namespace {

constexpr int kShards = 20;
constexpr int kSeedsPerShard = 50;  // 1000 seeds in total

class SimulationShardTest : public ::testing::TestWithParam<int> {};

TEST_P(SimulationShardTest, SeedsPassAllChecks) {
  SimStats total;
  for (int i = 0; i < kSeedsPerShard; ++i) {
    uint64_t seed = static_cast<uint64_t>(GetParam() * kSeedsPerShard + i + 1);
    SimOptions o = OptionsForSeed(seed);
    SimResult r = RunSimulation(o);
    ASSERT_TRUE(r.ok) << FormatFailure(o, r);
    total.ops_completed += r.stats.ops_completed;
    total.reads_completed += r.stats.reads_completed;
    total.lease_reads_completed += r.stats.lease_reads_completed;
    total.crashes += r.stats.crashes;
    total.failpoints_fired += r.stats.failpoints_fired;
    total.snapshots_installed += r.stats.snapshots_installed;
    total.conf_changes_applied += r.stats.conf_changes_applied;
    total.leaders_elected += r.stats.leaders_elected;
  }
  std::cout << "shard " << GetParam() << ": " << kSeedsPerShard << " seeds, " << total.ops_completed
            << " ops completed (" << total.reads_completed << " reads, "
            << total.lease_reads_completed << " lease reads), " << total.leaders_elected
            << " leaders, " << total.crashes << " crashes, " << total.failpoints_fired
            << " failpoints fired, " << total.snapshots_installed << " snapshots installed, "
            << total.conf_changes_applied << " conf changes applied\n";
  // The faults must actually have been exercised, or the passing seeds prove little.
  EXPECT_GT(total.ops_completed, 1000u);
  EXPECT_GT(total.reads_completed, 100u);
  EXPECT_GT(total.lease_reads_completed, 10u);
  EXPECT_GT(total.crashes, 10u);
  EXPECT_GT(total.failpoints_fired, 10u);
  EXPECT_GT(total.snapshots_installed, 0u);
  EXPECT_GT(total.conf_changes_applied, 10u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, SimulationShardTest, ::testing::Range(0, kShards));

TEST(SimulationTest, SameSeedReplaysIdentically) {
  SimOptions o = OptionsForSeed(7);
  SimResult a = RunSimulation(o);
  SimResult b = RunSimulation(o);
  ASSERT_TRUE(a.ok) << FormatFailure(o, a);
  EXPECT_EQ(a.trace_tail, b.trace_tail);
  EXPECT_EQ(a.stats.messages_delivered, b.stats.messages_delivered);
}

TEST(SimulationTest, FaultFreeRunCompletesMostOperations) {
  SimOptions o = OptionsForSeed(3);
  o.drop_probability = o.duplicate_probability = 0;
  o.partition_probability = o.crash_probability = o.failpoint_probability = 0;
  o.transfer_probability = o.conf_change_probability = 0;
  SimResult r = RunSimulation(o);
  ASSERT_TRUE(r.ok) << FormatFailure(o, r);
  EXPECT_GT(r.stats.ops_completed, 200u);
  EXPECT_LE(r.stats.ops_incomplete, 3u);
}

}  // namespace
}  // namespace nokv::raft::sim
