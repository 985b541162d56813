------------------------------ MODULE TokenOnly ------------------------------
(***************************************************************************)
(* CONTRAST: freshness tokens instead of authority.                        *)
(*                                                                         *)
(* Like LeaseOnly, but a caller admits a reply only if its frontier is     *)
(* fresh enough: within LagBudget of the current holder's frontier. The    *)
(* era lineage is ignored. NoOldReplyAfterSuccessor must FAIL: era 1       *)
(* replies at frontier 0, era 2 takes over at frontier 0, and the era-1    *)
(* reply passes the freshness check. Bounded staleness is not authority.   *)
(*                                                                         *)
(* Machine-checked twin: spec/pml/TokenOnly.pml (counterexample required   *)
(* by spec/check.sh).                                                      *)
(***************************************************************************)
EXTENDS Naturals

CONSTANTS MaxEra,       \* eras are 1..MaxEra; era 1 holds the lease first
          MaxFrontier,  \* frontiers are 0..MaxFrontier
          LagBudget     \* how far behind the current frontier a reply may be

Eras      == 1..MaxEra
Frontiers == 0..MaxFrontier
Replies   == [era : Eras, frontier : Frontiers]
NoReply   == [era |-> 0, frontier |-> 0]

VARIABLES
  activeEra,   \* era holding the lease
  frontier,    \* frontier[e]: how far era e has handed out values
  inflight,    \* replies in flight
  delivered    \* the reply admitted by the last step (NoReply if none)

vars == <<activeEra, frontier, inflight, delivered>>

TypeOK ==
  /\ activeEra \in Eras
  /\ frontier \in [Eras -> Frontiers]
  /\ inflight \subseteq Replies
  /\ delivered \in Replies \cup {NoReply}

Init ==
  /\ activeEra = 1
  /\ frontier = [e \in Eras |-> 0]
  /\ inflight = {}
  /\ delivered = NoReply

\* The lease expires and the next era takes over from frontier f.
Issue(f) ==
  /\ activeEra < MaxEra
  /\ f >= frontier[activeEra]
  /\ activeEra' = activeEra + 1
  /\ frontier' = [frontier EXCEPT ![activeEra + 1] = f]
  /\ delivered' = NoReply
  /\ UNCHANGED inflight

\* The lease holder hands out values up to f.
CurrentReply(f) ==
  /\ frontier[activeEra] <= f
  /\ frontier' = [frontier EXCEPT ![activeEra] = f]
  /\ inflight' = inflight \cup {[era |-> activeEra, frontier |-> f]}
  /\ delivered' = NoReply
  /\ UNCHANGED activeEra

\* Admission: a reply is admitted if its frontier is fresh enough.
DeliverReply(r) ==
  /\ r \in inflight
  /\ r.frontier + LagBudget >= frontier[activeEra]
  /\ delivered' = r
  /\ UNCHANGED <<activeEra, frontier, inflight>>

DropReply(r) ==
  /\ r \in inflight
  /\ inflight' = inflight \ {r}
  /\ delivered' = NoReply
  /\ UNCHANGED <<activeEra, frontier>>

Next ==
  \/ \E f \in Frontiers : CurrentReply(f) \/ Issue(f)
  \/ \E r \in inflight : DeliverReply(r) \/ DropReply(r)

Spec == Init /\ [][Next]_vars

\* An admitted reply never comes from an era older than the lease holder.
NoOldReplyAfterSuccessor == delivered = NoReply \/ delivered.era >= activeEra

=============================================================================
