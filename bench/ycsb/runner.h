// One trial = a fresh database, the load phase, an unmeasured warm-up, the measured run phase
// of one workload and (optionally) a full read-back check, on one engine.
//
// Every value read is checked (record.h): it must belong to the key it was read under, its
// filler must match its (id, version), and its version must lie between the last write to that
// key acknowledged before the read started and the last one issued when it returned. Updates to
// one key are serialised by a striped lock so that "last acknowledged" is well defined; the
// lock wait is outside the timed region. Scans check every record the same way (except the
// lower version bound), that keys ascend, and that the scan starts at its (existing) start key.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/ycsb/histogram.h"
#include "bench/ycsb/kv_engine.h"
#include "bench/ycsb/system_stats.h"
#include "bench/ycsb/workload.h"

namespace nokv::bench {

struct RunOptions {
  uint64_t records = 200000;
  uint64_t ops = 200000;
  uint64_t warmup_ops = 20000;
  int threads = 4;
  size_t value_size = 1000;
  bool verify = true;
  // After the run, read every record back single-threaded-per-range and require the exact
  // version last acknowledged.
  bool final_check = false;
  uint64_t seed = 42;
  // A progress line on stderr every this many seconds (0 = none).
  double progress_secs = 5;
  // After the load, wait up to this long for the engine's background work to finish before
  // the run (0 = do not wait): the settle phase, whose device bytes count in the settled
  // write amplification. Engines that defer compaction during the load pay for it here.
  double settle_timeout_secs = 900;
  // After the load, print KvEngine::DebugStats() on stderr.
  bool engine_stats = false;
  // Test hook: flip a byte in one of every N values read before checking it (0 = off). Proves
  // that the checker catches bad values.
  uint64_t corrupt_one_in = 0;
};

struct PhaseStats {
  uint64_t ops = 0;
  double seconds = 0;
  LatencyHistogram latency;
  uint64_t op_counts[kNumOperations] = {};
  uint64_t user_bytes = 0;  // key + value bytes written by the phase
  uint64_t reads_verified = 0;
  uint64_t scan_records_verified = 0;
  uint64_t verify_failures = 0;
  std::vector<std::string> failure_samples;  // the first few, for the report
  IoCounters io;
  double cpu_seconds = 0;
  StallStats stalls;  // during the phase, as the engine reports them

  double OpsPerSec() const { return seconds > 0 ? ops / seconds : 0; }
};

struct TrialResult {
  std::string engine;
  std::string workload;
  int repeat = 0;
  PhaseStats load;
  PhaseStats run;
  uint64_t final_checked = 0;  // records read back by the final check
  uint64_t final_check_failures = 0;
  std::vector<std::string> final_check_samples;
  uint64_t live_user_bytes = 0;  // key + value bytes of the records present at the end
  uint64_t disk_bytes = 0;       // size of the database directory after Close
  uint64_t peak_rss_bytes = 0;
  // The settle phase after the load (RunOptions::settle_timeout_secs): how long the engine's
  // background work took to finish (-1 = not waited for or did not finish in time) and what
  // the process wrote meanwhile.
  double settle_seconds = -1;
  IoCounters settle_io;

  uint64_t TotalVerifyFailures() const {
    return load.verify_failures + run.verify_failures + final_check_failures;
  }
};

// Runs one trial in `dir` (created, and removed afterwards). Returns an error when the engine
// reports one (the trial stops at the first); verification failures are counted in the result.
absl::StatusOr<TrialResult> RunTrial(KvEngine* engine, const EngineConfig& config,
                                     const RunOptions& options, const WorkloadSpec& spec,
                                     const std::string& dir, int repeat);

}  // namespace nokv::bench
