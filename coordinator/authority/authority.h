// Authority: one coordinator's side of the singleton duties (TSO, ID allocation, routing
// writes) and of their handover, exactly the stages of spec/Succession.tla over meta's
// authority records:
//
//   Bootstrap  meta is VACANT: issue era 1 to this coordinator.
//   Renew      the holder extends its lease every renew_interval.
//   Seal       the holder's lease ended (by more than the clock-drift bound) and this
//              coordinator is a candidate: seal the era with the frontiers meta holds. Never
//              earlier, not even by the holder itself: until then a reply it served may still
//              be admitted by a client (Silence). A coordinator restarted under the same id
//              seals its predecessor incarnation's era by the same rule.
//   Issue      meta is SEALED and this coordinator is a candidate: issue era top+1 to itself,
//              inheriting the fences, with a lease start above every served read and the
//              digest of the legacy it read.
//   Confirm / Close / Reattach   the successor walks the handover; on Reattach it serves.
//   Abandon    a successor that stalls past its lease is sealed like a holder.
// A candidate is a coordinator meta lets lead (the meta Raft leader; always, with the local
// backend), so two coordinators do not race for the same era.
//
// Serving: the holder hands out timestamps and IDs from fenced windows (fenced_window.h),
// each window durable in meta before it opens. It serves only while its lease is valid by its
// own monotonic clock, ending max_clock_drift before the lease others see, so by the time
// anyone may seal the era it has stopped. Every grant carries the era and the lease end for the
// clients' admission check (Silence).
//
// Driving: Step() performs at most one meta Append and returns what it did; production runs it
// from the coordinator's duty loop, the model check (tests/coordinator) calls it directly with
// an injected clock. Allocation may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/options.h"
#include "coordinator/tso/fenced_window.h"
#include "meta/store.h"
#include "src/util/clock.h"

namespace nokv::coordinator {

enum class AuthorityAction {
  kNone,
  kBootstrap,         // issued era 1
  kBootstrapCluster,  // appended the configured stores and regions
  kRenew,
  kSeal,     // sealed another coordinator's era (lease ended)
  kSealOwn,  // sealed this coordinator's previous incarnation
  kIssue,
  kConfirm,
  kClose,
  kReattach,
  kFenceTso,
  kFenceId,
  kLostTenure,  // meta shows this coordinator no longer holds its era
};
const char* AuthorityActionName(AuthorityAction action);

struct StepResult {
  AuthorityAction action = AuthorityAction::kNone;
  absl::Status status;  // of the Append, if one was made
  uint64_t era = 0;     // the era the action concerned
};

// What a reply is served under: the era and the wall-clock end of this holder's lease.
struct Grant {
  uint64_t era = 0;
  uint64_t lease_expires_ms = 0;
};

class Authority {
 public:
  // `meta` and `clock` are not owned and must outlive the authority. `bootstrap_events` (the
  // configured stores and regions) are appended once by the first holder.
  Authority(uint64_t self_id, meta::MetaStore* meta, Clock* clock,
            const CoordinatorOptions& options, std::vector<metapb::Event> bootstrap_events = {});

  // One step of the protocol (see above). Thread-compatible: one caller at a time.
  StepResult Step();

  // Hands out `count` timestamps / IDs: the first of a consecutive range, with the grant.
  // Unavailable("not the holder"), or Unavailable("window") when the window is exhausted and
  // no fence became durable within `wait`.
  absl::StatusOr<std::pair<uint64_t, Grant>> AllocateTso(uint32_t count,
                                                         std::chrono::milliseconds wait);
  absl::StatusOr<std::pair<uint64_t, Grant>> AllocateIds(uint32_t count,
                                                         std::chrono::milliseconds wait);
  // The grant this coordinator serves under now, if it is the holder with a valid lease.
  std::optional<Grant> ServingGrant();
  // Stops serving and renewing (clean shutdown); a successor seals the era when its lease
  // ends.
  void StepDown();

  // Wakes whoever waits in WaitForWork (an allocation found its window short).
  void Kick();
  // Waits until kicked or `timeout` passes.
  void WaitForWork(std::chrono::milliseconds timeout);

  uint64_t self_id() const { return self_id_; }
  // The era this incarnation holds or is being handed (0 = none).
  uint64_t held_era() const;
  // For diagnostics and the model check.
  struct Snapshot {
    uint64_t held_era = 0;
    bool serving = false;
    uint64_t lease_deadline_micros = 0;
    uint64_t tso_next = 0, tso_limit = 0, id_next = 0, id_limit = 0;
  };
  Snapshot snapshot() const;

 private:
  StepResult StepHolder(const meta::MetaState& state);
  StepResult AppendFor(AuthorityAction action, uint64_t era, std::vector<metapb::Event> events);
  StepResult Seal(const meta::MetaState& state, AuthorityAction action);
  bool Candidate() const;
  bool ServingLocked(uint64_t now_micros) const;
  void AttachWindowsLocked(const meta::MetaState& state);
  void DropLocked();
  absl::StatusOr<std::pair<uint64_t, Grant>> Allocate(FencedWindow* window, bool tso,
                                                      uint32_t count,
                                                      std::chrono::milliseconds wait);

  const uint64_t self_id_;
  meta::MetaStore* const meta_;
  Clock* const clock_;
  const CoordinatorOptions options_;
  const std::vector<metapb::Event> bootstrap_events_;

  mutable std::mutex mu_;
  std::condition_variable window_cv_;   // a window opened (or serving stopped)
  uint64_t held_era_ = 0;               // issued to this incarnation
  bool serving_ = false;                // reattached (or bootstrapped) and not lost
  uint64_t lease_deadline_micros_ = 0;  // monotonic; serve only before it
  uint64_t last_renew_micros_ = 0;
  bool renew_due_ = true;
  FencedWindow tso_;
  FencedWindow ids_;
  uint64_t tso_extra_ = 0;  // room a large batch asked for
  uint64_t id_extra_ = 0;

  std::mutex work_mu_;
  std::condition_variable work_cv_;
  bool kicked_ = false;
};

}  // namespace nokv::coordinator
