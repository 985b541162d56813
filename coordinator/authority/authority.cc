#include "coordinator/authority/authority.h"

#include <algorithm>

#include "coordinator/tso/hybrid_ts.h"
#include "src/util/str_cat.h"

namespace nokv::coordinator {
namespace {

bool HandoverPhase(metapb::AuthorityPhase p) {
  return p == metapb::PHASE_ISSUED || p == metapb::PHASE_COVERED || p == metapb::PHASE_CLOSED;
}

}  // namespace

const char* AuthorityActionName(AuthorityAction action) {
  switch (action) {
    case AuthorityAction::kNone:
      return "none";
    case AuthorityAction::kBootstrap:
      return "bootstrap";
    case AuthorityAction::kBootstrapCluster:
      return "bootstrap_cluster";
    case AuthorityAction::kRenew:
      return "renew";
    case AuthorityAction::kSeal:
      return "seal";
    case AuthorityAction::kSealOwn:
      return "seal_own";
    case AuthorityAction::kIssue:
      return "issue";
    case AuthorityAction::kConfirm:
      return "confirm";
    case AuthorityAction::kClose:
      return "close";
    case AuthorityAction::kReattach:
      return "reattach";
    case AuthorityAction::kFenceTso:
      return "fence_tso";
    case AuthorityAction::kFenceId:
      return "fence_id";
    case AuthorityAction::kLostTenure:
      return "lost_tenure";
  }
  return "unknown";
}

Authority::Authority(uint64_t self_id, meta::MetaStore* meta, Clock* clock,
                     const CoordinatorOptions& options, std::vector<metapb::Event> bootstrap_events)
    : self_id_(self_id),
      meta_(meta),
      clock_(clock),
      options_(options),
      bootstrap_events_(std::move(bootstrap_events)),
      tso_(options.tso_window_ms << kLogicalBits),
      ids_(options.id_window) {}

bool Authority::Candidate() const { return meta_->Membership().is_leader(); }

uint64_t Authority::held_era() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_era_;
}

Authority::Snapshot Authority::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Snapshot{held_era_,   serving_,    lease_deadline_micros_, tso_.next(), tso_.limit(),
                  ids_.next(), ids_.limit()};
}

bool Authority::ServingLocked(uint64_t now_micros) const {
  return serving_ && now_micros < lease_deadline_micros_;
}

void Authority::AttachWindowsLocked(const meta::MetaState& state) {
  tso_.Attach(std::max(state.tso_fence(), state.authority().tenure().lease_start_ts()));
  ids_.Attach(std::max(state.id_fence(), state.max_id() + 1));
  tso_extra_ = 0;
  id_extra_ = 0;
}

void Authority::DropLocked() {
  held_era_ = 0;
  serving_ = false;
  lease_deadline_micros_ = 0;
  tso_.Detach();
  ids_.Detach();
  window_cv_.notify_all();
}

StepResult Authority::AppendFor(AuthorityAction action, uint64_t era,
                                std::vector<metapb::Event> events) {
  StepResult r;
  r.action = action;
  r.era = era;
  r.status = meta_->Append(events).status();
  return r;
}

StepResult Authority::Seal(const meta::MetaState& state, AuthorityAction action) {
  const metapb::Tenure& t = state.authority().tenure();
  metapb::Event e;
  metapb::LegacyEra* l = e.mutable_tenure_sealed()->mutable_legacy();
  l->set_era(t.era());
  l->set_holder_id(t.holder_id());
  l->set_sealed_at_ms(clock_->NowUnixMillis());
  l->set_sealed_by(self_id_);
  *l->mutable_frontiers() = state.CurrentFrontiers();
  return AppendFor(action, t.era(), {e});
}

