#include "bench/ycsb/runner.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <latch>
#include <memory>
#include <mutex>
#include <thread>

#include "bench/ycsb/generators.h"
#include "bench/ycsb/record.h"
#include "src/util/random.h"
#include "src/util/str_cat.h"

namespace nokv::bench {
namespace {

using SteadyClock = std::chrono::steady_clock;

uint64_t NanosBetween(SteadyClock::time_point a, SteadyClock::time_point b) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

constexpr size_t kLockStripes = 4096;
constexpr size_t kMaxFailureSamples = 5;

// Per-thread state of one phase. Each worker is its own heap object, so the hot counters of
// two threads never share a cache line.
struct alignas(64) Worker {
  explicit Worker(uint64_t seed) : rng(seed) {}

  Random rng;
  LatencyHistogram latency;
  uint64_t op_counts[kNumOperations] = {};
  uint64_t user_bytes = 0;
  uint64_t reads_verified = 0;
  uint64_t scan_records_verified = 0;
  uint64_t verify_failures = 0;
  std::vector<std::string> failure_samples;

  std::string key;
  std::string value;
  std::string expected_key;
  std::vector<KeyValue> scan;
  std::unique_ptr<ScrambledZipfianGenerator> zipfian;
  std::unique_ptr<SkewedLatestGenerator> latest;

  alignas(64) std::atomic<uint64_t> done{0};  // progress, read by the monitor thread
};

class Trial {
 public:
  Trial(KvEngine* engine, const RunOptions& options, const WorkloadSpec& spec, int repeat)
      : engine_(engine),
        options_(options),
        spec_(spec),
        repeat_(repeat),
        capacity_(options.records +
                  (spec.insert > 0 ? options.ops + options.warmup_ops : uint64_t{0})),
        issued_(new std::atomic<uint32_t>[capacity_]),
        acked_(new std::atomic<uint32_t>[capacity_]),
        inserts_(options.records, capacity_ - options.records),
        stripes_(new std::mutex[kLockStripes]) {
    for (uint64_t i = 0; i < capacity_; ++i) {
      issued_[i].store(0, std::memory_order_relaxed);
      acked_[i].store(0, std::memory_order_relaxed);
    }
    // YCSB sizes the scrambled zipfian key space for the inserts it expects (twice the
    // expected count) and skips ids not inserted yet.
    const double expected_inserts =
        static_cast<double>(options.ops + options.warmup_ops) * spec.insert * 2.0;
    zipfian_items_ = options.records + static_cast<uint64_t>(expected_inserts);
  }

  absl::Status Load(PhaseStats* stats);
  absl::Status Run(const char* phase, uint64_t ops, PhaseStats* stats);
  absl::Status FinalCheck(TrialResult* result);
  uint64_t LiveRecords() const { return inserts_.Last() + 1; }

 private:
  using Body = std::function<absl::Status(Worker& worker, uint64_t begin, uint64_t end)>;
  absl::Status ExecutePhase(const std::string& label, uint64_t total, int phase_index,
                            const std::function<void(Worker&)>& setup, const Body& body,
                            PhaseStats* stats);

  absl::Status DoOperation(Worker& w);
  uint64_t ChooseKey(Worker& w);
  absl::Status Read(Worker& w, uint64_t id, uint64_t* nanos);
  absl::Status Update(Worker& w, uint64_t id, uint64_t* nanos);
  absl::Status Insert(Worker& w, uint64_t* nanos);
  absl::Status Scan(Worker& w, uint64_t* nanos);
  void CheckScan(Worker& w, uint64_t start_id, size_t length);
  void Fail(Worker& w, std::string message);
  // Set when a worker hit an engine error: the others stop at their next operation.
  bool Stopped() const { return stop_.load(std::memory_order_relaxed); }

