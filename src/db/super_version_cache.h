// A per-thread cache of the installed SuperVersion (RocksDB's thread-local SuperVersion).
//
// Every Get needs the current memtables and Version. Copying the shared_ptr of the installed
// SuperVersion under a mutex costs two atomic read-modify-writes on one cache line that every
// reading thread shares, plus the mutex: with several readers the line bounces between cores on
// each lookup. Here each thread keeps its own reference in a slot only it normally touches, and
// revalidates it against a generation number that changes when a new SuperVersion is installed.
//
// Contract:
//   - Acquire() returns a lease on a SuperVersion at least as new as the one installed when the
//     call began; the SuperVersion stays alive until the lease ends. A thread holds at most one
//     lease per cache at a time (a nested Acquire on the same thread gets a plain shared copy).
//   - Invalidate() is called after a new SuperVersion is installed: leases taken afterwards see
//     it, and references that idle threads keep are dropped at once (an idle thread must not
//     keep old memtables and SST files alive). A reference held by a running lease is dropped
//     when that lease ends.
//   - Thread-safe. The cache must outlive its leases; destroying it drops every reference.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "src/util/mutex.h"

namespace nokv {

struct SuperVersion;

class SuperVersionCache {
 public:
  using Loader = std::function<std::shared_ptr<const SuperVersion>()>;

  // `load` returns the installed SuperVersion (the slow path, on a generation change).
  explicit SuperVersionCache(Loader load);
  ~SuperVersionCache();
  SuperVersionCache(const SuperVersionCache&) = delete;
  SuperVersionCache& operator=(const SuperVersionCache&) = delete;

  struct Slot;
  class Lease {
   public:
    ~Lease();
    Lease(Lease&& other) noexcept;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;

    const SuperVersion* get() const { return sv_; }
    const SuperVersion* operator->() const { return sv_; }

   private:
    friend class SuperVersionCache;
    Lease(const SuperVersionCache* cache, Slot* slot, const SuperVersion* sv,
          std::shared_ptr<const SuperVersion> own)
        : cache_(cache), slot_(slot), sv_(sv), own_(std::move(own)) {}

    const SuperVersionCache* cache_;
    Slot* slot_;  // the thread's slot (held), or nullptr for a nested lease
    const SuperVersion* sv_;
    std::shared_ptr<const SuperVersion> own_;  // a nested lease's own reference
  };

  Lease Acquire();
  void Invalidate();

 private:
  Slot* ThreadSlot();

  const uint64_t id_;  // unique per cache: thread-local entries are keyed by it
  const Loader load_;
  std::atomic<uint64_t> generation_{1};
  Mutex registry_mu_;
  std::vector<std::shared_ptr<Slot>> slots_ ABSL_GUARDED_BY(registry_mu_);
};

}  // namespace nokv
