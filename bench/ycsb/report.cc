#include "bench/ycsb/report.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>

#include "src/util/str_cat.h"

namespace nokv::bench {
namespace {

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Fills the per-phase figures of `row` from the phases `phases` (one per trial).
void FillFromPhases(const std::vector<const PhaseStats*>& phases, ResultRow* row) {
  auto median_of = [&](const std::function<double(const PhaseStats&)>& f) {
    std::vector<double> v;
    for (const PhaseStats* p : phases) v.push_back(f(*p));
    return Median(std::move(v));
  };
  row->samples = static_cast<int>(phases.size());
  row->ops = static_cast<uint64_t>(median_of([](const PhaseStats& p) { return p.ops; }));
  for (const PhaseStats* p : phases) row->ops_per_sec_runs.push_back(p->OpsPerSec());
  row->ops_per_sec = Median(row->ops_per_sec_runs);
  row->ops_per_sec_min =
      *std::min_element(row->ops_per_sec_runs.begin(), row->ops_per_sec_runs.end());
  row->ops_per_sec_max =
      *std::max_element(row->ops_per_sec_runs.begin(), row->ops_per_sec_runs.end());
  row->avg_us = median_of([](const PhaseStats& p) { return p.latency.MeanNanos() / 1e3; });
  row->p50_us = median_of([](const PhaseStats& p) { return p.latency.PercentileNanos(50) / 1e3; });
  row->p95_us = median_of([](const PhaseStats& p) { return p.latency.PercentileNanos(95) / 1e3; });
  row->p99_us = median_of([](const PhaseStats& p) { return p.latency.PercentileNanos(99) / 1e3; });
  row->p999_us =
      median_of([](const PhaseStats& p) { return p.latency.PercentileNanos(99.9) / 1e3; });
  row->max_us = median_of([](const PhaseStats& p) { return p.latency.max_nanos() / 1e3; });
  row->cpu_us_per_op =
      median_of([](const PhaseStats& p) { return p.ops ? p.cpu_seconds * 1e6 / p.ops : 0.0; });
  row->device_write_bytes =
      median_of([](const PhaseStats& p) { return static_cast<double>(p.io.DeviceBytes()); });
  row->stalls_available = std::all_of(phases.begin(), phases.end(),
                                      [](const PhaseStats* p) { return p->stalls.available; });
  if (row->stalls_available) {
    row->stall_micros = median_of([](const PhaseStats& p) { return p.stalls.micros; });
    row->stall_count = median_of([](const PhaseStats& p) { return p.stalls.count; });
  }
  for (const PhaseStats* p : phases) {
    row->reads_verified += p->reads_verified;
    row->scan_records_verified += p->scan_records_verified;
    row->verify_failures += p->verify_failures;
  }
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

std::string Pad(const std::string& s, size_t width, bool left = false) {
  if (s.size() >= width) return s;
  return left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
}

std::string Fixed(double v, int decimals) { return FormatFixed(v, decimals); }

}  // namespace

std::string FormatFixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, value);
  return buf;
}

