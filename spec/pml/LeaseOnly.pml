/*
 * LeaseOnly.pml -- Promela twin of spec/LeaseOnly.tla (CONTRAST: the checker
 * requires a counterexample).
 *
 * Authority is a lease alone: when it expires a new era is issued (here even
 * inheriting the frontier), but there is no seal/cover/close record and no
 * reply-side guard. Callers admit any reply that reaches them. Expected
 * failure: NoOldReplyAfterSuccessor -- a delayed reply of the predecessor is
 * admitted after the successor is live.
 *
 * Constants mirror spec/LeaseOnly.cfg: eras 1..3 (era 1 holds the lease
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

#define HAS(g, f)  ((inflight[g] >> (f)) & 1)

/* NoOldReplyAfterSuccessor: an admitted reply never comes from an era older
 * than the current lease holder. */
#define INV_NoOldReplyAfterSuccessor (dEra == 0 || dEra >= top)

/* Issue(f): the lease expires and the next era takes over from frontier f. */
#define ISSUE(f) \
  :: d_step { top < G && f >= frontier[top] -> \
       dEra = 0; top++; frontier[top] = f; \
       printf("@ Issue: lease passes to era %d at frontier %d (no seal)\n", top, f) }
/* CurrentReply(f): the lease holder hands out values up to f. */
#define REPLY(f) \
  :: d_step { frontier[top] <= f -> \
       dEra = 0; frontier[top] = f; inflight[top] = inflight[top] | (1 << f); \
       printf("@ CurrentReply: era %d hands out values up to %d; reply (%d,%d) in flight\n", top, f, top, f) }
/* DeliverReply: any reply in flight is admitted (no era check). */
#define DELIVER(g, f) \
  :: d_step { HAS(g, f) -> \
       dEra = g; dF = f; \
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
  bool NoOldReplyAfterSuccessor = true;
end_monitor:
  do
  CHECK(NoOldReplyAfterSuccessor, INV_NoOldReplyAfterSuccessor)
  od
}
