// Implementation-level bounded model check of tenure and handover (spec/Succession.tla,
// spec/SuccessionMultiDim.tla, spec/TsoWindow.tla on the real code).
//
// The world: two coordinators (the real Authority, with its real fenced windows) over one meta
// log (the real fold, kept in memory), an injected clock, replies in flight, and two callers
// admitting replies through the real EraGuard. Every interleaving of these actions is explored
// breadth-first up to a depth bound, each state reached once (by fingerprint):
//   Step(n)       one step of coordinator n's protocol: bootstrap, renew, seal (expire),
//                 issue (inherit), confirm, close, reattach, fence a window;
//   Serve(n,c)    coordinator n hands out a timestamp for caller c (a caller has one request
//                 at a time); the reply goes in flight;
//   Deliver(r)    the caller receives reply r and admits or refuses it;
//   Drop(r)       the network loses reply r (the caller gives up on it);
//   Tick          the clock moves on (leases run out);
//   Crash(n)      coordinator n's process dies and restarts with empty memory.
// After every step the invariants are checked on the real state:
//   Primacy             at most one issued, unsealed era; at most one coordinator serving, and
//                       only the active era's holder;
//   Inheritance         a new era's frontiers and lease start cover everything served before
//                       (lease-start coverage, no TSO regression through a handover);
//   Silence             a caller never admits a reply of a sealed era;
//   FenceCoversServed / StrictlyIncreasing   every timestamp served is below the durable
//                       fence and above every one served before;
//   RealTime            a timestamp served is above every one already admitted by a caller;
//   per-caller order    each caller admits increasing timestamps;
//   SealedAccounted     sealed >= covered >= closed, the legacy is exactly the sealed eras not
//                       closed;
//   Finality (bounded)  from every state with a handover open, letting the coordinators run
//                       closes it and someone serves again.
// The number of distinct states explored is printed. Bugs caught (each verified once by
// breaking the code): sealing before the lease ends plus the drift bound (Silence), opening a
// window before its fence is durable (FenceCoversServed), issuing without inheriting the TSO
// fence (Inheritance / StrictlyIncreasing).
#include <gtest/gtest.h>

#include <deque>
#include <unordered_set>

#include "coordinator/authority/authority.h"
#include "coordinator/client/era_guard.h"
#include "meta/tail.h"
#include "src/util/hash.h"
#include "src/util/str_cat.h"

namespace nokv::coordinator {
namespace {

// Meta's fold without files: the same Append semantics as the backends.
class MemoryMetaStore final : public meta::MetaStore {
 public:
  MemoryMetaStore() : tail_(std::make_shared<meta::TailLog>(std::make_shared<meta::MetaState>())) {}
  absl::StatusOr<uint64_t> Append(const std::vector<metapb::Event>& events) override {
    auto next = std::make_shared<meta::MetaState>(*tail_->State());
    metapb::EventBatch batch;
    batch.set_revision(next->revision() + 1);
    for (const auto& e : events) *batch.add_events() = e;
    absl::Status s = next->ApplyBatch(batch);
    if (!s.ok()) return s;
    tail_->Publish(next, batch);
    return batch.revision();
  }
  std::shared_ptr<const meta::MetaState> State() const override { return tail_->State(); }
  std::unique_ptr<meta::MetaWatch> Watch(uint64_t after) override { return tail_->Watch(after); }
  meta::MetaMembership Membership() const override { return {1, 1, {1}}; }
  const char* backend() const override { return "memory"; }
  absl::Status Close() override { return absl::OkStatus(); }

 private:
  std::shared_ptr<meta::TailLog> tail_;
};

constexpr int kNodes = 2;
constexpr int kCallers = 2;
constexpr int kMaxCrashes = 1;
constexpr int kMaxTicks = 7;
constexpr uint64_t kTickMs = 400;

CoordinatorOptions ModelOptions() {
  CoordinatorOptions o;
  o.lease_ms = 1000;
  o.renew_interval_ms = 400;
  o.max_clock_drift_ms = 100;
  // A window longer than the lease: a holder whose lease lapsed still has room to serve from,
  // so only its lease check stops it.
  o.tso_window_ms = 2500;
  o.id_window = 10;
  return o;
}

struct Reply {
  int caller;
  uint64_t node;
  coordinatorpb::ResponseHeader header;
  uint64_t ts;
};

struct World {
  ManualClock clock;
  MemoryMetaStore meta;
  std::unique_ptr<Authority> nodes[kNodes];
  std::vector<Reply> inflight;
  std::unique_ptr<EraGuard> guards[kCallers];
  uint64_t caller_last[kCallers] = {};
  int crashes = 0;
  int ticks = 0;
  // Ghosts for the invariants.
  uint64_t max_served = 0;
  uint64_t max_admitted = 0;
  uint64_t last_top = 0;

