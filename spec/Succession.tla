----------------------------- MODULE Succession -----------------------------
(***************************************************************************)
(* Sealed succession of a singleton control-plane duty (positive model).   *)
(*                                                                         *)
(* The coordinator's singleton duties (timestamp oracle, ID allocation,    *)
(* routing authority) are held by one numbered era (lease generation) at a *)
(* time. The serving era hands out values; its replies carry (era,         *)
(* frontier), where the frontier is how far the era has handed out values  *)
(* (allocator fences, served read timestamps). Replies sit in flight and   *)
(* may be delivered (more than once), refused, dropped or delivered late.  *)
(*                                                                         *)
(* A handover goes through explicit stages:                                *)
(*   Seal      the serving era may no longer serve;                        *)
(*   Issue     a successor era is issued whose frontier covers every       *)
(*             frontier of the sealed lineage (the "legacy");              *)
(*   Cover     the successor confirms that it covers the legacy;           *)
(*   Close     the handover is closed and the legacy retired;              *)
(*   Reattach  the successor takes up normal service.                      *)
(* A successor may fail before it reattaches (Abandon): it is sealed too,  *)
(* joins the legacy, and the next successor must cover both. A deposed     *)
(* holder may keep answering from its fenced window (ZombieReply); callers *)
(* admit a reply only if its era is not sealed.                            *)
(*                                                                         *)
(* Machine-checked twin: spec/pml/Succession.pml (spin, spec/check.sh).    *)
(***************************************************************************)
EXTENDS Naturals, FiniteSets

CONSTANTS MaxGeneration,  \* eras are 1..MaxGeneration
          MaxFrontier     \* frontiers are 0..MaxFrontier

ASSUME MaxGeneration \in Nat \ {0} /\ MaxFrontier \in Nat

Gens      == 1..MaxGeneration
Frontiers == 0..MaxFrontier
None      == 0
Phases    == {"Vacant", "Active", "Sealed", "Issued", "Covered", "Closed"}
Replies   == [gen : Gens, frontier : Frontiers]
NoReply   == [gen |-> None, frontier |-> 0]

VARIABLES
  phase,      \* stage of the authority (see Phases)
  top,        \* highest era issued so far (None before bootstrap)
  holder,     \* era serving (phase "Active"), else the last era sealed
  succ,       \* successor being handed the duty, None outside a handover
  issued,     \* eras issued
  sealed,     \* eras sealed
  covered,    \* eras some successor has confirmed to cover
  closed,     \* eras whose handover is closed
  legacy,     \* sealed eras the open handover must cover and close
  frontier,   \* frontier[g]: how far era g has handed out values
  inflight,   \* replies in flight
  delivered,  \* the reply admitted by the last step (NoReply if none)
  seen        \* ghost: highest frontier any caller has admitted

vars == <<phase, top, holder, succ, issued, sealed, covered, closed, legacy,
          frontier, inflight, delivered, seen>>
authority == <<phase, top, holder, succ, issued, sealed, covered, closed, legacy>>

TypeOK ==
  /\ phase \in Phases
  /\ top \in 0..MaxGeneration
  /\ holder \in 0..MaxGeneration
  /\ succ \in 0..MaxGeneration
  /\ issued \subseteq Gens
  /\ sealed \subseteq Gens
  /\ covered \subseteq Gens
  /\ closed \subseteq Gens
  /\ legacy \subseteq Gens
  /\ frontier \in [Gens -> Frontiers]
  /\ inflight \subseteq Replies
  /\ delivered \in Replies \cup {NoReply}
  /\ seen \in Frontiers

Init ==
  /\ phase = "Vacant"
  /\ top = None /\ holder = None /\ succ = None
  /\ issued = {} /\ sealed = {} /\ covered = {} /\ closed = {} /\ legacy = {}
  /\ frontier = [g \in Gens |-> 0]
  /\ inflight = {}
  /\ delivered = NoReply
  /\ seen = 0

-----------------------------------------------------------------------------
(* Holders *)

\* The serving era hands out values up to f and replies (holder, f).
Reply(f) ==
  /\ phase = "Active"
  /\ frontier[holder] <= f
  /\ frontier' = [frontier EXCEPT ![holder] = f]
  /\ inflight' = inflight \cup {[gen |-> holder, frontier |-> f]}
  /\ delivered' = NoReply
  /\ UNCHANGED <<authority, seen>>

\* A deposed holder still answers from inside its fenced window.
ZombieReply(g, f) ==
  /\ g \in sealed
  /\ f <= frontier[g]
  /\ [gen |-> g, frontier |-> f] \notin inflight
  /\ inflight' = inflight \cup {[gen |-> g, frontier |-> f]}
  /\ delivered' = NoReply
  /\ UNCHANGED <<authority, frontier, seen>>

Holder == \/ \E f \in Frontiers : Reply(f)
          \/ \E g \in Gens, f \in Frontiers : ZombieReply(g, f)

-----------------------------------------------------------------------------
(* Callers and the network *)

\* Closure-aware admission: a reply is admitted only if its era is not
\* sealed. It stays in flight, so it may be delivered again.
DeliverReply(r) ==
  /\ r \in inflight
  /\ r.gen \notin sealed
  /\ delivered' = r
  /\ seen' = IF r.frontier > seen THEN r.frontier ELSE seen
  /\ UNCHANGED <<authority, frontier, inflight>>

\* A caller refuses a reply whose era is sealed.
RejectReply(r) ==
  /\ r \in inflight
  /\ r.gen \in sealed
  /\ inflight' = inflight \ {r}
  /\ delivered' = NoReply
  /\ UNCHANGED <<authority, frontier, seen>>

