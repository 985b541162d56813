// Bloom filter: no false negatives, false-positive rate near theory.
#include "engine/sst/filter.h"

#include <gtest/gtest.h>

#include "src/util/str_cat.h"

namespace nokv {
namespace sst {
namespace {

std::string Key(int i) { return StrCat("key-", i, "-suffix"); }

TEST(BloomFilterTest, EmptyFilterMatchesNothingMuch) {
  BloomFilterBuilder b(10);
  std::string f;
  b.Finish(&f);
  BloomFilterReader r;
  ASSERT_TRUE(r.Init(f));
  EXPECT_FALSE(r.KeyMayMatch("hello"));
  EXPECT_FALSE(r.KeyMayMatch(""));
}

TEST(BloomFilterTest, MalformedFiltersRejected) {
  BloomFilterReader r;
  EXPECT_FALSE(r.Init(""));
  EXPECT_FALSE(r.Init("x"));
  EXPECT_FALSE(r.Init(std::string(8, '\0') + std::string(1, '\0')));    // k = 0
  EXPECT_FALSE(r.Init(std::string(8, '\0') + std::string(1, '\x1f')));  // k = 31
}

TEST(BloomFilterTest, NoFalseNegativesAndLowFalsePositiveRate) {
  for (int n : {1, 10, 100, 1000, 10000, 100000}) {
    BloomFilterBuilder b(10);
    for (int i = 0; i < n; ++i) b.AddKey(Key(i));
    std::string f;
    b.Finish(&f);
    BloomFilterReader r;
    ASSERT_TRUE(r.Init(f));
    EXPECT_EQ(static_cast<int>(f.back()), 7);  // round(10 * ln 2)
    for (int i = 0; i < n; ++i) ASSERT_TRUE(r.KeyMayMatch(Key(i))) << n << " " << i;
    int fp = 0;
    const int kProbes = 100000;
    for (int i = 0; i < kProbes; ++i) fp += r.KeyMayMatch(Key(i + 1000000000));
    double rate = double(fp) / kProbes;
    // Theory for 10 bits/key, k = 7: ~0.82%. Tiny filters get the 64-bit floor.
    if (n >= 1000) {
      EXPECT_LT(rate, 0.02) << "n=" << n;
    }
    RecordProperty(StrCat("fp_rate_", n), std::to_string(rate));
  }
}

TEST(BloomFilterTest, BitsPerKeySetsProbeCount) {
  for (auto [bits, k] : std::vector<std::pair<int, int>>{{1, 1}, {5, 3}, {20, 14}, {100, 30}}) {
    BloomFilterBuilder b(bits);
    b.AddKey("a");
    std::string f;
    b.Finish(&f);
    EXPECT_EQ(static_cast<int>(f.back()), k) << bits;
  }
}

}  // namespace
}  // namespace sst
}  // namespace nokv