StepResult Authority::Step() {
  std::shared_ptr<const meta::MetaState> state = meta_->State();
  const metapb::AuthorityState& a = state->authority();
  uint64_t held;
  {
    std::lock_guard<std::mutex> lock(mu_);
    held = held_era_;
    if (held != 0) {
      const bool still_ours = a.tenure().era() == held && a.tenure().holder_id() == self_id_ &&
                              (a.phase() == metapb::PHASE_ACTIVE || HandoverPhase(a.phase()));
      if (!still_ours) {
        DropLocked();
        return StepResult{AuthorityAction::kLostTenure, absl::OkStatus(), held};
      }
    }
  }
  if (held != 0) return StepHolder(*state);

  const uint64_t now_ms = clock_->NowUnixMillis();
  switch (a.phase()) {
    case metapb::PHASE_VACANT: {
      if (!Candidate()) return {};
      const uint64_t start = clock_->NowMonotonicMicros();
      metapb::Event e;
      metapb::Tenure* t = e.mutable_tenure_issued()->mutable_tenure();
      t->set_era(1);
      t->set_holder_id(self_id_);
      t->set_issued_at_ms(now_ms);
      t->set_expires_ms(now_ms + options_.lease_ms);
      t->set_lease_start_ts(state->tso_fence());
      *t->mutable_frontiers() = state->CurrentFrontiers();
      StepResult r = AppendFor(AuthorityAction::kBootstrap, 1, {e});
      if (r.status.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        held_era_ = 1;
        serving_ = true;
        lease_deadline_micros_ = start + (options_.lease_ms - options_.max_clock_drift_ms) * 1000;
        last_renew_micros_ = start;
        renew_due_ = false;
        AttachWindowsLocked(*meta_->State());
      }
      return r;
    }
    case metapb::PHASE_ACTIVE:
    case metapb::PHASE_ISSUED:
    case metapb::PHASE_COVERED:
    case metapb::PHASE_CLOSED: {
      // Sealed only once the lease (plus the drift bound) is over, whoever holds it: before
      // that, a reply it served may still be admitted by a client (spec Silence). An era issued
      // to this coordinator's id but not to this incarnation (the process restarted) is sealed
      // by the same rule; the restarted process may seal it without being a candidate.
      if (now_ms <= a.tenure().expires_ms() + options_.max_clock_drift_ms) return {};
      if (a.tenure().holder_id() == self_id_) return Seal(*state, AuthorityAction::kSealOwn);
      if (!Candidate()) return {};
      return Seal(*state, AuthorityAction::kSeal);
    }
    case metapb::PHASE_SEALED: {
      if (!Candidate()) return {};
      const uint64_t era = a.top_era() + 1;
      uint64_t lease_start = state->tso_fence();
      for (const auto& l : a.legacy().eras()) {
        lease_start = std::max(lease_start, l.frontiers().served_read_ts());
      }
      const uint64_t start = clock_->NowMonotonicMicros();
      metapb::Event e;
      metapb::Tenure* t = e.mutable_tenure_issued()->mutable_tenure();
      t->set_era(era);
      t->set_holder_id(self_id_);
      t->set_issued_at_ms(now_ms);
      t->set_expires_ms(now_ms + options_.lease_ms);
      t->set_lease_start_ts(lease_start);
      *t->mutable_frontiers() = state->CurrentFrontiers();
      t->set_lineage_digest(meta::LegacyDigest(a.legacy()));
      StepResult r = AppendFor(AuthorityAction::kIssue, era, {e});
      if (r.status.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        held_era_ = era;
        serving_ = false;
        lease_deadline_micros_ = start + (options_.lease_ms - options_.max_clock_drift_ms) * 1000;
        renew_due_ = true;
      }
      return r;
    }
    default:
      return {};
  }
}

StepResult Authority::StepHolder(const meta::MetaState& state) {
  const metapb::AuthorityState& a = state.authority();
  const uint64_t era = a.tenure().era();
  auto stage = [&](AuthorityAction action, metapb::HandoverStage stage) {
    metapb::Event e;
    e.mutable_handover_staged()->set_era(era);
    e.mutable_handover_staged()->set_stage(stage);
    if (stage == metapb::HANDOVER_CONFIRMED) {
      e.mutable_handover_staged()->set_legacy_digest(meta::LegacyDigest(a.legacy()));
    }
    return AppendFor(action, era, {e});
  };
  switch (a.phase()) {
    case metapb::PHASE_ISSUED:
      return stage(AuthorityAction::kConfirm, metapb::HANDOVER_CONFIRMED);
    case metapb::PHASE_COVERED:
      return stage(AuthorityAction::kClose, metapb::HANDOVER_CLOSED);
    case metapb::PHASE_CLOSED: {
      StepResult r = stage(AuthorityAction::kReattach, metapb::HANDOVER_REATTACHED);
      if (r.status.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        serving_ = true;
        AttachWindowsLocked(*meta_->State());
      }
      return r;
    }
    case metapb::PHASE_ACTIVE:
      break;
    default:
      return {};
  }

  const uint64_t now_micros = clock_->NowMonotonicMicros();
  const uint64_t now_ms = clock_->NowUnixMillis();
  bool renew;
  std::optional<uint64_t> tso_target;
  std::optional<uint64_t> id_target;
  {
    std::lock_guard<std::mutex> lock(mu_);
    renew = renew_due_ || now_micros - last_renew_micros_ >= options_.renew_interval_ms * 1000;
    if (serving_) {
      tso_target = tso_.FenceTarget(ComposeTs(now_ms, 0), tso_extra_);
      id_target = ids_.FenceTarget(state.max_id() + 1, id_extra_);
    }
  }
  if (renew) {
    const uint64_t expires = std::max(now_ms + options_.lease_ms, a.tenure().expires_ms() + 1);
    metapb::Event e;
    e.mutable_tenure_renewed()->set_era(era);
    e.mutable_tenure_renewed()->set_holder_id(self_id_);
    e.mutable_tenure_renewed()->set_expires_ms(expires);
    StepResult r = AppendFor(AuthorityAction::kRenew, era, {e});
    std::lock_guard<std::mutex> lock(mu_);
    if (r.status.ok()) {
      // The lease others see ends at `expires` (wall clock); this holder stops drift earlier,
      // measured on its monotonic clock from before the request.
      const uint64_t lease_left_ms = expires - now_ms;
      lease_deadline_micros_ =
          now_micros +
          (lease_left_ms - std::min(lease_left_ms, options_.max_clock_drift_ms)) * 1000;
      last_renew_micros_ = now_micros;
      renew_due_ = false;
    } else if (absl::IsFailedPrecondition(r.status)) {
      DropLocked();
      r.action = AuthorityAction::kLostTenure;
    }
    return r;
  }
  auto fence = [&](AuthorityAction action, uint64_t target, bool tso) {
    metapb::Event e;
    if (tso) {
      e.mutable_tso_fenced()->set_era(era);
      e.mutable_tso_fenced()->set_fence(target);
    } else {
      e.mutable_id_fenced()->set_era(era);
      e.mutable_id_fenced()->set_fence(target);
    }
    StepResult r = AppendFor(action, era, {e});
    std::lock_guard<std::mutex> lock(mu_);
    if (r.status.ok()) {
      // Only now, with the fence durable, does the window reach it (spec/TsoWindow).
      (tso ? tso_ : ids_).Open(target);
      (tso ? tso_extra_ : id_extra_) = 0;
      window_cv_.notify_all();
    } else if (absl::IsFailedPrecondition(r.status)) {
      DropLocked();
      r.action = AuthorityAction::kLostTenure;
    }
    return r;
  };
  if (tso_target) return fence(AuthorityAction::kFenceTso, *tso_target, true);
  if (id_target) return fence(AuthorityAction::kFenceId, *id_target, false);
  if (!state.bootstrapped() && !bootstrap_events_.empty()) {
    StepResult r = AppendFor(AuthorityAction::kBootstrapCluster, era, bootstrap_events_);
    return r;
  }
  return {};
}