  KvEngine* const engine_;
  const RunOptions& options_;
  const WorkloadSpec& spec_;
  const int repeat_;
  const uint64_t capacity_;  // ids that may exist: loaded + every possible insert
  uint64_t zipfian_items_ = 0;
  // Per id: the version of the newest write started, and of the newest one acknowledged.
  std::unique_ptr<std::atomic<uint32_t>[]> issued_;
  std::unique_ptr<std::atomic<uint32_t>[]> acked_;
  AcknowledgedCounter inserts_;
  std::unique_ptr<std::mutex[]> stripes_;
  double latest_zetan_ = 0;
  std::atomic<bool> stop_{false};
};

void Trial::Fail(Worker& w, std::string message) {
  ++w.verify_failures;
  if (w.failure_samples.size() < kMaxFailureSamples) {
    w.failure_samples.push_back(std::move(message));
  }
}

absl::Status Trial::ExecutePhase(const std::string& label, uint64_t total, int phase_index,
                                 const std::function<void(Worker&)>& setup, const Body& body,
                                 PhaseStats* stats) {
  const int threads = options_.threads;
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < threads; ++t) {
    // Same seeds for every engine: each one sees the same operation sequence per thread.
    Random seeder(options_.seed ^ (uint64_t(repeat_) << 40) ^ (uint64_t(phase_index) << 32) ^
                  uint64_t(t));
    workers.push_back(std::make_unique<Worker>(seeder.Next()));
    setup(*workers.back());
  }

  std::mutex error_mu;
  absl::Status first_error;
  std::latch ready(threads + 1);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    const uint64_t begin = total * t / threads;
    const uint64_t end = total * (t + 1) / threads;
    pool.emplace_back([&, t, begin, end] {
      ready.arrive_and_wait();
      absl::Status s = body(*workers[t], begin, end);
      if (!s.ok()) {
        stop_.store(true, std::memory_order_relaxed);
        std::lock_guard<std::mutex> lock(error_mu);
        if (first_error.ok()) first_error = s;
      }
    });
  }

  // Progress monitor: a line every progress_secs while the phase lasts.
  std::mutex monitor_mu;
  std::condition_variable monitor_cv;
  bool finished = false;
  std::thread monitor;
  const SteadyClock::time_point start_hint = SteadyClock::now();
  if (options_.progress_secs > 0) {
    monitor = std::thread([&] {
      uint64_t last_done = 0;
      auto last_time = start_hint;
      std::unique_lock<std::mutex> lock(monitor_mu);
      while (!monitor_cv.wait_for(lock, std::chrono::duration<double>(options_.progress_secs),
                                  [&] { return finished; })) {
        uint64_t done = 0;
        for (const auto& w : workers) done += w->done.load(std::memory_order_relaxed);
        const auto now = SteadyClock::now();
        const double secs = std::chrono::duration<double>(now - last_time).count();
        const std::string shape = FormatShape(engine_->Shape());
        std::fprintf(stderr, "  ... %s: %llu/%llu ops (%.0f%%), %.0f ops/s%s%s\n", label.c_str(),
                     static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                     total ? 100.0 * done / total : 100.0, (done - last_done) / secs,
                     shape.empty() ? "" : " | ", shape.c_str());
        last_done = done;
        last_time = now;
      }
    });
  }

  const IoCounters io_before = ReadIoCounters();
  const double cpu_before = ProcessCpuSeconds();
  // Start the clock before releasing the workers: on an oversubscribed machine this thread may
  // run again only after they finished.
  const auto start = SteadyClock::now();
  ready.arrive_and_wait();
  for (auto& th : pool) th.join();
  const auto end = SteadyClock::now();
  stats->io = ReadIoCounters() - io_before;
  stats->cpu_seconds = ProcessCpuSeconds() - cpu_before;

  if (monitor.joinable()) {
    {
      std::lock_guard<std::mutex> lock(monitor_mu);
      finished = true;
    }
    monitor_cv.notify_all();
    monitor.join();
  }

  stats->seconds = std::chrono::duration<double>(end - start).count();
  for (const auto& w : workers) {
    stats->latency.Merge(w->latency);
    stats->ops += w->latency.count();
    for (int i = 0; i < kNumOperations; ++i) stats->op_counts[i] += w->op_counts[i];
    stats->user_bytes += w->user_bytes;
    stats->reads_verified += w->reads_verified;
    stats->scan_records_verified += w->scan_records_verified;
    stats->verify_failures += w->verify_failures;
    for (auto& sample : w->failure_samples) {
      if (stats->failure_samples.size() < kMaxFailureSamples) {
        stats->failure_samples.push_back(std::move(sample));
      }
    }
  }
  return first_error;
}

