// Options for opening a NoKV database and for individual reads and writes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nokv {

class Clock;
class Snapshot;
class VFS;

enum class Compression : uint8_t {
  kNone = 0,
  kZstd = 1,
};

struct Options {
  // Create the workdir if it does not exist. If false, opening a missing DB fails with NotFound.
  bool create_if_missing = true;
  // Fail with AlreadyExists if the workdir already holds a database.
  bool error_if_exists = false;

  // File system used for every byte of I/O. nullptr = the POSIX file system. Not owned; must
  // outlive the DB.
  VFS* vfs = nullptr;
  // Time source for TTL expiry and throttling. nullptr = the real clock. Not owned.
  Clock* clock = nullptr;

  // A memtable is frozen and flushed once it holds about this many bytes.
  size_t memtable_bytes = 64 << 20;
  // Frozen memtables waiting for flush; writers wait when this many are queued (bounded, so a
  // slow disk slows writers instead of exhausting memory).
  int max_immutable_memtables = 2;
  // WAL segments rotate when they reach this size (a memtable switch also starts a segment).
  uint64_t wal_segment_bytes = 64 << 20;

  // SST layout.
  size_t block_bytes = 4096;
  int block_restart_interval = 16;
  int bloom_bits_per_key = 10;
  Compression compression = Compression::kNone;
  int zstd_level = 1;
  // Target size of one SST file written by compaction.
  uint64_t target_file_bytes = 64 << 20;

  // Byte budget of the shared block cache (uncompressed data, index and filter blocks).
  size_t block_cache_bytes = 64 << 20;
  // SST files kept open (least recently used closed first); each holds its index and filter
  // blocks in memory while open.
  int max_open_files = 1000;

  // Leveled compaction (docs/notes/2026-11-29-leveled-compaction.md). The bottom level (L6)
  // holds most of the data; each level above holds a `level_size_multiplier`-th of the one
  // below; L0 compacts into the base level, the highest one whose share still fits in
  // `max_bytes_for_level_base` (so a small database compacts L0 straight into L6).
  uint64_t max_bytes_for_level_base = 256 << 20;
  int level_size_multiplier = 10;
  // Threads running compactions; flushes have a thread of their own.
  int max_background_compactions = 1;

  // The ingest buffer (docs/notes/2026-11-29-ingest-buffer.md): L0 is split into this many
  // key-range shards (bounds from the base level's files); flushes write one file per shard
  // they touch and each shard drains into the base level on its own. Depth = the most L0 files
  // any shard holds, i.e. the files a point read there may probe.
  int ingest_buffer_shards = 8;
  // A shard compacts when its depth reaches this.
  int l0_compaction_trigger = 4;
  // Writers are slowed (by a rate that follows the backlog, not stopped) from this depth...
  int l0_slowdown_trigger = 12;
  // ...and wait for compaction at this depth.
  int l0_stop_trigger = 24;
  // Bytes per second writers may commit when slowed down at first; the rate shrinks while the
  // backlog grows and recovers as it drains (src/db/write_controller.h).
  uint64_t delayed_write_rate = 16 << 20;

  // Write pipeline: the committer groups up to this many bytes of queued writes into one WAL
  // write (the limit grows with the backlog, up to 4x).
  size_t max_write_batch_group_bytes = 1 << 20;
};

struct ReadOptions {
  // Read as of this snapshot; nullptr = the latest committed state at the time of the call.
  const Snapshot* snapshot = nullptr;
  // Read every SST block this operation touches from the file and verify its checksum, even
  // when the block cache holds it (blocks loaded from the file are always verified; this also
  // catches damage on disk under cached data, at the cost of the cache's benefit).
  bool verify_checksums = false;
  // Insert blocks read by this operation into the block cache.
  bool fill_cache = true;
  // Iterator bounds: keys in [lower_bound, upper_bound). Empty = unbounded. The strings are
  // copied by NewIterator.
  std::string lower_bound;
  std::string upper_bound;
  // If non-empty, the iterator only yields keys starting with this prefix.
  std::string prefix;
};

struct WriteOptions {
  // true: the write is fsynced to the WAL before the call returns (group commit shares one
  // fsync among concurrent writers). false (default): the write reaches the OS before the call
  // returns, so it survives a process crash but not a power cut.
  bool sync = false;
};

}  // namespace nokv