std::optional<Grant> Authority::ServingGrant() {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t now = clock_->NowMonotonicMicros();
  if (!ServingLocked(now)) return std::nullopt;
  return Grant{held_era_, clock_->NowUnixMillis() + (lease_deadline_micros_ - now) / 1000};
}

absl::StatusOr<std::pair<uint64_t, Grant>> Authority::Allocate(FencedWindow* window, bool tso,
                                                               uint32_t count,
                                                               std::chrono::milliseconds wait) {
  if (count == 0) count = 1;
  // IDs also stay above every id meta has seen (the configured regions and peers).
  const uint64_t id_floor = tso ? 0 : meta_->State()->max_id() + 1;
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t give_up = clock_->NowMonotonicMicros() + wait.count() * 1000;
  while (true) {
    const uint64_t now = clock_->NowMonotonicMicros();
    if (!ServingLocked(now)) {
      return absl::UnavailableError(
          StrCat("coordinator ", self_id_, " is not the holder with a valid lease"));
    }
    const uint64_t now_ms = clock_->NowUnixMillis();
    const uint64_t floor = tso ? ComposeTs(now_ms, 0) : id_floor;
    if (std::optional<uint64_t> first = window->Take(floor, count)) {
      if (window->FenceTarget(floor)) Kick();  // refill before the window runs dry
      return std::make_pair(*first,
                            Grant{held_era_, now_ms + (lease_deadline_micros_ - now) / 1000});
    }
    (tso ? tso_extra_ : id_extra_) = std::max<uint64_t>(count, tso ? tso_extra_ : id_extra_);
    Kick();
    if (now >= give_up) {
      return absl::UnavailableError(
          StrCat(tso ? "TSO" : "ID", " window exhausted; the next fence is not durable yet"));
    }
    window_cv_.wait_for(lock, std::chrono::microseconds(std::min<uint64_t>(give_up - now, 5000)));
  }
}

absl::StatusOr<std::pair<uint64_t, Grant>> Authority::AllocateTso(uint32_t count,
                                                                  std::chrono::milliseconds wait) {
  return Allocate(&tso_, true, count, wait);
}

absl::StatusOr<std::pair<uint64_t, Grant>> Authority::AllocateIds(uint32_t count,
                                                                  std::chrono::milliseconds wait) {
  return Allocate(&ids_, false, count, wait);
}

void Authority::StepDown() {
  std::lock_guard<std::mutex> lock(mu_);
  // Stop serving and renewing; the era is sealed by a successor once its lease is over (an
  // earlier seal could let a reply still in flight be admitted after it).
  DropLocked();
}

void Authority::Kick() {
  {
    std::lock_guard<std::mutex> lock(work_mu_);
    kicked_ = true;
  }
  work_cv_.notify_all();
}

void Authority::WaitForWork(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(work_mu_);
  work_cv_.wait_for(lock, timeout, [this] { return kicked_; });
  kicked_ = false;
}

}  // namespace nokv::coordinator