absl::Status Trial::Load(PhaseStats* stats) {
  const std::string label = StrCat(engine_->name(), "/", spec_.name, " load");
  return ExecutePhase(
      label, options_.records, 0, [](Worker&) {},
      [this](Worker& w, uint64_t begin, uint64_t end) -> absl::Status {
        for (uint64_t id = begin; id < end && !Stopped(); ++id) {
          BuildKeyName(id, &w.key);
          BuildValue(id, 1, options_.value_size, &w.value);
          issued_[id].store(1);
          const auto t0 = SteadyClock::now();
          absl::Status s = engine_->Put(w.key, w.value);
          const auto t1 = SteadyClock::now();
          if (!s.ok()) return s;
          acked_[id].store(1);
          w.latency.Record(NanosBetween(t0, t1));
          ++w.op_counts[static_cast<int>(Operation::kInsert)];
          w.user_bytes += w.key.size() + w.value.size();
          w.done.store(w.done.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        }
        return absl::OkStatus();
      },
      stats);
}

absl::Status Trial::Run(const char* phase, uint64_t ops, PhaseStats* stats) {
  if (spec_.distribution == RequestDistribution::kLatest) {
    latest_zetan_ = Zeta(inserts_.Last(), kZipfianConstant);
  }
  const std::string label = StrCat(engine_->name(), "/", spec_.name, " ", phase);
  const int phase_index = std::string_view(phase) == "warmup" ? 1 : 2;
  return ExecutePhase(
      label, ops, phase_index,
      [this](Worker& w) {
        if (spec_.distribution == RequestDistribution::kLatest) {
          w.latest = std::make_unique<SkewedLatestGenerator>(&inserts_, latest_zetan_);
        } else {
          w.zipfian = std::make_unique<ScrambledZipfianGenerator>(0, zipfian_items_ - 1);
        }
      },
      [this](Worker& w, uint64_t begin, uint64_t end) -> absl::Status {
        for (uint64_t i = begin; i < end && !Stopped(); ++i) {
          absl::Status s = DoOperation(w);
          if (!s.ok()) return s;
          w.done.store(w.done.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        }
        return absl::OkStatus();
      },
      stats);
}

uint64_t Trial::ChooseKey(Worker& w) {
  if (w.latest != nullptr) return w.latest->Next(&w.rng);
  const uint64_t limit = inserts_.Last();
  uint64_t id;
  do {
    id = w.zipfian->Next(&w.rng);
  } while (id > limit);
  return id;
}

absl::Status Trial::DoOperation(Worker& w) {
  const Operation op = spec_.Choose(w.rng.NextDouble());
  uint64_t nanos = 0;
  absl::Status s;
  switch (op) {
    case Operation::kRead:
      s = Read(w, ChooseKey(w), &nanos);
      break;
    case Operation::kUpdate:
      s = Update(w, ChooseKey(w), &nanos);
      break;
    case Operation::kInsert:
      s = Insert(w, &nanos);
      break;
    case Operation::kScan:
      s = Scan(w, &nanos);
      break;
    case Operation::kReadModifyWrite: {
      const uint64_t id = ChooseKey(w);
      uint64_t read_nanos = 0;
      s = Read(w, id, &read_nanos);
      if (s.ok()) s = Update(w, id, &nanos);
      nanos += read_nanos;
      break;
    }
  }
  if (!s.ok()) return s;
  w.latency.Record(nanos);
  ++w.op_counts[static_cast<int>(op)];
  return absl::OkStatus();
}

absl::Status Trial::Read(Worker& w, uint64_t id, uint64_t* nanos) {
  BuildKeyName(id, &w.key);
  const uint32_t low = acked_[id].load();
  const auto t0 = SteadyClock::now();
  absl::Status s = engine_->Get(w.key, &w.value);
  const auto t1 = SteadyClock::now();
  const uint32_t high = issued_[id].load();
  *nanos = NanosBetween(t0, t1);
  if (absl::IsNotFound(s)) {
    Fail(w, StrCat(engine_->name(), " read ", w.key, " (id ", id, "): not found"));
    return absl::OkStatus();
  }
  if (!s.ok()) return s;
  if (!options_.verify) return absl::OkStatus();
  if (options_.corrupt_one_in > 0 && w.rng.OneIn(options_.corrupt_one_in) && !w.value.empty()) {
    w.value[w.value.size() / 2] ^= 0x5a;
  }
  ValueHeader header;
  absl::Status d = DecodeValue(w.value, options_.value_size, &header);
  if (!d.ok()) {
    Fail(w, StrCat(engine_->name(), " read ", w.key, " (id ", id, "): ", std::string(d.message())));
  } else if (header.id != id) {
    Fail(w, StrCat(engine_->name(), " read ", w.key, " (id ", id, "): value of id ", header.id));
  } else if (header.version < low || header.version > high) {
    Fail(w, StrCat(engine_->name(), " read ", w.key, " (id ", id, "): version ", header.version,
                   ", expected ", low, "..", high));
  } else {
    ++w.reads_verified;
  }
  return absl::OkStatus();
}

absl::Status Trial::Update(Worker& w, uint64_t id, uint64_t* nanos) {
  BuildKeyName(id, &w.key);
  std::unique_lock<std::mutex> lock;
  uint32_t version;
  if (options_.verify) {
    // Writers of one id take turns, so versions reach the engine in order and the newest
    // acknowledged version is the one a later read must see (or a newer one).
    lock = std::unique_lock<std::mutex>(stripes_[id % kLockStripes]);
    version = issued_[id].load() + 1;
    issued_[id].store(version);
  } else {
    version = issued_[id].fetch_add(1) + 1;
  }
  BuildValue(id, version, options_.value_size, &w.value);
  const auto t0 = SteadyClock::now();
  absl::Status s = engine_->Put(w.key, w.value);
  const auto t1 = SteadyClock::now();
  *nanos = NanosBetween(t0, t1);
  if (!s.ok()) return s;
  acked_[id].store(version);
  w.user_bytes += w.key.size() + w.value.size();
  return absl::OkStatus();
}

absl::Status Trial::Insert(Worker& w, uint64_t* nanos) {
  uint64_t id;
  if (!inserts_.Next(&id)) {
    return absl::ResourceExhaustedError(
        StrCat("more inserts than the ", capacity_ - options_.records, " ids reserved"));
  }
  BuildKeyName(id, &w.key);
  BuildValue(id, 1, options_.value_size, &w.value);
  issued_[id].store(1);
  const auto t0 = SteadyClock::now();
  absl::Status s = engine_->Put(w.key, w.value);
  const auto t1 = SteadyClock::now();
  *nanos = NanosBetween(t0, t1);
  if (!s.ok()) return s;
  acked_[id].store(1);
  inserts_.Acknowledge(id);
  w.user_bytes += w.key.size() + w.value.size();
  return absl::OkStatus();
}

absl::Status Trial::Scan(Worker& w, uint64_t* nanos) {
  const uint64_t id = ChooseKey(w);
  const int span = spec_.max_scan_length - spec_.min_scan_length + 1;
  const int length = spec_.min_scan_length + static_cast<int>(w.rng.Uniform(span));
  BuildKeyName(id, &w.key);
  const auto t0 = SteadyClock::now();
  absl::Status s = engine_->Scan(w.key, length, &w.scan);
  const auto t1 = SteadyClock::now();
  *nanos = NanosBetween(t0, t1);
  if (!s.ok()) return s;
  if (options_.verify) CheckScan(w, id, static_cast<size_t>(length));
  return absl::OkStatus();
}

void Trial::CheckScan(Worker& w, uint64_t start_id, size_t length) {
  const std::string_view name = engine_->name();
  if (w.scan.empty() || w.scan.size() > length) {
    Fail(w, StrCat(name, " scan from ", w.key, " (id ", start_id, ") of ", length, " returned ",
                   w.scan.size(), " records"));
    return;
  }
  if (w.scan.front().key != w.key) {
    Fail(w, StrCat(name, " scan from existing key ", w.key, " started at ", w.scan.front().key));
    return;
  }
  for (size_t i = 0; i < w.scan.size(); ++i) {
    const KeyValue& record = w.scan[i];
    if (i > 0 && !(w.scan[i - 1].key < record.key)) {
      Fail(w, StrCat(name, " scan from ", w.key, ": keys out of order at ", record.key));
      return;
    }
    ValueHeader header;
    absl::Status d = DecodeValue(record.value, options_.value_size, &header);
    if (!d.ok()) {
      Fail(w, StrCat(name, " scan record ", record.key, ": ", std::string(d.message())));
      return;
    }
    if (header.id >= capacity_) {
      Fail(w, StrCat(name, " scan record ", record.key, ": unknown id ", header.id));
      return;
    }
    BuildKeyName(header.id, &w.expected_key);
    if (w.expected_key != record.key) {
      Fail(w, StrCat(name, " scan record ", record.key, ": value of ", w.expected_key));
      return;
    }
    const uint32_t high = issued_[header.id].load();
    if (header.version < 1 || header.version > high) {
      Fail(w, StrCat(name, " scan record ", record.key, ": version ", header.version,
                     " never written (newest ", high, ")"));
      return;
    }
    ++w.scan_records_verified;
  }
}

absl::Status Trial::FinalCheck(TrialResult* result) {
  PhaseStats stats;
  const std::string label = StrCat(engine_->name(), "/", spec_.name, " final check");
  absl::Status s = ExecutePhase(
      label, LiveRecords(), 3, [](Worker&) {},
      [this](Worker& w, uint64_t begin, uint64_t end) -> absl::Status {
        for (uint64_t id = begin; id < end && !Stopped(); ++id) {
          BuildKeyName(id, &w.key);
          absl::Status got = engine_->Get(w.key, &w.value);
          if (absl::IsNotFound(got)) {
            Fail(w, StrCat(engine_->name(), " final check ", w.key, " (id ", id, "): not found"));
            continue;
          }
          if (!got.ok()) return got;
          ValueHeader header;
          absl::Status d = DecodeValue(w.value, options_.value_size, &header);
          const uint32_t want = acked_[id].load();
          if (!d.ok()) {
            Fail(w,
                 StrCat(engine_->name(), " final check ", w.key, ": ", std::string(d.message())));
          } else if (header.id != id || header.version != want) {
            Fail(w, StrCat(engine_->name(), " final check ", w.key, " (id ", id, "): got id ",
                           header.id, " version ", header.version, ", want version ", want));
          } else {
            ++w.reads_verified;
          }
        }
        return absl::OkStatus();
      },
      &stats);
  result->final_checked = stats.reads_verified + stats.verify_failures;
  result->final_check_failures = stats.verify_failures;
  result->final_check_samples = std::move(stats.failure_samples);
  return s;
}

StallStats StallDelta(const StallStats& after, const StallStats& before) {
  StallStats d;
  d.available = after.available && before.available;
  if (!d.available) return d;
  d.micros = after.micros >= before.micros ? after.micros - before.micros : 0;
  d.count = after.count >= before.count ? after.count - before.count : 0;
  return d;
}

void MergeFailures(const PhaseStats& from, PhaseStats* into) {
  into->verify_failures += from.verify_failures;
  for (const auto& sample : from.failure_samples) {
    if (into->failure_samples.size() < kMaxFailureSamples) {
      into->failure_samples.push_back(sample);
    }
  }
}

// Polls the engine's idle signal (or, without one, waits until its tables stop growing for two
// seconds). False if the deadline passed first.
absl::StatusOr<bool> WaitUntilSettled(KvEngine* engine, double timeout_secs) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_secs);
  const auto poll = std::chrono::milliseconds(100);
  uint64_t last_written = engine->Shape().table_write_bytes;
  auto last_change = Clock::now();
  while (Clock::now() < deadline) {
    absl::StatusOr<bool> idle = engine->Idle();
    if (idle.ok()) {
      if (*idle) return true;
    } else if (absl::IsUnimplemented(idle.status())) {
      const LsmShape shape = engine->Shape();
      if (!shape.available) return true;  // nothing to wait on
      if (shape.table_write_bytes != last_written) {
        last_written = shape.table_write_bytes;
        last_change = Clock::now();
      } else if (Clock::now() - last_change >= std::chrono::seconds(2)) {
        return true;
      }
    } else {
      return idle.status();
    }
    std::this_thread::sleep_for(poll);
  }
  return false;
}

