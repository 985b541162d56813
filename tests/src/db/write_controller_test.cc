// The write controller's rate follows the backlog: untouched without pressure, slower while
// pressure rises, faster as it eases, never below 1/1024 of the initial rate, halved near the
// stop line; the delay pays for exactly the bytes beyond the tokens.
#include "src/db/write_controller.h"

#include "gtest/gtest.h"

namespace nokv {
namespace {

WriteController::Limits Limits() {
  WriteController::Limits l;
  l.slowdown_depth = 12;
  l.stop_depth = 24;
  l.initial_rate = 1 << 20;  // 1 MiB/s: 1 MiB costs a second
  return l;
}

TEST(WriteControllerTest, NoPressureNoDelay) {
  WriteController wc(Limits());
  for (uint64_t t = 1; t < 100; ++t) EXPECT_EQ(wc.DelayMicros(1 << 20, 11, false, t * 1000), 0u);
}

TEST(WriteControllerTest, PressureChargesBytesAtTheRate) {
  WriteController wc(Limits());
  // Depth 12 (the slowdown line): rising pressure cuts the rate to 0.8 MiB/s.
  const uint64_t d1 = wc.DelayMicros(1 << 20, 12, false, 1'000'000);
  EXPECT_NEAR(static_cast<double>(d1), 1e6 / 0.8, 1e3);
  EXPECT_NEAR(wc.rate(), 0.8 * (1 << 20), 1);
  // The same pressure again: the rate holds; the wait paid the debt, so the next group right
  // after it pays its own bytes only.
  const uint64_t d2 = wc.DelayMicros(1 << 19, 12, false, 1'000'000 + d1);
  EXPECT_NEAR(static_cast<double>(d2), 0.5e6 / 0.8, 1e3);
}

TEST(WriteControllerTest, RateFallsWhileBacklogGrowsAndRecovers) {
  WriteController wc(Limits());
  uint64_t now = 1;
  double last = wc.rate();
  for (int depth = 12; depth < 20; ++depth) {
    wc.DelayMicros(1000, depth, false, now += 1000);
    EXPECT_LT(wc.rate(), last) << "depth " << depth;
    last = wc.rate();
  }
  for (int depth = 18; depth >= 12; --depth) {
    wc.DelayMicros(1000, depth, false, now += 1000);
    EXPECT_GT(wc.rate(), last) << "depth " << depth;
    last = wc.rate();
  }
  for (int i = 0; i < 100; ++i) wc.DelayMicros(1000, 0, false, now += 1000);
  EXPECT_EQ(wc.rate(), static_cast<double>(1 << 20)) << "back to the initial rate";
  for (int i = 0; i < 200; ++i) wc.DelayMicros(1000, 12 + i, false, now += 1000);
  EXPECT_GE(wc.rate(), (1 << 20) / 1024.0) << "floor";
}

TEST(WriteControllerTest, NearTheStopLineTheRateHalves) {
  WriteController a(Limits()), b(Limits());
  const uint64_t far = a.DelayMicros(1 << 20, 13, false, 1'000'000);
  b.DelayMicros(1000, 12, false, 999'000);  // same history: one rise
  const uint64_t near = b.DelayMicros(1 << 20, 22, false, 1'000'000);
  EXPECT_GT(near, far);
}

TEST(WriteControllerTest, AFullMemtableQueueIsPressureToo) {
  WriteController wc(Limits());
  EXPECT_GT(wc.DelayMicros(1 << 20, 0, /*last_memtable=*/true, 1'000'000), 0u);
}

}  // namespace
}  // namespace nokv