  World() {
    for (int n = 0; n < kNodes; ++n) {
      nodes[n] = std::make_unique<Authority>(n + 1, &meta, &clock, ModelOptions());
    }
    for (auto& g : guards)
      g = std::make_unique<EraGuard>(&clock, ModelOptions().max_clock_drift_ms);
  }
};

// Actions are numbered: Step(n), Serve(n, c), Crash(n), Tick, Deliver(r), Drop(r); a caller
// has at most one reply in flight, so r < kCallers.
constexpr int kFirstServe = kNodes;
constexpr int kFirstCrash = kFirstServe + kNodes * kCallers;
constexpr int kTick = kFirstCrash + kNodes;
constexpr int kFirstDeliver = kTick + 1;
constexpr int kFirstDrop = kFirstDeliver + kCallers;
constexpr int kActions = kFirstDrop + kCallers;

std::string ActionName(int a) {
  if (a < kFirstServe) return StrCat("Step(", a + 1, ")");
  if (a < kFirstCrash) {
    return StrCat("Serve(", (a - kFirstServe) / kCallers + 1, ", c", (a - kFirstServe) % kCallers,
                  ")");
  }
  if (a < kTick) return StrCat("Crash(", a - kFirstCrash + 1, ")");
  if (a == kTick) return "Tick";
  if (a < kFirstDrop) return StrCat("Deliver(r", a - kFirstDeliver, ")");
  return StrCat("Drop(r", a - kFirstDrop, ")");
}

// Applies action `a`; false if it is not enabled or changes nothing. Invariant violations are
// appended to `violation`.
bool Apply(World& w, int a, std::string* violation) {
  auto violate = [&](std::string what) {
    if (violation->empty()) *violation = std::move(what);
  };
  if (a < kFirstServe) {
    StepResult r = w.nodes[a]->Step();
    if (r.action == AuthorityAction::kNone) return false;
  } else if (a < kFirstCrash) {
    const int n = (a - kFirstServe) / kCallers;
    const int c = (a - kFirstServe) % kCallers;
    for (const Reply& r : w.inflight) {
      if (r.caller == c) return false;  // one request at a time
    }
    auto ts = w.nodes[n]->AllocateTso(1, std::chrono::milliseconds(0));
    if (!ts.ok()) return false;
    if (ts->first <= w.max_served) {
      violate(StrCat("StrictlyIncreasing: coordinator ", n + 1, " served ", ts->first, " after ",
                     w.max_served));
    }
    if (ts->first <= w.max_admitted) {
      violate(StrCat("RealTime: coordinator ", n + 1, " served ", ts->first,
                     " after a caller admitted ", w.max_admitted));
    }
    w.max_served = std::max(w.max_served, ts->first);
    Reply reply{c, static_cast<uint64_t>(n + 1), {}, ts->first};
    const auto state = w.meta.State();
    reply.header.set_era(ts->second.era);
    reply.header.set_lease_expires_ms(ts->second.lease_expires_ms);
    reply.header.set_responder_id(n + 1);
    reply.header.set_sealed_through(state->authority().sealed_through());
    w.inflight.push_back(reply);
  } else if (a < kTick) {
    const int n = a - kFirstCrash;
    if (w.crashes >= kMaxCrashes) return false;
    ++w.crashes;
    w.nodes[n] = std::make_unique<Authority>(n + 1, &w.meta, &w.clock, ModelOptions());
  } else if (a == kTick) {
    if (w.ticks >= kMaxTicks) return false;
    ++w.ticks;
    w.clock.AdvanceMillis(kTickMs);
  } else if (a < kFirstDrop) {
    const size_t r = a - kFirstDeliver;
    if (r >= w.inflight.size()) return false;
    const Reply reply = w.inflight[r];
    const int c = reply.caller;
    w.inflight.erase(w.inflight.begin() + r);
    if (w.guards[c]->Admit(reply.header, /*allocator=*/true).ok()) {
      const uint64_t sealed = w.meta.State()->authority().sealed_through();
      if (reply.header.era() <= sealed) {
        violate(StrCat("Silence: caller ", c, " admitted a reply of era ", reply.header.era(),
                       ", sealed through ", sealed));
      }
      if (reply.ts <= w.caller_last[c]) {
        violate(StrCat("caller ", c, " admitted ", reply.ts, " after ", w.caller_last[c]));
      }
      w.caller_last[c] = reply.ts;
      w.max_admitted = std::max(w.max_admitted, reply.ts);
    }
  } else {
    const size_t r = a - kFirstDrop;
    if (r >= w.inflight.size()) return false;
    w.inflight.erase(w.inflight.begin() + r);
  }

  // State invariants.
  const auto state = w.meta.State();
  const metapb::AuthorityState& au = state->authority();
  const uint64_t top = au.top_era();
  const bool handing_over = au.phase() == metapb::PHASE_ISSUED ||
                            au.phase() == metapb::PHASE_COVERED ||
                            au.phase() == metapb::PHASE_CLOSED;
  // PrimacyInductive: every issued era except the current one is sealed.
  const uint64_t want_sealed = au.phase() == metapb::PHASE_SEALED ? top : (top == 0 ? 0 : top - 1);
  if (au.sealed_through() != want_sealed) {
    violate(StrCat("Primacy: top era ", top, " sealed through ", au.sealed_through(), " in phase ",
                   metapb::AuthorityPhase_Name(au.phase())));
  }
  int serving = 0;
  for (int n = 0; n < kNodes; ++n) {
    std::optional<Grant> g = w.nodes[n]->ServingGrant();
    if (!g) continue;
    ++serving;
    if (au.phase() != metapb::PHASE_ACTIVE || g->era != au.tenure().era() ||
        au.tenure().holder_id() != static_cast<uint64_t>(n + 1)) {
      violate(StrCat("Primacy: coordinator ", n + 1, " serves era ", g->era, " but meta's is ",
                     au.tenure().era(), " (", metapb::AuthorityPhase_Name(au.phase()), ")"));
    }
  }
  if (serving > 1) violate("Primacy: two coordinators serve at once");
  if (w.max_served != 0 && w.max_served >= state->tso_fence()) {
    violate(
        StrCat("FenceCoversServed: served ", w.max_served, ", durable fence ", state->tso_fence()));
  }
  if (top > w.last_top) {
    // A new era: its lease starts above, and its frontiers cover, everything served.
    const metapb::Tenure& t = au.tenure();
    if (w.max_served != 0 && t.lease_start_ts() <= w.max_served) {
      violate(StrCat("Inheritance: era ", t.era(), " lease start ", t.lease_start_ts(),
                     " not above served ", w.max_served));
    }
    for (const auto& l : au.legacy().eras()) {
      if (t.frontiers().tso_fence() < l.frontiers().tso_fence()) {
        violate(StrCat("Inheritance: era ", t.era(), " behind legacy era ", l.era()));
      }
    }
    w.last_top = top;
  }
  if (!(au.sealed_through() >= au.covered_through() &&
        au.covered_through() >= au.closed_through())) {
    violate("SealedAccounted: sealed >= covered >= closed does not hold");
  }
  const uint64_t legacy_size = au.legacy().eras_size();
  if (!handing_over && au.phase() != metapb::PHASE_SEALED && legacy_size != 0) {
    violate("SealedAccounted: a legacy outside a handover");
  }
  if (legacy_size != au.sealed_through() - au.closed_through() &&
      au.phase() != metapb::PHASE_CLOSED && au.phase() != metapb::PHASE_ACTIVE) {
    violate(StrCat("SealedAccounted: legacy of ", legacy_size, " eras, sealed ",
                   au.sealed_through(), ", closed ", au.closed_through()));
  }
  return true;
}

uint64_t Fingerprint(World& w) {
  std::string s = w.meta.State()->ToProto().SerializeAsString();
  for (int n = 0; n < kNodes; ++n) {
    const Authority::Snapshot a = w.nodes[n]->snapshot();
    StrAppend(&s, "|n", a.held_era, a.serving, ",", a.lease_deadline_micros, ",", a.tso_next, ",",
              a.tso_limit, ",", a.id_next, ",", a.id_limit);
  }
  for (const Reply& r : w.inflight) {
    StrAppend(&s, "|r", r.caller, ",", r.node, ",", r.header.era(), ",",
              r.header.lease_expires_ms(), ",", r.ts);
  }
  for (int c = 0; c < kCallers; ++c) {
    StrAppend(&s, "|c", w.guards[c]->newest_era(), ",", w.guards[c]->sealed_through(), ",",
              w.caller_last[c]);
  }
  StrAppend(&s, "|", w.clock.NowUnixMillis(), ",", w.crashes, ",", w.max_served, ",",
            w.max_admitted, ",", w.last_top);
  return Hash64(s);
}

std::unique_ptr<World> Replay(const std::vector<int>& path) {
  auto w = std::make_unique<World>();
  std::string ignored;
  for (int a : path) Apply(*w, a, &ignored);
  return w;
}

std::string Trace(const std::vector<int>& path) {
  std::string out;
  for (int a : path) StrAppend(&out, out.empty() ? "" : " ", ActionName(a));
  return out;
}

// Bounded Finality: with only the coordinators and the clock running, an open handover closes
// and a coordinator serves again.
bool HandoverCompletes(const std::vector<int>& path) {
  auto w = Replay(path);
  std::string ignored;
  for (int round = 0; round < 12; ++round) {
    for (int i = 0; i < 8; ++i) {
      for (int n = 0; n < kNodes; ++n) w->nodes[n]->Step();
    }
    const auto& au = w->meta.State()->authority();
    bool serving = false;
    for (int n = 0; n < kNodes; ++n) serving |= w->nodes[n]->ServingGrant().has_value();
    if (au.phase() == metapb::PHASE_ACTIVE && au.closed_through() == au.sealed_through() &&
        serving) {
      return true;
    }
    w->clock.AdvanceMillis(kTickMs);
  }
  return false;
}

TEST(TenureModelCheckTest, EveryInterleavingKeepsTheSuccessionInvariants) {
  // CI explores to depth 12; the soak run (ctest -L soak) sets NOKV_MODEL_DEPTH=16.
  const char* env = std::getenv("NOKV_MODEL_DEPTH");
#if defined(__SANITIZE_ADDRESS__)
  const size_t default_depth = 10;  // the sanitizers slow every step several times over
#else
  const size_t default_depth = 12;
#endif
  const size_t max_depth = env != nullptr ? std::strtoul(env, nullptr, 10) : default_depth;
  std::unordered_set<uint64_t> visited;
  std::deque<std::vector<int>> frontier;
  {
    auto w = std::make_unique<World>();
    visited.insert(Fingerprint(*w));
  }
  frontier.push_back({});
  size_t transitions = 0, finality_checks = 0, depth_reached = 0;
  size_t handovers_seen = 0, silence_refusals = 0;
  while (!frontier.empty()) {
    std::vector<int> path = std::move(frontier.front());
    frontier.pop_front();
    if (path.size() >= max_depth) continue;
    for (int a = 0; a < kActions; ++a) {
      auto w = Replay(path);
      std::string violation;
      if (!Apply(*w, a, &violation)) continue;
      ++transitions;
      path.push_back(a);
      ASSERT_TRUE(violation.empty()) << violation << "\ntrace: " << Trace(path);
      const uint64_t fp = Fingerprint(*w);
      if (visited.insert(fp).second) {
        depth_reached = std::max(depth_reached, path.size());
        const auto& au = w->meta.State()->authority();
        if (au.top_era() >= 2) ++handovers_seen;
        for (auto& g : w->guards) silence_refusals += g->refused() > 0;
        if (au.phase() != metapb::PHASE_ACTIVE && au.phase() != metapb::PHASE_VACANT) {
          ++finality_checks;
          ASSERT_TRUE(HandoverCompletes(path))
              << "Finality: the handover never completes after\ntrace: " << Trace(path);
        }
        frontier.push_back(path);
      }
      path.pop_back();
    }
  }
  std::printf(
      "tenure model check (depth bound %zu): %zu distinct states, %zu transitions, depth %zu, "
      "%zu states past a handover, %zu with a refused reply, %zu finality checks\n",
      max_depth, visited.size(), transitions, depth_reached, handovers_seen, silence_refusals,
      finality_checks);
  // Non-vacuity: the exploration reached handovers and refusals, not only quiet states.
  EXPECT_GT(visited.size(), 1000u);
  EXPECT_GT(handovers_seen, 0u);
  EXPECT_GT(silence_refusals, 0u);
}

}  // namespace
}  // namespace nokv::coordinator
