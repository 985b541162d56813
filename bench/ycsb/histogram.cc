#include "bench/ycsb/histogram.h"

#include <algorithm>
#include <cmath>

namespace nokv::bench {

LatencyHistogram::LatencyHistogram() : counts_(kBuckets, 0) {}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
  min_ = std::min(min_, other.min_);
}

void LatencyHistogram::Clear() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = sum_ = max_ = 0;
  min_ = UINT64_MAX;
}

double LatencyHistogram::BucketMidpoint(int bucket) {
  if (bucket < static_cast<int>(kLinearLimit)) return bucket;
  const int rel = bucket - static_cast<int>(kLinearLimit);
  const int exponent = rel / (1 << kSubBucketBits) + kSubBucketBits + 1;
  const int sub = rel % (1 << kSubBucketBits);
  const int shift = exponent - kSubBucketBits;
  const double low = std::ldexp(static_cast<double>((1 << kSubBucketBits) + sub), shift);
  const double width = std::ldexp(1.0, shift);
  return low + (width - 1) / 2;
}

double LatencyHistogram::PercentileNanos(double p) const {
  if (count_ == 0) return 0;
  // Rank of the sample (1-based) that the percentile names, as HdrHistogram computes it.
  uint64_t rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      // Never report outside the observed range.
      return std::clamp(BucketMidpoint(i), static_cast<double>(min_), static_cast<double>(max_));
    }
  }
  return static_cast<double>(max_);
}

}  // namespace nokv::bench
