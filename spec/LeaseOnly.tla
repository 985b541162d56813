------------------------------ MODULE LeaseOnly ------------------------------
(***************************************************************************)
(* CONTRAST: a lease alone.                                                *)
(*                                                                         *)
(* Authority is a time lease: when it expires the next era takes over (it  *)
(* even inherits the frontier here), but there is no seal/cover/close      *)
(* record and callers do not check the era of what they admit.             *)
(* NoOldReplyAfterSuccessor must FAIL: era 1 sends a reply, the lease      *)
(* passes to era 2, and the delayed era-1 reply is then admitted. A lease  *)
(* bounds when a holder may *act*, not when its replies *arrive*.          *)
(*                                                                         *)
(* Machine-checked twin: spec/pml/LeaseOnly.pml (counterexample required   *)
(* by spec/check.sh).                                                      *)
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

\* Admission: ANY reply that arrives is admitted.
DeliverReply(r) ==
  /\ r \in inflight
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
