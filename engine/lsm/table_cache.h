// Opens SST files on demand and keeps them open. Thread-safe.
#pragma once

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

class TableCache {
 public:
  // The block cache is shared: it lives as long as the last table cache (or reader) using it.
  TableCache(VFS* vfs, std::string dbdir, TableOptions options,
             std::shared_ptr<BlockCache> block_cache)
      : vfs_(vfs),
        dbdir_(std::move(dbdir)),
        options_(options),
        block_cache_(std::move(block_cache)) {}

  // The open table of a live file (opening it on first use; an ingested file with its global
  // sequence).
  absl::StatusOr<std::shared_ptr<Table>> Get(const FileMetaData& meta);
  // Forgets a file (it is about to be deleted) and drops its cached blocks.
  void Evict(uint64_t file_number);
  const TableOptions& options() const { return options_; }
  BlockCache* block_cache() const { return block_cache_.get(); }

 private:
  VFS* vfs_;
  std::string dbdir_;
  TableOptions options_;
  std::shared_ptr<BlockCache> block_cache_;
  Mutex mu_;
  std::unordered_map<uint64_t, std::shared_ptr<Table>> tables_ ABSL_GUARDED_BY(mu_);
};

}  // namespace nokv
