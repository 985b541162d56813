#include "src/db/write_controller.h"

#include <algorithm>

namespace nokv {

WriteController::WriteController(Limits limits)
    : limits_(limits), rate_(static_cast<double>(limits.initial_rate)) {}

uint64_t WriteController::DelayMicros(uint64_t bytes, int depth, bool last_memtable,
                                      uint64_t now_us) {
  const double max_rate = static_cast<double>(limits_.initial_rate);
  const double min_rate = std::max(1.0, max_rate / 1024);
  // One pressure figure: how many levels of depth past the slowdown line (a full memtable
  // queue counts as one).
  const int pressure = std::max(0, depth - limits_.slowdown_depth + 1) + (last_memtable ? 1 : 0);
  if (pressure == 0) {
    rate_ = std::min(max_rate, rate_ * 1.25);
    last_pressure_ = 0;
    tokens_ = 0;
    last_refill_us_ = now_us;
    return 0;
  }
  if (pressure > last_pressure_) {
    rate_ = std::max(min_rate, rate_ * 0.8);
  } else if (pressure < last_pressure_) {
    rate_ = std::min(max_rate, rate_ * 1.25);
  }
  last_pressure_ = pressure;
  double rate = rate_;
  if (depth >= limits_.stop_depth - 2) rate = std::max(min_rate, rate * 0.5);  // near the stop
  if (last_refill_us_ != 0 && now_us > last_refill_us_) {
    // Tokens accumulate for at most a tenth of a second, so a pause buys no burst.
    tokens_ =
        std::min(rate / 10, tokens_ + rate * static_cast<double>(now_us - last_refill_us_) / 1e6);
  }
  last_refill_us_ = now_us;
  tokens_ -= static_cast<double>(bytes);
  if (tokens_ >= 0) return 0;
  const double wait = -tokens_ / rate * 1e6;
  tokens_ = 0;
  last_refill_us_ = now_us + static_cast<uint64_t>(wait);  // the wait pays the debt
  return static_cast<uint64_t>(wait);
}

}  // namespace nokv
