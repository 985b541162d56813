// Table builder + reader round trips against a std::map reference model.
#include "engine/sst/table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "engine/sst/block_cache.h"
#include "engine/vfs/fault_fs.h"
#include "engine/vfs/mem_vfs.h"
#include "src/util/errors.h"
#include "src/util/str_cat.h"
#include "tests/engine/sst/sst_test_util.h"

namespace nokv {
namespace {

using sst_test::BaseSeed;
using sst_test::BuildTable;
using sst_test::Model;
using sst_test::ModelGet;
using sst_test::ModelOptions;
using sst_test::OpenTable;
using sst_test::RandomModel;

std::string RandomTarget(Random& rnd, const std::vector<std::string>& keys) {
  switch (rnd.Uniform(4)) {
    case 0:
    case 1:
      if (!keys.empty()) return keys[rnd.Uniform(keys.size())];
      [[fallthrough]];
    case 2:
      if (!keys.empty()) {
        std::string uk(ExtractUserKey(keys[rnd.Uniform(keys.size())]));
        return MakeInternalKey(uk, rnd.Uniform(1000001),
                               rnd.OneIn(2) ? ValueKind::kValue : ValueKind::kDeletion);
      }
      [[fallthrough]];
    default:
      return MakeInternalKey(sst_test::RandomUserKey(rnd, 200000), rnd.Uniform(1000001),
                             kValueKindForSeek);
  }
}

// Drives `it` and a model cursor through the same random moves and compares after each.
void CheckIteratorAgainstModel(InternalIterator* it, const Model& m, Random& rnd, int ops) {
  std::vector<std::string> keys;
  for (const auto& kv : m) keys.push_back(kv.first);

  // Full scans both ways.
  auto pos = m.begin();
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++pos) {
    ASSERT_NE(pos, m.end());
    ASSERT_EQ(it->key(), pos->first);
    ASSERT_EQ(it->value(), pos->second);
  }
  ASSERT_TRUE(it->status().ok()) << it->status();
  ASSERT_EQ(pos, m.end());
  auto rpos = m.rbegin();
  for (it->SeekToLast(); it->Valid(); it->Prev(), ++rpos) {
    ASSERT_NE(rpos, m.rend());
    ASSERT_EQ(it->key(), rpos->first);
  }
  ASSERT_TRUE(it->status().ok()) << it->status();
  ASSERT_EQ(rpos, m.rend());

