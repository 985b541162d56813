// Key choosers with YCSB's standard definitions (core package, com.yahoo.ycsb.generator):
//   - FnvHash64: the 64-bit FNV-1a over the eight little-endian octets of the id, made
//     non-negative, used both to scramble zipfian ranks and to name keys ("user" + hash).
//   - ZipfianGenerator: Gray et al., "Quickly Generating Billion-Record Synthetic Databases"
//     (SIGMOD 1994), with YCSB's constant 0.99 and incremental zeta when the item count grows.
//   - ScrambledZipfianGenerator: a zipfian over 10^10 ranks with the precomputed zeta
//     26.46902820178302, hashed and folded onto [min, max], so hot items are spread over the
//     key space instead of clustered at the low ids.
//   - SkewedLatestGenerator ("latest"): recently inserted ids are the most popular.
//   - AcknowledgedCounter: hands out insert ids and tracks the highest id below which every
//     insert has completed; readers never pick an id above it.
//
// Thread-safety: ZipfianGenerator, ScrambledZipfianGenerator and SkewedLatestGenerator are
// per-thread objects (one per worker, each with its own seeded Random). AcknowledgedCounter is
// shared and safe to call from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "src/util/random.h"

namespace nokv::bench {

inline constexpr double kZipfianConstant = 0.99;

// YCSB's Utils.fnvhash64.
uint64_t FnvHash64(uint64_t value);

// sum_{i=from}^{to-1} 1 / (i + 1)^theta.
double ZetaRange(uint64_t from, uint64_t to, double theta);
inline double Zeta(uint64_t n, double theta) { return ZetaRange(0, n, theta); }

class ZipfianGenerator {
 public:
  // Items in [min, max]; `zetan` is Zeta(max - min + 1, theta), passed in so that the O(n) sum
  // is computed once and shared by all workers.
  ZipfianGenerator(uint64_t min, uint64_t max, double theta, double zetan);

  // A value in [min, min + item_count); the item count may grow between calls (zeta is
  // extended incrementally) but never shrinks below the count it started with.
  uint64_t Next(Random* rng, uint64_t item_count);
  uint64_t Next(Random* rng) { return Next(rng, count_for_zeta_); }

 private:
  void UpdateEta();

  uint64_t base_;
  double theta_;
  double zeta2theta_;
  double alpha_;
  double zetan_;
  double eta_;
  uint64_t count_for_zeta_;
};

class ScrambledZipfianGenerator {
 public:
  // Items in [min, max].
  ScrambledZipfianGenerator(uint64_t min, uint64_t max);
  uint64_t Next(Random* rng);

 private:
  static constexpr uint64_t kItemCount = 10000000000ULL;
  static constexpr double kZetan = 26.46902820178302;

  uint64_t min_;
  uint64_t item_count_;
  ZipfianGenerator zipfian_;
};

// Hands out ids start, start+1, ... to inserting threads and reports Last(): the largest id
// such that it and every id before it have been acknowledged. Ids below `start` count as
// already acknowledged (they were loaded).
class AcknowledgedCounter {
 public:
  // `capacity`: how many ids may be handed out at most.
  AcknowledgedCounter(uint64_t start, uint64_t capacity);

  // The next id; returns false (and no id) once `capacity` ids were handed out.
  bool Next(uint64_t* id);
  void Acknowledge(uint64_t id);
  uint64_t Last() const { return limit_.load(std::memory_order_acquire); }

 private:
  const uint64_t start_;
  const uint64_t capacity_;
  std::atomic<uint64_t> next_;
  std::atomic<uint64_t> limit_;
  std::unique_ptr<std::atomic<uint8_t>[]> done_;
};

// YCSB's "latest": Last() - zipfian(Last()), so the newest ids are the hottest.
class SkewedLatestGenerator {
 public:
  // `zetan` = Zeta(basis->Last(), kZipfianConstant) at construction time.
  SkewedLatestGenerator(const AcknowledgedCounter* basis, double zetan);
  uint64_t Next(Random* rng);

 private:
  const AcknowledgedCounter* basis_;
  ZipfianGenerator zipfian_;
};

}  // namespace nokv::bench
