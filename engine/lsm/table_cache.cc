#include "engine/lsm/table_cache.h"

#include "engine/format/filenames.h"
#include "src/util/status_macros.h"

namespace nokv {

absl::StatusOr<std::shared_ptr<Table>> TableCache::Get(const FileMetaData& meta) {
  const uint64_t file_number = meta.number;
  {
    MutexLock lock(&mu_);
    auto it = tables_.find(file_number);
    if (it != tables_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.lru);
      return it->second.table;
    }
  }
  // Opened outside the lock: two racing opens of the same file are harmless (one wins).
  std::string path = SstFileName(dbdir_, file_number);
  NOKV_ASSIGN_OR_RETURN(auto file, vfs_->NewRandomAccessFile(path));
  NOKV_ASSIGN_OR_RETURN(std::shared_ptr<Table> table,
                        Table::Open(options_, std::move(file), path, file_number,
                                    block_cache_.get(), meta.global_seq));
  opens_.fetch_add(1, std::memory_order_relaxed);
  MutexLock lock(&mu_);
  auto [it, inserted] = tables_.try_emplace(file_number);
  if (!inserted) return it->second.table;  // another reader opened it meanwhile
  lru_.push_front(file_number);
  it->second = Entry{std::move(table), lru_.begin()};
  std::shared_ptr<Table> result = it->second.table;
  while (tables_.size() > max_open_files_) {
    tables_.erase(lru_.back());
    lru_.pop_back();
  }
  return result;
}

size_t TableCache::open_tables() const {
  MutexLock lock(&mu_);
  return tables_.size();
}

void TableCache::Evict(uint64_t file_number) {
  {
    MutexLock lock(&mu_);
    auto it = tables_.find(file_number);
    if (it != tables_.end()) {
      lru_.erase(it->second.lru);
      tables_.erase(it);
    }
  }
  if (block_cache_ != nullptr) block_cache_->EraseFile(file_number);
}

}  // namespace nokv
