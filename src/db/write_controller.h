// WriteController: slows writers smoothly while background work falls behind, instead of letting
// the backlog grow until writes must stop (RocksDB's WriteController, LSM-NOTES.md §3;
// docs/notes/2026-11-29-ingest-buffer.md).
//
// Pressure is the ingest buffer's depth (the most L0 files a point read may probe) and whether
// the last memtable slot is taken. Under pressure every write group pays for its bytes from a
// token bucket. The rate adapts like RocksDB's: it starts at `initial_rate`, shrinks by 0.8
// each time pressure rises and grows by 1.25 each time it eases, stays within
// [initial_rate / 1024, initial_rate], and halves once more close to the stop line. Without
// pressure writes pass untouched and the rate recovers. Thread-compatible: the write leader
// calls it under the DB mutex.
#pragma once

#include <cstdint>

namespace nokv {

class WriteController {
 public:
  struct Limits {
    int slowdown_depth = 12;
    int stop_depth = 24;
    uint64_t initial_rate = 16 << 20;  // bytes per second
  };
  explicit WriteController(Limits limits);

  // How long (microseconds) a write group of `bytes` must wait, given the current pressure.
  // `last_memtable` = every immutable memtable slot is taken (the next switch would stop).
  uint64_t DelayMicros(uint64_t bytes, int depth, bool last_memtable, uint64_t now_us);

  double rate() const { return rate_; }

 private:
  const Limits limits_;
  double rate_;
  int last_pressure_ = 0;
  double tokens_ = 0;  // bytes that may pass without waiting
  uint64_t last_refill_us_ = 0;
};

}  // namespace nokv