  pos = m.end();
  for (int i = 0; i < ops; ++i) {
    int op = static_cast<int>(rnd.Uniform(10));
    std::string target;
    switch (op) {
      case 0:
        it->SeekToFirst();
        pos = m.begin();
        break;
      case 1:
        it->SeekToLast();
        pos = m.empty() ? m.end() : std::prev(m.end());
        break;
      case 2:
        target = RandomTarget(rnd, keys);
        it->Seek(target);
        pos = m.lower_bound(target);
        break;
      case 3: {
        target = RandomTarget(rnd, keys);
        it->SeekForPrev(target);
        auto ub = m.upper_bound(target);
        pos = ub == m.begin() ? m.end() : std::prev(ub);
        break;
      }
      case 4:
      case 5:
      case 6:
        if (pos == m.end()) continue;
        it->Next();
        ++pos;
        break;
      default:
        if (pos == m.end()) continue;
        it->Prev();
        pos = pos == m.begin() ? m.end() : std::prev(pos);
        break;
    }
    ASSERT_TRUE(it->status().ok()) << it->status();
    ASSERT_EQ(it->Valid(), pos != m.end()) << "op " << i << " kind " << op;
    if (pos != m.end()) {
      ASSERT_EQ(it->key(), pos->first) << "op " << i << " kind " << op;
      ASSERT_EQ(it->value(), pos->second);
    }
  }
}

void CheckGetsAgainstModel(const Table& table, const Model& m, Random& rnd, int lookups) {
  std::vector<std::string> keys;
  for (const auto& kv : m) keys.push_back(kv.first);
  for (int i = 0; i < lookups; ++i) {
    std::string uk;
    if (!keys.empty() && !rnd.OneIn(4)) {
      uk = std::string(ExtractUserKey(keys[rnd.Uniform(keys.size())]));
    } else {
      uk = sst_test::RandomUserKey(rnd, 200000) + "-absent";
    }
    SequenceNumber snap = rnd.OneIn(3) ? kMaxSequenceNumber : rnd.Uniform(1000001);
    TableGetResult got;
    ASSERT_TRUE(table.Get(MakeInternalKey(uk, snap, kValueKindForSeek), &got).ok());
    TableGetResult want = ModelGet(m, uk, snap);
    ASSERT_EQ(got.found, want.found) << "lookup " << i << " snapshot " << snap;
    if (want.found) {
      ASSERT_EQ(got.sequence, want.sequence);
      ASSERT_EQ(got.kind, want.kind);
      ASSERT_EQ(got.value, want.value);
      ASSERT_TRUE(table.KeyMayMatch(uk));  // no false negatives
    }
  }
}

struct RoundTripParam {
  BlockCompression compression;
  size_t block_bytes;
  int restart_interval;
};

class TableRoundTripTest : public ::testing::TestWithParam<RoundTripParam> {};

TEST_P(TableRoundTripTest, MatchesModel) {
  const RoundTripParam& p = GetParam();
  TableOptions options;
  options.compression = p.compression;
  options.block_bytes = p.block_bytes;
  options.restart_interval = p.restart_interval;
  for (int round = 0; round < 3; ++round) {
    uint64_t seed = BaseSeed(301) + round;
    SCOPED_TRACE(StrCat("seed=", seed, " (replay with NOKV_TEST_SEED)"));
    Random rnd(seed);
    ModelOptions mo;
    mo.num_keys = round == 0 ? 1 : 1500;
    Model m = RandomModel(rnd, mo);
    MemVFS vfs;
    TableProperties built;
    ASSERT_TRUE(BuildTable(vfs, "/t.sst", options, m, {}, &built).ok());
    BlockCache cache(1 << 20, 2);
    auto table = OpenTable(vfs, "/t.sst", options, 7, round == 2 ? &cache : nullptr);
    ASSERT_TRUE(table.ok()) << table.status();
    EXPECT_EQ((*table)->properties().num_entries, m.size());
    EXPECT_EQ((*table)->properties().num_data_blocks, built.num_data_blocks);
    EXPECT_TRUE((*table)->VerifyChecksums().ok());
    auto it = (*table)->NewIterator();
    CheckIteratorAgainstModel(it.get(), m, rnd, 3000);
    CheckGetsAgainstModel(**table, m, rnd, 2000);
  }
}

INSTANTIATE_TEST_SUITE_P(Options, TableRoundTripTest,
                         ::testing::Values(RoundTripParam{BlockCompression::kNone, 4096, 16},
                                           RoundTripParam{BlockCompression::kZstd, 4096, 16},
                                           RoundTripParam{BlockCompression::kNone, 64, 1},
                                           RoundTripParam{BlockCompression::kZstd, 256, 2},
                                           RoundTripParam{BlockCompression::kNone, 1, 4},
                                           RoundTripParam{BlockCompression::kZstd, 16384, 64},
                                           RoundTripParam{BlockCompression::kNone, 512, 3}),
                         [](const ::testing::TestParamInfo<RoundTripParam>& info) {
                           return StrCat(
                               info.param.compression == BlockCompression::kZstd ? "zstd" : "none",
                               "_b", info.param.block_bytes, "_r", info.param.restart_interval);
                         });

TEST(TableTest, EmptyTable) {
  MemVFS vfs;
  TableOptions options;
  ASSERT_TRUE(BuildTable(vfs, "/e.sst", options, {}).ok());
  auto table = OpenTable(vfs, "/e.sst", options);
  ASSERT_TRUE(table.ok()) << table.status();
  auto it = (*table)->NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
  it->SeekToLast();
  EXPECT_FALSE(it->Valid());
  it->Seek(MakeInternalKey("a", 1, ValueKind::kValue));
  EXPECT_FALSE(it->Valid());
  EXPECT_TRUE(it->status().ok());
  TableGetResult r;
  EXPECT_TRUE((*table)->Get(MakeInternalKey("a", 5, kValueKindForSeek), &r).ok());
  EXPECT_FALSE(r.found);
  EXPECT_EQ((*table)->properties().num_entries, 0u);
  EXPECT_TRUE((*table)->properties().smallest_point_key.empty());
  EXPECT_TRUE((*table)->VerifyChecksums().ok());
}

TEST(TableTest, PropertiesRoundTrip) {
  Random rnd(BaseSeed(11));
  Model m = RandomModel(rnd, ModelOptions{});
  std::vector<RangeTombstone> tombstones = {{"m", "q", 3}, {"a", "c", 2000000}, {"z", "", 1}};
  MemVFS vfs;
  TableOptions options;
  options.compression = BlockCompression::kZstd;
  TableProperties built;
  ASSERT_TRUE(BuildTable(vfs, "/p.sst", options, m, tombstones, &built).ok());
  auto table = OpenTable(vfs, "/p.sst", options);
  ASSERT_TRUE(table.ok()) << table.status();
  const TableProperties& p = (*table)->properties();

  uint64_t deletions = 0, key_bytes = 0, value_bytes = 0;
  SequenceNumber min_seq = kMaxSequenceNumber, max_seq = 0;
  for (const auto& [k, v] : m) {
    ParsedInternalKey pk;
    ASSERT_TRUE(ParseInternalKey(k, &pk));
    deletions += pk.kind == ValueKind::kDeletion;
    key_bytes += k.size();
    value_bytes += v.size();
    min_seq = std::min(min_seq, pk.sequence);
    max_seq = std::max(max_seq, pk.sequence);
  }
  EXPECT_EQ(p.num_entries, m.size());
  EXPECT_EQ(p.num_deletions, deletions);
  EXPECT_EQ(p.num_range_deletions, 3u);
  EXPECT_EQ(p.raw_key_bytes, key_bytes);
  EXPECT_EQ(p.raw_value_bytes, value_bytes);
  EXPECT_EQ(p.smallest_seq, 1u);  // from the tombstone
  EXPECT_EQ(p.largest_seq, 2000000u);
  EXPECT_LE(min_seq, max_seq);
  EXPECT_EQ(p.smallest_point_key, m.begin()->first);
  EXPECT_EQ(p.largest_point_key, m.rbegin()->first);
  EXPECT_GT(p.num_data_blocks, 1u);
  EXPECT_GT(p.data_bytes, 0u);
  EXPECT_GT(p.index_bytes, 0u);
  EXPECT_GT(p.filter_bytes, 0u);
  EXPECT_LT(p.data_bytes + p.index_bytes + p.filter_bytes, (*table)->file_size());
  // What the builder reported is what the reader decodes.
  EXPECT_EQ(p.num_data_blocks, built.num_data_blocks);
  EXPECT_EQ(p.data_bytes, built.data_bytes);
  EXPECT_EQ(p.index_bytes, built.index_bytes);
  EXPECT_EQ(p.filter_bytes, built.filter_bytes);
}

TEST(TableTest, RangeTombstonesRoundTripSortedByBegin) {
  MemVFS vfs;
  TableOptions options;
  std::vector<RangeTombstone> in = {{"k", "p", 9}, {"", "b", 4}, {"c", "", 7}, {"c", "d", 8}};
  Model m;
  m[MakeInternalKey("a", 1, ValueKind::kValue)] = "v";
  ASSERT_TRUE(BuildTable(vfs, "/r.sst", options, m, in).ok());
  auto table = OpenTable(vfs, "/r.sst", options);
  ASSERT_TRUE(table.ok()) << table.status();
  const auto& out = (*table)->range_tombstones();
  ASSERT_EQ(out.size(), 4u);
  for (size_t i = 1; i < out.size(); ++i) EXPECT_LE(out[i - 1].begin, out[i].begin);
  EXPECT_EQ(out[0].begin, "");
  EXPECT_EQ(out[0].end, "b");
  EXPECT_EQ(out[0].sequence, 4u);
  EXPECT_EQ(out[1].begin, "c");
  EXPECT_EQ(out[1].end, "d");  // same begin: newer first
  EXPECT_EQ(out[2].begin, "c");
  EXPECT_EQ(out[2].end, "");
  EXPECT_EQ(out[3].begin, "k");
  EXPECT_EQ(out[3].sequence, 9u);
}

TEST(TableTest, OnlyRangeTombstones) {
  MemVFS vfs;
  TableOptions options;
  ASSERT_TRUE(BuildTable(vfs, "/o.sst", options, {}, {{"a", "z", 42}}).ok());
  auto table = OpenTable(vfs, "/o.sst", options);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ((*table)->range_tombstones().size(), 1u);
  EXPECT_EQ((*table)->properties().smallest_seq, 42u);
  EXPECT_EQ((*table)->properties().largest_seq, 42u);
  auto it = (*table)->NewIterator();
  it->SeekToFirst();
  EXPECT_FALSE(it->Valid());
}

TEST(TableTest, LargeValuesSpanBlocks) {
  Random rnd(BaseSeed(5));
  Model m;
  for (int i = 0; i < 40; ++i) {
    m[MakeInternalKey(StrCat("big", i), i + 1, ValueKind::kValue)] =
        sst_test::RandomBytes(rnd, 1 + rnd.Uniform(200000));
  }
  MemVFS vfs;
  TableOptions options;
  options.compression = BlockCompression::kZstd;
  ASSERT_TRUE(BuildTable(vfs, "/big.sst", options, m).ok());
  auto table = OpenTable(vfs, "/big.sst", options);
  ASSERT_TRUE(table.ok()) << table.status();
  auto it = (*table)->NewIterator();
  CheckIteratorAgainstModel(it.get(), m, rnd, 500);
  CheckGetsAgainstModel(**table, m, rnd, 200);
}

TEST(TableTest, ZstdShrinksCompressibleData) {
  Model m;
  for (int i = 0; i < 5000; ++i) {
    m[MakeInternalKey(StrCat("key", 100000 + i), 1, ValueKind::kValue)] =
        std::string(100, static_cast<char>('a' + i % 3));
  }
  MemVFS vfs;
  TableOptions plain, zstd;
  zstd.compression = BlockCompression::kZstd;
  TableProperties p1, p2;
  ASSERT_TRUE(BuildTable(vfs, "/plain.sst", plain, m, {}, &p1).ok());
  ASSERT_TRUE(BuildTable(vfs, "/zstd.sst", zstd, m, {}, &p2).ok());
  EXPECT_LT(p2.data_bytes * 4, p1.data_bytes);
  auto table = OpenTable(vfs, "/zstd.sst", zstd);
  ASSERT_TRUE(table.ok()) << table.status();
  Random rnd(1);
  auto it = (*table)->NewIterator();
  CheckIteratorAgainstModel(it.get(), m, rnd, 500);
}

TEST(TableTest, IncompressibleBlocksStoredRaw) {
  Random rnd(BaseSeed(9));
  Model m;
  for (int i = 0; i < 500; ++i) {
    m[MakeInternalKey(StrCat("k", 1000 + i), 1, ValueKind::kValue)] =
        sst_test::RandomBytes(rnd, 200);
  }
  MemVFS vfs;
  TableOptions zstd;
  zstd.compression = BlockCompression::kZstd;
  TableOptions plain;
  TableProperties pz, pp;
  ASSERT_TRUE(BuildTable(vfs, "/z.sst", zstd, m, {}, &pz).ok());
  ASSERT_TRUE(BuildTable(vfs, "/p.sst", plain, m, {}, &pp).ok());
  // Random bytes do not compress by 12.5%: every data block is stored as is.
  EXPECT_EQ(pz.data_bytes, pp.data_bytes);
}

TEST(TableTest, NoFilter) {
  Random rnd(BaseSeed(21));
  Model m = RandomModel(rnd, ModelOptions{});
  MemVFS vfs;
  TableOptions options;
  options.bloom_bits_per_key = 0;
  TableProperties p;
  ASSERT_TRUE(BuildTable(vfs, "/nf.sst", options, m, {}, &p).ok());
  EXPECT_EQ(p.filter_bytes, 0u);
  auto table = OpenTable(vfs, "/nf.sst", options);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_TRUE((*table)->KeyMayMatch("anything"));
  CheckGetsAgainstModel(**table, m, rnd, 1000);
}

TEST(TableTest, PosixRoundTrip) {
  VFS* vfs = VFS::Default();
  std::string dir = JoinPath(::testing::TempDir(), StrCat("nokv_sst_test_", ::getpid()));
  ASSERT_TRUE(vfs->CreateDir(dir).ok());
  std::string path = JoinPath(dir, "000001.sst");
  Random rnd(BaseSeed(77));
  Model m = RandomModel(rnd, ModelOptions{});
  TableOptions options;
  options.compression = BlockCompression::kZstd;
  ASSERT_TRUE(BuildTable(*vfs, path, options, m, {{"a", "b", 5}}).ok());
  {
    BlockCache cache(1 << 20);
    auto table = OpenTable(*vfs, path, options, 1, &cache);
    ASSERT_TRUE(table.ok()) << table.status();
    auto it = (*table)->NewIterator();
    CheckIteratorAgainstModel(it.get(), m, rnd, 1000);
    CheckGetsAgainstModel(**table, m, rnd, 1000);
    EXPECT_TRUE((*table)->VerifyChecksums().ok());
  }
  EXPECT_TRUE(RemoveTree(*vfs, dir).ok());
}

TEST(TableTest, IteratorKeepsTableAlive) {
  Random rnd(BaseSeed(3));
  Model m = RandomModel(rnd, ModelOptions{});
  MemVFS vfs;
  TableOptions options;
  ASSERT_TRUE(BuildTable(vfs, "/a.sst", options, m).ok());
  auto table = OpenTable(vfs, "/a.sst", options);
  ASSERT_TRUE(table.ok());
  auto it = (*table)->NewIterator();
  table->reset();  // the iterator holds the last reference
  size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  EXPECT_EQ(n, m.size());
}

TEST(TableTest, BlockCacheServesRepeatedReads) {
  Random rnd(BaseSeed(4));
  Model m = RandomModel(rnd, ModelOptions{});
  MemVFS vfs;
  TableOptions options;
  ASSERT_TRUE(BuildTable(vfs, "/c.sst", options, m).ok());
  BlockCache cache(8 << 20);
  auto table = OpenTable(vfs, "/c.sst", options, 3, &cache);
  ASSERT_TRUE(table.ok());
  std::string k = m.begin()->first;
  TableGetResult r;
  // fill_cache = false: looked up, never inserted.
  ASSERT_TRUE((*table)->Get(k, &r, /*fill_cache=*/false).ok());
  EXPECT_EQ(cache.usage(), 0u);
  EXPECT_EQ(cache.misses(), 1u);
  ASSERT_TRUE((*table)->Get(k, &r).ok());
  EXPECT_GT(cache.usage(), 0u);
  ASSERT_TRUE((*table)->Get(k, &r).ok());
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_TRUE(r.found);
  // A full scan fills the cache with every data block.
  auto it = (*table)->NewIterator();
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
  }
  uint64_t usage = cache.usage();
  EXPECT_GT(usage, (*table)->properties().data_bytes / 2);
  cache.EraseFile(3);
  EXPECT_EQ(cache.usage(), 0u);
}

