// EraGuard: the caller's half of Silence (spec/Succession.tla DeliverReply / RejectReply).
// A reply is admitted only if
//   - its era is not older than the newest era this caller has seen (an older era is sealed:
//     a successor is issued only after its predecessor is sealed),
//   - its era is above every sealed era this caller has heard of (headers carry
//     sealed_through), and
//   - for allocator replies (Tso, AllocID): it arrives before its lease end, with the clock
//     drift bound to spare. A holder paused (SIGSTOP, a long GC) after it computed a reply
//     cannot have that reply admitted once a successor may be serving.
// Redirects and other non-serving replies still teach the guard newer eras (Observe).
//
// Thread-safety: thread-safe.
#pragma once

#include <cstdint>
#include <mutex>

#include "absl/status/status.h"
#include "coordinator/coordinator.pb.h"
#include "src/util/clock.h"

namespace nokv::coordinator {

class EraGuard {
 public:
  // `clock` is not owned.
  EraGuard(Clock* clock, uint64_t max_clock_drift_ms)
      : clock_(clock), drift_ms_(max_clock_drift_ms) {}

  // FailedPrecondition naming the reason when the reply must be refused; otherwise records
  // its era and OK.
  absl::Status Admit(const coordinatorpb::ResponseHeader& header, bool allocator);
  // Learns from a header that is not itself admitted as an answer (a redirect).
  void Observe(const coordinatorpb::ResponseHeader& header);

  uint64_t newest_era() const;
  uint64_t sealed_through() const;
  uint64_t refused() const;

 private:
  Clock* const clock_;
  const uint64_t drift_ms_;
  mutable std::mutex mu_;
  uint64_t newest_era_ = 0;
  uint64_t sealed_through_ = 0;
  uint64_t refused_ = 0;
};

}  // namespace nokv::coordinator
