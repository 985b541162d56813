// Memtable microbenchmarks: insert and point lookup on the arena skiplist, with YCSB-style
// keys ("user" + hashed id) in hash order, as the write path and Get see them.
//   nokv-memtable-bench [--benchmark_filter=...] [--benchmark_min_time=0.05]
#include <memory>
#include <string>
#include <vector>

#include "bench/ycsb/record.h"
#include "benchmark/benchmark.h"
#include "engine/format/dbformat.h"
#include "engine/memtable/memtable.h"
#include "src/util/random.h"

namespace nokv {
namespace {

std::vector<std::string> MakeKeys(size_t n) {
  std::vector<std::string> keys(n);
  for (size_t i = 0; i < n; ++i) bench::BuildKeyName(i, &keys[i]);
  return keys;
}

// Insert: one Add per iteration; a new memtable every `kEntriesPerTable` entries (the rebuild is
// not timed). Arg: value bytes.
void BM_MemTableInsert(benchmark::State& state) {
  constexpr size_t kEntriesPerTable = 200000;
  const std::vector<std::string> keys = MakeKeys(kEntriesPerTable);
  const std::string value(static_cast<size_t>(state.range(0)), 'v');
  auto table = std::make_unique<MemTable>();
  size_t i = 0;
  SequenceNumber seq = 1;
  for (auto _ : state) {
    if (i == kEntriesPerTable) {
      state.PauseTiming();
      table = std::make_unique<MemTable>();
      i = 0;
      state.ResumeTiming();
    }
    table->Add(seq++, ValueKind::kValue, keys[i++], value);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * (keys[0].size() + value.size()));
}
BENCHMARK(BM_MemTableInsert)->Arg(100)->Arg(1000);

// Get: random lookups in a memtable of Arg(0) entries with 1000-byte values; Arg(1) = 1 for
// keys that are present, 0 for absent ones.
void BM_MemTableGet(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const bool hit = state.range(1) != 0;
  const std::vector<std::string> keys = MakeKeys(2 * n);
  const std::string value(1000, 'v');
  MemTable table;
  for (size_t i = 0; i < n; ++i) table.Add(i + 1, ValueKind::kValue, keys[i], value);
  Random rng(7);
  std::string out;
  ValueKind kind;
  SequenceNumber seq;
  size_t found = 0;
  for (auto _ : state) {
    const size_t index = rng.Uniform(n) + (hit ? 0 : n);
    found += table.Get(keys[index], kMaxSequenceNumber, &kind, &seq, &out);
  }
  if (found != (hit ? state.iterations() : 0)) state.SkipWithError("unexpected lookup result");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MemTableGet)->Args({10000, 1})->Args({200000, 1})->Args({200000, 0});

}  // namespace
}  // namespace nokv
