/*
 * ChubbyFencedLease.pml -- Promela twin of spec/ChubbyFencedLease.tla
 * (CONTRAST: the checker requires a counterexample).
 *
 * Chubby-style sequencers: every reply carries its era and the caller checks
 * it against the current lock generation, rejecting older eras. Stale replies
 * are stopped (NoOldReplyAfterSuccessor holds), but nothing makes a new era
 * inherit what the old one already handed out. Expected failure:
 * SuccessorCoversHistoricalFrontiers (and with it NoRegression: a TSO or ID
 * value handed out again).
 *
 * Constants mirror spec/ChubbyFencedLease.cfg: eras 1..3 (era 1 holds the lease
 * initially), frontiers 0..2.
 */

#define G     3
#define MAXF  2
#define VALUES(M)   M(0) M(1) M(2)
#define REPLIES(M)  M(1,0) M(1,1) M(1,2) M(2,0) M(2,1) M(2,2) M(3,0) M(3,1) M(3,2)

byte top = 1;          /* era holding the lease */
byte frontier[G + 1];
byte inflight[G + 1];  /* bit f of inflight[g]: a reply (g, f) is in flight */
byte dEra = 0;         /* era of the reply admitted by the last step (0 = none) */
byte dF = 0;
byte seen = 0;         /* ghost: highest frontier any caller has admitted */

#define HAS(g, f)  ((inflight[g] >> (f)) & 1)

/* NoOldReplyAfterSuccessor: an admitted reply never comes from an era older
 * than the current lease holder. */
#define INV_NoOldReplyAfterSuccessor (dEra == 0 || dEra >= top)
/* SuccessorCoversHistoricalFrontiers: no older era has a frontier above the
 * current era's. */
#define CV(e)  (e >= top || frontier[e] <= frontier[top])
#define INV_SuccessorCoversHistoricalFrontiers (CV(1) && CV(2))
/* NoRegression: no caller has admitted a value above the current frontier. */
#define INV_NoRegression (seen <= frontier[top])

/* Issue(f): the next era takes over from any frontier f (no inheritance). */
#define ISSUE(f) \
  :: d_step { top < G -> \
       dEra = 0; top++; frontier[top] = f; \
       printf("@ Issue: lease passes to era %d at frontier %d (lock generation %d)\n", top, f, top) }
/* CurrentReply(f): the lease holder hands out values up to f. */
#define REPLY(f) \
  :: d_step { frontier[top] <= f -> \
       dEra = 0; frontier[top] = f; inflight[top] = inflight[top] | (1 << f); \
       printf("@ CurrentReply: era %d hands out values up to %d; reply (%d,%d) in flight\n", top, f, top, f) }
/* DeliverReply: the sequencer check admits only the current generation. */
#define DELIVER(g, f) \
  :: d_step { HAS(g, f) && g >= top -> \
       dEra = g; dF = f; seen = (f > seen -> f : seen); \
       printf("@ DeliverReply: caller admits (%d,%d) while era %d holds the lease\n", g, f, top) }
#define DROP(g, f) \
  :: d_step { HAS(g, f) -> \
       dEra = 0; inflight[g] = inflight[g] & ~(1 << f); \
       printf("@ DropReply: (%d,%d) lost\n", g, f) }

active proctype System() {
end_system:
  do
  VALUES(REPLY)
  VALUES(ISSUE)
  REPLIES(DELIVER)
  REPLIES(DROP)
  od
}

/* Monitor: one named flag per property (see Succession.pml). */
#define CHECK(name, expr)  :: d_step { !(expr) -> name = false; assert(name); name = true }

active proctype Monitor() {
  bool NoOldReplyAfterSuccessor = true, SuccessorCoversHistoricalFrontiers = true,
       NoRegression = true;
end_monitor:
  do
  CHECK(NoOldReplyAfterSuccessor, INV_NoOldReplyAfterSuccessor)
  CHECK(SuccessorCoversHistoricalFrontiers, INV_SuccessorCoversHistoricalFrontiers)
  CHECK(NoRegression, INV_NoRegression)
  od
}
