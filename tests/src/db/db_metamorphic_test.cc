// Metamorphic test (Pebble's metamorphic package): one random operation log — writes, batches,
// DeleteRange, TTL, point reads, bounded/prefix/reverse scans, snapshot reads, Flush,
// CompactRange, reopen, the clock moving on — applied under several option sets that change how
// the data is laid out (tiny memtables and files, zstd, small blocks and restart intervals, no
// bloom filter, different L0 triggers, sync on and off). Every read's answer goes into a
// transcript; all transcripts must be identical, and the final state must equal the model's.
// Snapshot reads are also checked against the model as of the snapshot.
// Bugs this catches: anything whose answer depends on where data happens to live (memtable vs
// L0 vs L1, one block vs many, compressed or not, before or after a reopen). It found one:
// compaction judged a point by the newest covering tombstone only, so with a newer tombstone in
// a later snapshot stripe it kept the point, dropped the older tombstone of the point's own
// stripe, and the point came back for that snapshot.
#include <memory>
#include <string>
#include <vector>

#include "engine/vfs/mem_vfs.h"
#include "gtest/gtest.h"
#include "nokv/db.h"
#include "src/util/random.h"
#include "src/util/str_cat.h"
#include "tests/test_seed.h"
#include "tests/util/crash_workload.h"
#include "tests/util/durability_oracle.h"

