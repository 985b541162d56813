// BlockCache: budget, LRU order, per-file erase, concurrency.
#include "engine/sst/block_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "src/util/random.h"

namespace nokv {
namespace {

std::shared_ptr<const std::string> Block(size_t n, char fill) {
  return std::make_shared<const std::string>(n, fill);
}

TEST(BlockCacheTest, LookupAfterInsert) {
  BlockCache cache(1 << 20, 2);
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  cache.Insert(1, 0, Block(100, 'a'));
  cache.Insert(1, 4096, Block(100, 'b'));
  cache.Insert(2, 0, Block(100, 'c'));
  ASSERT_NE(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(*cache.Lookup(1, 4096), std::string(100, 'b'));
  EXPECT_EQ(*cache.Lookup(2, 0), std::string(100, 'c'));
  EXPECT_EQ(cache.Lookup(2, 4096), nullptr);
  EXPECT_EQ(cache.hits(), 3u);
  EXPECT_EQ(cache.misses(), 2u);
  // Replacing keeps one entry.
  size_t before = cache.usage();
  cache.Insert(1, 0, Block(100, 'z'));
  EXPECT_EQ(cache.usage(), before);
  EXPECT_EQ(*cache.Lookup(1, 0), std::string(100, 'z'));
}

TEST(BlockCacheTest, BudgetIsRespected) {
  BlockCache cache(64 << 10, 3);
  for (uint64_t i = 0; i < 10000; ++i) {
    cache.Insert(i % 7, i * 4096, Block(1000, 'x'));
    ASSERT_LE(cache.usage(), cache.capacity());
  }
  EXPECT_GT(cache.usage(), cache.capacity() / 2);
  // A block larger than a shard is not cached at all.
  BlockCache tiny(1000, 0);
  tiny.Insert(1, 0, Block(5000, 'y'));
  EXPECT_EQ(tiny.usage(), 0u);
  EXPECT_EQ(tiny.Lookup(1, 0), nullptr);
}

TEST(BlockCacheTest, EvictsLeastRecentlyUsed) {
  // One shard so the order is global; room for exactly 4 entries.
  BlockCache probe(1 << 20, 0);
  probe.Insert(9, 9, Block(1000, 'p'));
  size_t charge = probe.usage();
  BlockCache cache(4 * charge, 0);
  for (uint64_t i = 0; i < 4; ++i) cache.Insert(1, i, Block(1000, 'a'));
  ASSERT_NE(cache.Lookup(1, 0), nullptr);  // 0 becomes most recent; 1 is now the oldest
  cache.Insert(1, 4, Block(1000, 'a'));
  EXPECT_EQ(cache.Lookup(1, 1), nullptr);
  EXPECT_NE(cache.Lookup(1, 0), nullptr);
  EXPECT_NE(cache.Lookup(1, 2), nullptr);
  EXPECT_NE(cache.Lookup(1, 3), nullptr);
  EXPECT_NE(cache.Lookup(1, 4), nullptr);
}

TEST(BlockCacheTest, EvictedBlockStaysAliveForHolder) {
  BlockCache cache(2000, 0);
  cache.Insert(1, 0, Block(1000, 'k'));
  auto held = cache.Lookup(1, 0);
  ASSERT_NE(held, nullptr);
  cache.Insert(1, 1, Block(1500, 'n'));  // evicts (1, 0)
  EXPECT_EQ(cache.Lookup(1, 0), nullptr);
  EXPECT_EQ(*held, std::string(1000, 'k'));
}

TEST(BlockCacheTest, EraseFileDropsOnlyThatFile) {
  BlockCache cache(1 << 20, 4);
  for (uint64_t i = 0; i < 100; ++i) {
    cache.Insert(1, i, Block(10, 'a'));
    cache.Insert(2, i, Block(10, 'b'));
  }
  size_t before = cache.usage();
  cache.EraseFile(1);
  EXPECT_EQ(cache.usage(), before / 2);
  for (uint64_t i = 0; i < 100; ++i) {
    EXPECT_EQ(cache.Lookup(1, i), nullptr);
    EXPECT_NE(cache.Lookup(2, i), nullptr);
  }
  cache.EraseFile(2);
  EXPECT_EQ(cache.usage(), 0u);
}

TEST(BlockCacheTest, ConcurrentLookupInsertErase) {
  BlockCache cache(256 << 10, 2);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Random rnd(1000 + t);
      for (int i = 0; i < 20000; ++i) {
        uint64_t file = rnd.Uniform(4), offset = rnd.Uniform(300);
        char fill = static_cast<char>('a' + (file * 300 + offset) % 26);
        if (rnd.OneIn(3)) {
          cache.Insert(file, offset, Block(500 + offset, fill));
        } else if (rnd.OneIn(500)) {
          cache.EraseFile(file);
        } else if (auto b = cache.Lookup(file, offset)) {
          if (b->size() != 500 + offset || (*b)[0] != fill) ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.usage(), cache.capacity());
  EXPECT_GT(cache.hits() + cache.misses(), 0u);
}

}  // namespace
}  // namespace nokv
