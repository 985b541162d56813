// Bump allocator for memtables: many small allocations freed all at once when the memtable dies.
// Allocation is single-threaded (the memtable's one writer); MemoryUsage() may be read by any
// thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace nokv {

class Arena {
 public:
  explicit Arena(size_t block_size = 1 << 20);
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  char* Allocate(size_t bytes);
  // Aligned to alignof(std::max_align_t)-or-pointer, for nodes holding atomics.
  char* AllocateAligned(size_t bytes);
  size_t MemoryUsage() const { return memory_usage_.load(std::memory_order_relaxed); }

 private:
  char* AllocateFallback(size_t bytes);
  char* AllocateNewBlock(size_t bytes);

  const size_t block_size_;
  char* alloc_ptr_ = nullptr;
  size_t alloc_remaining_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::atomic<size_t> memory_usage_{0};
};

inline char* Arena::Allocate(size_t bytes) {
  if (bytes <= alloc_remaining_) {
    char* result = alloc_ptr_;
    alloc_ptr_ += bytes;
    alloc_remaining_ -= bytes;
    return result;
  }
  return AllocateFallback(bytes);
}

}  // namespace nokv
