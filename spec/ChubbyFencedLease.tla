-------------------------- MODULE ChubbyFencedLease --------------------------
(***************************************************************************)
(* CONTRAST: Chubby-style sequencer fencing without inheritance.           *)
(*                                                                         *)
(* Every reply carries its era (a sequencer) and the caller checks it      *)
(* against the current lock generation, rejecting older eras. That stops   *)
(* stale replies: NoOldReplyAfterSuccessor HOLDS. But nothing makes a new  *)
(* era start from what the old one already handed out:                     *)
(* SuccessorCoversHistoricalFrontiers must FAIL (era 1 hands out up to 1,  *)
(* era 2 is issued at frontier 0), and with it NoRegression -- a caller    *)
(* then sees a timestamp or ID again, or one that goes backwards.          *)
(*                                                                         *)
(* Machine-checked twin: spec/pml/ChubbyFencedLease.pml (counterexample    *)
(* required by spec/check.sh).                                             *)
(***************************************************************************)
EXTENDS Naturals

CONSTANTS MaxEra,       \* eras are 1..MaxEra; era 1 holds the lease first
          MaxFrontier   \* frontiers are 0..MaxFrontier

Eras      == 1..MaxEra
Frontiers == 0..MaxFrontier
Replies   == [era : Eras, frontier : Frontiers]
NoReply   == [era |-> 0, frontier |-> 0]

VARIABLES
  activeEra,   \* era holding the lease
  frontier,    \* frontier[e]: how far era e has handed out values
  inflight,    \* replies in flight
  delivered,   \* the reply admitted by the last step (NoReply if none)
  seen         \* ghost: highest frontier any caller has admitted

vars == <<activeEra, frontier, inflight, delivered, seen>>

TypeOK ==
  /\ activeEra \in Eras
  /\ frontier \in [Eras -> Frontiers]
  /\ inflight \subseteq Replies
  /\ delivered \in Replies \cup {NoReply}
  /\ seen \in Frontiers

Init ==
  /\ activeEra = 1
  /\ frontier = [e \in Eras |-> 0]
  /\ inflight = {}
  /\ delivered = NoReply
  /\ seen = 0

\* The next era takes the lock (generation activeEra + 1) and starts from
\* ANY frontier f: nothing makes it inherit.
Issue(f) ==
  /\ activeEra < MaxEra
  /\ activeEra' = activeEra + 1
  /\ frontier' = [frontier EXCEPT ![activeEra + 1] = f]
  /\ delivered' = NoReply
  /\ UNCHANGED <<inflight, seen>>

\* The lease holder hands out values up to f.
CurrentReply(f) ==
  /\ frontier[activeEra] <= f
  /\ frontier' = [frontier EXCEPT ![activeEra] = f]
  /\ inflight' = inflight \cup {[era |-> activeEra, frontier |-> f]}
  /\ delivered' = NoReply
  /\ UNCHANGED <<activeEra, seen>>

\* Admission: the sequencer check admits only the current lock generation.
DeliverReply(r) ==
  /\ r \in inflight
  /\ r.era >= activeEra
  /\ delivered' = r
  /\ seen' = IF r.frontier > seen THEN r.frontier ELSE seen
  /\ UNCHANGED <<activeEra, frontier, inflight>>

DropReply(r) ==
  /\ r \in inflight
  /\ inflight' = inflight \ {r}
  /\ delivered' = NoReply
  /\ UNCHANGED <<activeEra, frontier, seen>>

Next ==
  \/ \E f \in Frontiers : CurrentReply(f) \/ Issue(f)
  \/ \E r \in inflight : DeliverReply(r) \/ DropReply(r)

Spec == Init /\ [][Next]_vars

\* An admitted reply never comes from an era older than the lease holder.
NoOldReplyAfterSuccessor == delivered = NoReply \/ delivered.era >= activeEra

\* No older era has handed out more than the current era starts from.
SuccessorCoversHistoricalFrontiers ==
  \A e \in Eras : e < activeEra => frontier[e] <= frontier[activeEra]

\* No caller has admitted a value beyond the current era's frontier.
NoRegression == seen <= frontier[activeEra]

=============================================================================
