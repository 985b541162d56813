// Block builder/iterator, index-key shortening and the block framing.
#include "engine/sst/block.h"

#include <gtest/gtest.h>

#include <map>

#include "engine/format/dbformat.h"
#include "engine/sst/block_builder.h"
#include "engine/sst/format.h"
#include "engine/sst/key_shortening.h"
#include "engine/vfs/mem_vfs.h"
#include "src/util/coding.h"
#include "src/util/errors.h"
#include "src/util/str_cat.h"
#include "tests/engine/sst/sst_test_util.h"

namespace nokv {
namespace sst {
namespace {

using sst_test::Model;

const std::string kName = "/test/block";

std::string BuildBlock(const Model& m, int restart_interval) {
  BlockBuilder b(restart_interval);
  for (const auto& [k, v] : m) b.Add(k, v);
  return std::string(b.Finish());
}

Model SmallModel(uint64_t seed, int n) {
  Random rnd(seed);
  sst_test::ModelOptions o;
  o.num_keys = n;
  return sst_test::RandomModel(rnd, o);
}

TEST(BlockTest, EmptyBlock) {
  BlockBuilder b(16);
  EXPECT_TRUE(b.empty());
  std::string block(b.Finish());
  EXPECT_EQ(block.size(), 8u);  // one restart (0) + count
  ASSERT_TRUE(ValidateBlock(block, kName, 0).ok());
  BlockIter it;
  ASSERT_TRUE(it.Init(block, &kName, 0).ok());
  it.SeekToFirst();
  EXPECT_FALSE(it.Valid());
  it.SeekToLast();
  EXPECT_FALSE(it.Valid());
  it.Seek(MakeInternalKey("a", 1, ValueKind::kValue));
  EXPECT_FALSE(it.Valid());
  it.SeekForPrev(MakeInternalKey("a", 1, ValueKind::kValue));
  EXPECT_FALSE(it.Valid());
  EXPECT_TRUE(it.status().ok());
}

TEST(BlockTest, SeeksAndStepsMatchModel) {
  for (int restart : {1, 2, 3, 16, 1000}) {
    uint64_t seed = sst_test::BaseSeed(1234) + restart;
    SCOPED_TRACE(StrCat("seed=", seed, " restart_interval=", restart));
    Model m = SmallModel(seed, 300);
    std::string block = BuildBlock(m, restart);
    ASSERT_TRUE(ValidateBlock(block, kName, 0).ok());
    BlockIter it;
    ASSERT_TRUE(it.Init(block, &kName, 0).ok());
    std::vector<std::string> keys;
    for (const auto& kv : m) keys.push_back(kv.first);

    size_t i = 0;
    for (it.SeekToFirst(); it.Valid(); it.Next(), ++i) {
      ASSERT_EQ(it.key(), keys[i]);
      ASSERT_EQ(it.value(), m[keys[i]]);
    }
    ASSERT_EQ(i, keys.size());
    for (it.SeekToLast(); it.Valid(); it.Prev()) ASSERT_EQ(it.key(), keys[--i]);
    ASSERT_EQ(i, 0u);

    Random rnd(seed);
    for (int q = 0; q < 2000; ++q) {
      std::string target = rnd.OneIn(2) ? keys[rnd.Uniform(keys.size())]
                                        : MakeInternalKey(sst_test::RandomUserKey(rnd, 100000),
                                                          rnd.Uniform(1000000), kValueKindForSeek);
      it.Seek(target);
      auto lb = m.lower_bound(target);
      ASSERT_EQ(it.Valid(), lb != m.end());
      if (lb != m.end()) {
        ASSERT_EQ(it.key(), lb->first);
      }
      it.SeekForPrev(target);
      auto ub = m.upper_bound(target);
      ASSERT_EQ(it.Valid(), ub != m.begin());
      if (ub != m.begin()) {
        ASSERT_EQ(it.key(), std::prev(ub)->first);
      }
    }
    ASSERT_TRUE(it.status().ok());
  }
}

TEST(BlockTest, MalformedRestartArraysAreCorruption) {
  Model m = SmallModel(5, 50);
  std::string good = BuildBlock(m, 4);
  uint32_t num = DecodeFixed32(good.data() + good.size() - 4);
  ASSERT_GT(num, 2u);
  size_t restarts = good.size() - 4 - 4 * num;

  std::string too_many = good;
  EncodeFixed32(too_many.data() + too_many.size() - 4, 1u << 30);
  std::string zero = good;
  EncodeFixed32(zero.data() + zero.size() - 4, 0);
  std::string not_increasing = good;
  EncodeFixed32(not_increasing.data() + restarts + 8, 0);
  std::string past_end = good;
  EncodeFixed32(past_end.data() + restarts + 4, static_cast<uint32_t>(good.size()));
  for (const std::string* bad : {&too_many, &zero, &not_increasing, &past_end}) {
    absl::Status s = ValidateBlock(*bad, kName, 100);
    EXPECT_TRUE(IsCorruption(s)) << s;
    EXPECT_NE(s.message().find(kName), std::string_view::npos) << s;
  }
  EXPECT_TRUE(IsCorruption(ValidateBlock("ab", kName, 0)));

  // Even unvalidated, an iterator over the damaged block reports corruption or stops: never
  // reads outside the block (ASan checks this).
  for (const std::string* bad : {&not_increasing, &past_end}) {
    BlockIter it;
    if (!it.Init(*bad, &kName, 0).ok()) continue;
    for (it.SeekToFirst(); it.Valid(); it.Next()) {
    }
    for (it.SeekToLast(); it.Valid(); it.Prev()) {
    }
    it.Seek(m.begin()->first);
  }
}

TEST(BlockTest, DamagedEntriesNeverReadOutOfBounds) {
  Model m = SmallModel(8, 60);
  std::string good = BuildBlock(m, 3);
  size_t entries_end = good.size() - 4 - 4 * DecodeFixed32(good.data() + good.size() - 4);
  Random rnd(8);
  for (size_t pos = 0; pos < entries_end; ++pos) {
    std::string bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ (1 + rnd.Uniform(255)));
    // Heap copy of exact size so ASan sees any overrun.
    auto heap = std::make_unique<char[]>(bad.size());
    std::memcpy(heap.get(), bad.data(), bad.size());
    std::string_view view(heap.get(), bad.size());
    BlockIter it;
    ASSERT_TRUE(it.Init(view, &kName, 0).ok());
    size_t n = 0;
    for (it.SeekToFirst(); it.Valid() && n < 10000; it.Next()) ++n;
    for (it.SeekToLast(); it.Valid() && n < 20000; it.Prev()) ++n;
    it.Seek(m.rbegin()->first);
    it.SeekForPrev(m.begin()->first);
    if (!it.status().ok()) {
      EXPECT_TRUE(IsCorruption(it.status()));
    }
  }
}

TEST(KeyShorteningTest, SeparatorIsBetweenAndShort) {
  struct Case {
    std::string last_user, next_user;
    bool expect_shorter;
  };
  std::vector<Case> cases = {
      {"abcdefgh", "abzz", true},      // bump at the first difference
      {"abc1234567", "abd", true},     // 'c'+1 == 'd': bump a later byte of last
      {"abc", "abd", false},           // nothing shorter between them
      {"ab", "abc", false},            // last is a prefix of next
      {"a\xff\xff\xffzz", "b", true},  // skip 0xff bytes
      {"samekey", "samekey", false},   // same user key across the boundary
      {"", "a", false},
  };
  for (const Case& c : cases) {
    std::string last = MakeInternalKey(c.last_user, 100, ValueKind::kValue);
    std::string next =
        MakeInternalKey(c.next_user, c.last_user == c.next_user ? 50 : 7, ValueKind::kDeletion);
    std::string sep = IndexSeparator(last, next);
    SCOPED_TRACE(c.last_user + " | " + c.next_user);
    EXPECT_LE(CompareInternalKeys(last, sep), 0);
    EXPECT_LT(CompareInternalKeys(sep, next), 0);
    EXPECT_EQ(sep.size() < last.size(), c.expect_shorter);
  }
  // Random pairs.
  Random rnd(sst_test::BaseSeed(42));
  for (int i = 0; i < 20000; ++i) {
    std::string a =
        MakeInternalKey(sst_test::RandomUserKey(rnd, 1000), rnd.Uniform(100), ValueKind::kValue);
    std::string b =
        MakeInternalKey(sst_test::RandomUserKey(rnd, 1000), rnd.Uniform(100), ValueKind::kValue);
    int cmp = CompareInternalKeys(a, b);
    if (cmp == 0) continue;
    if (cmp > 0) std::swap(a, b);
    std::string sep = IndexSeparator(a, b);
    ASSERT_LE(CompareInternalKeys(a, sep), 0);
    ASSERT_LT(CompareInternalKeys(sep, b), 0);
    std::string succ = IndexSuccessor(a);
    ASSERT_LE(CompareInternalKeys(a, succ), 0);
  }
  EXPECT_LT(IndexSuccessor(MakeInternalKey("abcdef", 1, ValueKind::kValue)).size(), 14u);
  std::string all_ff = MakeInternalKey("\xff\xff", 1, ValueKind::kValue);
  EXPECT_EQ(IndexSuccessor(all_ff), all_ff);
}

TEST(BlockFramingTest, RoundTripAndChecksum) {
  MemVFS vfs;
  for (BlockCompression c : {BlockCompression::kNone, BlockCompression::kZstd}) {
    BlockCompressor compressor(c, 3);
    std::string contents(5000, 'q');
    std::string framed;
    compressor.Frame(contents, true, &framed);
    if (c == BlockCompression::kZstd) {
      EXPECT_LT(framed.size(), 500u);
      EXPECT_EQ(framed[framed.size() - 9], static_cast<char>(BlockCompression::kZstd));
    } else {
      EXPECT_EQ(framed.size(), contents.size() + kBlockTrailerSize);
    }
    std::string file_bytes = "xyz" + framed;
    ASSERT_TRUE(WriteStringToFile(vfs, file_bytes, "/f", false).ok());
    auto file = vfs.NewRandomAccessFile("/f");
    ASSERT_TRUE(file.ok());
    BlockHandle h{3, framed.size() - kBlockTrailerSize};
    auto block = ReadBlock(**file, "/f", h, file_bytes.size());
    ASSERT_TRUE(block.ok()) << block.status();
    EXPECT_EQ(**block, contents);
    // Handle past the data limit.
    auto out = ReadBlock(**file, "/f", BlockHandle{3, h.size + 1}, file_bytes.size());
    EXPECT_TRUE(IsCorruption(out.status()));
    out = ReadBlock(**file, "/f", BlockHandle{~0ull - 2, 10}, file_bytes.size());
    EXPECT_TRUE(IsCorruption(out.status()));
    // Any flipped byte (including the type byte and the checksum) is caught.
    for (size_t pos = 3; pos < file_bytes.size(); pos += 7) {
      std::string bad = file_bytes;
      bad[pos] ^= 0x20;
      ASSERT_TRUE(WriteStringToFile(vfs, bad, "/f", false).ok());
      auto f2 = vfs.NewRandomAccessFile("/f");
      ASSERT_TRUE(f2.ok());
      auto r = ReadBlock(**f2, "/f", h, bad.size());
      ASSERT_TRUE(IsCorruption(r.status())) << pos;
      EXPECT_NE(r.status().message().find("/f offset 3"), std::string_view::npos) << r.status();
    }
  }
}

TEST(FooterTest, RoundTripAndValidation) {
  Footer f;
  f.index = {100, 50};
  f.filter = {0, 0};
  f.range_del = {10, 5};
  f.properties = {30, 20};
  std::string enc;
  f.EncodeTo(&enc);
  ASSERT_EQ(enc.size(), Footer::kEncodedLength);
  EXPECT_EQ(enc.substr(enc.size() - 8), "NOKVSST1");
  auto d = Footer::Decode(enc, "/t", 200, 284);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->index.offset, 100u);
  EXPECT_TRUE(d->filter.IsNull());
  EXPECT_EQ(d->properties.size, 20u);
  // A handle that ends inside the footer is rejected.
  f.index = {180, 50};
  enc.clear();
  f.EncodeTo(&enc);
  EXPECT_TRUE(IsCorruption(Footer::Decode(enc, "/t", 200, 284).status()));
  EXPECT_TRUE(IsCorruption(Footer::Decode(enc.substr(1), "/t", 200, 284).status()));
}

}  // namespace
}  // namespace sst
}  // namespace nokv
