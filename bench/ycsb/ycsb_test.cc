// Unit tests of the harness's own pieces: key naming, value checking, the YCSB generators and
// the latency histogram. Registered by tests/bench/CMakeLists.txt.
#include <algorithm>
#include <cmath>
#include <map>
#include <thread>
#include <vector>

#include "bench/ycsb/generators.h"
#include "bench/ycsb/histogram.h"
#include "bench/ycsb/record.h"
#include "bench/ycsb/workload.h"
#include "gtest/gtest.h"
#include "src/util/random.h"

namespace nokv::bench {
namespace {

TEST(FnvHash64Test, MatchesYcsbUtils) {
  // Values of YCSB's Utils.fnvhash64 (Java, signed arithmetic, Math.abs).
  EXPECT_EQ(FnvHash64(0), 6284781860667377211ULL);
  EXPECT_EQ(FnvHash64(1), 8517097267634966620ULL);
  EXPECT_EQ(FnvHash64(12345), 1792800413050876852ULL);
}

TEST(RecordTest, KeyNamesAreYcsbHashedKeys) {
  EXPECT_EQ(BuildKeyName(0), "user6284781860667377211");
  EXPECT_EQ(BuildKeyName(199999), "user5328743452447751894");
}

TEST(RecordTest, ValueRoundTrips) {
  for (size_t size : {16, 17, 23, 24, 100, 1000, 4097}) {
    std::string value;
    BuildValue(77, 5, size, &value);
    ASSERT_EQ(value.size(), size);
    ValueHeader header;
    ASSERT_TRUE(DecodeValue(value, size, &header).ok()) << size;
    EXPECT_EQ(header.id, 77u);
    EXPECT_EQ(header.version, 5u);
  }
}

TEST(RecordTest, EveryCorruptedByteIsDetected) {
  std::string value;
  BuildValue(3, 9, 1000, &value);
  ValueHeader header;
  for (size_t i = 0; i < value.size(); ++i) {
    std::string bad = value;
    bad[i] ^= 0x01;
    absl::Status s = DecodeValue(bad, value.size(), &header);
    // A flip in the id or version field still decodes, but as another (id, version) whose
    // filler does not match.
    EXPECT_FALSE(s.ok()) << "byte " << i;
  }
  EXPECT_FALSE(DecodeValue(value.substr(0, 999), 1000, &header).ok());
  std::string other;
  BuildValue(3, 10, 1000, &other);
  ASSERT_TRUE(DecodeValue(other, 1000, &header).ok());
  EXPECT_EQ(header.version, 10u);
}

TEST(ZipfianTest, FirstItemHasProbabilityOneOverZeta) {
  const uint64_t n = 1000;
  const double zetan = Zeta(n, kZipfianConstant);
  ZipfianGenerator zipf(0, n - 1, kZipfianConstant, zetan);
  Random rng(1);
  const int samples = 400000;
  std::vector<int> counts(n, 0);
  for (int i = 0; i < samples; ++i) {
    const uint64_t v = zipf.Next(&rng);
    ASSERT_LT(v, n);
    ++counts[v];
  }
  const double p0 = 1.0 / zetan;
  const double p1 = 1.0 / std::pow(2.0, kZipfianConstant) / zetan;
  EXPECT_NEAR(counts[0] / double(samples), p0, 0.01);
  EXPECT_NEAR(counts[1] / double(samples), p1, 0.01);
  EXPECT_GT(counts[0], counts[10]);
  EXPECT_GT(counts[10], counts[500]);
}

TEST(ScrambledZipfianTest, HotItemIsScrambledAndInRange) {
  const uint64_t n = 200000;
  ScrambledZipfianGenerator zipf(0, n - 1);
  Random rng(2);
  std::map<uint64_t, int> counts;
  const int samples = 300000;
  for (int i = 0; i < samples; ++i) {
    const uint64_t v = zipf.Next(&rng);
    ASSERT_LT(v, n);
    ++counts[v];
  }
  // Rank 0 of the 10^10-item zipfian has probability 1/26.469 and lands on fnv(0) % n.
  const uint64_t hottest = FnvHash64(0) % n;
  EXPECT_NEAR(counts[hottest] / double(samples), 1 / 26.46902820178302, 0.005);
  auto top = std::max_element(counts.begin(), counts.end(),
                              [](const auto& a, const auto& b) { return a.second < b.second; });
  EXPECT_EQ(top->first, hottest);
}

TEST(AcknowledgedCounterTest, LastAdvancesOnlyOverContiguousAcks) {
  AcknowledgedCounter counter(10, 5);
  EXPECT_EQ(counter.Last(), 9u);
  uint64_t a, b, c;
  ASSERT_TRUE(counter.Next(&a));
  ASSERT_TRUE(counter.Next(&b));
  ASSERT_TRUE(counter.Next(&c));
  EXPECT_EQ(a, 10u);
  counter.Acknowledge(b);
  EXPECT_EQ(counter.Last(), 9u);
  counter.Acknowledge(a);
  EXPECT_EQ(counter.Last(), 11u);
  counter.Acknowledge(c);
  EXPECT_EQ(counter.Last(), 12u);
  uint64_t d, e, f;
  ASSERT_TRUE(counter.Next(&d));
  ASSERT_TRUE(counter.Next(&e));
  EXPECT_FALSE(counter.Next(&f));
}

TEST(AcknowledgedCounterTest, ConcurrentAcksReachTheEnd) {
  const uint64_t per_thread = 20000;
  const int threads = 4;
  AcknowledgedCounter counter(100, per_thread * threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (uint64_t i = 0; i < per_thread; ++i) {
        uint64_t id;
        ASSERT_TRUE(counter.Next(&id));
        counter.Acknowledge(id);
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(counter.Last(), 100 + per_thread * threads - 1);
}

TEST(SkewedLatestTest, NewestIdIsHottest) {
  AcknowledgedCounter counter(1000, 100);
  SkewedLatestGenerator latest(&counter, Zeta(counter.Last(), kZipfianConstant));
  Random rng(3);
  std::map<uint64_t, int> counts;
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = latest.Next(&rng);
    ASSERT_LE(v, counter.Last());
    ++counts[v];
  }
  EXPECT_GT(counts[999], counts[998]);
  EXPECT_GT(counts[998], counts[900]);
  // After an insert the new id becomes the hottest.
  uint64_t id;
  ASSERT_TRUE(counter.Next(&id));
  counter.Acknowledge(id);
  counts.clear();
  for (int i = 0; i < 100000; ++i) ++counts[latest.Next(&rng)];
  EXPECT_GT(counts[1000], counts[999]);
}

TEST(WorkloadTest, ParsesAndChoosesByProportion) {
  auto specs = ParseWorkloads("a,F, E");
  ASSERT_TRUE(specs.ok());
  ASSERT_EQ(specs->size(), 3u);
  EXPECT_EQ((*specs)[0].name, "A");
  EXPECT_EQ((*specs)[2].name, "E");
  EXPECT_FALSE(ParseWorkloads("A,G").ok());
  EXPECT_FALSE(ParseWorkloads("A,A").ok());
  EXPECT_FALSE(ParseWorkloads("").ok());

  const WorkloadSpec& e = (*specs)[2];
  Random rng(4);
  int scans = 0;
  int inserts = 0;
  for (int i = 0; i < 100000; ++i) {
    const Operation op = e.Choose(rng.NextDouble());
    scans += op == Operation::kScan;
    inserts += op == Operation::kInsert;
  }
  EXPECT_EQ(scans + inserts, 100000);
  EXPECT_NEAR(inserts / 100000.0, 0.05, 0.005);
}

TEST(LatencyHistogramTest, PercentilesWithinOnePercent) {
  LatencyHistogram a, b;
  for (uint64_t v = 1; v <= 100000; ++v) (v % 2 ? a : b).Record(v * 10);
  a.Merge(b);
  EXPECT_EQ(a.count(), 100000u);
  EXPECT_EQ(a.max_nanos(), 1000000u);
  EXPECT_NEAR(a.MeanNanos(), 500005.0, 0.5);
  for (double p : {50.0, 95.0, 99.0, 99.9}) {
    const double want = p / 100 * 1000000;
    EXPECT_NEAR(a.PercentileNanos(p), want, want * 0.01) << p;
  }
  LatencyHistogram small;
  for (uint64_t v : {3, 3, 7}) small.Record(v);
  EXPECT_EQ(small.PercentileNanos(50), 3);
  EXPECT_EQ(small.PercentileNanos(100), 7);
}

}  // namespace
}  // namespace nokv::bench
