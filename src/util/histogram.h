// Histogram: a lock-free latency/size histogram with fixed power-of-two buckets (1 .. 2^31 in
// the caller's unit). Observe is three relaxed atomic adds, cheap enough for every Get and
// write; Take copies the buckets for rendering. Shared by the engine (DB::Stats quantiles) and
// the metrics registry (Prometheus histograms), so both report the same bucket edges.
#pragma once

#include <atomic>
#include <cstdint>

namespace nokv {

class Histogram {
 public:
  static constexpr int kBuckets = 32;
  void Observe(uint64_t value);
  struct Snapshot {
    uint64_t count = 0;
    uint64_t sum = 0;
    uint64_t buckets[kBuckets] = {};  // buckets[i] counts values <= UpperBound(i) (not cumulative)
    // Upper bound of the bucket holding quantile q (0 < q <= 1); 0 when empty.
    uint64_t Quantile(double q) const;
  };
  Snapshot Take() const;
  static uint64_t UpperBound(int bucket) { return uint64_t{1} << bucket; }

 private:
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> buckets_[kBuckets] = {};
};

}  // namespace nokv