namespace nokv {
namespace {

struct OptionSet {
  const char* name;
  uint64_t level_base;
  int multiplier;
  int compaction_threads;
  size_t memtable_bytes;
  uint64_t wal_segment_bytes;
  uint64_t target_file_bytes;
  size_t block_bytes;
  int restart_interval;
  int bloom_bits;
  Compression compression;
  int l0_trigger;
  int max_immutable;
  size_t cache_bytes;
  bool sync;
};

const OptionSet kSets[] = {
    {"roomy", 256 << 20, 10, 1, 1 << 20, 1 << 20, 1 << 20, 4096, 16, 10, Compression::kNone, 4, 2,
     8 << 20, false},
    {"tiny-zstd-sync-deep", 8 << 10, 2, 2, 4 << 10, 4 << 10, 2 << 10, 256, 4, 10,
     Compression::kZstd, 2, 1, 64 << 10, true},
    {"no-bloom-zstd", 64 << 10, 4, 1, 16 << 10, 8 << 10, 8 << 10, 1024, 2, 0, Compression::kZstd, 8,
     1, 1 << 20, false},
    {"restart-1-small-cache-deep", 16 << 10, 3, 2, 8 << 10, 64 << 10, 4 << 10, 512, 1, 10,
     Compression::kNone, 3, 3, 4 << 10, true},
};

Options MakeOptions(const OptionSet& set, VFS* vfs, Clock* clock) {
  Options o;
  o.vfs = vfs;
  o.clock = clock;
  o.memtable_bytes = set.memtable_bytes;
  o.wal_segment_bytes = set.wal_segment_bytes;
  o.target_file_bytes = set.target_file_bytes;
  o.block_bytes = set.block_bytes;
  o.block_restart_interval = set.restart_interval;
  o.bloom_bits_per_key = set.bloom_bits;
  o.compression = set.compression;
  o.l0_compaction_trigger = set.l0_trigger;
  o.l0_slowdown_trigger = set.l0_trigger + 4;
  o.l0_stop_trigger = set.l0_trigger + 12;
  o.max_immutable_memtables = set.max_immutable;
  o.block_cache_bytes = set.cache_bytes;
  o.max_bytes_for_level_base = set.level_base;
  o.level_size_multiplier = set.multiplier;
  o.max_background_compactions = set.compaction_threads;
  // The small-cache set also keeps only three tables open (evictions under every read path).
  if (set.cache_bytes < (64 << 10)) o.max_open_files = 3;
  return o;
}

// Runs the operation log of `seed` under `set`; returns the transcript of every answer.
std::string RunLog(uint64_t seed, int ops, const OptionSet& set, test::ModelState* final_model) {
  MemVFS vfs;
  test::StillWallClock clock;
  const Options options = MakeOptions(set, &vfs, &clock);
  auto opened = DB::Open(options, "/db");
  EXPECT_TRUE(opened.ok()) << opened.status();
  if (!opened.ok()) return "";
  std::unique_ptr<DB> db = std::move(*opened);
  Random rng(seed);
  test::WorkloadOptions workload;
  test::ModelState model;
  std::vector<std::pair<const Snapshot*, test::ModelState>> snapshots;
  std::string out;
  auto key = [&] {
    return test::ClientKey(0, static_cast<int>(rng.Uniform(workload.keys_per_client)));
  };
  auto scan = [&](const ReadOptions& ro, bool reverse) {
    auto it = db->NewIterator(ro);
    int n = 0;
    if (reverse) {
      for (it->SeekToLast(); it->Valid() && n < 64; it->Prev(), ++n) {
        StrAppend(&out, " ", it->key(), "=", it->value().substr(0, 24), "/", it->value().size(),
                  "@", it->expires_at_millis());
      }
    } else {
      for (it->SeekToFirst(); it->Valid() && n < 64; it->Next(), ++n) {
        StrAppend(&out, " ", it->key(), "=", it->value().substr(0, 24), "/", it->value().size(),
                  "@", it->expires_at_millis());
      }
    }
    StrAppend(&out, " status=", it->status().ok() ? "ok" : it->status().ToString(), "\n");
  };
  for (int op = 0; op < ops; ++op) {
    StrAppend(&out, op, ":");
    const uint64_t dice = rng.Uniform(100);
    if (dice < 45) {
      test::WorkloadWrite w = test::GenerateWrite(&rng, workload, 0, op, clock.NowUnixMillis());
      w.sync = set.sync;
      absl::Status s = test::ExecuteWrite(db.get(), w);
      StrAppend(&out, " write ", s.ok() ? "ok" : s.ToString(), "\n");
      if (s.ok()) {
        for (const auto& m : w.ops) test::ApplyModelOp(m, &model);
      }
    } else if (dice < 65) {
      const std::string k = key();
      auto got = db->GetWithExpiry(ReadOptions(), k);
      StrAppend(&out, " get ", k, " -> ",
                got.ok() ? StrCat(got->value, "@", got->expires_at_millis)
                         : absl::StatusCodeToString(got.status().code()),
                "\n");
    } else if (dice < 75) {
      ReadOptions ro;
      if (rng.OneIn(2)) ro.lower_bound = key();
      if (rng.OneIn(2)) ro.upper_bound = key();
      if (rng.OneIn(4))
        ro.prefix = test::ClientKey(0, static_cast<int>(rng.Uniform(5))).substr(0, 7);
      StrAppend(&out, " scan [", ro.lower_bound, ",", ro.upper_bound, ") prefix=", ro.prefix);
      scan(ro, rng.OneIn(2));
    } else if (dice < 79) {
      snapshots.emplace_back(db->GetSnapshot(), model);
      StrAppend(&out, " snapshot\n");
    } else if (dice < 85 && !snapshots.empty()) {
      const size_t i = rng.Uniform(snapshots.size());
      ReadOptions ro;
      ro.snapshot = snapshots[i].first;
      StrAppend(&out, " snapshot-scan");
      scan(ro, false);
      {
        // The snapshot's answer is the model as of the snapshot, judged at today's clock.
        test::ModelState got;
        auto it = db->NewIterator(ro);
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
          got[std::string(it->key())] = {std::string(it->value()), it->expires_at_millis()};
        }
        const test::ModelState want = test::VisibleAt(snapshots[i].second, clock.NowUnixMillis());
        if (got != want) {
          std::string diff;
          for (const auto& [k, v] : want) {
            if (!got.count(k)) diff += " missing " + k;
          }
          for (const auto& [k, v] : got) {
            if (!want.count(k))
              diff += " extra " + k;
            else if (!(want.at(k) == v))
              diff += " changed " + k;
          }
          ADD_FAILURE() << set.name << " op " << op
                        << ": snapshot read differs from the model:" << diff;
        }
      }
      if (rng.OneIn(2)) {
        db->ReleaseSnapshot(snapshots[i].first);
        snapshots.erase(snapshots.begin() + i);
      }
    } else if (dice < 90) {
      StrAppend(&out, " flush ", db->Flush().ok() ? "ok" : "failed", "\n");
    } else if (dice < 94) {
      std::string a = rng.OneIn(3) ? "" : key(), b = rng.OneIn(3) ? "" : key();
      if (!a.empty() && !b.empty() && b < a) std::swap(a, b);
      StrAppend(&out, " compact ", db->CompactRange(a, b).ok() ? "ok" : "failed", "\n");
    } else if (dice < 97) {
      for (auto& [snap, state] : snapshots) db->ReleaseSnapshot(snap);
      snapshots.clear();
      const bool closed = db->Close().ok();
      db.reset();
      auto again = DB::Open(options, "/db");
      StrAppend(&out, " reopen ", closed && again.ok() ? "ok" : "failed", "\n");
      if (!again.ok()) return out;
      db = std::move(*again);
    } else {
      clock.AdvanceMillis(rng.Uniform(2000));
      StrAppend(&out, " clock\n");
    }
  }
  for (auto& [snap, state] : snapshots) db->ReleaseSnapshot(snap);
  auto all = test::ReadClientStates(db.get(), 1);
  EXPECT_TRUE(all.ok());
  if (all.ok()) {
    EXPECT_EQ((*all)[0], test::VisibleAt(model, clock.NowUnixMillis()))
        << set.name << ": the final state differs from the model";
  }
  *final_model = model;
  EXPECT_TRUE(db->Close().ok());
  return out;
}

TEST(MetamorphicTest, OneLogManyOptionSetsSameAnswers) {
  const uint64_t base = test::SeedFromEnv(20261129);
  for (uint64_t seed = base; seed < base + 3; ++seed) {
    SCOPED_TRACE("NOKV_TEST_SEED=" + std::to_string(seed));
    std::vector<std::string> transcripts;
    for (const OptionSet& set : kSets) {
      test::ModelState model;
      transcripts.push_back(RunLog(seed, 2500, set, &model));
    }
    for (size_t i = 1; i < transcripts.size(); ++i) {
      if (transcripts[i] == transcripts[0]) continue;
      size_t at = 0;
      while (at < transcripts[0].size() && at < transcripts[i].size() &&
             transcripts[0][at] == transcripts[i][at]) {
        ++at;
      }
      const size_t line = transcripts[0].rfind('\n', at) + 1;
      ADD_FAILURE() << kSets[0].name << " and " << kSets[i].name << " answer differently:\n  "
                    << transcripts[0].substr(line, transcripts[0].find('\n', at) - line) << "\n  "
                    << transcripts[i].substr(line, transcripts[i].find('\n', at) - line);
    }
  }
}

}  // namespace
}  // namespace nokv
