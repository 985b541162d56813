#include "bench/ycsb/generators.h"

#include <cmath>

namespace nokv::bench {

uint64_t FnvHash64(uint64_t value) {
  constexpr uint64_t kOffsetBasis = 0xCBF29CE484222325ULL;
  constexpr uint64_t kPrime = 1099511628211ULL;
  uint64_t hash = kOffsetBasis;
  for (int i = 0; i < 8; ++i) {
    hash ^= value & 0xff;
    hash *= kPrime;
    value >>= 8;
  }
  // YCSB returns Math.abs() of the signed result.
  const int64_t signed_hash = static_cast<int64_t>(hash);
  return signed_hash < 0 ? 0 - hash : hash;
}

double ZetaRange(uint64_t from, uint64_t to, double theta) {
  double sum = 0;
  for (uint64_t i = from; i < to; ++i) sum += 1.0 / std::pow(static_cast<double>(i + 1), theta);
  return sum;
}

ZipfianGenerator::ZipfianGenerator(uint64_t min, uint64_t max, double theta, double zetan)
    : base_(min),
      theta_(theta),
      zeta2theta_(Zeta(2, theta)),
      alpha_(1.0 / (1.0 - theta)),
      zetan_(zetan),
      eta_(0),
      count_for_zeta_(max - min + 1) {
  UpdateEta();
}

void ZipfianGenerator::UpdateEta() {
  // Gray et al. use the current item count here; YCSB keeps the initial one after growth,
  // which differs in the fourth decimal for the growth a run sees.
  eta_ = (1 - std::pow(2.0 / static_cast<double>(count_for_zeta_), 1 - theta_)) /
         (1 - zeta2theta_ / zetan_);
}

uint64_t ZipfianGenerator::Next(Random* rng, uint64_t item_count) {
  if (item_count > count_for_zeta_) {
    zetan_ += ZetaRange(count_for_zeta_, item_count, theta_);
    count_for_zeta_ = item_count;
    UpdateEta();
  }
  const double u = rng->NextDouble();
  const double uz = u * zetan_;
  if (uz < 1.0) return base_;
  if (uz < 1.0 + std::pow(0.5, theta_)) return base_ + 1;
  const double scaled = static_cast<double>(item_count) * std::pow(eta_ * u - eta_ + 1, alpha_);
  uint64_t offset = static_cast<uint64_t>(scaled);
  if (offset >= item_count) offset = item_count - 1;  // guards rounding at u -> 1
  return base_ + offset;
}

ScrambledZipfianGenerator::ScrambledZipfianGenerator(uint64_t min, uint64_t max)
    : min_(min), item_count_(max - min + 1), zipfian_(0, kItemCount, kZipfianConstant, kZetan) {}

uint64_t ScrambledZipfianGenerator::Next(Random* rng) {
  return min_ + FnvHash64(zipfian_.Next(rng)) % item_count_;
}

AcknowledgedCounter::AcknowledgedCounter(uint64_t start, uint64_t capacity)
    : start_(start),
      capacity_(capacity),
      next_(start),
      limit_(start == 0 ? 0 : start - 1),
      done_(new std::atomic<uint8_t>[capacity == 0 ? 1 : capacity]) {
  for (uint64_t i = 0; i < capacity; ++i) done_[i].store(0, std::memory_order_relaxed);
}

bool AcknowledgedCounter::Next(uint64_t* id) {
  const uint64_t value = next_.fetch_add(1, std::memory_order_relaxed);
  if (value - start_ >= capacity_) return false;
  *id = value;
  return true;
}

void AcknowledgedCounter::Acknowledge(uint64_t id) {
  done_[id - start_].store(1, std::memory_order_seq_cst);
  // Advance the limit over every contiguous acknowledged id. Whoever acknowledges an id after
  // the limit reached the id before it sees the flag here, so no advance is lost.
  uint64_t limit = limit_.load(std::memory_order_seq_cst);
  while (true) {
    const uint64_t candidate = limit + 1;
    if (candidate < start_ || candidate - start_ >= capacity_) return;
    if (done_[candidate - start_].load(std::memory_order_seq_cst) == 0) return;
    if (limit_.compare_exchange_weak(limit, candidate, std::memory_order_seq_cst)) {
      limit = candidate;
    }
  }
}

SkewedLatestGenerator::SkewedLatestGenerator(const AcknowledgedCounter* basis, double zetan)
    : basis_(basis), zipfian_(0, basis->Last() - 1, kZipfianConstant, zetan) {}

uint64_t SkewedLatestGenerator::Next(Random* rng) {
  const uint64_t max = basis_->Last();
  if (max == 0) return 0;
  return max - zipfian_.Next(rng, max);
}

}  // namespace nokv::bench
