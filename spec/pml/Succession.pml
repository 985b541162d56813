/*
 * Succession.pml -- Promela twin of spec/Succession.tla (positive model).
 *
 * A singleton duty (TSO, ID allocation, routing authority) is held by one
 * numbered era at a time. The serving era hands out values and sends replies
 * (era, frontier); replies stay in flight until delivered, refused or
 * dropped, and a delivered reply may be delivered again (duplicates). A
 * handover seals the serving era, issues a successor that inherits every
 * frontier of the sealed lineage, covers, closes and reattaches. A successor
 * may fail before it reattaches (Abandon): it is sealed too and the next
 * successor covers both. A deposed holder may keep answering from its fenced
 * window (ZombieReply).
 *
 * Constants mirror spec/Succession.cfg: eras 1..3, frontiers 0..2. Every
 * action is one d_step, so one Promela transition is one TLA+ action; the
 * quantifiers of the TLA+ spec are the ERAS/VALUES/REPLIES enumerations.
 *
 * Processes: Holder (era holders, current and deposed), Network (callers
 * admitting or refusing replies), Handover (the control plane's stages) and
 * Monitor (one assert per safety invariant, checked in every reachable state).
 * Finality is the LTL property `finality`, checked by acceptance-cycle search
 * under weak fairness (pan -a -f).
 *
 * -DPROBES adds reachability probes: assertions that interesting states never
 * occur. The checker expects each of them to FAIL, which shows the states are
 * reached and the invariants are not vacuously true.
 */

#define G     3   /* eras 1..G (0 = none) */
#define MAXF  2   /* frontier values 0..MAXF */
#define ERAS(M)     M(1) M(2) M(3)
#define VALUES(M)   M(0) M(1) M(2)
#define REPLIES(M)  M(1,0) M(1,1) M(1,2) M(2,0) M(2,1) M(2,2) M(3,0) M(3,1) M(3,2)
#define ALL_ERAS(P, x)  (P(1, x) && P(2, x) && P(3, x))

/* handover phase */
#define VACANT   0  /* nothing issued yet */
#define ACTIVE   1  /* era `holder` serves */
#define SEALED   2  /* `holder` sealed; no successor issued yet */
#define ISSUED   3  /* successor `succ` issued with the inherited frontier */
#define COVERED  4  /* succ confirmed to cover every legacy era */
#define CLOSED   5  /* legacy eras closed; succ not serving yet */

byte phase = VACANT;
byte top = 0;          /* highest era issued so far */
byte holder = 0;       /* era serving (phase ACTIVE) or the last one sealed */
byte succ = 0;         /* successor being handed the duty (0 = none) */
bool issued[G + 1];
bool sealed[G + 1];
bool covered[G + 1];
bool closed[G + 1];
bool legacy[G + 1];    /* sealed eras the open handover must cover and close */
byte frontier[G + 1];  /* how far each era has handed out values */
byte inflight[G + 1];  /* bit f of inflight[g]: a reply (g, f) is in flight */
byte dGen = 0;         /* era of the reply admitted by the last step (0 = none) */
byte dF = 0;           /* its frontier */
byte seen = 0;         /* ghost: highest frontier any caller has admitted */
bool rejected = false; /* ghost: a caller refused a sealed era's reply */
bool abandoned = false;/* ghost: a successor failed before reattaching */

#define HAS(g, f)  ((inflight[g] >> (f)) & 1)
#define LIVE(g)    (issued[g] && !sealed[g])
#define CUR        (phase == ACTIVE -> holder : (phase >= ISSUED -> succ : 0))

/* ---- invariants (each checked by Monitor) ---- */
/* Primacy: at most one issued, unsealed era. */
#define INV_Primacy    ((LIVE(1) + LIVE(2) + LIVE(3)) <= 1)
/* PrimacyInductive: every issued era other than the current one is sealed. */
#define PI(g)      (!issued[g] || g == CUR || sealed[g])
#define INV_PrimacyInductive (PI(1) && PI(2) && PI(3))
/* Inheritance: every era issued after a covered era h has frontier >= h's. */
#define INH(h, g)  (!covered[h] || !issued[g] || frontier[g] >= frontier[h])
#define INV_Inheritance (INH(1, 2) && INH(1, 3) && INH(2, 3))
/* Silence: no admitted reply comes from a sealed era. */
#define INV_Silence    (dGen == 0 || !sealed[dGen])
/* SealedAccounted (safety half of Finality): a sealed era is in the open
 * handover's legacy, covered or closed; closed implies covered. */
