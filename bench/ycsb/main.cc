// nokv-ycsb: YCSB core workloads A-F against NoKV, RocksDB and LevelDB in one run, with the
// same keys, values, thread count, durability and memory budget for every engine. See
// bench/README.md for the method and the latest results.
//
// Exit status: 0 = every engine ran and every read checked out; 1 = an engine reported an
// error; 2 = a value read back was wrong or missing; 3 = bad command line or setup.
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "bench/ycsb/kv_engine.h"
#include "bench/ycsb/record.h"
#include "bench/ycsb/report.h"
#include "bench/ycsb/runner.h"
#include "bench/ycsb/system_stats.h"
#include "bench/ycsb/workload.h"
#include "src/util/str_cat.h"

ABSL_FLAG(std::string, engines, "nokv,rocksdb,leveldb", "Engines to run, comma separated.");
ABSL_FLAG(std::string, workloads, "A,B,C,D,E,F", "YCSB core workloads to run, in this order.");
ABSL_FLAG(uint64_t, records, 200000, "Records loaded before each workload.");
ABSL_FLAG(uint64_t, ops, 200000, "Measured operations per workload.");
ABSL_FLAG(int64_t, warmup_ops, -1,
          "Unmeasured operations of the workload run before the measured ones (-1 = ops/10).");
ABSL_FLAG(int, threads, 4, "Client threads (load and run).");
ABSL_FLAG(uint64_t, value_size, 1000, "Value bytes per record (>= 16).");
ABSL_FLAG(bool, sync, false, "fsync the WAL before acknowledging each write (all engines).");
ABSL_FLAG(int, repeat, 1, "Trials per (engine, workload); the table reports medians.");
ABSL_FLAG(std::string, dir, "",
          "Parent directory for the databases (a fresh subdirectory is created and removed). "
          "Default: a fresh directory under /tmp.");
ABSL_FLAG(std::string, json, "", "Also write the result rows as a JSON list to this file.");
ABSL_FLAG(uint64_t, cache_mb, 64, "Block cache MiB (each engine).");
ABSL_FLAG(uint64_t, memtable_mb, 16, "Memtable MiB (each engine).");
ABSL_FLAG(int, memtables, 2, "Memtables in memory at most, active + frozen (LevelDB: always 2).");
ABSL_FLAG(uint64_t, block_size, 4096, "SST data block bytes.");
ABSL_FLAG(int, bloom_bits, 10, "Bloom filter bits per key.");
ABSL_FLAG(uint64_t, target_file_mb, 64, "SST target file MiB (NoKV, RocksDB; see README).");
ABSL_FLAG(uint64_t, seed, 42, "Seed of the operation generators.");
ABSL_FLAG(bool, verify, true,
          "Check every value read (content, owner key, version). Off: no checks, no per-key "
          "write ordering.");
ABSL_FLAG(bool, final_check, false,
          "After each run, read every record back and require its last acknowledged version.");
ABSL_FLAG(double, progress_secs, 5,
          "Progress line on stderr every N seconds (0 = off), with the engine's tree shape.");
ABSL_FLAG(double, settle_secs, 900,
          "After the load, wait up to N seconds for the engine's flushes and compactions to finish "
          "before the run, and count their writes in W-amp(+settle) (0 = do not wait).");
ABSL_FLAG(bool, engine_stats, false,
          "After each load, print the engine's own statistics (per-level compaction) on stderr.");
ABSL_FLAG(int, fsync_probe_samples, 64, "fdatasync samples for the disk probe (0 = skip).");
ABSL_FLAG(std::string, preset, "",
          "'reference': the reference implementation's published setting (1M records, 1M ops, "
          "1000-byte values, 16 threads, 512 MiB cache, 64 MiB memtable). Flags given "
          "explicitly win.");
ABSL_FLAG(uint64_t, debug_corrupt_one_in, 0,
          "Test hook: corrupt one of every N values read before checking it (0 = off).");

namespace nokv::bench {
namespace {

// Accepts --value-size as well as --value_size: flag names use '_' internally.
std::vector<char*> NormalizeFlagNames(int argc, char** argv, std::vector<std::string>* storage,
                                      std::set<std::string>* given) {
  storage->reserve(argc);
  std::vector<char*> out;
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (i > 0 && arg.size() > 2 && arg.compare(0, 2, "--") == 0) {
      const size_t end = std::min(arg.find('='), arg.size());
      for (size_t j = 2; j < end; ++j) {
        if (arg[j] == '-') arg[j] = '_';
      }
      given->insert(arg.substr(2, end - 2));
    }
    storage->push_back(std::move(arg));
    out.push_back(storage->back().data());
  }
  return out;
}

void ApplyPreset(const std::string& preset, const std::set<std::string>& given) {
  if (preset.empty()) return;
  if (preset != "reference") {
    std::cerr << "unknown --preset=" << preset << " (known: reference)\n";
    std::exit(3);
  }
  if (!given.count("records")) absl::SetFlag(&FLAGS_records, 1000000);
  if (!given.count("ops")) absl::SetFlag(&FLAGS_ops, 1000000);
  if (!given.count("value_size")) absl::SetFlag(&FLAGS_value_size, 1000);
  if (!given.count("threads")) absl::SetFlag(&FLAGS_threads, 16);
  if (!given.count("cache_mb")) absl::SetFlag(&FLAGS_cache_mb, 512);
  if (!given.count("memtable_mb")) absl::SetFlag(&FLAGS_memtable_mb, 64);
}

std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string item = list.substr(start, end - start);
    if (!item.empty()) out.push_back(item);
    start = end + 1;
  }
  return out;
}

