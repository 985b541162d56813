------------------------- MODULE SuccessionMultiDim -------------------------
(***************************************************************************)
(* Lease-start coverage across a sealed handover (positive model).         *)
(*                                                                         *)
(* A range lease passes from a predecessor to a successor. The frontier    *)
(* here has two dimensions: per key, the timestamps at which reads were    *)
(* served, and the lease start of each holder. The predecessor serves      *)
(* reads above its lease start; after the seal the successor is issued     *)
(* with a lease start strictly above every timestamp the predecessor       *)
(* served, and accepts writes at or above its lease start. Required: no    *)
(* write is accepted on a key at or below a timestamp at which a read of   *)
(* that key was already served (the read's result would change after the  *)
(* fact). This is the situation of CockroachDB issue #66562, where a new   *)
(* lease started below a timestamp the old holder had served reads at.     *)
(*                                                                         *)
(* Machine-checked twin: spec/pml/SuccessionMultiDim.pml.                  *)
(***************************************************************************)
EXTENDS Naturals

CONSTANTS MaxKey,         \* keys are 0..MaxKey
          MaxLeaseStart,  \* lease starts are 0..MaxLeaseStart
          MaxTimestamp    \* timestamps are 0..MaxTimestamp

Keys        == 0..MaxKey
Timestamps  == 0..MaxTimestamp
LeaseStarts == 0..MaxLeaseStart
Events      == [key : Keys, ts : Timestamps]

VARIABLES
  predecessorActive,      \* the predecessor holds the lease
  predecessorLeaseStart,
  servedReads,            \* reads the predecessor served
  sealed,                 \* the predecessor's lease is sealed
  successorIssued,
  successorLeaseStart,
  acceptedWrites          \* writes the successor accepted

vars == <<predecessorActive, predecessorLeaseStart, servedReads, sealed,
          successorIssued, successorLeaseStart, acceptedWrites>>

TypeOK ==
  /\ predecessorActive \in BOOLEAN
  /\ predecessorLeaseStart \in LeaseStarts
  /\ servedReads \subseteq Events
  /\ sealed \in BOOLEAN
  /\ successorIssued \in BOOLEAN
  /\ successorLeaseStart \in LeaseStarts
  /\ acceptedWrites \subseteq Events

Init ==
  /\ predecessorActive = TRUE
  /\ predecessorLeaseStart = 0
  /\ servedReads = {}
  /\ sealed = FALSE
  /\ successorIssued = FALSE
  /\ successorLeaseStart = 0
  /\ acceptedWrites = {}

ServeRead(k, t) ==
  /\ predecessorActive /\ ~sealed
  /\ t > predecessorLeaseStart
  /\ servedReads' = servedReads \cup {[key |-> k, ts |-> t]}
  /\ UNCHANGED <<predecessorActive, predecessorLeaseStart, sealed,
                 successorIssued, successorLeaseStart, acceptedWrites>>

Seal ==
  /\ predecessorActive /\ ~sealed
  /\ sealed' = TRUE
  /\ predecessorActive' = FALSE
  /\ UNCHANGED <<predecessorLeaseStart, servedReads, successorIssued,
                 successorLeaseStart, acceptedWrites>>

\* The successor's lease must start strictly after every served read.
IssueSuccessor(s) ==
  /\ sealed /\ ~successorIssued
  /\ \A r \in servedReads : s > r.ts
  /\ successorIssued' = TRUE
  /\ successorLeaseStart' = s
  /\ UNCHANGED <<predecessorActive, predecessorLeaseStart, servedReads,
                 sealed, acceptedWrites>>

\* The successor accepts writes inside its lease (at or above its start).
AcceptWrite(k, t) ==
  /\ successorIssued
  /\ t >= successorLeaseStart
  /\ acceptedWrites' = acceptedWrites \cup {[key |-> k, ts |-> t]}
  /\ UNCHANGED <<predecessorActive, predecessorLeaseStart, servedReads,
                 sealed, successorIssued, successorLeaseStart>>

Next ==
  \/ \E k \in Keys, t \in Timestamps : ServeRead(k, t)
  \/ Seal
  \/ \E s \in LeaseStarts : IssueSuccessor(s)
  \/ \E k \in Keys, t \in Timestamps : AcceptWrite(k, t)

Spec == Init /\ [][Next]_vars

-----------------------------------------------------------------------------
\* Predecessor and successor never both hold the lease.
Primacy == ~(predecessorActive /\ successorIssued)

\* Lease-start coverage: the successor's lease starts strictly after every
\* timestamp the predecessor served.
LeaseStartCoverage ==
  successorIssued => \A r \in servedReads : successorLeaseStart > r.ts

\* No write accepted on a key at or below a served read of that key.
NoWriteBehindServedRead ==
  \A w \in acceptedWrites, r \in servedReads :
    w.key = r.key => w.ts > r.ts

=============================================================================
