// SST microbenchmarks: block seek/scan, table point lookups (cached, uncached, absent keys) and
// table build throughput. Data lives in MemVFS so the figures measure the format code, not disk.
//   nokv_sst_bench --benchmark_min_time=0.05
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/format/dbformat.h"
#include "engine/sst/block.h"
#include "engine/sst/block_builder.h"
#include "engine/sst/block_cache.h"
#include "engine/sst/table.h"
#include "engine/vfs/mem_vfs.h"
#include "src/util/random.h"

namespace nokv {
namespace {

std::string UserKey(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "user%012llu", static_cast<unsigned long long>(i));
  return buf;
}

std::vector<std::string> SortedKeys(int n) {
  std::vector<std::string> keys;
  keys.reserve(n);
  for (int i = 0; i < n; ++i)
    keys.push_back(MakeInternalKey(UserKey(i * 2), 100, ValueKind::kValue));
  return keys;
}

void BM_BlockSeek(benchmark::State& state) {
  const int restart_interval = static_cast<int>(state.range(0));
  std::vector<std::string> keys = SortedKeys(64);  // ~64 x (24 key + 32 value) = 4 KB block
  sst::BlockBuilder builder(restart_interval);
  std::string value(32, 'v');
  for (const auto& k : keys) builder.Add(k, value);
  std::string block(builder.Finish());
  static const std::string kName = "bench";
  sst::BlockIter it;
  if (!it.Init(block, &kName, 0).ok()) state.SkipWithError("bad block");
  Random rnd(1);
  for (auto _ : state) {
    it.Seek(keys[rnd.Uniform(keys.size())]);
    benchmark::DoNotOptimize(it.key().data());
  }
  state.SetLabel(std::to_string(block.size()) + " byte block");
}
BENCHMARK(BM_BlockSeek)->Arg(1)->Arg(16)->Arg(64);

void BM_BlockScan(benchmark::State& state) {
  std::vector<std::string> keys = SortedKeys(64);
  sst::BlockBuilder builder(16);
  std::string value(32, 'v');
  for (const auto& k : keys) builder.Add(k, value);
  std::string block(builder.Finish());
  static const std::string kName = "bench";
  sst::BlockIter it;
  if (!it.Init(block, &kName, 0).ok()) state.SkipWithError("bad block");
  for (auto _ : state) {
    for (it.SeekToFirst(); it.Valid(); it.Next()) benchmark::DoNotOptimize(it.value().data());
  }
  state.SetItemsProcessed(state.iterations() * keys.size());
}
BENCHMARK(BM_BlockScan);

struct TableFixture {
  MemVFS vfs;
  std::unique_ptr<BlockCache> cache;
  std::shared_ptr<Table> table;
  int num_keys = 0;
};

// 200k keys x 100-byte values (~25 MB raw), 4 KB blocks, bloom 10 bits/key.
TableFixture& SharedTable(bool zstd) {
  static TableFixture* fixtures[2] = {nullptr, nullptr};
  TableFixture*& f = fixtures[zstd ? 1 : 0];
  if (f != nullptr) return *f;
  f = new TableFixture;
  f->num_keys = 200000;
  TableOptions options;
  options.compression = zstd ? BlockCompression::kZstd : BlockCompression::kNone;
  auto file = f->vfs.NewWritableFile("/bench.sst");
  TableBuilder builder(options, file->get(), "/bench.sst");
  Random rnd(7);
  std::string value(100, 'x');
  for (int i = 0; i < f->num_keys; ++i) {
    for (auto& c : value) c = static_cast<char>('a' + rnd.Uniform(4));  // compressible-ish
    builder.Add(MakeInternalKey(UserKey(i * 2), 1000, ValueKind::kValue), value);
  }
  if (!builder.Finish().ok()) std::abort();
  (void)(*file)->Close();
  f->cache = std::make_unique<BlockCache>(256 << 20);
  auto raf = f->vfs.NewRandomAccessFile("/bench.sst");
  auto table = Table::Open(options, std::move(*raf), "/bench.sst", 1, f->cache.get());
  if (!table.ok()) std::abort();
  f->table = *table;
  return *f;
}

// Arg 0: 0 = no cache fill (every Get reads + checksums + decodes its block), 1 = cached.
// Arg 1: 0 = uncompressed, 1 = zstd.
void BM_TableGet(benchmark::State& state) {
  bool cached = state.range(0) != 0;
  TableFixture& f = SharedTable(state.range(1) != 0);
  if (cached) {  // warm every block
    auto it = f.table->NewIterator();
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
    }
  } else {
    f.cache->EraseFile(1);
  }
  Random rnd(3);
  TableGetResult result;
  std::string key;
  uint64_t found = 0;
  for (auto _ : state) {
    key.clear();
    AppendInternalKey(&key, UserKey(rnd.Uniform(f.num_keys) * 2), kMaxSequenceNumber,
                      kValueKindForSeek);
    if (!f.table->Get(key, &result, /*fill_cache=*/cached).ok()) state.SkipWithError("get");
    found += result.found;
  }
  if (found != state.iterations()) state.SkipWithError("missing key");
}
BENCHMARK(BM_TableGet)->ArgsProduct({{0, 1}, {0, 1}});

// Absent keys: answered by the bloom filter almost always.
void BM_TableGetAbsent(benchmark::State& state) {
  TableFixture& f = SharedTable(false);
  Random rnd(4);
  TableGetResult result;
  std::string key;
  for (auto _ : state) {
    key.clear();
    AppendInternalKey(&key, UserKey(rnd.Uniform(f.num_keys) * 2 + 1), kMaxSequenceNumber,
                      kValueKindForSeek);
    if (!f.table->Get(key, &result).ok()) state.SkipWithError("get");
  }
}
BENCHMARK(BM_TableGetAbsent);

void BM_TableBuild(benchmark::State& state) {
  TableOptions options;
  options.compression = state.range(0) != 0 ? BlockCompression::kZstd : BlockCompression::kNone;
  const int n = 50000;
  std::vector<std::string> keys = SortedKeys(n);
  std::string value(100, 'y');
  for (auto _ : state) {
    MemVFS vfs;
    auto file = vfs.NewWritableFile("/b.sst");
    TableBuilder builder(options, file->get(), "/b.sst");
    for (const auto& k : keys) builder.Add(k, value);
    if (!builder.Finish().ok()) state.SkipWithError("finish");
  }
  state.SetBytesProcessed(state.iterations() * n * (keys[0].size() + value.size()));
}
BENCHMARK(BM_TableBuild)->Arg(0)->Arg(1);

// Hits in a cache holding `entries` 4 KiB blocks of 8 files, looked up in random order from
// 1..4 threads (the data-block path of every iterator step onto a new block).
void BM_BlockCacheLookup(benchmark::State& state) {
  static BlockCache* cache = nullptr;
  const int entries = static_cast<int>(state.range(0));
  if (state.thread_index() == 0) {
    cache = new BlockCache(static_cast<size_t>(entries) * 8192);
    for (int i = 0; i < entries; ++i) {
      cache->Insert(i % 8, (i / 8) * 4096, std::make_shared<const std::string>(4096, 'b'));
    }
  }
  Random rnd(301 + state.thread_index());
  for (auto _ : state) {
    int i = static_cast<int>(rnd.Uniform(entries));
    benchmark::DoNotOptimize(cache->Lookup(i % 8, (i / 8) * 4096));
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    delete cache;
    cache = nullptr;
  }
}
BENCHMARK(BM_BlockCacheLookup)->Arg(16384)->Threads(1)->Threads(4);

}  // namespace
}  // namespace nokv
