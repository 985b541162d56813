---------------------------- MODULE LeaseStartOnly ----------------------------
(***************************************************************************)
(* CONTRAST: lease start chosen freely.                                    *)
(*                                                                         *)
(* Same as SuccessionMultiDim, except that IssueSuccessor may pick any     *)
(* lease start: the handover is sealed, but nothing ties the successor's   *)
(* lease start to the timestamps the predecessor already served.           *)
(* NoWriteBehindServedRead must FAIL: the predecessor serves a read of key *)
(* 0 at ts 1, the lease is sealed, the successor starts its lease at 0 and *)
(* accepts a write of key 0 at ts 0 -- behind the served read.             *)
(*                                                                         *)
(* Machine-checked twin: spec/pml/LeaseStartOnly.pml (counterexample       *)
(* required by spec/check.sh).                                             *)
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

\* The successor may start its lease at any time.
IssueSuccessor(s) ==
  /\ sealed /\ ~successorIssued
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

\* No write accepted on a key at or below a served read of that key.
NoWriteBehindServedRead ==
  \A w \in acceptedWrites, r \in servedReads :
    w.key = r.key => w.ts > r.ts

=============================================================================
