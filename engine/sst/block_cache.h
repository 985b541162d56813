// A sharded LRU cache of decoded (uncompressed, checksum-verified) blocks with a byte budget.
// Thread-safe. Entries are shared_ptr so a block in use by a reader stays alive after eviction.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace nokv {

class BlockCache {
 public:
  // `capacity_bytes` is the budget over all shards; 2^shard_bits shards.
  explicit BlockCache(size_t capacity_bytes, int shard_bits = 4);
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  // The cached bytes for (file_number, offset), or null.
  std::shared_ptr<const std::string> Lookup(uint64_t file_number, uint64_t offset);
  // Inserts (replacing an existing entry); evicts least-recently-used entries over budget.
  void Insert(uint64_t file_number, uint64_t offset, std::shared_ptr<const std::string> block);
  // Drops every entry of a file (called when the file is deleted).
  void EraseFile(uint64_t file_number);

  size_t capacity() const;
  size_t usage() const;
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  struct Shard;
  std::unique_ptr<Shard[]> shards_;
  int shard_bits_;
  size_t capacity_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace nokv
