/*
 * LeaseStartOnly.pml -- Promela twin of spec/LeaseStartOnly.tla (CONTRAST:
 * the checker requires a counterexample).
 *
 * Same as SuccessionMultiDim.pml except that IssueSuccessor may pick any
 * lease start: the handover is sealed, but the successor's lease start is not
 * required to cover the timestamps the predecessor served. Expected failure:
 * NoWriteBehindServedRead (a write accepted at or below a served read).
 *
 * Constants mirror spec/LeaseStartOnly.cfg: keys 0..1, timestamps and
 * lease starts 0..3. reads[k] / writes[k] are bitmasks over timestamps.
 */

#define MAXTS  3
#define KEYS(M)     M(0) M(1)
#define TSS(M)      M(0) M(1) M(2) M(3)
#define KEYTS(M)    M(0,0) M(0,1) M(0,2) M(0,3) M(1,0) M(1,1) M(1,2) M(1,3)

bool predActive = true;   /* the predecessor holds the lease */
byte predLeaseStart = 0;
bool sealed = false;
bool succIssued = false;
byte succLeaseStart = 0;
byte reads[2];            /* bit t of reads[k]: a read of key k at t was served */
byte writes[2];           /* bit t of writes[k]: a write of key k at t was accepted */

#define BIT(m, t)  (((m) >> (t)) & 1)

/* ---- invariants ---- */
/* NoWriteBehindServedRead: for every key, each accepted write timestamp is
 * strictly above every served read timestamp ((reads[k] >> w) == 0). */
#define WB(k, w)  (!BIT(writes[k], w) || (reads[k] >> (w)) == 0)
#define WBK(k)    (WB(k, 0) && WB(k, 1) && WB(k, 2) && WB(k, 3))
#define INV_NoWriteBehindServedRead (WBK(0) && WBK(1))
/* Primacy: predecessor and successor never both hold the lease. */
#define INV_Primacy (!(predActive && succIssued))

/* ---- actions ---- */
#define SERVE_READ(k, t) \
  :: d_step { predActive && !sealed && t > predLeaseStart && !BIT(reads[k], t) -> \
       reads[k] = reads[k] | (1 << t); \
       printf("@ ServeRead: predecessor serves a read of key %d at ts %d\n", k, t) }
#define ISSUE_SUCCESSOR(s) \
  :: d_step { sealed && !succIssued -> \
       succIssued = true; succLeaseStart = s; \
       printf("@ IssueSuccessor: successor lease starts at %d\n", s) }
#define ACCEPT_WRITE(k, t) \
  :: d_step { succIssued && t >= succLeaseStart && !BIT(writes[k], t) -> \
       writes[k] = writes[k] | (1 << t); \
       printf("@ AcceptWrite: successor accepts a write of key %d at ts %d\n", k, t) }

active proctype Lease() {
end_lease:
  do
  KEYTS(SERVE_READ)
  :: d_step { predActive && !sealed ->
       sealed = true; predActive = false;
       printf("@ Seal: predecessor lease sealed\n") }
  TSS(ISSUE_SUCCESSOR)
  KEYTS(ACCEPT_WRITE)
  od
}

/* Monitor: one named flag per property (see Succession.pml). */
#define CHECK(name, expr)  :: d_step { !(expr) -> name = false; assert(name); name = true }

active proctype Monitor() {
  bool NoWriteBehindServedRead = true, Primacy = true;
end_monitor:
  do
  CHECK(NoWriteBehindServedRead, INV_NoWriteBehindServedRead)
  CHECK(Primacy, INV_Primacy)
  od
}
