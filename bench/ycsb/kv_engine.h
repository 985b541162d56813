// The small interface every engine under test implements. One adapter per engine
// (nokv_engine.cc, rocksdb_engine.cc, leveldb_engine.cc); each maps the same EngineConfig onto
// its engine's own options so that all of them run with the same memory budget, durability
// and table layout.
//
// Thread-safety: after Open, Put/Get/Scan may be called from any number of threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace nokv::bench {

struct EngineConfig {
  // Shared block cache for data (and, where the engine can, index and filter) blocks.
  size_t block_cache_bytes = 64 << 20;
  // Size at which a memtable is frozen and flushed.
  size_t memtable_bytes = 64 << 20;
  // Memtables held in memory at most: the active one plus frozen ones awaiting flush.
  int max_memtables = 2;
  size_t block_bytes = 4096;
  int bloom_bits_per_key = 10;
  uint64_t target_file_bytes = 64 << 20;
  // WAL always on; true = fsync (fdatasync) before acknowledging each write.
  bool sync = false;
};

struct KeyValue {
  std::string key;
  std::string value;
};

// Cumulative time writers were slowed or stopped by the engine (flush or compaction behind),
// since Open.
struct StallStats {
  bool available = false;  // false: the engine does not report stalls (LevelDB)
  uint64_t micros = 0;
  uint64_t count = 0;
};

// The tree's shape as the engine reports it, for the progress lines: how many sorted runs a
// point read may probe and how much the background work has written.
struct LsmShape {
  bool available = false;
  std::vector<int> files_per_level;  // index = level; L0 first
  // L0 tables a point read may probe: the deepest overlap for NoKV's sharded ingest buffer, the
  // L0 file count for engines whose L0 files all overlap.
  int l0_read_amp = 0;
  // Bytes written to tables by flushes and compactions since Open (0 if not reported).
  uint64_t table_write_bytes = 0;
};
// "L0 6 (probe 3) L5 12 L6 80 | tables written 1.2 GiB".
std::string FormatShape(const LsmShape& shape);

class KvEngine {
 public:
  virtual ~KvEngine() = default;

  // "nokv", "rocksdb" or "leveldb".
  virtual std::string_view name() const = 0;

  // Creates a new database in `dir` (which must not hold one).
  virtual absl::Status Open(const EngineConfig& config, const std::string& dir) = 0;

  virtual absl::Status Put(std::string_view key, std::string_view value) = 0;
  // NotFound if the key is absent; `value` receives a copy otherwise.
  virtual absl::Status Get(std::string_view key, std::string* value) = 0;
  // Up to `count` records with key >= start, in key order. `out` is resized to the number
  // returned; its strings are reused to avoid allocations.
  virtual absl::Status Scan(std::string_view start, int count, std::vector<KeyValue>* out) = 0;

  // Waits for background work and releases the directory. Idempotent.
  virtual absl::Status Close() = 0;

  // Read from the engine's own statistics; must not add work to the hot path.
  virtual StallStats Stalls() { return StallStats(); }
  // Cheap enough to call every few seconds from another thread.
  virtual LsmShape Shape() { return LsmShape(); }
  // True when no flush or compaction is queued or running (the tree has settled after a
  // load). Unimplemented if the engine cannot tell; the harness then waits until the bytes
  // its tables have written stop growing.
  virtual absl::StatusOr<bool> Idle() { return absl::UnimplementedError("no idle signal"); }
  // The engine's own statistics text (per-level compaction table and the like), printed after
  // each load with --engine_stats. Empty if the engine has none.
  virtual std::string DebugStats() { return ""; }

  // The effective settings, one "name=value" per entry, for the report.
  virtual std::string DescribeSettings() const = 0;
};

// Maps an engine's own status onto absl: NotFound stays NotFound, anything else becomes
// Internal with the engine's message, prefixed by the operation ("rocksdb Put: IO error: ...").
absl::Status EngineStatus(bool ok, bool not_found, std::string_view engine, std::string_view op,
                          std::string_view message);

// Names of the engines compiled into this binary.
std::vector<std::string> AvailableEngines();
// Unimplemented if `name` was not compiled in, InvalidArgument if unknown.
absl::StatusOr<std::unique_ptr<KvEngine>> MakeEngine(std::string_view name);

// Factories defined by the adapters (only those compiled in are referenced).
std::unique_ptr<KvEngine> NewNoKVEngine();
std::unique_ptr<KvEngine> NewRocksDbEngine();
std::unique_ptr<KvEngine> NewLevelDbEngine();

}  // namespace nokv::bench
