// Faults and power cuts at every VFS operation of a scenario (Pebble's errorfs pattern).
//
// The scenario, on FaultFS over MemVFS: create a DB, write enough to rotate WAL segments and
// flush memtables, Flush, CompactRange, write more, Close; leave a torn record at the end of
// the newest WAL segment (what a crash mid-append leaves); reopen (replay, truncation of the
// torn tail, flush at recovery, a new MANIFEST), write, read, Close; then create and destroy a
// second DB. Counting its operations gives N. Then, for every i in 1..N:
//   - error sweep: operation i fails (EIO, ENOSPC; appends also as a torn short write). Every
//     call must return OK or a clean error (the scenario stops at the first one). With the
//     fault cleared, the DB must reopen and show every acknowledged write (no power was lost,
//     so sync=false writes count too);
//   - crash-point sweep: the power fails at operation i (pessimistic and partial images).
//     The DB must reopen and show every sync-acknowledged write.
// Every FaultFS operation kind must have been injected at least once.
//
// Bugs this catches (each shown once by breaking the code): a CURRENT swap whose failed
// directory fsync deletes the MANIFEST CURRENT names (the workdir would not reopen), a torn-tail
// truncation not fsynced before the next segment exists, a WAL segment created before its
// predecessor is fsynced, a failed fsync retried into success (fsyncgate), an edit applied in
// memory after its MANIFEST append failed.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/format/filenames.h"
#include "engine/vfs/fault_fs.h"
#include "engine/vfs/mem_vfs.h"
#include "gtest/gtest.h"
#include "nokv/db.h"
#include "src/util/clock.h"
#include "src/util/random.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"
#include "tests/util/crash_workload.h"
#include "tests/util/durability_oracle.h"

