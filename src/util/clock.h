// The one seam for time. Production code reads time only through a Clock so that TTL expiry,
// throttling and timeouts can be driven by tests.
#pragma once

#include <atomic>
#include <cstdint>

namespace nokv {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time since the Unix epoch, in milliseconds (TTL deadlines are stored in this unit).
  virtual uint64_t NowUnixMillis() = 0;
  // Monotonic time in microseconds (durations, latencies).
  virtual uint64_t NowMonotonicMicros() = 0;
  virtual void SleepForMicros(uint64_t micros) = 0;

  // A process-wide real clock.
  static Clock* Real();
};

// A clock that moves only when told to; SleepForMicros advances it.
class ManualClock : public Clock {
 public:
  explicit ManualClock(uint64_t unix_millis = 1'700'000'000'000) : unix_millis_(unix_millis) {}
  uint64_t NowUnixMillis() override { return unix_millis_.load(); }
  uint64_t NowMonotonicMicros() override { return monotonic_micros_.load(); }
  void SleepForMicros(uint64_t micros) override { Advance(micros); }
  void Advance(uint64_t micros) {
    monotonic_micros_ += micros;
    unix_millis_ += micros / 1000;
  }
  void AdvanceMillis(uint64_t millis) { Advance(millis * 1000); }

 private:
  std::atomic<uint64_t> unix_millis_;
  std::atomic<uint64_t> monotonic_micros_{0};
};

}  // namespace nokv
