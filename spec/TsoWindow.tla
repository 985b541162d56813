------------------------------ MODULE TsoWindow ------------------------------
(***************************************************************************)
(* Timestamp oracle window fencing across restarts (positive model).       *)
(*                                                                         *)
(* The oracle hands out hybrid timestamps max(next, clock) -- in the code  *)
(* physical milliseconds << 18 | logical; here plain integers -- from an   *)
(* open window: only timestamps below `limit` may be handed out. Before a  *)
(* window opens, its fence is persisted in the rooted log (`durable`); the *)
(* window opens only when that persist is acknowledged. The process can    *)
(* crash at any point; a persist in flight then lands or is lost. On       *)
(* restart the clock may read anything (clocks can go backwards), `next`   *)
(* resumes from max(durable, clock) and no window is open until a new      *)
(* fence is persisted. Required: every timestamp handed out is strictly    *)
(* greater than every one handed out before -- never repeated, never       *)
(* going backwards -- across any number of restarts within the bound.     *)
(*                                                                         *)
(* Machine-checked twin: spec/pml/TsoWindow.pml.                           *)
(***************************************************************************)
EXTENDS Naturals

CONSTANTS Window,    \* how far past the next timestamp a new fence reaches
          MaxFence,  \* fences are 0..MaxFence (bounds the model)
          MaxClock,  \* clock readings are 0..MaxClock
          MaxCrash   \* at most MaxCrash crashes

None == MaxFence + 1   \* "no value" for pending and lastTs (outside 0..MaxFence)

VARIABLES
  up,        \* the oracle process is running
  next,      \* in memory: lowest timestamp not yet handed out
  limit,     \* in memory: timestamps below limit may be handed out
  durable,   \* the fence persisted in the rooted log
  pending,   \* fence whose persist is in flight, or None
  clock,     \* physical clock reading
  crashes,   \* crashes so far
  hw,        \* ghost: 1 + highest timestamp ever handed out (0 if none)
  lastTs,    \* ghost: timestamp handed out by the last step, or None
  prevHw     \* ghost: hw before that step

vars == <<up, next, limit, durable, pending, clock, crashes, hw, lastTs, prevHw>>

Max(a, b) == IF a > b THEN a ELSE b
TS == Max(next, clock)   \* the next timestamp the oracle would hand out

TypeOK ==
  /\ up \in BOOLEAN
  /\ next \in 0..MaxFence
  /\ limit \in 0..MaxFence
  /\ durable \in 0..MaxFence
  /\ pending \in 0..MaxFence \cup {None}
  /\ clock \in 0..MaxClock
  /\ crashes \in 0..MaxCrash
  /\ hw \in 0..MaxFence
  /\ lastTs \in 0..MaxFence \cup {None}
  /\ prevHw \in 0..MaxFence

Init ==
  /\ up = TRUE
  /\ next = 0 /\ limit = 0 /\ durable = 0 /\ pending = None
  /\ clock = 0 /\ crashes = 0
  /\ hw = 0 /\ lastTs = None /\ prevHw = 0

NoServe == lastTs' = None /\ prevHw' = 0

Tick ==
  /\ up /\ clock < MaxClock
  /\ clock' = clock + 1
  /\ NoServe
  /\ UNCHANGED <<up, next, limit, durable, pending, crashes, hw>>

\* Hand out TS if the open window allows it.
Serve ==
  /\ up /\ TS < limit
  /\ lastTs' = TS
  /\ prevHw' = hw
  /\ next' = TS + 1
  /\ hw' = Max(hw, TS + 1)
  /\ UNCHANGED <<up, limit, durable, pending, clock, crashes>>

\* Start persisting the fence TS + Window. The window does NOT open yet.
BeginPersist ==
  /\ up /\ pending = None
  /\ TS + Window <= MaxFence
  /\ TS + Window > durable
  /\ pending' = TS + Window
  /\ NoServe
  /\ UNCHANGED <<up, next, limit, durable, clock, crashes, hw>>

\* The persist is acknowledged: the fence is durable and the window opens.
PersistDone ==
  /\ up /\ pending /= None
  /\ durable' = Max(durable, pending)
  /\ limit' = Max(durable, pending)
  /\ pending' = None
  /\ NoServe
  /\ UNCHANGED <<up, next, clock, crashes, hw>>

\* Crash; a persist in flight either lands (CrashLanded) or is lost (CrashLost).
\* Memory is lost; the canonical zero values keep the state space small.
CrashWith(newDurable) ==
  /\ up /\ crashes < MaxCrash
  /\ up' = FALSE
  /\ durable' = newDurable
  /\ next' = 0 /\ limit' = 0 /\ clock' = 0 /\ pending' = None
  /\ crashes' = crashes + 1
  /\ NoServe
  /\ UNCHANGED hw

CrashLanded == CrashWith(IF pending = None THEN durable ELSE Max(durable, pending))
CrashLost   == pending /= None /\ CrashWith(durable)

\* Restart with clock reading c, possibly behind the clock before the crash.
Restart(c) ==
  /\ ~up
  /\ up' = TRUE
  /\ clock' = c
  /\ next' = Max(durable, c)
  /\ limit' = durable
  /\ NoServe
  /\ UNCHANGED <<durable, pending, crashes, hw>>

Next ==
  \/ Tick \/ Serve \/ BeginPersist \/ PersistDone \/ CrashLanded \/ CrashLost
  \/ \E c \in 0..MaxClock : Restart(c)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
\* The timestamp handed out by the last step is above every earlier one.
StrictlyIncreasing == lastTs = None \/ lastTs >= prevHw

\* Inductive core: everything handed out is below the durable fence ...
FenceCoversServed == hw <= durable

\* ... because the open window never reaches past the durable fence.
WindowDurable == up => limit <= durable

=============================================================================
