// Sharded LRU: each shard is a mutex, a hash map from (file, offset) to entries, and an
// intrusive doubly linked list in recency order (head = most recently used). Sharding by a hash
// of the key spreads concurrent readers over independent locks.
#include "engine/sst/block_cache.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "src/util/hash.h"

namespace nokv {
namespace {

struct CacheKey {
  uint64_t file_number;
  uint64_t offset;
  bool operator==(const CacheKey& o) const {
    return file_number == o.file_number && offset == o.offset;
  }
};

uint64_t HashKey(const CacheKey& k) {
  uint64_t words[2] = {k.file_number, k.offset};
  return Hash64(words, sizeof(words));
}

struct CacheKeyHash {
  size_t operator()(const CacheKey& k) const { return static_cast<size_t>(HashKey(k)); }
};

// Bookkeeping charged on top of the block bytes: the entry, its map node and the string header.
constexpr size_t kEntryOverhead = 96;

}  // namespace

struct BlockCache::Shard {
  struct Entry {
    CacheKey key;
    std::shared_ptr<const std::string> block;
    size_t charge = 0;
    Entry* prev = nullptr;
    Entry* next = nullptr;
  };

  std::mutex mu;
  size_t capacity = 0;
  size_t usage = 0;  // guarded by mu
  Entry head;        // sentinel of the recency list; head.next is the most recent
  std::unordered_map<CacheKey, std::unique_ptr<Entry>, CacheKeyHash> map;  // guarded by mu

  Shard() { head.prev = head.next = &head; }

  void Unlink(Entry* e) {
    e->prev->next = e->next;
    e->next->prev = e->prev;
  }
  void PushFront(Entry* e) {
    e->next = head.next;
    e->prev = &head;
    head.next->prev = e;
    head.next = e;
  }
  // Removes `e` from list, usage and map (destroying it).
  void Remove(Entry* e) {
    Unlink(e);
    usage -= e->charge;
    CacheKey key = e->key;  // a copy: erase() destroys the entry the key lives in
    map.erase(key);
  }
};

BlockCache::BlockCache(size_t capacity_bytes, int shard_bits)
    : shard_bits_(std::clamp(shard_bits, 0, 16)), capacity_(capacity_bytes) {
  size_t n = size_t{1} << shard_bits_;
  shards_ = std::make_unique<Shard[]>(n);
  for (size_t i = 0; i < n; ++i) shards_[i].capacity = capacity_bytes / n;
}

BlockCache::~BlockCache() = default;

// Top bits of the hash pick the shard; the map uses the whole hash.
static inline size_t ShardIndex(uint64_t hash, int shard_bits) {
  return shard_bits == 0 ? 0 : static_cast<size_t>(hash >> (64 - shard_bits));
}

std::shared_ptr<const std::string> BlockCache::Lookup(uint64_t file_number, uint64_t offset) {
  CacheKey key{file_number, offset};
  Shard& s = shards_[ShardIndex(HashKey(key), shard_bits_)];
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(key);
  if (it == s.map.end()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  Shard::Entry* e = it->second.get();
  s.Unlink(e);
  s.PushFront(e);
  return e->block;
}

void BlockCache::Insert(uint64_t file_number, uint64_t offset,
                        std::shared_ptr<const std::string> block) {
  if (block == nullptr) return;
  CacheKey key{file_number, offset};
  size_t charge = block->size() + kEntryOverhead;
  Shard& s = shards_[ShardIndex(HashKey(key), shard_bits_)];
  // Destroyed outside the lock: dropping the last reference frees a block.
  std::vector<std::shared_ptr<const std::string>> evicted;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.map.find(key);
    if (it != s.map.end()) {
      evicted.push_back(std::move(it->second->block));
      s.Remove(it->second.get());
    }
    // A block larger than the whole shard would only flush everything else out.
    if (charge > s.capacity) return;
    auto entry = std::make_unique<Shard::Entry>();
    entry->key = key;
    entry->block = std::move(block);
    entry->charge = charge;
    s.PushFront(entry.get());
    s.usage += charge;
    s.map.emplace(key, std::move(entry));
    while (s.usage > s.capacity && s.head.prev != &s.head) {
      Shard::Entry* victim = s.head.prev;
      evicted.push_back(std::move(victim->block));
      s.Remove(victim);
    }
  }
}

void BlockCache::EraseFile(uint64_t file_number) {
  // A scan of every shard: deleting a file is rare next to lookups, and a per-file index would
  // cost memory and work on every insert.
  size_t n = size_t{1} << shard_bits_;
  for (size_t i = 0; i < n; ++i) {
    Shard& s = shards_[i];
    std::vector<std::shared_ptr<const std::string>> evicted;
    std::lock_guard<std::mutex> lock(s.mu);
    for (Shard::Entry* e = s.head.next; e != &s.head;) {
      Shard::Entry* next = e->next;
      if (e->key.file_number == file_number) {
        evicted.push_back(std::move(e->block));
        s.Remove(e);
      }
      e = next;
    }
  }
}

size_t BlockCache::capacity() const { return capacity_; }

size_t BlockCache::usage() const {
  size_t total = 0;
  size_t n = size_t{1} << shard_bits_;
  for (size_t i = 0; i < n; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    total += shards_[i].usage;
  }
  return total;
}

}  // namespace nokv
