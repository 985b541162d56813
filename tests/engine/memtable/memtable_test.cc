#include "engine/memtable/memtable.h"

#include <atomic>
#include <map>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "src/util/random.h"

namespace nokv {
namespace {

std::string Stored(std::string_view v) {
  std::string s;
  AppendStoredValue(&s, v, 0);
  return s;
}

TEST(MemTableTest, GetReturnsNewestVisibleVersion) {
  MemTable mem;
  mem.Add(1, ValueKind::kValue, "k", Stored("v1"));
  mem.Add(5, ValueKind::kValue, "k", Stored("v5"));
  mem.Add(9, ValueKind::kDeletion, "k", "");
  ValueKind kind;
  SequenceNumber seq;
  std::string value;
  ASSERT_TRUE(mem.Get("k", 4, &kind, &seq, &value));
  EXPECT_EQ(seq, 1u);
  EXPECT_EQ(value, Stored("v1"));
  ASSERT_TRUE(mem.Get("k", 8, &kind, &seq, &value));
  EXPECT_EQ(value, Stored("v5"));
  ASSERT_TRUE(mem.Get("k", 100, &kind, &seq, &value));
  EXPECT_EQ(kind, ValueKind::kDeletion);
  EXPECT_FALSE(mem.Get("k", 0, &kind, &seq, &value));
  EXPECT_FALSE(mem.Get("j", 100, &kind, &seq, &value));
  EXPECT_FALSE(mem.Get("kk", 100, &kind, &seq, &value));
}

TEST(MemTableTest, RangeTombstonesCoverBySequence) {
  MemTable mem;
  mem.AddRangeTombstone(10, "b", "d");
  mem.AddRangeTombstone(20, "x", "");
  EXPECT_EQ(mem.MaxCoveringTombstone("c", 100), 10u);
  EXPECT_EQ(mem.MaxCoveringTombstone("c", 9), 0u);
  EXPECT_EQ(mem.MaxCoveringTombstone("d", 100), 0u);
  EXPECT_EQ(mem.MaxCoveringTombstone("zzz", 100), 20u);
  EXPECT_EQ(mem.num_range_tombstones(), 2u);
}

TEST(MemTableTest, IteratorMatchesSortedModelBothWays) {
  MemTable mem;
  std::map<std::string, std::string, InternalKeyLess> model;
  Random rnd(42);
  for (SequenceNumber seq = 1; seq <= 5000; ++seq) {
    std::string key = "key" + std::to_string(rnd.Uniform(700));
    std::string value = Stored(std::to_string(seq));
    mem.Add(seq, ValueKind::kValue, key, value);
    model[MakeInternalKey(key, seq, ValueKind::kValue)] = value;
  }
  auto it = mem.NewIterator(nullptr);
  auto m = model.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++m) {
    ASSERT_NE(m, model.end());
    ASSERT_EQ(it->key(), m->first);
    ASSERT_EQ(it->value(), m->second);
  }
  EXPECT_EQ(m, model.end());
  auto r = model.rbegin();
  for (it->SeekToLast(); it->Valid(); it->Prev(), ++r) ASSERT_EQ(it->key(), r->first);
  EXPECT_EQ(r, model.rend());
  std::string target = MakeInternalKey("key350", 2500, kValueKindForSeek);
  it->Seek(target);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), model.lower_bound(target)->first);
  it->SeekForPrev(target);
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), std::prev(model.upper_bound(target))->first);
}

// One writer and several readers at once: readers never see a torn or misordered entry.
TEST(MemTableTest, ConcurrentReadersWhileWriting) {
  MemTable mem;
  std::atomic<SequenceNumber> published{0};
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        SequenceNumber upto = published.load(std::memory_order_acquire);
        if (upto == 0) continue;
        ValueKind kind;
        SequenceNumber seq;
        std::string value;
        std::string key = "k" + std::to_string(upto % 100);
        if (!mem.Get(key, upto, &kind, &seq, &value)) ++errors;
        auto it = mem.NewIterator(nullptr);
        std::string prev;
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
          if (!prev.empty() && CompareInternalKeys(prev, it->key()) >= 0) ++errors;
          prev.assign(it->key());
        }
      }
    });
  }
  for (SequenceNumber seq = 1; seq <= 20000; ++seq) {
    mem.Add(seq, ValueKind::kValue, "k" + std::to_string(seq % 100), Stored("v"));
    published.store(seq, std::memory_order_release);
  }
  stop.store(true);
  for (auto& r : readers) r.join();
  EXPECT_EQ(errors.load(), 0);
}

}  // namespace
}  // namespace nokv