int Usage(const std::string& message) {
  std::cerr << "nokv-ycsb: " << message << "\n";
  return 3;
}

std::string Mib(uint64_t bytes) { return StrCat(bytes >> 20, " MiB"); }

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "YCSB A-F against NoKV, RocksDB and LevelDB.\n"
      "  nokv-ycsb [--engines=nokv,rocksdb,leveldb] [--workloads=A,B,C,D,E,F] [--records=N]\n"
      "            [--ops=N] [--threads=N] [--value-size=N] [--sync] [--repeat=N]\n"
      "            [--json=FILE] [--dir=DIR] [--preset=reference]");
  // --help lists this file's flags (absl's default looks for a file named like the binary).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view path) {
    return absl::EndsWith(path, "bench/ycsb/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.normalize_filename = [](absl::string_view path) {
    return std::string(path.substr(
        path.rfind("bench/ycsb/") == absl::string_view::npos ? 0 : path.rfind("bench/ycsb/")));
  };
  absl::SetFlagsUsageConfig(usage);
  std::vector<std::string> storage;
  std::set<std::string> given;
  std::vector<char*> args = NormalizeFlagNames(argc, argv, &storage, &given);
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
  ApplyPreset(absl::GetFlag(FLAGS_preset), given);

  RunOptions options;
  options.records = absl::GetFlag(FLAGS_records);
  options.ops = absl::GetFlag(FLAGS_ops);
  const int64_t warmup = absl::GetFlag(FLAGS_warmup_ops);
  options.warmup_ops = warmup < 0 ? options.ops / 10 : static_cast<uint64_t>(warmup);
  options.threads = absl::GetFlag(FLAGS_threads);
  options.value_size = absl::GetFlag(FLAGS_value_size);
  options.verify = absl::GetFlag(FLAGS_verify);
  options.final_check = absl::GetFlag(FLAGS_final_check);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.progress_secs = absl::GetFlag(FLAGS_progress_secs);
  options.engine_stats = absl::GetFlag(FLAGS_engine_stats);
  options.settle_timeout_secs = absl::GetFlag(FLAGS_settle_secs);
  if (options.settle_timeout_secs < 0) return Usage("--settle-secs must be >= 0");
  options.corrupt_one_in = absl::GetFlag(FLAGS_debug_corrupt_one_in);
  const int repeat = absl::GetFlag(FLAGS_repeat);

  if (options.records < 2) return Usage("--records must be at least 2");
  if (options.records + options.ops + options.warmup_ops >= (uint64_t{1} << 40)) {
    return Usage("--records/--ops too large");
  }
  if (options.threads < 1 || options.threads > 1024) return Usage("--threads must be 1..1024");
  if (options.value_size < kMinValueSize) {
    return Usage(StrCat("--value-size must be at least ", kMinValueSize));
  }
  if (repeat < 1) return Usage("--repeat must be at least 1");

  EngineConfig config;
  config.block_cache_bytes = absl::GetFlag(FLAGS_cache_mb) << 20;
  config.memtable_bytes = absl::GetFlag(FLAGS_memtable_mb) << 20;
  config.max_memtables = absl::GetFlag(FLAGS_memtables);
  config.block_bytes = absl::GetFlag(FLAGS_block_size);
  config.bloom_bits_per_key = absl::GetFlag(FLAGS_bloom_bits);
  config.target_file_bytes = absl::GetFlag(FLAGS_target_file_mb) << 20;
  config.sync = absl::GetFlag(FLAGS_sync);
  if (config.max_memtables < 2) return Usage("--memtables must be at least 2");

  const std::vector<std::string> engines = SplitList(absl::GetFlag(FLAGS_engines));
  if (engines.empty()) return Usage("--engines is empty");
  for (const std::string& name : engines) {
    auto engine = MakeEngine(name);
    if (!engine.ok()) return Usage(std::string(engine.status().message()));
  }
  auto specs = ParseWorkloads(absl::GetFlag(FLAGS_workloads));
  if (!specs.ok()) return Usage(std::string(specs.status().message()));

  // The base directory: fresh, ours, removed at the end.
  std::string parent = absl::GetFlag(FLAGS_dir);
  if (parent.empty()) parent = "/tmp";
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  std::string pattern = parent + "/nokv-ycsb-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Usage(StrCat("cannot create a directory under ", parent));
  }
  const std::string base = pattern;

  ReportContext context;
  context.machine = DescribeMachine(base);
  context.load_average_start = LoadAverage();
  context.threads = options.threads;
  context.records = options.records;
  context.value_size = options.value_size;
  context.sync = config.sync;
  context.verify = options.verify;
  context.settings = StrCat(
      "records=", options.records, " ops=", options.ops, " warmup_ops=", options.warmup_ops,
      " threads=", options.threads, " value_size=", options.value_size,
      " sync=", config.sync ? "on" : "off", " (WAL on) cache=", Mib(config.block_cache_bytes),
      " memtable=", Mib(config.memtable_bytes), " x", config.max_memtables,
      " block=", config.block_bytes, " bloom_bits=", config.bloom_bits_per_key,
      " compression=none repeat=", repeat, " seed=", options.seed,
      " verify=", options.verify ? "on" : "off", " dir=", base);

  std::cout << "nokv-ycsb\nmachine: " << context.machine
            << "\nload average: " << context.load_average_start << "\n"
            << "settings: " << context.settings << "\n";
  const int probe_samples = absl::GetFlag(FLAGS_fsync_probe_samples);
  if (probe_samples > 0) {
    auto probe = ProbeFdatasync(base, probe_samples);
    if (probe.ok()) {
      context.fdatasync =
          StrCat(probe->samples, " samples, p50 ", FormatFixed(probe->p50_us, 1), " us, p99 ",
                 FormatFixed(probe->p99_us, 1), " us, max ", FormatFixed(probe->max_us, 1), " us");
    } else {
      context.fdatasync = StrCat("probe failed: ", std::string(probe.status().message()));
    }
  } else {
    context.fdatasync = "not measured";
  }
  std::cout << "fdatasync (4 KiB append): " << context.fdatasync << "\n" << std::flush;

  const MachineCpu machine_before = ReadMachineCpu();
  const double own_before = ProcessCpuSeconds();
  std::vector<TrialResult> trials;
  std::set<std::string> failed_engines;
  int exit_code = 0;
  for (int r = 0; r < repeat; ++r) {
    for (const std::string& name : engines) {
      if (failed_engines.count(name)) continue;
      for (const WorkloadSpec& spec : *specs) {
        auto engine = MakeEngine(name);
        const std::string dir = StrCat(base, "/", name, "-", spec.name, "-", r + 1);
        auto result = RunTrial(engine->get(), config, options, spec, dir, r + 1);
        if (!result.ok()) {
          std::cerr << "ERROR: " << name << " workload " << spec.name << " run " << r + 1 << ": "
                    << result.status() << "\n";
          failed_engines.insert(name);
          exit_code = 1;
          break;
        }
        if (!context.engine_settings.count(name)) {
          context.engine_settings[name] = (*engine)->DescribeSettings();
        }
        const TrialResult& t = *result;
        std::cout << StrCat("  ", name, " ", spec.name, " run ", r + 1, "/", repeat, ": load ",
                            FormatFixed(t.load.OpsPerSec(), 0), " ops/s, run ",
                            FormatFixed(t.run.OpsPerSec(), 0), " ops/s, ", t.run.reads_verified,
                            " reads + ", t.run.scan_records_verified, " scanned records verified")
                  << (options.final_check ? StrCat(", final check ", t.final_checked, " records")
                                          : std::string())
                  << ", failures " << t.TotalVerifyFailures() << "\n";
        for (const auto* samples :
             {&t.load.failure_samples, &t.run.failure_samples, &t.final_check_samples}) {
          for (const std::string& s : *samples) std::cout << "    MISMATCH: " << s << "\n";
        }
        std::cout << std::flush;
        trials.push_back(std::move(*result));
      }
    }
  }
  context.other_cpu_share =
      OtherProcessesCpuShare(machine_before, ReadMachineCpu(), ProcessCpuSeconds() - own_before);
  std::filesystem::remove_all(base, ec);

  std::vector<std::string> workload_order;
  for (const WorkloadSpec& spec : *specs) workload_order.push_back(spec.name);
  const std::vector<ResultRow> rows = Summarize(trials, engines, workload_order);
  context.load_average_end = LoadAverage();
  PrintTable(context, rows, std::cout);

  const std::string json = absl::GetFlag(FLAGS_json);
  if (!json.empty()) {
    absl::Status s = WriteJson(context, rows, json);
    if (!s.ok()) {
      std::cerr << "ERROR: " << s << "\n";
      if (exit_code == 0) exit_code = 3;
    }
  }

  uint64_t failures = 0;
  for (const TrialResult& t : trials) failures += t.TotalVerifyFailures();
  if (failures > 0) {
    std::cout << "\nVERIFICATION FAILED: " << failures << " wrong or missing values\n";
    if (exit_code == 0) exit_code = 2;
  }
  if (!failed_engines.empty()) {
    std::cout << "\nENGINE ERRORS: ";
    for (const auto& name : failed_engines) std::cout << name << " ";
    std::cout << "(see ERROR lines above)\n";
  }
  return exit_code;
}

}  // namespace
}  // namespace nokv::bench

int main(int argc, char** argv) { return nokv::bench::Main(argc, argv); }
