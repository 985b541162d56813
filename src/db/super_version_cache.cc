#include "src/db/super_version_cache.h"

#include <algorithm>
#include <utility>

namespace nokv {

struct SuperVersionCache::Slot {
  // Held by the owning thread for the length of a lease; others only ever try it.
  Mutex mu;
  std::shared_ptr<const SuperVersion> sv ABSL_GUARDED_BY(mu);
  uint64_t generation ABSL_GUARDED_BY(mu) = 0;
  // Touched only by the owning thread: whether it holds a lease (so holds `mu`).
  bool in_use = false;
  // Read by the owning thread without `mu`: set once, when the cache is destroyed.
  std::atomic<bool> dead{false};
};

namespace {

std::atomic<uint64_t> next_cache_id{1};

}  // namespace

SuperVersionCache::SuperVersionCache(Loader load)
    : id_(next_cache_id.fetch_add(1, std::memory_order_relaxed)), load_(std::move(load)) {}

// Lock order: a slot's mutex before registry_mu_ (a thread holding a lease may install and
// invalidate); so the registry is never held while waiting for a slot.
SuperVersionCache::~SuperVersionCache() {
  std::vector<std::shared_ptr<Slot>> slots;
  {
    MutexLock lock(&registry_mu_);
    slots.swap(slots_);
  }
  for (const std::shared_ptr<Slot>& slot : slots) {
    std::shared_ptr<const SuperVersion> dropped;
    MutexLock slot_lock(&slot->mu);  // no lease may outlive the cache
    dropped = std::move(slot->sv);
    slot->dead.store(true, std::memory_order_release);
  }
}

SuperVersionCache::Slot* SuperVersionCache::ThreadSlot() {
  // Per thread: (cache id, slot). Almost always one entry; linear search is the fastest lookup.
  static thread_local std::vector<std::pair<uint64_t, std::shared_ptr<Slot>>> entries;
  for (const auto& [id, slot] : entries) {
    if (id == id_) return slot.get();
  }
  entries.erase(
      std::remove_if(entries.begin(), entries.end(),
                     [](const auto& e) { return e.second->dead.load(std::memory_order_acquire); }),
      entries.end());
  auto slot = std::make_shared<Slot>();
  {
    MutexLock lock(&registry_mu_);
    // Slots only the registry still holds belong to threads that exited.
    slots_.erase(std::remove_if(slots_.begin(), slots_.end(),
                                [](const std::shared_ptr<Slot>& s) { return s.use_count() == 1; }),
                 slots_.end());
    slots_.push_back(slot);
  }
  entries.emplace_back(id_, slot);
  return slot.get();
}

// The slot's mutex is held from here to the lease's end: a lock the analysis cannot follow
// across the two functions.
SuperVersionCache::Lease SuperVersionCache::Acquire() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  Slot* slot = ThreadSlot();
  if (slot->in_use) {  // a nested lease on this thread: the slot's mutex is already ours
    std::shared_ptr<const SuperVersion> own = load_();
    const SuperVersion* sv = own.get();
    return Lease(this, nullptr, sv, std::move(own));
  }
  slot->mu.Lock();
  slot->in_use = true;
  // Read the generation before loading: a SuperVersion installed in between is then newer
  // than the generation recorded, and the next lease loads again (never the reverse).
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  if (slot->generation != generation || slot->sv == nullptr) {
    slot->sv = load_();
    slot->generation = generation;
  }
  return Lease(this, slot, slot->sv.get(), nullptr);
}

SuperVersionCache::Lease::Lease(Lease&& other) noexcept
    : cache_(other.cache_),
      slot_(std::exchange(other.slot_, nullptr)),
      sv_(other.sv_),
      own_(std::move(other.own_)) {}

SuperVersionCache::Lease::~Lease() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (slot_ == nullptr) return;  // nested (own_ drops its reference) or moved from
  slot_->in_use = false;
  // Installed meanwhile: Invalidate could not drop this reference, so drop it now.
  if (slot_->generation != cache_->generation_.load(std::memory_order_acquire)) {
    slot_->sv.reset();
  }
  slot_->mu.Unlock();
}

void SuperVersionCache::Invalidate() {
  // Destroyed after the locks are released (a SuperVersion's end may release files).
  std::vector<std::shared_ptr<const SuperVersion>> dropped;
  std::vector<std::shared_ptr<Slot>> slots, exited;
  generation_.fetch_add(1, std::memory_order_acq_rel);
  {
    MutexLock lock(&registry_mu_);
    for (auto it = slots_.begin(); it != slots_.end();) {
      if (it->use_count() == 1) {  // its thread exited
        exited.push_back(std::move(*it));
        it = slots_.erase(it);
      } else {
        slots.push_back(*it++);
      }
    }
  }
  for (const std::shared_ptr<Slot>& slot : slots) {
    if (slot->mu.TryLock()) {  // not leased: drop the stale reference now
      dropped.push_back(std::move(slot->sv));
      slot->mu.Unlock();
    }
  }
}

}  // namespace nokv
