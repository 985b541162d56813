// Write pipeline microbenchmark through the public API: concurrent DB::Set from 1..16 threads,
// with and without sync. With sync, group commit should let N writers share one fsync, so
// items/s should grow with the thread count instead of staying at 1 / fsync latency.
//   nokv-pipeline-bench [--benchmark_filter=...] [--benchmark_min_time=0.05]
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "bench/ycsb/record.h"
#include "benchmark/benchmark.h"
#include "nokv/db.h"

namespace nokv {
namespace {

// One DB shared by the threads of a benchmark run; thread 0 opens it and closes it.
struct SharedDb {
  std::mutex mu;
  std::string dir;
  std::unique_ptr<DB> db;
  std::atomic<uint64_t> next_id{0};
};
SharedDb shared;

void Setup(benchmark::State& state) {
  std::string pattern = "/tmp/nokv-pipeline-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    state.SkipWithError("cannot create a scratch directory");
    return;
  }
  shared.dir = pattern;
  Options options;
  options.memtable_bytes = 64 << 20;
  auto db = DB::Open(options, shared.dir);
  if (!db.ok()) {
    state.SkipWithError(std::string(db.status().message()).c_str());
    return;
  }
  shared.db = std::move(db).value();
  shared.next_id = 0;
}

void Teardown() {
  if (shared.db != nullptr) shared.db->Close().IgnoreError();
  shared.db.reset();
  std::error_code ec;
  if (!shared.dir.empty()) std::filesystem::remove_all(shared.dir, ec);
  shared.dir.clear();
}

// Arg: 1 = sync writes. Each write is a fresh 1000-byte record.
void BM_DbSet(benchmark::State& state) {
  if (state.thread_index() == 0) Setup(state);
  WriteOptions write_options;
  write_options.sync = state.range(0) != 0;
  std::string key;
  std::string value;
  for (auto _ : state) {
    if (shared.db == nullptr) {
      state.SkipWithError("no database");
      break;
    }
    const uint64_t id = shared.next_id.fetch_add(1, std::memory_order_relaxed);
    bench::BuildKeyName(id, &key);
    bench::BuildValue(id, 1, 1000, &value);
    absl::Status s = shared.db->Set(write_options, key, value);
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) Teardown();
}
BENCHMARK(BM_DbSet)->Arg(0)->Arg(1)->ThreadRange(1, 16)->UseRealTime();

}  // namespace
}  // namespace nokv
