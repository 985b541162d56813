/*
 * TsoFenceAfterServe.pml -- Promela twin of spec/TsoFenceAfterServe.tla
 * (CONTRAST: the checker requires a counterexample).
 *
 * Same as TsoWindow.pml except for one ordering: BeginPersist opens the new
 * window at once and the fence is persisted in the background, so
 * timestamps are handed out before the fence that covers them is durable. The
 * process may crash at any point (an in-flight persist then lands or is
 * lost), and restarts with an arbitrary clock reading (clocks may go
 * backwards) from next = max(durable, clock) with no window open.
 * Required: every timestamp handed out is strictly greater than every one
 * handed out before, across restarts.
 *
 * Constants mirror spec/TsoFenceAfterServe.cfg: window W = 2, fences <= 8,
 * clock <= 4, at most 3 crashes.
 */

#define W           2
#define MAXFENCE    8
#define MAXCLOCK    4
#define MAXCRASH    3
#define NONE        255
#define CLOCKS(M)   M(0) M(1) M(2) M(3) M(4)

bool up = true;
byte next = 0;         /* in memory: lowest timestamp not yet handed out */
byte limit = 0;        /* in memory: timestamps below limit may be handed out */
byte durable = 0;      /* persisted fence */
byte pending = NONE;   /* fence whose persist is in flight */
byte clock = 0;        /* physical clock reading */
byte crashes = 0;
byte hw = 0;           /* ghost: 1 + highest timestamp ever handed out (0 = none) */
byte dTs = NONE;       /* ghost: timestamp handed out by the last step */
byte prevHw = 0;       /* ghost: hw before that step */
bool lostPersist = false; /* ghost: a crash lost an in-flight persist */

#define TS          (next > clock -> next : clock)
#define MAX(a, b)   ((a) > (b) -> (a) : (b))

/* ---- invariants ---- */
/* StrictlyIncreasing: the timestamp handed out by the last step is above every
 * timestamp handed out before it (no repeat, no going backwards). */
#define INV_StrictlyIncreasing  (dTs == NONE || dTs >= prevHw)
/* Restart(c): back up with clock reading c (possibly behind the old one). */
#define RESTART(c) \
  :: d_step { !up -> \
       dTs = NONE; prevHw = 0; up = true; clock = c; next = MAX(durable, c); limit = durable; \
       printf("@ Restart: clock reads %d; next = max(durable %d, clock %d) = %d\n", c, durable, c, next) }

active proctype Tso() {
end_tso:
  do
  :: d_step {   /* Tick: the physical clock advances */
       up && clock < MAXCLOCK ->
       dTs = NONE; prevHw = 0; clock++;
       printf("@ Tick: clock reads %d\n", clock) }
  :: d_step {   /* Serve: hand out max(next, clock) if the window allows it */
       up && TS < limit ->
       prevHw = hw; dTs = TS; next = dTs + 1; hw = MAX(hw, next);
       printf("@ Serve: timestamp %d handed out (window below %d)\n", dTs, limit) }
  :: d_step {   /* BeginPersist: open the window below TS + W now; persist later */
       up && pending == NONE && TS + W <= MAXFENCE && TS + W > durable ->
       dTs = NONE; prevHw = 0; pending = TS + W; limit = pending;
       printf("@ BeginPersist: window opens below %d; its fence is persisted in the background\n", pending) }
  :: d_step {   /* PersistDone: the fence becomes durable */
       up && pending != NONE ->
       dTs = NONE; prevHw = 0; durable = MAX(durable, pending); pending = NONE;
       printf("@ PersistDone: fence %d durable\n", durable) }
  :: d_step {   /* CrashLanded: crash; the in-flight persist (if any) lands */
       up && crashes < MAXCRASH ->
       dTs = NONE; prevHw = 0;
       if :: pending != NONE -> durable = MAX(durable, pending) :: else -> skip fi;
       up = false; next = 0; limit = 0; clock = 0; pending = NONE; crashes++;
       printf("@ Crash: process dies; durable fence is %d\n", durable) }
  :: d_step {   /* CrashLost: crash; the in-flight persist is lost */
       up && crashes < MAXCRASH && pending != NONE ->
       dTs = NONE; prevHw = 0; lostPersist = true;
       printf("@ Crash: process dies; persist of fence %d lost, durable fence is %d\n", pending, durable);
       up = false; next = 0; limit = 0; clock = 0; pending = NONE; crashes++ }
  CLOCKS(RESTART)
  od
}

/* Monitor: one named flag per property (see Succession.pml). */
#define CHECK(name, expr)  :: d_step { !(expr) -> name = false; assert(name); name = true }

active proctype Monitor() {
  bool StrictlyIncreasing = true;
end_monitor:
  do
  CHECK(StrictlyIncreasing, INV_StrictlyIncreasing)
  od
}