TEST(TableTest, ConcurrentReaders) {
  uint64_t seed = BaseSeed(99);
  SCOPED_TRACE(StrCat("seed=", seed));
  Random rnd(seed);
  Model m = RandomModel(rnd, ModelOptions{});
  MemVFS vfs;
  TableOptions options;
  options.block_bytes = 512;
  options.compression = BlockCompression::kZstd;
  ASSERT_TRUE(BuildTable(vfs, "/mt.sst", options, m).ok());
  BlockCache cache(64 << 10, 2);  // small: forces evictions while readers hold blocks
  auto table = OpenTable(vfs, "/mt.sst", options, 1, &cache);
  ASSERT_TRUE(table.ok());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Random r(seed * 31 + t);
      std::vector<std::string> keys;
      for (const auto& kv : m) keys.push_back(kv.first);
      auto it = (*table)->NewIterator();
      for (int i = 0; i < 3000; ++i) {
        const std::string& k = keys[r.Uniform(keys.size())];
        TableGetResult got;
        if (!(*table)->Get(k, &got).ok() || !got.found) ++failures;
        it->Seek(k);
        if (!it->Valid() || it->key() != k || it->value() != m.at(k)) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(cache.usage(), cache.capacity());
}

TEST(TableBuilderTest, OutOfOrderKeysAreInvalidArgument) {
  MemVFS vfs;
  auto file = vfs.NewWritableFile("/bad.sst");
  ASSERT_TRUE(file.ok());
  TableBuilder b(TableOptions(), file->get(), "/bad.sst");
  b.Add(MakeInternalKey("b", 5, ValueKind::kValue), "1");
  b.Add(MakeInternalKey("a", 5, ValueKind::kValue), "2");
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(b.Finish().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(b.NumEntries(), 1u);
}

TEST(TableBuilderTest, DuplicateAndOlderVersionOrder) {
  MemVFS vfs;
  auto file = vfs.NewWritableFile("/dup.sst");
  ASSERT_TRUE(file.ok());
  {
    TableBuilder b(TableOptions(), file->get(), "/dup.sst");
    b.Add(MakeInternalKey("a", 5, ValueKind::kValue), "1");
    b.Add(MakeInternalKey("a", 4, ValueKind::kValue), "2");  // older version: fine
    EXPECT_TRUE(b.status().ok());
    b.Add(MakeInternalKey("a", 4, ValueKind::kValue), "2");  // duplicate
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    TableBuilder b(TableOptions(), file->get(), "/dup.sst");
    b.Add(MakeInternalKey("a", 5, ValueKind::kValue), "1");
    b.Add(MakeInternalKey("a", 6, ValueKind::kValue), "2");  // newer after older: wrong
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(TableBuilderTest, MalformedInputsAreInvalidArgument) {
  MemVFS vfs;
  auto file = vfs.NewWritableFile("/m.sst");
  ASSERT_TRUE(file.ok());
  {
    TableBuilder b(TableOptions(), file->get(), "/m.sst");
    b.Add("short", "v");
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    TableBuilder b(TableOptions(), file->get(), "/m.sst");
    b.Add(MakeInternalKey("a", 1, ValueKind::kRangeDeletion), "v");
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    TableBuilder b(TableOptions(), file->get(), "/m.sst");
    b.AddRangeTombstone({"b", "a", 1});
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  }
  {
    TableBuilder b(TableOptions(), file->get(), "/m.sst");
    EXPECT_TRUE(b.Finish().ok());
    EXPECT_EQ(b.Finish().code(), absl::StatusCode::kFailedPrecondition);
  }
}

// Fault-index sweep: fail the Nth append for every N until the build succeeds. Each failing run
// must surface the injected error from Finish(); the successful run must read back intact.
TEST(TableBuilderTest, AppendErrorsPropagate) {
  Random rnd(BaseSeed(17));
  ModelOptions mo;
  mo.num_keys = 300;
  Model m = RandomModel(rnd, mo);
  TableOptions options;
  options.block_bytes = 1024;
  for (FaultKind kind : {FaultKind::kIOError, FaultKind::kNoSpace, FaultKind::kShortWrite}) {
    bool succeeded = false;
    for (uint64_t nth = 1; nth < 1000 && !succeeded; ++nth) {
      MemVFS mem;
      FaultFS fs(&mem);
      FaultRule rule;
      rule.op = FaultOp::kAppend;
      rule.nth = nth;
      rule.kind = kind;
      fs.AddRule(rule);
      auto file = fs.NewWritableFile("/f.sst");
      ASSERT_TRUE(file.ok());
      TableBuilder b(options, file->get(), "/f.sst");
      for (const auto& [k, v] : m) b.Add(k, v);
      b.AddRangeTombstone({"a", "b", 1});
      absl::Status s = b.Finish();
      if (fs.InjectedCount() == 0) {
        ASSERT_TRUE(s.ok()) << s;
        succeeded = true;
        auto table = OpenTable(fs, "/f.sst", options);
        ASSERT_TRUE(table.ok()) << table.status();
        EXPECT_EQ((*table)->properties().num_entries, m.size());
      } else {
        ASSERT_FALSE(s.ok()) << "append " << nth << " failed but Finish() succeeded";
        EXPECT_EQ(b.status(), s);
        if (kind == FaultKind::kNoSpace) {
          EXPECT_TRUE(IsNoSpace(s)) << s;
        }
      }
    }
    EXPECT_TRUE(succeeded);
  }
}

}  // namespace
}  // namespace nokv