absl::Status RunTrialIn(KvEngine* engine, const EngineConfig& config, const RunOptions& options,
                        const WorkloadSpec& spec, const std::string& dir, int repeat,
                        TrialResult* result) {
  auto trial = std::make_unique<Trial>(engine, options, spec, repeat);
  ResetPeakRss();
  absl::Status s = engine->Open(config, dir);
  if (!s.ok()) return s;
  const StallStats at_open = engine->Stalls();
  s = trial->Load(&result->load);
  result->load.stalls = StallDelta(engine->Stalls(), at_open);
  if (options.progress_secs > 0) {
    const LsmShape shape = engine->Shape();
    if (shape.available) {
      std::fprintf(stderr, "  ... %s/%s load done: %s (%.2f x user bytes)\n",
                   std::string(engine->name()).c_str(), spec.name.c_str(),
                   FormatShape(shape).c_str(),
                   result->load.user_bytes
                       ? static_cast<double>(shape.table_write_bytes) / result->load.user_bytes
                       : 0.0);
    }
  }
  if (s.ok() && options.settle_timeout_secs > 0) {
    const IoCounters before = ReadIoCounters();
    const auto start = std::chrono::steady_clock::now();
    absl::StatusOr<bool> settled = WaitUntilSettled(engine, options.settle_timeout_secs);
    if (!settled.ok()) return settled.status();
    result->settle_io = ReadIoCounters() - before;
    if (*settled) {
      result->settle_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    if (options.progress_secs > 0) {
      std::fprintf(stderr, "  ... %s/%s settled: %s in %.1f s, %.0f MiB written\n",
                   std::string(engine->name()).c_str(), spec.name.c_str(),
                   *settled ? "idle" : "NOT idle (timeout)",
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                   result->settle_io.DeviceBytes() / 1048576.0);
    }
  }
  if (options.engine_stats) {
    std::fprintf(stderr, "  ... %s/%s statistics after the load:\n%s\n",
                 std::string(engine->name()).c_str(), spec.name.c_str(),
                 engine->DebugStats().c_str());
  }
  if (s.ok() && options.warmup_ops > 0) {
    PhaseStats warmup;
    s = trial->Run("warmup", options.warmup_ops, &warmup);
    MergeFailures(warmup, &result->run);
  }
  if (s.ok()) {
    PhaseStats run;
    const StallStats before_run = engine->Stalls();
    s = trial->Run("run", options.ops, &run);
    run.stalls = StallDelta(engine->Stalls(), before_run);
    MergeFailures(result->run, &run);
    result->run = std::move(run);
  }
  if (s.ok() && options.final_check) s = trial->FinalCheck(result);
  result->peak_rss_bytes = PeakRssBytes();
  absl::Status close = engine->Close();
  if (s.ok()) s = close;
  if (!s.ok()) return s;
  result->disk_bytes = DirectorySize(dir);
  const uint64_t records = trial->LiveRecords();
  // Keys are "user" + up to 20 digits: use the loaded bytes per record as the average.
  const double per_record =
      options.records > 0 ? static_cast<double>(result->load.user_bytes) / options.records : 0;
  result->live_user_bytes = static_cast<uint64_t>(per_record * records);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TrialResult> RunTrial(KvEngine* engine, const EngineConfig& config,
                                     const RunOptions& options, const WorkloadSpec& spec,
                                     const std::string& dir, int repeat) {
  TrialResult result;
  result.engine = std::string(engine->name());
  result.workload = spec.name;
  result.repeat = repeat;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return absl::InternalError(StrCat("create ", dir, ": ", ec.message()));
  absl::Status s = RunTrialIn(engine, config, options, spec, dir, repeat, &result);
  engine->Close().IgnoreError();
  std::filesystem::remove_all(dir, ec);
  SyncFileSystem(std::filesystem::path(dir).parent_path().string());
  if (!s.ok()) return s;
  return result;
}

}  // namespace nokv::bench
