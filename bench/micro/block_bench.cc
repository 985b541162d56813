// SST data block microbenchmarks: seek within one 4 KiB block (the inner step of every Get
// and iterator Seek once the index has picked the block), and building such a block.
//   nokv-block-bench [--benchmark_filter=...] [--benchmark_min_time=0.05]
#include <algorithm>
#include <string>
#include <vector>

#include "bench/ycsb/record.h"
#include "benchmark/benchmark.h"
#include "engine/format/dbformat.h"
#include "engine/sst/block.h"
#include "engine/sst/block_builder.h"
#include "src/util/random.h"

namespace nokv {
namespace {

constexpr size_t kBlockBytes = 4096;

// Sorted internal keys of YCSB-style user keys, enough to fill more than one block.
std::vector<std::string> SortedInternalKeys(size_t n) {
  std::vector<std::string> user_keys(n);
  for (size_t i = 0; i < n; ++i) bench::BuildKeyName(i, &user_keys[i]);
  std::sort(user_keys.begin(), user_keys.end());
  std::vector<std::string> keys;
  keys.reserve(n);
  for (size_t i = 0; i < n; ++i)
    keys.push_back(MakeInternalKey(user_keys[i], i + 1, ValueKind::kValue));
  return keys;
}

// Fills a builder with keys from the front of `keys` until the block reaches kBlockBytes;
// returns how many keys went in.
size_t FillBlock(sst::BlockBuilder* builder, const std::vector<std::string>& keys,
                 const std::string& value) {
  size_t n = 0;
  while (n < keys.size() && builder->CurrentSizeEstimate() < kBlockBytes) {
    builder->Add(keys[n++], value);
  }
  return n;
}

// Args: value bytes, restart interval.
void BM_BlockSeek(benchmark::State& state) {
  const std::string value(static_cast<size_t>(state.range(0)), 'v');
  const std::vector<std::string> keys = SortedInternalKeys(4096);
  sst::BlockBuilder builder(static_cast<int>(state.range(1)));
  const size_t n = FillBlock(&builder, keys, value);
  const std::string contents(builder.Finish());
  const std::string file_name = "bench.sst";
  sst::BlockIter it;
  if (!it.Init(contents, &file_name, 0).ok()) {
    state.SkipWithError("block init failed");
    return;
  }
  Random rng(11);
  size_t found = 0;
  for (auto _ : state) {
    const std::string& target = keys[rng.Uniform(n)];
    it.Seek(target);
    found += it.Valid() && it.key() == target;
  }
  if (found != state.iterations()) state.SkipWithError("seek missed a key");
  state.counters["entries"] = static_cast<double>(n);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BlockSeek)->Args({100, 16})->Args({1000, 16})->Args({100, 1})->Args({100, 32});

// Build one full block. Arg: value bytes.
void BM_BlockBuild(benchmark::State& state) {
  const std::string value(static_cast<size_t>(state.range(0)), 'v');
  const std::vector<std::string> keys = SortedInternalKeys(4096);
  sst::BlockBuilder builder(16);
  size_t entries = 0;
  for (auto _ : state) {
    builder.Reset();
    entries += FillBlock(&builder, keys, value);
    benchmark::DoNotOptimize(builder.Finish());
  }
  state.SetItemsProcessed(static_cast<int64_t>(entries));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kBlockBytes));
}
BENCHMARK(BM_BlockBuild)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace nokv