#define ACC(g)     ((!sealed[g] || legacy[g] || covered[g] || closed[g]) && (!closed[g] || covered[g]))
#define INV_SealedAccounted (ACC(1) && ACC(2) && ACC(3))
/* NoRegression: no caller has admitted a value above the newest era's frontier. */
#define INV_NoRegression (top == 0 || seen <= frontier[top])

/* ---- reachability probes (compiled in with -DPROBES) ----
 * Each probe claims that an interesting state is never reached. The checker
 * runs them with pan -c0 and expects every one of them to be violated, which
 * shows the state is reached and the invariants are not vacuously true. */
#define PROBE_LIST \
  CHECK(probe_seal,      !(phase == SEALED)) \
  CHECK(probe_cover,     !(phase == COVERED)) \
  CHECK(probe_close,     !(phase == CLOSED)) \
  CHECK(probe_reattach,  !(phase == ACTIVE && holder > 1)) \
  CHECK(probe_delivery,  !(dGen > 1 && seen == MAXF)) \
  CHECK(probe_stale_inflight, !(phase == ACTIVE && holder > 1 && inflight[1] != 0)) \
  CHECK(probe_refused,   !(rejected && phase == ACTIVE && holder > 1)) \
  CHECK(probe_abandon_recovered, !(abandoned && phase == ACTIVE && holder == 3 && covered[1] && covered[2])) \
  CHECK(probe_inherit,   !(phase == ACTIVE && holder > 1 && frontier[1] == MAXF && seen == MAXF))
#define PROBE_NAMES \
  bool probe_seal = true, probe_cover = true, probe_close = true, probe_reattach = true, \
       probe_delivery = true, probe_stale_inflight = true, probe_refused = true, \
       probe_abandon_recovered = true, probe_inherit = true;

/* ---- Holder ---- */
/* Reply(f): the serving era hands out values up to f and replies (holder, f). */
#define REPLY(f) \
  :: d_step { phase == ACTIVE && frontier[holder] <= f -> \
       dGen = 0; frontier[holder] = f; inflight[holder] = inflight[holder] | (1 << f); \
       printf("@ Reply: era %d hands out values up to %d; reply (%d,%d) in flight\n", holder, f, holder, f) }
/* ZombieReply(g, f): a deposed holder still answers from its fenced window. */
#define ZOMBIE(g, f) \
  :: d_step { sealed[g] && f <= frontier[g] && !HAS(g, f) -> \
       dGen = 0; inflight[g] = inflight[g] | (1 << f); \
       printf("@ ZombieReply: sealed era %d still answers; reply (%d,%d) in flight\n", g, g, f) }

active proctype Holder() {
end_holder:
  do
  VALUES(REPLY)
  REPLIES(ZOMBIE)
  od
}

/* ---- Network / callers ---- */
/* DeliverReply: admitted only if its era is not sealed; it stays in flight. */
#define DELIVER(g, f) \
  :: d_step { HAS(g, f) && !sealed[g] -> \
       dGen = g; dF = f; seen = (f > seen -> f : seen); \
       printf("@ DeliverReply: caller admits (%d,%d)\n", g, f) }
/* RejectReply: a caller refuses a reply whose era is sealed. */
#define REJECT(g, f) \
  :: d_step { HAS(g, f) && sealed[g] -> \
       dGen = 0; inflight[g] = inflight[g] & ~(1 << f); rejected = true; \
       printf("@ RejectReply: caller refuses (%d,%d), era %d is sealed\n", g, f, g) }
/* DropReply: the network loses a reply. */
#define DROP(g, f) \
  :: d_step { HAS(g, f) -> \
       dGen = 0; inflight[g] = inflight[g] & ~(1 << f); \
       printf("@ DropReply: (%d,%d) lost\n", g, f) }

active proctype Network() {
end_network:
  do
  REPLIES(DELIVER)
  REPLIES(REJECT)
  REPLIES(DROP)
  od
}

