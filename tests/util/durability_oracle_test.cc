// The oracle must reject every illegal recovered state, or the crash tests prove nothing.
#include "tests/util/durability_oracle.h"

#include "gtest/gtest.h"

namespace nokv::test {
namespace {

ModelOp Set(std::string k, std::string v, uint64_t expires = 0) {
  return ModelOp{ModelOp::kSet, std::move(k), std::move(v), expires};
}
ModelOp Del(std::string k) { return ModelOp{ModelOp::kDelete, std::move(k), "", 0}; }

// Client 0 writes a=1, a=2 (sync), b=3; client 1 writes x=1 after client 0's sync write is
// acknowledged.
struct History {
  DurabilityOracle oracle{2};
  History() {
    oracle.Acknowledge(0, oracle.Begin(0, {Set("a", "1")}, false));
    oracle.Acknowledge(0, oracle.Begin(0, {Set("a", "2")}, true));
    oracle.Acknowledge(1, oracle.Begin(1, {Set("x", "1")}, false));
    oracle.Acknowledge(0, oracle.Begin(0, {Set("b", "3"), Del("a")}, false));
  }
};

ModelState S(std::initializer_list<std::pair<const std::string, ModelValue>> kv) {
  return ModelState(kv);
}

TEST(DurabilityOracleTest, AcceptsEveryLegalPrefix) {
  for (int variant = 0; variant < 3; ++variant) {
    History h;
    std::vector<ModelState> got;
    if (variant == 0) got = {S({{"a", {"2", 0}}}), {}};                    // unsynced lost
    if (variant == 1) got = {S({{"a", {"2", 0}}}), S({{"x", {"1", 0}}})};  // some kept
    if (variant == 2) got = {S({{"b", {"3", 0}}}), S({{"x", {"1", 0}}})};  // all kept
    std::string summary;
    EXPECT_TRUE(
        h.oracle.CheckAndAdvance(got, 0, DurabilityOracle::Mode::kSyncedWrites, &summary).ok())
        << variant;
  }
}

TEST(DurabilityOracleTest, RejectsALostSyncedWrite) {
  History h;
  auto s = h.oracle.CheckAndAdvance({S({{"a", {"1", 0}}}), {}}, 0,
                                    DurabilityOracle::Mode::kSyncedWrites, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
}

TEST(DurabilityOracleTest, RejectsACorruptedValue) {
  History h;
  auto s = h.oracle.CheckAndAdvance({S({{"a", {"2x", 0}}}), {}}, 0,
                                    DurabilityOracle::Mode::kSyncedWrites, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
  EXPECT_NE(s.message().find("expected 2 got 2x"), absl::string_view::npos) << s;
}

TEST(DurabilityOracleTest, RejectsAHalfAppliedBatch) {
  History h;  // b=3 without the Del(a) of the same batch
  auto s = h.oracle.CheckAndAdvance({S({{"a", {"2", 0}}, {"b", {"3", 0}}}), {}}, 0,
                                    DurabilityOracle::Mode::kSyncedWrites, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
}

TEST(DurabilityOracleTest, RejectsALaterWriteWithoutAnEarlierOne) {
  // Client 0's b=3 started after client 1's x=1 was acknowledged: b without x is impossible.
  History h;
  auto s = h.oracle.CheckAndAdvance({S({{"b", {"3", 0}}}), {}}, 0,
                                    DurabilityOracle::Mode::kSyncedWrites, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
}

TEST(DurabilityOracleTest, ProcessCrashModeRequiresEveryAcknowledgedWrite) {
  History h;
  auto s = h.oracle.CheckAndAdvance({S({{"a", {"2", 0}}}), S({{"x", {"1", 0}}})}, 0,
                                    DurabilityOracle::Mode::kAllAcknowledged, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss) << s;
}

TEST(DurabilityOracleTest, UnacknowledgedWritesMayOrMayNotSurvive) {
  for (bool survived : {false, true}) {
    DurabilityOracle oracle(1);
    oracle.Acknowledge(0, oracle.Begin(0, {Set("a", "1")}, true));
    oracle.Begin(0, {Set("a", "2")}, true);  // in flight at the crash
    ModelState got = S({{"a", {survived ? "2" : "1", 0}}});
    EXPECT_TRUE(
        oracle.CheckAndAdvance({got}, 0, DurabilityOracle::Mode::kAllAcknowledged, nullptr).ok());
  }
}

TEST(DurabilityOracleTest, ExpiredEntriesAreInvisibleAndTheBaseCarriesOver) {
  DurabilityOracle oracle(1);
  oracle.Acknowledge(0, oracle.Begin(0, {Set("t", "v", 1000), Set("p", "v")}, true));
  ASSERT_TRUE(oracle
                  .CheckAndAdvance({S({{"t", {"v", 1000}}, {"p", {"v", 0}}})}, 999,
                                   DurabilityOracle::Mode::kSyncedWrites, nullptr)
                  .ok());
  // Next round: no writes; at t=1000 the TTL entry is gone, and showing it is wrong.
  EXPECT_TRUE(oracle
                  .CheckAndAdvance({S({{"p", {"v", 0}}})}, 1000,
                                   DurabilityOracle::Mode::kSyncedWrites, nullptr)
                  .ok());
  EXPECT_FALSE(oracle
                   .CheckAndAdvance({S({{"p", {"v", 0}}, {"t", {"v", 1000}}})}, 1000,
                                    DurabilityOracle::Mode::kSyncedWrites, nullptr)
                   .ok());
}

}  // namespace
}  // namespace nokv::test
