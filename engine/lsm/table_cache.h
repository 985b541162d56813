// Opens SST files on demand and keeps them open. Thread-safe.
#pragma once

#include <algorithm>
#include <atomic>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "engine/manifest/version_edit.h"
#include "engine/sst/block_cache.h"
#include "engine/sst/table.h"
#include "engine/vfs/vfs.h"
#include "src/util/mutex.h"

namespace nokv {

// How a read uses the tables (from nokv::ReadOptions).
struct TableReadOptions {
  bool fill_cache = true;
  bool verify_checksums = false;  // re-verify blocks found in the cache too
};

// Keeps at most `max_open_files` tables open, least recently used first out. A table evicted
// while an iterator or a read holds it stays open until they let go (shared ownership); the
// next reader opens the file again.
class TableCache {
 public:
  // The block cache is shared: it lives as long as the last table cache (or reader) using it.
  TableCache(VFS* vfs, std::string dbdir, TableOptions options,
             std::shared_ptr<BlockCache> block_cache, size_t max_open_files = 1000)
      : vfs_(vfs),
        dbdir_(std::move(dbdir)),
        options_(options),
        block_cache_(std::move(block_cache)),
        max_open_files_(std::max<size_t>(1, max_open_files)) {}

  // The open table of a live file (opening it on first use; an ingested file with its global
  // sequence).
  absl::StatusOr<std::shared_ptr<Table>> Get(const FileMetaData& meta);
  // Forgets a file (it is about to be deleted) and drops its cached blocks.
  void Evict(uint64_t file_number);
  const TableOptions& options() const { return options_; }
  BlockCache* block_cache() const { return block_cache_.get(); }
  size_t open_tables() const;
  uint64_t opens() const { return opens_.load(std::memory_order_relaxed); }

 private:
  VFS* vfs_;
  std::string dbdir_;
  TableOptions options_;
  std::shared_ptr<BlockCache> block_cache_;
  const size_t max_open_files_;
  std::atomic<uint64_t> opens_{0};
  mutable Mutex mu_;
  struct Entry {
    std::shared_ptr<Table> table;
    std::list<uint64_t>::iterator lru;  // position in lru_
  };
  std::unordered_map<uint64_t, Entry> tables_ ABSL_GUARDED_BY(mu_);
  std::list<uint64_t> lru_ ABSL_GUARDED_BY(mu_);  // most recently used first
};

}  // namespace nokv
