/*
 * TsoWindow.pml -- Promela twin of spec/TsoWindow.tla (positive model).
 *
 * The timestamp oracle hands out hybrid timestamps max(next, clock) from a
 * window [.., limit). Before a window is used, its fence is persisted in the
 * rooted log (durable); only an acknowledged persist opens the window. The
 * process may crash at any point (an in-flight persist then lands or is
 * lost), and restarts with an arbitrary clock reading (clocks may go
 * backwards) from next = max(durable, clock) with no window open.
 * Required: every timestamp handed out is strictly greater than every one
 * handed out before, across restarts.
 *
 * Constants mirror spec/TsoWindow.cfg: window W = 2, fences <= 8,
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
/* FenceCoversServed: everything handed out is below the durable fence. */
#define INV_FenceCoversServed   (hw <= durable)
/* WindowDurable: the open window never reaches past the durable fence. */
#define INV_WindowDurable       (!up || limit <= durable)

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
  :: d_step {   /* BeginPersist: write fence TS + W to the rooted log */
       up && pending == NONE && TS + W <= MAXFENCE && TS + W > durable ->
       dTs = NONE; prevHw = 0; pending = TS + W;
       printf("@ BeginPersist: fence %d being persisted\n", pending) }
  :: d_step {   /* PersistDone: the fence is durable; only now the window opens */
       up && pending != NONE ->
       dTs = NONE; prevHw = 0; durable = MAX(durable, pending); limit = durable; pending = NONE;
       printf("@ PersistDone: fence %d durable; window opens below it\n", durable) }
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

#define PROBE_LIST \
  CHECK(probe_serve_after_restart, !(crashes > 0 && up && dTs != NONE)) \
  CHECK(probe_clock_behind_fence,  !(crashes > 0 && dTs != NONE && clock < dTs)) \
  CHECK(probe_window_exhausted,    !(up && limit > 0 && next == limit && hw == limit)) \
  CHECK(probe_two_crashes_serve,   !(crashes == MAXCRASH && dTs != NONE)) \
  CHECK(probe_serve_after_lost_persist, !(lostPersist && up && dTs != NONE))
#define PROBE_NAMES \
  bool probe_serve_after_restart = true, probe_clock_behind_fence = true, \
       probe_window_exhausted = true, probe_two_crashes_serve = true, \
       probe_serve_after_lost_persist = true;

/* Monitor: one named flag per property (see Succession.pml). */
#define CHECK(name, expr)  :: d_step { !(expr) -> name = false; assert(name); name = true }

active proctype Monitor() {
  bool StrictlyIncreasing = true, FenceCoversServed = true, WindowDurable = true;
#ifdef PROBES
  PROBE_NAMES
#endif
end_monitor:
  do
  CHECK(StrictlyIncreasing, INV_StrictlyIncreasing)
  CHECK(FenceCoversServed, INV_FenceCoversServed)
  CHECK(WindowDurable, INV_WindowDurable)
#ifdef PROBES
  PROBE_LIST
#endif
  od
}
