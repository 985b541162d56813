// WAL append microbenchmarks on the real file system (a fresh directory under /tmp):
//   BM_WalAppend          records handed to the OS, no fsync (the default durability)
//   BM_WalAppendSyncEach  one fsync per write: what sync=true costs without group commit
//   BM_WalGroupCommit     G writes framed as one record and one fsync, as the commit thread
//                         does for a write group; items/s counts writes, not groups
//   nokv-wal-bench [--benchmark_filter=...] [--benchmark_min_time=0.05]
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "benchmark/benchmark.h"
#include "engine/vfs/vfs.h"
#include "engine/wal/log_writer.h"

namespace nokv {
namespace {

constexpr uint64_t kRotateBytes = 256 << 20;

// A scratch directory removed when the benchmark ends.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = "/tmp/nokv-wal-bench-XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Opens (or rotates to) a fresh WAL file; reports an error through `state`.
bool OpenWal(benchmark::State& state, const ScratchDir& dir, uint64_t* number,
             std::unique_ptr<log::Writer>* writer) {
  if (*writer != nullptr) (*writer)->Close().IgnoreError();
  writer->reset();
  if (dir.path().empty()) {
    state.SkipWithError("cannot create a scratch directory");
    return false;
  }
  const std::string path = dir.path() + "/" + std::to_string(++*number) + ".log";
  auto created = log::Writer::Create(*VFS::Default(), path, log::FileKind::kWal, *number);
  if (!created.ok()) {
    state.SkipWithError(std::string(created.status().message()).c_str());
    return false;
  }
  *writer = std::move(created).value();
  if (*number > 1)
    VFS::Default()
        ->RemoveFile(dir.path() + "/" + std::to_string(*number - 1) + ".log")
        .IgnoreError();
  return true;
}

// Runs `append` per iteration with a WAL writer, rotating files outside the timed region.
template <typename Append>
void RunWal(benchmark::State& state, Append append) {
  ScratchDir dir;
  uint64_t number = 0;
  std::unique_ptr<log::Writer> writer;
  if (!OpenWal(state, dir, &number, &writer)) return;
  for (auto _ : state) {
    if (writer->size() > kRotateBytes) {
      state.PauseTiming();
      const bool ok = OpenWal(state, dir, &number, &writer);
      state.ResumeTiming();
      if (!ok) return;
    }
    absl::Status s = append(writer.get());
    if (!s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      return;
    }
  }
  writer->Close().IgnoreError();
}

// Arg: record bytes.
void BM_WalAppend(benchmark::State& state) {
  const std::string payload(static_cast<size_t>(state.range(0)), 'w');
  RunWal(state, [&](log::Writer* w) { return w->AddRecord(payload); });
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
}
BENCHMARK(BM_WalAppend)->Arg(100)->Arg(1024)->Arg(16 << 10);

// Arg: record bytes.
void BM_WalAppendSyncEach(benchmark::State& state) {
  const std::string payload(static_cast<size_t>(state.range(0)), 'w');
  RunWal(state, [&](log::Writer* w) {
    absl::Status s = w->AddRecord(payload);
    return s.ok() ? w->Sync() : s;
  });
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
}
BENCHMARK(BM_WalAppendSyncEach)->Arg(1024)->UseRealTime();

// Args: bytes per write, writes per group.
void BM_WalGroupCommit(benchmark::State& state) {
  const size_t write_bytes = static_cast<size_t>(state.range(0));
  const int64_t group = state.range(1);
  const std::string payload(write_bytes * static_cast<size_t>(group), 'w');
  RunWal(state, [&](log::Writer* w) {
    absl::Status s = w->AddRecord(payload);
    return s.ok() ? w->Sync() : s;
  });
  state.SetItemsProcessed(state.iterations() * group);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(payload.size()));
}
BENCHMARK(BM_WalGroupCommit)->Args({1024, 1})->Args({1024, 8})->Args({1024, 64})->UseRealTime();

}  // namespace
}  // namespace nokv