std::vector<ResultRow> Summarize(const std::vector<TrialResult>& trials,
                                 const std::vector<std::string>& engine_order,
                                 const std::vector<std::string>& workload_order) {
  std::vector<ResultRow> rows;
  for (const std::string& engine : engine_order) {
    std::vector<const PhaseStats*> loads;
    std::vector<double> wamp, wamp_settled, settle, disk, space, rss;
    bool all_settled = true;
    uint64_t final_failures = 0;
    for (const TrialResult& t : trials) {
      if (t.engine != engine) continue;
      loads.push_back(&t.load);
      if (t.load.user_bytes > 0) {
        wamp.push_back(static_cast<double>(t.load.io.DeviceBytes()) / t.load.user_bytes);
        wamp_settled.push_back(
            static_cast<double>(t.load.io.DeviceBytes() + t.settle_io.DeviceBytes()) /
            t.load.user_bytes);
      }
      all_settled = all_settled && t.settle_seconds >= 0;
      settle.push_back(t.settle_seconds);
      disk.push_back(static_cast<double>(t.disk_bytes));
      if (t.live_user_bytes > 0) {
        space.push_back(static_cast<double>(t.disk_bytes) / t.live_user_bytes);
      }
      rss.push_back(static_cast<double>(t.peak_rss_bytes));
      final_failures += t.final_check_failures;
    }
    if (loads.empty()) continue;
    ResultRow row;
    row.engine = engine;
    row.workload = "load";
    FillFromPhases(loads, &row);
    row.write_amplification = Median(wamp);
    if (all_settled) {
      row.write_amplification_settled = Median(wamp_settled);
      row.settle_seconds = Median(settle);
    }
    row.disk_bytes = Median(disk);
    row.space_amplification = Median(space);
    row.peak_rss_bytes = Median(rss);
    row.verify_failures += final_failures;
    rows.push_back(std::move(row));
  }
  for (const std::string& workload : workload_order) {
    for (const std::string& engine : engine_order) {
      std::vector<const PhaseStats*> runs;
      uint64_t final_checked = 0;
      uint64_t final_failures = 0;
      for (const TrialResult& t : trials) {
        if (t.engine != engine || t.workload != workload) continue;
        runs.push_back(&t.run);
        final_checked += t.final_checked;
        final_failures += t.final_check_failures;
      }
      if (runs.empty()) continue;
      ResultRow row;
      row.engine = engine;
      row.workload = workload;
      FillFromPhases(runs, &row);
      row.reads_verified += final_checked - final_failures;
      row.verify_failures += final_failures;
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

void PrintTable(const ReportContext& context, const std::vector<ResultRow>& rows,
                std::ostream& out) {
  out << "\n== nokv-ycsb results ==\n";
  out << "machine: " << context.machine << "\n";
  out << "load average: start " << context.load_average_start << ", end "
      << context.load_average_end << "\n";
  out << "CPU used by other processes and kernel threads while the trials ran: "
      << Fixed(100.0 * context.other_cpu_share, 1) << "% of the machine\n";
  out << "fdatasync (4 KiB append): " << context.fdatasync << "\n";
  out << "settings: " << context.settings << "\n";
  for (const auto& [engine, settings] : context.engine_settings) {
    out << "  " << Pad(engine, 8, true) << settings << "\n";
  }
  out << "\n";
  constexpr int kColumns = 12;
  const size_t widths[kColumns] = {8, 8, 11, 9, 9, 9, 9, 9, 10, 5, 7, 13};
  const char* headers[kColumns] = {"workload", "engine", "ops/s",  "avg_us",
                                   "p50_us",   "p95_us", "p99_us", "p99.9_us",
                                   "max_us",   "runs",   "spread", "stall ms (n)"};
  std::string line;
  for (int i = 0; i < kColumns; ++i) line += Pad(headers[i], widths[i], i < 2) + " ";
  out << line << " verified\n";
  for (const ResultRow& r : rows) {
    const double spread =
        r.ops_per_sec > 0 ? 100.0 * (r.ops_per_sec_max - r.ops_per_sec_min) / r.ops_per_sec : 0;
    std::string verified =
        r.verify_failures == 0
            ? StrCat("ok ", r.reads_verified, " reads",
                     r.scan_records_verified ? StrCat(", ", r.scan_records_verified, " scanned")
                                             : std::string())
            : StrCat("FAILED ", r.verify_failures);
    if (r.workload == "load" && r.verify_failures == 0) verified = "-";
    if (!context.verify && r.verify_failures == 0) verified = "not checked (--verify=false)";
    const std::string stalls = r.stalls_available ? StrCat(Fixed(r.stall_micros / 1e3, 0), " (",
                                                           Fixed(r.stall_count, 0), ")")
                                                  : std::string("n/a");
    const std::string cells[kColumns] = {r.workload,
                                         r.engine,
                                         Fixed(r.ops_per_sec, 0),
                                         Fixed(r.avg_us, 1),
                                         Fixed(r.p50_us, 1),
                                         Fixed(r.p95_us, 1),
                                         Fixed(r.p99_us, 1),
                                         Fixed(r.p999_us, 1),
                                         Fixed(r.max_us, 0),
                                         StrCat(r.samples),
                                         StrCat(Fixed(spread, 1), "%"),
                                         stalls};
    line.clear();
    for (int i = 0; i < kColumns; ++i) line += Pad(cells[i], widths[i], i < 2) + " ";
    out << line << " " << verified << "\n";
  }

  out << "\n"
      << Pad("engine", 8, true) << " " << Pad("load MB->disk", 14) << " " << Pad("W-amp(load)", 12)
      << " " << Pad("settle s", 9) << " " << Pad("W-amp(+settle)", 15) << " " << Pad("final MB", 9)
      << " " << Pad("space-amp", 10) << " " << Pad("peak RSS MB", 12) << " "
      << Pad("load cpu_us/op", 15) << "\n";
  for (const ResultRow& r : rows) {
    if (r.workload != "load") continue;
    out << Pad(r.engine, 8, true) << " " << Pad(Fixed(r.device_write_bytes / 1048576.0, 1), 14)
        << " " << Pad(Fixed(r.write_amplification, 2), 12) << " "
        << Pad(r.settle_seconds >= 0 ? Fixed(r.settle_seconds, 1) : "-", 9) << " "
        << Pad(r.write_amplification_settled >= 0 ? Fixed(r.write_amplification_settled, 2) : "-",
               15)
        << " " << Pad(Fixed(r.disk_bytes / 1048576.0, 1), 9) << " "
        << Pad(Fixed(r.space_amplification, 2), 10) << " "
        << Pad(Fixed(r.peak_rss_bytes / 1048576.0, 0), 12) << " "
        << Pad(Fixed(r.cpu_us_per_op, 2), 15) << "\n";
  }
  out << "\nops/s and latencies: median over runs; spread = (max - min) / median ops/s;\n"
      << "stall = time (and count) the engine itself reports writers were slowed or stopped.\n"
      << "W-amp(load) = bytes the process sent to the device during load / key+value bytes "
         "loaded;\nsettle s = time the engine's flushes and compactions still ran after the load "
         "(the run waited for them);\nW-amp(+settle) = the same with the bytes written while "
         "settling;\nfinal MB = database directory after the run; space-amp = final / live "
         "key+value bytes.\n";
}

absl::Status WriteJson(const ReportContext& context, const std::vector<ResultRow>& rows,
                       const std::string& path) {
  std::ofstream out(path, std::ios::trunc);
  if (!out) return absl::InternalError(StrCat("cannot write ", path));
  out << "[\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const ResultRow& r = rows[i];
    std::string runs = "[";
    for (size_t j = 0; j < r.ops_per_sec_runs.size(); ++j) {
      runs += (j ? ", " : "") + Fixed(r.ops_per_sec_runs[j], 1);
    }
    runs += "]";
    out << "  {\"engine\": " << JsonString(r.engine) << ", \"workload\": " << JsonString(r.workload)
        << ", \"ops_per_sec\": " << Fixed(r.ops_per_sec, 1)
        << ", \"avg_us\": " << Fixed(r.avg_us, 3) << ", \"p50_us\": " << Fixed(r.p50_us, 3)
        << ", \"p95_us\": " << Fixed(r.p95_us, 3) << ", \"p99_us\": " << Fixed(r.p99_us, 3)
        << ", \"p999_us\": " << Fixed(r.p999_us, 3) << ", \"max_us\": " << Fixed(r.max_us, 3)
        << ", \"ops\": " << r.ops << ", \"runs\": " << r.samples
        << ", \"ops_per_sec_runs\": " << runs
        << ", \"cpu_us_per_op\": " << Fixed(r.cpu_us_per_op, 3)
        << ", \"device_write_bytes\": " << Fixed(r.device_write_bytes, 0) << ", \"stall_micros\": "
        << (r.stalls_available ? Fixed(r.stall_micros, 0) : std::string("null"))
        << ", \"stall_count\": "
        << (r.stalls_available ? Fixed(r.stall_count, 0) : std::string("null"))
        << ", \"reads_verified\": " << r.reads_verified
        << ", \"scan_records_verified\": " << r.scan_records_verified
        << ", \"verify_failures\": " << r.verify_failures;
    if (r.workload == "load") {
      out << ", \"write_amplification\": " << Fixed(r.write_amplification, 3)
          << ", \"write_amplification_settled\": " << Fixed(r.write_amplification_settled, 3)
          << ", \"settle_seconds\": " << Fixed(r.settle_seconds, 3)
          << ", \"disk_bytes\": " << Fixed(r.disk_bytes, 0)
          << ", \"space_amplification\": " << Fixed(r.space_amplification, 3)
          << ", \"peak_rss_bytes\": " << Fixed(r.peak_rss_bytes, 0);
    }
    out << ", \"threads\": " << context.threads << ", \"records\": " << context.records
        << ", \"value_size\": " << context.value_size
        << ", \"sync\": " << (context.sync ? "true" : "false") << "}"
        << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  out << "]\n";
  out.close();
  if (!out) return absl::InternalError(StrCat("error writing ", path));
  return absl::OkStatus();
}

}  // namespace nokv::bench
