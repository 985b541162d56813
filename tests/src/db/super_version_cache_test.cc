// The per-thread SuperVersion cache (src/db/super_version_cache.h): leases see what was
// installed before they began, and no thread keeps an old SuperVersion (its memtables and SST
// files) alive once a newer one is installed.
#include "src/db/super_version_cache.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "src/db/db_impl.h"
#include "src/util/mutex.h"

namespace nokv {
namespace {

// An installable SuperVersion stand-in: `version` carries a number so a reader can tell which
// one it got. `published` is what an acknowledged write would have seen: set only after the
// install and the cache's Invalidate, as DBImpl::InstallSuperVersion returns before a write
// into a new memtable is acknowledged.
struct Installed {
  Mutex mu;
  std::shared_ptr<const SuperVersion> sv ABSL_GUARDED_BY(mu);
  std::atomic<uint64_t> published{0};

  std::shared_ptr<const SuperVersion> Load() {
    MutexLock lock(&mu);
    return sv;
  }
  // Installs SuperVersion number n; returns a weak reference to watch it die.
  std::weak_ptr<const SuperVersion> Install(uint64_t n) {
    auto next = std::make_shared<SuperVersion>();
    auto version = std::make_shared<Version>();
    version->levels[0].resize(n);  // the number, readable through the SuperVersion
    next->version = version;
    std::weak_ptr<const SuperVersion> weak = next;
    {
      MutexLock lock(&mu);
      sv = std::move(next);
    }
    return weak;
  }
};

uint64_t NumberOf(const SuperVersion* sv) { return sv->version->levels[0].size(); }

TEST(SuperVersionCacheTest, LeaseSeesTheLatestInstall) {
  Installed installed;
  installed.Install(1);
  SuperVersionCache cache([&] { return installed.Load(); });
  EXPECT_EQ(NumberOf(cache.Acquire().get()), 1u);
  EXPECT_EQ(NumberOf(cache.Acquire().get()), 1u);  // cached
  installed.Install(2);
  cache.Invalidate();
  EXPECT_EQ(NumberOf(cache.Acquire().get()), 2u);
}

// Catches a cache that keeps an idle thread's reference until that thread reads again: old
// memtables and SST files would stay alive (and undeleted) for as long as the thread idles.
TEST(SuperVersionCacheTest, IdleThreadsDropOldSuperVersionsAtInvalidate) {
  Installed installed;
  std::weak_ptr<const SuperVersion> first = installed.Install(1);
  SuperVersionCache cache([&] { return installed.Load(); });
  std::atomic<bool> read{false}, stop{false};
  std::thread idle([&] {
    EXPECT_EQ(NumberOf(cache.Acquire().get()), 1u);
    read = true;
    while (!stop) std::this_thread::yield();  // idle, the thread (and its slot) alive
  });
  while (!read) std::this_thread::yield();
  installed.Install(2);
  EXPECT_FALSE(first.expired()) << "still cached by the idle thread";
  cache.Invalidate();
  EXPECT_TRUE(first.expired()) << "the idle thread's reference outlived Invalidate";
  stop = true;
  idle.join();
}

// A lease running across an install keeps its SuperVersion until it ends, then drops it.
TEST(SuperVersionCacheTest, RunningLeaseDropsItsReferenceWhenItEnds) {
  Installed installed;
  std::weak_ptr<const SuperVersion> first = installed.Install(1);
  SuperVersionCache cache([&] { return installed.Load(); });
  {
    SuperVersionCache::Lease lease = cache.Acquire();
    installed.Install(2);
    cache.Invalidate();
    EXPECT_FALSE(first.expired()) << "in use";
    EXPECT_EQ(NumberOf(lease.get()), 1u);
  }
  EXPECT_TRUE(first.expired());
}

TEST(SuperVersionCacheTest, NestedLeaseOnOneThreadDoesNotDeadlock) {
  Installed installed;
  installed.Install(1);
  SuperVersionCache cache([&] { return installed.Load(); });
  SuperVersionCache::Lease outer = cache.Acquire();
  SuperVersionCache::Lease inner = cache.Acquire();
  EXPECT_EQ(NumberOf(inner.get()), 1u);
  EXPECT_EQ(NumberOf(outer.get()), 1u);
}

TEST(SuperVersionCacheTest, ExitedThreadsReferencesGoAtTheNextInvalidate) {
  Installed installed;
  std::weak_ptr<const SuperVersion> first = installed.Install(1);
  SuperVersionCache cache([&] { return installed.Load(); });
  std::thread([&] { EXPECT_EQ(NumberOf(cache.Acquire().get()), 1u); }).join();
  installed.Install(2);
  cache.Invalidate();
  EXPECT_TRUE(first.expired());
}

// Readers racing with installs never get a SuperVersion older than the one published (installed
// and invalidated) before their Acquire began. Catches a cache that reads the generation after
// loading (a reader could record a new generation next to an old SuperVersion and keep it); run
// under TSan in CI.
TEST(SuperVersionCacheTest, ReadersNeverSeeOlderThanInstalledBeforeAcquire) {
  Installed installed;
  installed.Install(1);
  SuperVersionCache cache([&] { return installed.Load(); });
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> stale{0}, leases{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load(std::memory_order_acquire)) {
        const uint64_t floor = installed.published.load(std::memory_order_acquire);
        SuperVersionCache::Lease lease = cache.Acquire();
        if (NumberOf(lease.get()) < floor) stale.fetch_add(1);
        leases.fetch_add(1);
      }
    });
  }
  for (uint64_t n = 2; n <= 300; ++n) {
    installed.Install(n);
    cache.Invalidate();
    installed.published.store(n, std::memory_order_release);
    std::this_thread::yield();
  }
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(stale.load(), 0u);
  EXPECT_GT(leases.load(), 300u);
}

}  // namespace
}  // namespace nokv