namespace nokv {
namespace {

using test::DurabilityOracle;
using test::StillWallClock;

Options ScenarioOptions(VFS* vfs, Clock* clock) {
  Options o;
  o.vfs = vfs;
  o.clock = clock;
  // Small enough that the scenario rotates WAL segments, flushes and compacts; large enough
  // that it stays near a thousand operations (the sweeps run it thousands of times).
  o.memtable_bytes = 4 << 10;
  o.wal_segment_bytes = 4 << 10;
  o.target_file_bytes = 8 << 10;
  o.block_bytes = 2048;
  o.l0_compaction_trigger = 2;
  o.l0_slowdown_trigger = 8;
  o.l0_stop_trigger = 12;
  o.max_immutable_memtables = 2;
  o.block_cache_bytes = 64 << 10;
  return o;
}

// Runs the scenario until its first failure. Writes go through `oracle` (client 0).
void RunScenario(FaultFS* fs, MemVFS* disk, StillWallClock* clock, DurabilityOracle* oracle) {
  Options o = ScenarioOptions(fs, clock);
  test::WorkloadOptions workload;
  workload.large_values = false;
  Random rng(42);  // the same scenario every time: operation i is the same operation
  uint64_t index = 0;
  auto write_some = [&](DB* db, int n) {
    for (int i = 0; i < n; ++i) {
      test::WorkloadWrite w =
          test::GenerateWrite(&rng, workload, 0, index++, clock->NowUnixMillis());
      const size_t at = oracle->Begin(0, w.ops, w.sync);
      if (!test::ExecuteWrite(db, w).ok()) return false;
      oracle->Acknowledge(0, at);
    }
    return true;
  };
  {
    auto db = DB::Open(o, "/db");
    if (!db.ok()) return;
    if (!write_some(db->get(), 120)) return;
    if (!(*db)->Flush().ok()) return;
    if (!(*db)->CompactRange("", "").ok()) return;
    if (!write_some(db->get(), 40)) return;
    if (!(*db)->Close().ok()) return;
  }
  // A crash mid-append leaves a torn record at the end of the newest segment.
  auto segments = disk->ListDir("/db/wal");
  if (!segments.ok() || segments->empty()) return;
  std::string newest = *std::max_element(segments->begin(), segments->end());
  {
    auto f = disk->NewAppendableFile("/db/wal/" + newest);
    if (!f.ok() || !(*f)->Append(std::string("\x13\x37torn record", 14)).ok() ||
        !(*f)->Sync().ok()) {
      return;
    }
  }
  {
    auto db = DB::Open(o, "/db");
    if (!db.ok()) return;
    if (!write_some(db->get(), 40)) return;
    if ((*db)->Get("c00/k001").status().code() == absl::StatusCode::kInternal) return;
    auto it = (*db)->NewIterator(ReadOptions());
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
    }
    if (!it->status().ok()) return;
    it.reset();
    if (!(*db)->Close().ok()) return;
  }
  {
    // A second database, destroyed (DestroyDB removes directories too).
    auto db2 = DB::Open(o, "/db2");
    if (!db2.ok()) return;
    if (!(*db2)->Set("k", "v").ok() || !(*db2)->Close().ok()) return;
    db2->reset();
    DestroyDB(o, "/db2").IgnoreError();
  }
}

// Reopens /db with no faults and judges what it shows.
absl::Status Verify(MemVFS* disk, StillWallClock* clock, DurabilityOracle* oracle,
                    DurabilityOracle::Mode mode) {
  Options o = ScenarioOptions(disk, clock);
  auto db = DB::Open(o, "/db");
  if (!db.ok()) {
    if (oracle->writes(0) == 0 && !disk->FileExists(CurrentFileName("/db"))) {
      return absl::OkStatus();  // the very first Open failed: there is no database
    }
    return absl::Status(db.status().code(), StrCat("reopen: ", db.status().ToString()));
  }
  auto states = test::ReadClientStates(db->get(), 1);
  if (!states.ok()) return states.status();
  NOKV_RETURN_IF_ERROR(oracle->CheckAndAdvance(*states, clock->NowUnixMillis(), mode, nullptr));
  return (*db)->Close();
}

// Operations of the fault-free scenario, per kind. Background flushes and compactions
// interleave with the writes, so the global order varies a little from run to run; counted per
// kind ("the j-th sync"), every operation is reached.
struct ScenarioOps {
  uint64_t total = 0;
  uint64_t per_kind[kNumFaultOps] = {};
};

ScenarioOps CountScenarioOps() {
  MemVFS disk;
  StillWallClock clock;
  FaultFS fs(&disk);
  DurabilityOracle oracle(1);
  RunScenario(&fs, &disk, &clock, &oracle);
  ScenarioOps ops;
  ops.total = fs.OpCount();
  for (int op = 0; op < kNumFaultOps; ++op) ops.per_kind[op] = fs.OpCount(FaultOp(op));
  EXPECT_EQ(oracle.writes(0), 200u) << "the fault-free scenario must run to the end";
  EXPECT_TRUE(Verify(&disk, &clock, &oracle, DurabilityOracle::Mode::kAllAcknowledged).ok());
  return ops;
}

TEST(FaultSweepTest, EveryOperationFailsCleanlyAndLosesNothing) {
  const ScenarioOps ops = CountScenarioOps();
  ASSERT_GT(ops.total, 500u);
  uint64_t injected[kNumFaultOps] = {};
  uint64_t runs = 0;
  for (int op = 0; op < kNumFaultOps; ++op) {
    for (FaultKind kind : {FaultKind::kIOError, FaultKind::kNoSpace, FaultKind::kShortWrite}) {
      if (kind == FaultKind::kShortWrite && FaultOp(op) != FaultOp::kAppend) continue;
      // A few past the fault-free count, since background work varies it slightly.
      for (uint64_t j = 1; j <= ops.per_kind[op] + 3; ++j) {
        MemVFS disk;
        StillWallClock clock;
        FaultFS fs(&disk);
        FaultRule rule;
        rule.op = FaultOp(op);
        rule.nth = j;
        rule.kind = kind;
        fs.AddRule(rule);
        DurabilityOracle oracle(1);
        RunScenario(&fs, &disk, &clock, &oracle);
        if (fs.InjectedCount() == 0) break;  // past the last operation of this kind
        injected[op] += fs.InjectedCount();
        ++runs;
        absl::Status s = Verify(&disk, &clock, &oracle, DurabilityOracle::Mode::kAllAcknowledged);
        ASSERT_TRUE(s.ok()) << FaultOpName(FaultOp(op)) << " #" << j << " failing with kind "
                            << static_cast<int>(kind) << ": " << s;
      }
    }
  }
  std::printf("scenario: %llu VFS operations; %llu runs with a fault injected\n",
              static_cast<unsigned long long>(ops.total), static_cast<unsigned long long>(runs));
  for (int op = 0; op < kNumFaultOps; ++op) {
    EXPECT_GT(injected[op], 0u) << FaultOpName(FaultOp(op)) << " was never injected";
  }
}

TEST(FaultSweepTest, PowerCutAtEveryOperationKeepsSyncedWrites) {
  const uint64_t n = CountScenarioOps().total;
  for (PowerCutMode mode : {PowerCutMode::kPessimistic, PowerCutMode::kPartial}) {
    for (uint64_t i = 1; i <= n; ++i) {
      MemVFS disk;
      StillWallClock clock;
      DurabilityOracle oracle(1);
      {
        FaultFS fs(&disk);
        FaultRule halt;
        halt.nth = i;
        halt.kind = FaultKind::kHalt;
        fs.AddRule(halt);
        RunScenario(&fs, &disk, &clock, &oracle);
        fs.Halt();
        disk.SimulatePowerCut(mode, i);
      }
      absl::Status s = Verify(&disk, &clock, &oracle, DurabilityOracle::Mode::kSyncedWrites);
      ASSERT_TRUE(s.ok()) << (mode == PowerCutMode::kPartial ? "partial" : "pessimistic")
                          << " power cut at operation " << i << " of " << n << ": " << s;
    }
  }
}

}  // namespace
}  // namespace nokv
