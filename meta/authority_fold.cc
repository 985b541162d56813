// The authority part of the fold: the stages of spec/Succession.tla, with the frontier checks
// of spec/SuccessionMultiDim.tla (lease-start coverage) and the lineage digest.
//
//   VACANT --Bootstrap(era 1)--> ACTIVE --Seal--> SEALED --Issue(era top+1)--> ISSUED
//   ISSUED --Cover(CONFIRMED)--> COVERED --Close(CLOSED)--> CLOSED --Reattach(REATTACHED)--> ACTIVE
//   ISSUED | COVERED | CLOSED --Abandon (seal the successor)--> SEALED
#include <algorithm>

#include "meta/state.h"
#include "meta/state_text.h"
#include "src/util/str_cat.h"

namespace nokv::meta {
namespace {

absl::Status Reject(std::string message) {
  return absl::FailedPreconditionError(std::move(message));
}

// `f` is at least `g` in every dimension; otherwise names the first that is behind.
absl::Status Covers(const metapb::Frontiers& f, const metapb::Frontiers& g, std::string_view who,
                    std::string_view whom) {
  auto check = [&](const char* name, uint64_t a, uint64_t b) -> absl::Status {
    if (a < b) return Reject(StrCat(who, " ", name, " ", a, " is behind ", whom, "'s ", b));
    return absl::OkStatus();
  };
  for (auto s : {check("tso_fence", f.tso_fence(), g.tso_fence()),
                 check("id_fence", f.id_fence(), g.id_fence()),
                 check("descriptor_revision", f.descriptor_revision(), g.descriptor_revision()),
                 check("served_read_ts", f.served_read_ts(), g.served_read_ts())}) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

bool SameFrontiers(const metapb::Frontiers& a, const metapb::Frontiers& b) {
  return a.tso_fence() == b.tso_fence() && a.id_fence() == b.id_fence() &&
         a.descriptor_revision() == b.descriptor_revision() &&
         a.served_read_ts() == b.served_read_ts();
}

}  // namespace

absl::Status MetaState::ApplyTenureIssued(const metapb::TenureIssued& e) {
  const metapb::Tenure& t = e.tenure();
  metapb::AuthorityState& a = authority_;
  if (t.holder_id() == 0) return Reject("tenure holder id must be > 0");
  if (t.expires_ms() <= t.issued_at_ms()) {
    return Reject(StrCat("tenure of era ", t.era(), " expires (", t.expires_ms(),
                         ") before it is issued (", t.issued_at_ms(), ")"));
  }
  if (t.lease_start_ts() < tso_fence_) {
    return Reject(StrCat("era ", t.era(), " lease start ", t.lease_start_ts(),
                         " is below the TSO fence ", tso_fence_,
                         " (timestamps up to there may have been served)"));
  }
  // The folded fences bound everything any era handed out (the descriptor revision is
  // checked against the legacy: the successor read the state before this event).
  metapb::Frontiers current = CurrentFrontiers();
  current.set_descriptor_revision(0);
  if (a.phase() == metapb::PHASE_VACANT) {
    // Spec Bootstrap.
    if (t.era() != 1) return Reject(StrCat("the first era must be 1, not ", t.era()));
    if (!t.lineage_digest().empty()) return Reject("the first era has no lineage to digest");
    absl::Status covers = Covers(t.frontiers(), current, "era 1", "meta");
    if (!covers.ok()) return covers;
    a.set_phase(metapb::PHASE_ACTIVE);
    a.set_top_era(1);
    a.set_holder_era(1);
    a.set_holder_id(t.holder_id());
    *a.mutable_tenure() = t;
    return absl::OkStatus();
  }
  if (a.phase() != metapb::PHASE_SEALED) {
    return Reject(StrCat("phase ", PhaseName(a.phase()), ": era ", a.tenure().era(),
                         " is not sealed; a successor is issued only after a seal"));
  }
  // Spec Issue(f): a new era that inherits every legacy frontier.
  if (t.era() != a.top_era() + 1) {
    return Reject(StrCat("the next era is ", a.top_era() + 1, ", not ", t.era()));
  }
  for (const auto& legacy : a.legacy().eras()) {
    const std::string whom = StrCat("legacy era ", legacy.era());
    absl::Status covers = Covers(t.frontiers(), legacy.frontiers(), StrCat("era ", t.era()), whom);
    if (!covers.ok()) return covers;
    if (t.lease_start_ts() < legacy.frontiers().served_read_ts()) {
      return Reject(StrCat("era ", t.era(), " lease start ", t.lease_start_ts(),
                           " is not above the reads ", whom, " served (below ",
                           legacy.frontiers().served_read_ts(), ")"));
    }
  }
  absl::Status covers = Covers(t.frontiers(), current, StrCat("era ", t.era()), "meta");
  if (!covers.ok()) return covers;
  const std::string digest = LegacyDigest(a.legacy());
  if (t.lineage_digest() != digest) {
    return Reject(StrCat("era ", t.era(), " lineage digest does not match the legacy of eras ",
                         a.legacy().eras(0).era(), "..", a.sealed_through()));
  }
  a.set_phase(metapb::PHASE_ISSUED);
  a.set_top_era(t.era());
  *a.mutable_tenure() = t;
  metapb::Handover* h = a.mutable_handover();
  h->Clear();
  h->set_successor_era(t.era());
  for (const auto& legacy : a.legacy().eras()) h->add_legacy_eras(legacy.era());
  h->set_legacy_digest(digest);
  h->set_stage(metapb::HANDOVER_NONE);
  return absl::OkStatus();
}

absl::Status MetaState::ApplyTenureRenewed(const metapb::TenureRenewed& e) {
  metapb::AuthorityState& a = authority_;
  if (a.phase() != metapb::PHASE_ACTIVE || e.era() != a.tenure().era() ||
      e.holder_id() != a.tenure().holder_id()) {
    return Reject(StrCat("era ", e.era(), " held by ", e.holder_id(),
                         " is not the active tenure (phase ", PhaseName(a.phase()), ", era ",
                         a.tenure().era(), ")"));
  }
  if (e.expires_ms() <= a.tenure().expires_ms()) {
    return Reject(StrCat("renewal to ", e.expires_ms(), " does not extend the lease (ends ",
                         a.tenure().expires_ms(), ")"));
  }
  a.mutable_tenure()->set_expires_ms(e.expires_ms());
  return absl::OkStatus();
}

absl::Status MetaState::ApplyTenureSealed(const metapb::TenureSealed& e) {
  metapb::AuthorityState& a = authority_;
  const metapb::LegacyEra& l = e.legacy();
  const bool active = a.phase() == metapb::PHASE_ACTIVE;
  const bool successor = a.phase() == metapb::PHASE_ISSUED || a.phase() == metapb::PHASE_COVERED ||
                         a.phase() == metapb::PHASE_CLOSED;
  if ((!active && !successor) || l.era() != a.tenure().era()) {
    return Reject(StrCat("era ", l.era(), " is not the issued era (phase ", PhaseName(a.phase()),
                         ", era ", a.tenure().era(), ")"));
  }
  if (l.holder_id() != a.tenure().holder_id()) {
    return Reject(
        StrCat("era ", l.era(), " is held by ", a.tenure().holder_id(), ", not ", l.holder_id()));
  }
  // No era is sealed while a reply it served may still be admitted: callers admit allocator
  // replies only before the lease ends, so a seal (by anyone, the holder included) comes after
  // it. Otherwise a reply in flight could be admitted after the seal (spec Silence).
  if (l.sealed_at_ms() <= a.tenure().expires_ms()) {
    return Reject(StrCat("coordinator ", l.sealed_by(), " seals era ", l.era(), " at ",
                         l.sealed_at_ms(), ", before its lease ends (", a.tenure().expires_ms(),
                         ")"));
  }
  // The legacy records exactly how far the era got: the folded fences (Inheritance is checked
  // against these when the successor is issued).
  const metapb::Frontiers reached = CurrentFrontiers();
  if (!SameFrontiers(l.frontiers(), reached)) {
    return Reject(StrCat("era ", l.era(), " seal records frontiers {tso ",
                         l.frontiers().tso_fence(), ", id ", l.frontiers().id_fence(),
                         ", revision ", l.frontiers().descriptor_revision(), ", reads ",
                         l.frontiers().served_read_ts(), "}, meta has {tso ", reached.tso_fence(),
                         ", id ", reached.id_fence(), ", revision ", reached.descriptor_revision(),
                         ", reads ", reached.served_read_ts(), "}"));
  }
  a.set_phase(metapb::PHASE_SEALED);
  a.set_sealed_through(l.era());
  a.set_holder_era(active ? l.era() : a.holder_era());
  *a.mutable_legacy()->add_eras() = l;
  a.clear_tenure();
  if (successor) {
    // Spec Abandon: the handover restarts; the next successor covers this era too.
    a.mutable_handover()->Clear();
  }
  return absl::OkStatus();
}

absl::Status MetaState::ApplyHandoverStaged(const metapb::HandoverStaged& e) {
  metapb::AuthorityState& a = authority_;
  if (e.era() != a.tenure().era() || a.handover().successor_era() != e.era()) {
    return Reject(StrCat("era ", e.era(), " is not the successor being handed the duty (era ",
                         a.handover().successor_era(), ")"));
  }
  switch (e.stage()) {
    case metapb::HANDOVER_CONFIRMED: {  // spec Cover
      if (a.phase() != metapb::PHASE_ISSUED) {
        return Reject(StrCat("confirm needs phase ISSUED, not ", PhaseName(a.phase())));
      }
      if (e.legacy_digest() != a.handover().legacy_digest()) {
        return Reject(StrCat("era ", e.era(), " confirms a different legacy (digest mismatch)"));
      }
      for (const auto& legacy : a.legacy().eras()) {
        absl::Status covers = Covers(a.tenure().frontiers(), legacy.frontiers(),
                                     StrCat("era ", e.era()), StrCat("legacy era ", legacy.era()));
        if (!covers.ok()) return covers;
      }
      a.set_phase(metapb::PHASE_COVERED);
      a.set_covered_through(a.sealed_through());
      a.mutable_handover()->set_stage(metapb::HANDOVER_CONFIRMED);
      return absl::OkStatus();
    }
    case metapb::HANDOVER_CLOSED:  // spec Close
      if (a.phase() != metapb::PHASE_COVERED) {
        return Reject(StrCat("close needs phase COVERED, not ", PhaseName(a.phase())));
      }
      a.set_phase(metapb::PHASE_CLOSED);
      a.set_closed_through(a.covered_through());
      a.clear_legacy();
      a.mutable_handover()->set_stage(metapb::HANDOVER_CLOSED);
      return absl::OkStatus();
    case metapb::HANDOVER_REATTACHED:  // spec Reattach
      if (a.phase() != metapb::PHASE_CLOSED) {
        return Reject(StrCat("reattach needs phase CLOSED, not ", PhaseName(a.phase())));
      }
      a.set_phase(metapb::PHASE_ACTIVE);
      a.set_holder_era(e.era());
      a.set_holder_id(a.tenure().holder_id());
      a.mutable_handover()->set_stage(metapb::HANDOVER_REATTACHED);
      return absl::OkStatus();
    default:
      return Reject(StrCat("unknown handover stage ", static_cast<int>(e.stage())));
  }
}

}  // namespace nokv::meta