/* ---- Handover ---- */
#define LEGACY_LE(g, f)  (!legacy[g] || frontier[g] <= f)
#define COVERS(g, s)     (!legacy[g] || frontier[s] >= frontier[g])
#define MARK_COVERED(g)  covered[g] = (covered[g] || legacy[g]);
#define MARK_CLOSED(g)   closed[g] = (closed[g] || legacy[g]); legacy[g] = false;
/* Issue(f): a successor era is issued with frontier f >= every legacy frontier.
 * -DMUTANT_NO_INHERIT drops that requirement; the checker uses the mutant to
 * show that the Finality check does detect a handover that cannot finish. */
#ifdef MUTANT_NO_INHERIT
#define ISSUE_OK(f)  true
#else
#define ISSUE_OK(f)  ALL_ERAS(LEGACY_LE, f)
#endif
#define ISSUE(f) \
  :: d_step { phase == SEALED && top < G && ISSUE_OK(f) -> \
       dGen = 0; top++; issued[top] = true; succ = top; frontier[top] = f; phase = ISSUED; \
       printf("@ Issue: successor era %d issued at frontier %d\n", top, f) }

active proctype Handover() {
end_handover:
  do
  :: d_step {   /* Bootstrap: the first era is issued from the rooted log */
       phase == VACANT ->
       dGen = 0; top = 1; issued[1] = true; holder = 1; phase = ACTIVE;
       printf("@ Bootstrap: era 1 issued and serving\n") }
  :: d_step {   /* Seal: the serving era may no longer serve */
       phase == ACTIVE && top < G ->
       dGen = 0; sealed[holder] = true; legacy[holder] = true; phase = SEALED;
       printf("@ Seal: era %d sealed at frontier %d\n", holder, frontier[holder]) }
  VALUES(ISSUE)
  :: d_step {   /* Cover: succ's frontier covers every legacy era */
       phase == ISSUED && ALL_ERAS(COVERS, succ) ->
       dGen = 0; ERAS(MARK_COVERED) phase = COVERED;
       printf("@ Cover: era %d covers the legacy\n", succ) }
  :: d_step {   /* Close: the handover is closed; the legacy is retired */
       phase == COVERED ->
       dGen = 0; ERAS(MARK_CLOSED) phase = CLOSED;
       printf("@ Close: handover to era %d closed\n", succ) }
  :: d_step {   /* Reattach: the successor takes up normal service */
       phase == CLOSED ->
       dGen = 0; holder = succ; succ = 0; phase = ACTIVE;
       printf("@ Reattach: era %d serves\n", holder) }
  :: d_step {   /* Abandon: the successor fails before reattaching; seal it too */
       phase >= ISSUED && top < G ->
       dGen = 0; sealed[succ] = true; legacy[succ] = true; abandoned = true;
       printf("@ Abandon: successor era %d fails before reattaching; sealed\n", succ);
       succ = 0; phase = SEALED }
  od
}

/* Monitor: one named flag per property; a failing check clears the flag, so
 * pan reports "assertion violated <name>", and restores it (for pan -c0). */
#define CHECK(name, expr)  :: d_step { !(expr) -> name = false; assert(name); name = true }

active proctype Monitor() {
  bool Primacy = true, PrimacyInductive = true, Inheritance = true, Silence = true,
       SealedAccounted = true, NoRegression = true;
#ifdef PROBES
  PROBE_NAMES
#endif
end_monitor:
  do
  CHECK(Primacy, INV_Primacy)
  CHECK(PrimacyInductive, INV_PrimacyInductive)
  CHECK(Inheritance, INV_Inheritance)
  CHECK(Silence, INV_Silence)
  CHECK(SealedAccounted, INV_SealedAccounted)
  CHECK(NoRegression, INV_NoRegression)
#ifdef PROBES
  PROBE_LIST
#endif
  od
}

/* Finality: every sealed era is eventually covered or closed. Era 3 is never
 * sealed within the bound (no successor era is left for it). */
ltl finality {
  [] ((sealed[1] -> <> (covered[1] || closed[1])) &&
      (sealed[2] -> <> (covered[2] || closed[2])))
}
