-------------------------- MODULE TsoFenceAfterServe --------------------------
(***************************************************************************)
(* CONTRAST: the window opens before its fence is durable.                 *)
(*                                                                         *)
(* Same as TsoWindow except for one ordering: BeginPersist opens the new   *)
(* window at once and the fence is persisted in the background, so         *)
(* timestamps are handed out before the fence covering them is durable.    *)
(* StrictlyIncreasing must FAIL: the window opens below 2, timestamp 0 is  *)
(* handed out, the process crashes and the persist of fence 2 is lost;     *)
(* after the restart next = max(durable 0, clock 0) = 0, a window opens    *)
(* again and timestamp 0 is handed out a second time.                      *)
(*                                                                         *)
(* Machine-checked twin: spec/pml/TsoFenceAfterServe.pml (counterexample   *)
(* required by spec/check.sh).                                             *)
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

\* Open the window below TS + Window now; persist its fence in the background.
BeginPersist ==
  /\ up /\ pending = None
  /\ TS + Window <= MaxFence
  /\ TS + Window > durable
  /\ pending' = TS + Window
  /\ limit' = TS + Window
  /\ NoServe
  /\ UNCHANGED <<up, next, durable, clock, crashes, hw>>

\* The persist is acknowledged: the fence becomes durable.
PersistDone ==
  /\ up /\ pending /= None
  /\ durable' = Max(durable, pending)
  /\ pending' = None
  /\ NoServe
  /\ UNCHANGED <<up, next, limit, clock, crashes, hw>>

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

=============================================================================
