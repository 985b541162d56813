#include "engine/lsm/table_cache.h"

#include "engine/format/filenames.h"
#include "src/util/status_macros.h"

namespace nokv {

absl::StatusOr<std::shared_ptr<Table>> TableCache::Get(const FileMetaData& meta) {
  const uint64_t file_number = meta.number;
  {
    MutexLock lock(&mu_);
    auto it = tables_.find(file_number);
    if (it != tables_.end()) return it->second;
  }
  // Opened outside the lock: two racing opens of the same file are harmless (one wins).
  std::string path = SstFileName(dbdir_, file_number);
  NOKV_ASSIGN_OR_RETURN(auto file, vfs_->NewRandomAccessFile(path));
  NOKV_ASSIGN_OR_RETURN(std::shared_ptr<Table> table,
                        Table::Open(options_, std::move(file), path, file_number,
                                    block_cache_.get(), meta.global_seq));
  MutexLock lock(&mu_);
  auto [it, inserted] = tables_.emplace(file_number, table);
  return it->second;
}

void TableCache::Evict(uint64_t file_number) {
  {
    MutexLock lock(&mu_);
    tables_.erase(file_number);
  }
  if (block_cache_ != nullptr) block_cache_->EraseFile(file_number);
}

}  // namespace nokv
