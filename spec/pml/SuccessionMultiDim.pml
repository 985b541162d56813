/*
 * SuccessionMultiDim.pml -- Promela twin of spec/SuccessionMultiDim.tla
 * (positive model).
 *
 * A range lease passes from a predecessor to a successor. The predecessor
 * serves reads at per-key timestamps above its lease start; after the seal,
 * the successor is issued with a lease start strictly above every timestamp
 * the predecessor served, and accepts writes at or above its lease start.
 * Required: no write is accepted on a key at a timestamp at or below a read
 * already served on that key (the write would change what the read saw).
 *
 * Constants mirror spec/SuccessionMultiDim.cfg: keys 0..1, timestamps and
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
/* LeaseStartCoverage: the successor's lease starts strictly after every
 * timestamp the predecessor served. */
#define INV_LeaseStartCoverage (!succIssued || ((reads[0] >> succLeaseStart) == 0 && (reads[1] >> succLeaseStart) == 0))
/* Primacy: predecessor and successor never both hold the lease. */
#define INV_Primacy (!(predActive && succIssued))

/* ---- actions ---- */
#define SERVE_READ(k, t) \
  :: d_step { predActive && !sealed && t > predLeaseStart && !BIT(reads[k], t) -> \
       reads[k] = reads[k] | (1 << t); \
       printf("@ ServeRead: predecessor serves a read of key %d at ts %d\n", k, t) }
#define ISSUE_SUCCESSOR(s) \
  :: d_step { sealed && !succIssued && (reads[0] >> s) == 0 && (reads[1] >> s) == 0 -> \
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

#define PROBE_LIST \
  CHECK(probe_read_both_keys, !(reads[0] != 0 && reads[1] != 0)) \
  CHECK(probe_sealed_after_read, !(sealed && reads[0] != 0)) \
  CHECK(probe_successor_after_read, !(succIssued && succLeaseStart > 1 && reads[0] != 0)) \
  CHECK(probe_write_right_above_read, !(BIT(reads[0], 1) && BIT(writes[0], 2))) \
  CHECK(probe_write_other_key, !(reads[0] != 0 && writes[1] != 0))
#define PROBE_NAMES \
  bool probe_read_both_keys = true, probe_sealed_after_read = true, \
       probe_successor_after_read = true, probe_write_right_above_read = true, \
       probe_write_other_key = true;

/* Monitor: one named flag per property (see Succession.pml). */
#define CHECK(name, expr)  :: d_step { !(expr) -> name = false; assert(name); name = true }

active proctype Monitor() {
  bool NoWriteBehindServedRead = true, LeaseStartCoverage = true, Primacy = true;
#ifdef PROBES
  PROBE_NAMES
#endif
end_monitor:
  do
  CHECK(NoWriteBehindServedRead, INV_NoWriteBehindServedRead)
  CHECK(LeaseStartCoverage, INV_LeaseStartCoverage)
  CHECK(Primacy, INV_Primacy)
#ifdef PROBES
  PROBE_LIST
#endif
  od
}
