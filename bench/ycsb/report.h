// Aggregates trials into the result table: one row per (workload, engine) plus one "load" row
// per engine. With --repeat=N every figure is the median of the N trials (for the load row,
// of every load the engine did).
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "bench/ycsb/runner.h"

namespace nokv::bench {

struct ResultRow {
  std::string engine;
  std::string workload;  // "A".."F" or "load"
  int samples = 0;
  uint64_t ops = 0;  // per trial (median)
  double ops_per_sec = 0;
  double ops_per_sec_min = 0;
  double ops_per_sec_max = 0;
  std::vector<double> ops_per_sec_runs;
  double avg_us = 0;
  double p50_us = 0;
  double p95_us = 0;
  double p99_us = 0;
  double p999_us = 0;
  double max_us = 0;
  double cpu_us_per_op = 0;
  double device_write_bytes = 0;  // bytes to the device during the phase (median)
  bool stalls_available = false;  // the engine reports write stalls
  double stall_micros = 0;        // median over trials, time writers were slowed or stopped
  double stall_count = 0;
  uint64_t reads_verified = 0;  // summed over trials
  uint64_t scan_records_verified = 0;
  uint64_t verify_failures = 0;
  // Load rows only (medians over the engine's trials).
  double write_amplification = 0;  // device bytes during load / user bytes loaded
  // (device bytes during load + settle) / user bytes loaded; -1 when a trial did not settle.
  double write_amplification_settled = -1;
  double settle_seconds = -1;      // background work left after the load; -1 = not measured
  double disk_bytes = 0;           // database size after the run, at Close
  double space_amplification = 0;  // disk_bytes / live user bytes
  double peak_rss_bytes = 0;
};

struct ReportContext {
  std::string machine;
  std::string load_average_start;
  std::string load_average_end;
  std::string fdatasync;       // the probe's summary line
  double other_cpu_share = 0;  // CPU share of other processes while the trials ran
  std::string settings;        // the common settings line
  std::map<std::string, std::string> engine_settings;
  int threads = 0;
  uint64_t records = 0;
  uint64_t value_size = 0;
  bool sync = false;
  bool verify = true;
};

// printf("%.*f").
std::string FormatFixed(double value, int decimals);

// Rows in the order: for each workload in `workload_order` (load first), each engine in
// `engine_order`.
std::vector<ResultRow> Summarize(const std::vector<TrialResult>& trials,
                                 const std::vector<std::string>& engine_order,
                                 const std::vector<std::string>& workload_order);

void PrintTable(const ReportContext& context, const std::vector<ResultRow>& rows,
                std::ostream& out);

absl::Status WriteJson(const ReportContext& context, const std::vector<ResultRow>& rows,
                       const std::string& path);

}  // namespace nokv::bench