\* The network loses a reply.
DropReply(r) ==
  /\ r \in inflight
  /\ inflight' = inflight \ {r}
  /\ delivered' = NoReply
  /\ UNCHANGED <<authority, frontier, seen>>

Network == \E r \in inflight : DeliverReply(r) \/ RejectReply(r) \/ DropReply(r)

-----------------------------------------------------------------------------
(* Handover stages *)

\* The first era is issued from the rooted log.
Bootstrap ==
  /\ phase = "Vacant"
  /\ phase' = "Active"
  /\ top' = 1 /\ holder' = 1 /\ issued' = {1}
  /\ delivered' = NoReply
  /\ UNCHANGED <<succ, sealed, covered, closed, legacy, frontier, inflight, seen>>

\* The serving era is sealed. (top < MaxGeneration only bounds the model:
\* a successor era must be left.)
Seal ==
  /\ phase = "Active"
  /\ top < MaxGeneration
  /\ sealed' = sealed \cup {holder}
  /\ legacy' = legacy \cup {holder}
  /\ phase' = "Sealed"
  /\ delivered' = NoReply
  /\ UNCHANGED <<top, holder, succ, issued, covered, closed, frontier, inflight, seen>>

\* A successor era is issued; its frontier f inherits (is >=) every legacy
\* frontier.
Issue(f) ==
  /\ phase = "Sealed"
  /\ top < MaxGeneration
  /\ \A g \in legacy : frontier[g] <= f
  /\ top' = top + 1
  /\ issued' = issued \cup {top + 1}
  /\ succ' = top + 1
  /\ frontier' = [frontier EXCEPT ![top + 1] = f]
  /\ phase' = "Issued"
  /\ delivered' = NoReply
  /\ UNCHANGED <<holder, sealed, covered, closed, legacy, inflight, seen>>

\* The successor confirms that its frontier covers every legacy era.
Cover ==
  /\ phase = "Issued"
  /\ \A g \in legacy : frontier[succ] >= frontier[g]
  /\ covered' = covered \cup legacy
  /\ phase' = "Covered"
  /\ delivered' = NoReply
  /\ UNCHANGED <<top, holder, succ, issued, sealed, closed, legacy, frontier, inflight, seen>>

\* The handover is closed; the legacy is retired.
Close ==
  /\ phase = "Covered"
  /\ closed' = closed \cup legacy
  /\ legacy' = {}
  /\ phase' = "Closed"
  /\ delivered' = NoReply
  /\ UNCHANGED <<top, holder, succ, issued, sealed, covered, frontier, inflight, seen>>

\* The successor takes up normal service.
Reattach ==
  /\ phase = "Closed"
  /\ holder' = succ
  /\ succ' = None
  /\ phase' = "Active"
  /\ delivered' = NoReply
  /\ UNCHANGED <<top, issued, sealed, covered, closed, legacy, frontier, inflight, seen>>

\* The successor fails before it reattaches: it is sealed and joins the legacy.
Abandon ==
  /\ phase \in {"Issued", "Covered", "Closed"}
  /\ top < MaxGeneration
  /\ sealed' = sealed \cup {succ}
  /\ legacy' = legacy \cup {succ}
  /\ succ' = None
  /\ phase' = "Sealed"
  /\ delivered' = NoReply
  /\ UNCHANGED <<top, holder, issued, covered, closed, frontier, inflight, seen>>

Handover == \/ Bootstrap \/ Seal \/ (\E f \in Frontiers : Issue(f))
            \/ Cover \/ Close \/ Reattach \/ Abandon

Next == Holder \/ Network \/ Handover

Spec == Init /\ [][Next]_vars

\* Finality needs the control plane to keep making progress: weak fairness
\* on the handover as a whole (the Promela twin uses spin's weak fairness
\* over its Handover process, which is the same assumption).
FairSpec == Spec /\ WF_vars(Handover)

-----------------------------------------------------------------------------
(* Properties *)

Live    == {g \in issued : g \notin sealed}
Current == IF phase = "Active" THEN holder
           ELSE IF phase \in {"Issued", "Covered", "Closed"} THEN succ
           ELSE None

\* Primacy: at most one issued, unsealed era.
Primacy == Cardinality(Live) <= 1

\* Inductive form: every issued era other than the current one is sealed.
PrimacyInductive == \A g \in issued : g = Current \/ g \in sealed

THEOREM PrimacyLemma == Spec => [](PrimacyInductive => Primacy)
  \* Live \subseteq {Current} because every other issued era is sealed.

\* Inheritance: every era issued after a covered era has a frontier at least
\* as far (no TSO / ID regression through a handover).
Inheritance ==
  \A h \in covered : \A g \in issued : g > h => frontier[g] >= frontier[h]

\* Silence: no admitted reply comes from a sealed era.
Silence == delivered = NoReply \/ delivered.gen \notin sealed

\* Safety half of Finality: a sealed era is in the open handover's legacy,
\* covered or closed, and closed eras are covered.
SealedAccounted ==
  /\ \A g \in sealed : g \in legacy \/ g \in covered \/ g \in closed
  /\ closed \subseteq covered

\* End to end: no caller has admitted a value beyond the newest era's frontier.
NoRegression == top = None \/ seen <= frontier[top]

\* Finality: every sealed era is eventually covered or closed.
Finality == \A g \in Gens : (g \in sealed) ~> (g \in covered \/ g \in closed)

=============================================================================
