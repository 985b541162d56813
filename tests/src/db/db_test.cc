// DB behaviour against real storage (MemVFS for speed, FaultFS for errors, power cuts).
#include "nokv/db.h"

#include <atomic>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/vfs/fault_fs.h"
#include "engine/vfs/mem_vfs.h"
#include "gtest/gtest.h"
#include "src/util/clock.h"
#include "src/util/random.h"
#include "tests/test_seed.h"

namespace nokv {
namespace {

class DBTest : public ::testing::Test {
 protected:
  Options SmallOptions() {
    Options o;
    o.vfs = &vfs_;
    o.clock = &clock_;
    o.memtable_bytes = 64 << 10;  // many flushes and compactions in a small test
    o.wal_segment_bytes = 64 << 10;
    o.target_file_bytes = 32 << 10;
    o.block_cache_bytes = 1 << 20;
    return o;
  }
  std::unique_ptr<DB> OpenOrDie(const Options& o) {
    auto db = DB::Open(o, "/db");
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(*db) : nullptr;
  }
  std::map<std::string, std::string> Scan(DB* db, const ReadOptions& ro = ReadOptions()) {
    std::map<std::string, std::string> out;
    auto it = db->NewIterator(ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) out[std::string(it->key())] = it->value();
    EXPECT_TRUE(it->status().ok()) << it->status();
    return out;
  }

  std::string LargestWalSegment() {
    auto names = vfs_.ListDir("/db/wal");
    EXPECT_TRUE(names.ok());
    std::string best;
    uint64_t best_size = 0;
    for (const auto& n : *names) {
      uint64_t size = *vfs_.GetFileSize("/db/wal/" + n);
      if (size >= best_size) best = "/db/wal/" + n, best_size = size;
    }
    return best;
  }

  MemVFS vfs_;
  ManualClock clock_;
};

TEST_F(DBTest, RejectsEmptyKeysAndValues) {
  auto db = OpenOrDie(SmallOptions());
  EXPECT_EQ(db->Set("", "v").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->Set("k", "").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->Delete("").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->DeleteRange("b", "a").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->Get("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(db->Get("missing").status().code(), absl::StatusCode::kNotFound);
}

TEST_F(DBTest, SecondOpenOfSameWorkdirIsRefused) {
  auto db = OpenOrDie(SmallOptions());
  auto second = DB::Open(SmallOptions(), "/db");
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(DBTest, ClosedDbRejectsCalls) {
  auto db = OpenOrDie(SmallOptions());
  ASSERT_TRUE(db->Close().ok());
  EXPECT_EQ(db->Set("a", "b").code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(db->Get("a").status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(DBTest, StatsCountWhatHappened) {
  Options o = SmallOptions();
  auto db = OpenOrDie(o);
  constexpr int kWrites = 300;
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_TRUE(db->Set("key" + std::to_string(i), std::string(400, 'v')).ok());
  }
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(db->Get("key" + std::to_string(i)).ok());
  ASSERT_EQ(db->Get("absent").status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(db->Flush().ok());
  auto stats = db->Stats();
  EXPECT_EQ(stats["write.requests"], kWrites);
  EXPECT_EQ(stats["write.latency_us.count"], kWrites);
  EXPECT_EQ(stats["read.gets"], 51u);
  EXPECT_EQ(stats["read.get_hits"], 50u);
  EXPECT_EQ(stats["read.get_latency_us.count"], 51u);
  EXPECT_GE(stats["read.get_latency_us.p99"], stats["read.get_latency_us.p50"]);
  EXPECT_GE(stats["write.latency_us.max"], stats["write.latency_us.p999"]);
  // 300 x 400 B over a 64 KiB memtable: several switches, each a flush and a new segment.
  EXPECT_GE(stats["flush.count"], 1u);
  EXPECT_GE(stats["memtable.switches"], 1u);
  EXPECT_EQ(stats["flush.pending_memtables"], 0u);  // Flush() waited for all of them
  EXPECT_GE(stats["wal.segments_live"], 1u);
  uint64_t files = 0;
  for (int level = 0; level < 7; ++level) {
    files += stats["lsm.level" + std::to_string(level) + ".files"];
  }
  EXPECT_GE(files, 1u);
  EXPECT_GT(stats["lsm.total_bytes"], 0u);
  EXPECT_EQ(stats["sequence.last"], static_cast<uint64_t>(kWrites));
}

// The writer queue under contention: writers, a reader that checks every acknowledged write is
// visible at once, and Flush() calls racing with them; then the whole history after reopen.
TEST_F(DBTest, ConcurrentWritersFlushesAndReadersLoseNothing) {
  Options o = SmallOptions();
  auto db = OpenOrDie(o);
  constexpr int kWriters = 6;
  constexpr int kPerWriter = 1500;
  std::vector<std::atomic<int>> acked(kWriters);
  for (auto& a : acked) a.store(-1);
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  auto key = [](int w, int i) { return "w" + std::to_string(w) + "-" + std::to_string(i); };
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kPerWriter; ++i) {
        WriteOptions wo;
        wo.sync = i % 100 == 0;
        absl::Status st;
        if (i % 10 == 0) {  // multi-key batches go through the same queue
          WriteBatch batch;
          batch.Set(key(w, i), std::string(100, 'a' + w));
          batch.Set(key(w, i) + "b", "batch");
          st = db->Write(wo, batch);
        } else {
          st = db->Set(wo, key(w, i), std::string(100, 'a' + w));
        }
        if (!st.ok()) {
          failures.fetch_add(1);
          return;
        }
        acked[w].store(i, std::memory_order_release);
      }
    });
  }
  std::thread reader([&] {
    Random rnd(7);
    while (!stop.load()) {
      int w = static_cast<int>(rnd.Uniform(kWriters));
      int upto = acked[w].load(std::memory_order_acquire);
      if (upto < 0) continue;
      int i = static_cast<int>(rnd.Uniform(static_cast<uint32_t>(upto) + 1));
      if (!db->Get(key(w, i)).ok()) failures.fetch_add(1);
    }
  });
  std::thread flusher([&] {
    while (!stop.load()) {
      if (!db->Flush().ok()) failures.fetch_add(1);
    }
  });
  for (auto& t : threads) t.join();
  stop.store(true);
  reader.join();
  flusher.join();
  ASSERT_EQ(failures.load(), 0);
  auto stats = db->Stats();
  const uint64_t records = kWriters * (kPerWriter + kPerWriter / 10);
  EXPECT_EQ(stats["sequence.last"], records);
  EXPECT_EQ(stats["write.requests"], static_cast<uint64_t>(kWriters * kPerWriter));
  EXPECT_LE(stats["write.groups"], stats["write.requests"]);
  ASSERT_TRUE(db->Close().ok());
  db = OpenOrDie(o);
  auto all = Scan(db.get());
  EXPECT_EQ(all.size(), records);
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kPerWriter; ++i) {
      auto it = all.find(key(w, i));
      ASSERT_NE(it, all.end()) << key(w, i);
      EXPECT_EQ(it->second, std::string(100, 'a' + w));
    }
  }
}

// Close() while writers are queued: each write either succeeds or is refused, never hangs, and
// every acknowledged write is there after reopen (Close makes unsynced writes durable).
TEST_F(DBTest, CloseWithWritersInFlightKeepsAcknowledgedWrites) {
  Options o = SmallOptions();
  auto db = OpenOrDie(o);
  constexpr int kWriters = 4;
  std::vector<std::vector<std::string>> acked(kWriters);
  std::atomic<int> unexpected{0};
  std::atomic<int> total{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0;; ++i) {
        std::string k = "c" + std::to_string(w) + "-" + std::to_string(i);
        absl::Status st = db->Set(k, "v");
        if (st.ok()) {
          acked[w].push_back(k);
          total.fetch_add(1);
        } else {
          if (st.code() != absl::StatusCode::kFailedPrecondition) unexpected.fetch_add(1);
          return;
        }
      }
    });
  }
  while (total.load() < 2000) std::this_thread::yield();
  ASSERT_TRUE(db->Close().ok());
  for (auto& t : threads) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  db = OpenOrDie(o);
  for (const auto& keys : acked) {
    for (const auto& k : keys) ASSERT_TRUE(db->Get(k).ok()) << k;
  }
}

TEST_F(DBTest, TtlExpiresAtOnceAndSurvivesReopen) {
  auto db = OpenOrDie(SmallOptions());
  ASSERT_TRUE(db->SetWithTTL("k", "v", 1000).ok());
  auto got = db->GetWithExpiry(ReadOptions(), "k");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->expires_at_millis, clock_.NowUnixMillis() + 1000);
  ASSERT_TRUE(db->Close().ok());
  db = OpenOrDie(SmallOptions());
  EXPECT_TRUE(db->Get("k").ok());
  clock_.AdvanceMillis(1000);
  EXPECT_EQ(db->Get("k").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Scan(db.get()).empty());
  // Compaction drops the expired entry physically: no file is left at any level.
  ASSERT_TRUE(db->CompactRange("", "").ok());
  for (int level = 0; level < 7; ++level) {
    std::string files;
    ASSERT_TRUE(db->GetProperty("nokv.num-files-at-level" + std::to_string(level), &files));
    EXPECT_EQ(files, "0") << "L" << level;
  }
}

// More live tables than max_open_files: every read still works; the cache holds at most the
// limit and reopens evicted tables on demand.
TEST_F(DBTest, TableCacheHoldsAtMostMaxOpenFiles) {
  Options o = SmallOptions();
  o.max_open_files = 3;
  o.l0_compaction_trigger = 100;  // keep many L0 files
  o.l0_slowdown_trigger = 100;
  o.l0_stop_trigger = 100;
  auto db = OpenOrDie(o);
  for (int f = 0; f < 12; ++f) {
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(db->Set("f" + std::to_string(f) + "-" + std::to_string(i), "v").ok());
    }
    ASSERT_TRUE(db->Flush().ok());
  }
  for (int round = 0; round < 2; ++round) {
    for (int f = 0; f < 12; ++f) ASSERT_TRUE(db->Get("f" + std::to_string(f) + "-7").ok());
  }
  EXPECT_EQ(Scan(db.get()).size(), 240u);
  auto stats = db->Stats();
  EXPECT_LE(stats["table_cache.open_tables"], 3u);
  EXPECT_GT(stats["table_cache.opens"], 12u) << "evicted tables were opened again";
}

// The ingest buffer: once the base level has files, a flush writes one L0 file per shard its
// keys fall in, so the buffer's depth (files a read probes) grows by one per flush, not by the
// number of files.
TEST_F(DBTest, FlushesAreCutAtIngestBufferShards) {
  Options o = SmallOptions();
  o.target_file_bytes = 4 << 10;  // many base-level files to take shard bounds from
  o.ingest_buffer_shards = 4;
  o.l0_compaction_trigger = 100;
  o.l0_slowdown_trigger = 100;
  o.l0_stop_trigger = 100;
  auto db = OpenOrDie(o);
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(db->Set("k" + std::to_string(10000 + i), "v").ok());
  ASSERT_TRUE(db->CompactRange("", "").ok());
  ASSERT_EQ(db->Stats()["lsm.level0.files"], 0u);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 2000; i += 7) {
      ASSERT_TRUE(db->Set("k" + std::to_string(10000 + i), "w" + std::to_string(round)).ok());
    }
    ASSERT_TRUE(db->Flush().ok());
  }
  auto stats = db->Stats();
  EXPECT_EQ(stats["lsm.level0.files"], 12u) << "3 flushes x 4 shards";
  EXPECT_EQ(stats["lsm.level0.score_x100"], 3u) << "depth 3 (one file per flush per shard)";
  EXPECT_EQ(*db->Get("k10007"), "w2");
}

TEST_F(DBTest, SnapshotSeesPointInTimeAcrossFlushAndCompaction) {
  auto db = OpenOrDie(SmallOptions());
  ASSERT_TRUE(db->Set("a", "1").ok());
  ASSERT_TRUE(db->Set("b", "1").ok());
  const Snapshot* snap = db->GetSnapshot();
  ASSERT_TRUE(db->Set("a", "2").ok());
  ASSERT_TRUE(db->Delete("b").ok());
  ASSERT_TRUE(db->DeleteRange("a", "c").ok());
  ASSERT_TRUE(db->CompactRange("", "").ok());
  ReadOptions at_snap;
  at_snap.snapshot = snap;
  EXPECT_EQ(*db->Get(at_snap, "a"), "1");
  EXPECT_EQ(*db->Get(at_snap, "b"), "1");
  EXPECT_EQ((Scan(db.get(), at_snap)),
            (std::map<std::string, std::string>{{"a", "1"}, {"b", "1"}}));
  EXPECT_FALSE(db->Get("a").ok());
  EXPECT_TRUE(Scan(db.get()).empty());
  db->ReleaseSnapshot(snap);
  ASSERT_TRUE(db->CompactRange("", "").ok());
  EXPECT_TRUE(Scan(db.get()).empty());
}

TEST_F(DBTest, IteratorBoundsPrefixAndReverse) {
  auto db = OpenOrDie(SmallOptions());
  for (const char* k : {"a1", "a2", "b1", "b2", "b3", "c1"}) ASSERT_TRUE(db->Set(k, k).ok());
  ReadOptions ro;
  ro.prefix = "b";
  auto it = db->NewIterator(ro);
  std::string seen;
  for (it->SeekToLast(); it->Valid(); it->Prev()) seen += std::string(it->key()) + ",";
  EXPECT_EQ(seen, "b3,b2,b1,");
  ReadOptions bounded;
  bounded.lower_bound = "a2";
  bounded.upper_bound = "b3";
  it = db->NewIterator(bounded);
  seen.clear();
  for (it->SeekToFirst(); it->Valid(); it->Next()) seen += std::string(it->key()) + ",";
  EXPECT_EQ(seen, "a2,b1,b2,");
  it->SeekForPrev("b1x");
  ASSERT_TRUE(it->Valid());
  EXPECT_EQ(it->key(), "b1");
  it->Next();
  EXPECT_EQ(it->key(), "b2");
  it->Prev();
  it->Prev();
  EXPECT_EQ(it->key(), "a2");
}

// Random operations against NoKV and a std::map, with reopens, flushes and compactions in the
// middle; compared after every step through Get and at checkpoints through full scans in both
// directions.
TEST_F(DBTest, ModelBasedRandomOps) {
  const uint64_t seed = test::SeedFromEnv(std::random_device{}());
  SCOPED_TRACE("seed=" + std::to_string(seed) + " (replay with NOKV_TEST_SEED)");
  Random rnd(seed);
  Options o = SmallOptions();
  // A deep tree: tiny level targets so data flows through several levels in this test.
  o.memtable_bytes = 16 << 10;
  o.target_file_bytes = 8 << 10;
  o.max_bytes_for_level_base = 4 << 10;
  o.level_size_multiplier = 2;
  o.max_background_compactions = 2;
  auto db = OpenOrDie(o);
  std::map<std::string, std::string> model;
  int deepest = 0;
  uint64_t highest_base = 6;
  auto key = [&] { return "key" + std::to_string(rnd.Uniform(400)); };
  for (int step = 0; step < 6000; ++step) {
    uint64_t op = rnd.Uniform(100);
    if (op < 55) {
      std::string k = key(), v = std::string(1 + rnd.Uniform(300), 'a' + rnd.Uniform(26));
      ASSERT_TRUE(db->Set(k, v).ok());
      model[k] = v;
    } else if (op < 70) {
      std::string k = key();
      ASSERT_TRUE(db->Delete(k).ok());
      model.erase(k);
    } else if (op < 73) {
      std::string a = key(), b = key();
      if (a > b) std::swap(a, b);
      if (a == b) continue;
      ASSERT_TRUE(db->DeleteRange(a, b).ok());
      model.erase(model.lower_bound(a), model.lower_bound(b));
    } else if (op < 83) {
      WriteBatch batch;
      for (int i = 0; i < 5; ++i) {
        std::string k = key();
        if (rnd.OneIn(3)) {
          batch.Delete(k);
          model.erase(k);
        } else {
          batch.Set(k, "batch" + std::to_string(step));
          model[k] = "batch" + std::to_string(step);
        }
      }
      ASSERT_TRUE(db->Write(batch).ok());
    } else if (op < 84) {
      ASSERT_TRUE(db->Close().ok());
      db = OpenOrDie(o);
    } else if (op < 85) {
      ASSERT_TRUE(db->Flush().ok());
    } else if (op < 86) {
      ASSERT_TRUE(db->CompactRange("", "").ok());
    } else {
      std::string k = key();
      auto got = db->Get(k);
      auto it = model.find(k);
      if (it == model.end()) {
        ASSERT_EQ(got.status().code(), absl::StatusCode::kNotFound) << k << " step " << step;
      } else {
        ASSERT_TRUE(got.ok()) << k << " step " << step << " " << got.status();
        ASSERT_EQ(*got, it->second) << k << " step " << step;
      }
    }
    if (step % 100 == 0) {
      auto stats = db->Stats();
      int non_empty = 0;
      for (int level = 1; level < 7; ++level) {
        non_empty += stats["lsm.level" + std::to_string(level) + ".files"] > 0;
      }
      deepest = std::max(deepest, non_empty);
      highest_base = std::min<uint64_t>(highest_base, stats["lsm.base_level"]);
    }
    if (step % 500 == 0) {
      ASSERT_EQ(Scan(db.get()), model) << "step " << step;
      std::map<std::string, std::string> reverse;
      auto it = db->NewIterator(ReadOptions());
      for (it->SeekToLast(); it->Valid(); it->Prev()) reverse[std::string(it->key())] = it->value();
      ASSERT_EQ(reverse, model) << "reverse scan, step " << step;
      // A random walk that changes direction, against the model's ordered map.
      std::string start = key();
      it->Seek(start);
      auto pos = model.lower_bound(start);
      for (int move = 0; move < 60; ++move) {
        ASSERT_EQ(it->Valid(), pos != model.end()) << "walk step " << step << " move " << move;
        if (pos == model.end()) break;
        ASSERT_EQ(it->key(), pos->first) << "walk step " << step << " move " << move;
        ASSERT_EQ(it->value(), pos->second) << "walk step " << step << " move " << move;
        if (rnd.OneIn(2)) {
          it->Next();
          ++pos;
        } else {
          it->Prev();
          pos = pos == model.begin() ? model.end() : std::prev(pos);
        }
      }
    }
  }
  ASSERT_EQ(Scan(db.get()), model);
  // The run did exercise a deep tree (CompactRange calls flatten it now and then, so the
  // deepest shape seen during the run counts).
  EXPECT_GE(deepest, 2) << "levels >= 1 holding data at once";
  EXPECT_LE(highest_base, 5u) << "the base level never moved up";
}

// A power cut loses everything not fsynced: writes acknowledged with sync=true survive.
TEST_F(DBTest, PowerCutKeepsSyncedWrites) {
  // The DB runs on FaultFS over the MemVFS. At the "power cut" every operation starts failing
  // (the dead process can no longer touch the disk), the MemVFS drops unsynced state, and the
  // dead instance is closed with all its I/O failing, as if it never ran again.
  FaultFS fs(&vfs_);
  Options o = SmallOptions();
  o.vfs = &fs;
  auto db = OpenOrDie(o);
  WriteOptions sync{.sync = true};
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(db->Set(sync, "k" + std::to_string(i), std::string(100, 'x')).ok());
  }
  ASSERT_TRUE(db->Set(WriteOptions(), "unsynced", "maybe").ok());
  FaultRule dead;  // every operation, every path
  fs.AddRule(dead);
  vfs_.SimulatePowerCut();
  db->Close().IgnoreError();
  db.reset();
  o.vfs = &vfs_;
  auto reopened = DB::Open(o, "/db");
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE((*reopened)->Get("k" + std::to_string(i)).ok()) << i;
  }
}

// For each fault op: a write/flush/reopen scenario either succeeds or reports a clean error;
// after the fault clears, reopening finds every acknowledged write.
TEST_F(DBTest, FaultOnEveryOperationKindLosesNoAcknowledgedWrite) {
  for (int op = 0; op < kNumFaultOps; ++op) {
    SCOPED_TRACE(std::string("fault op ") + FaultOpName(static_cast<FaultOp>(op)));
    MemVFS base;
    FaultFS fs(&base);
    Options o = SmallOptions();
    o.vfs = &fs;
    std::map<std::string, std::string> acked;
    {
      auto db = DB::Open(o, "/db");
      ASSERT_TRUE(db.ok()) << db.status();
      FaultRule rule;
      rule.op = static_cast<FaultOp>(op);
      rule.every_nth = 3;
      rule.max_failures = 2;
      rule.kind = op % 2 ? FaultKind::kNoSpace : FaultKind::kIOError;
      fs.AddRule(rule);
      for (int i = 0; i < 1500; ++i) {
        std::string k = "k" + std::to_string(i % 700), v = std::to_string(i) + std::string(80, 'v');
        if ((*db)->Set(WriteOptions{.sync = true}, k, v).ok()) acked[k] = v;
        if (i % 500 == 499) (*db)->Flush().IgnoreError();
      }
      (*db)->Close().IgnoreError();
    }
    fs.ClearRules();
    auto db = DB::Open(o, "/db");
    ASSERT_TRUE(db.ok()) << db.status();
    for (const auto& [k, v] : acked) {
      auto got = (*db)->Get(k);
      ASSERT_TRUE(got.ok()) << k << ": " << got.status();
      ASSERT_EQ(*got, v) << k;
    }
  }
}

TEST_F(DBTest, CorruptWalInOlderSegmentIsReportedWithFileAndOffset) {
  Options o = SmallOptions();
  o.memtable_bytes = 1 << 20;
  o.wal_segment_bytes = 1 << 20;
  {
    auto db = OpenOrDie(o);
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE(db->Set(WriteOptions{.sync = true}, "k" + std::to_string(i), "v").ok());
    }
    ASSERT_TRUE(db->Close().ok());  // Close does not flush: the WAL holds everything
  }
  std::string path = LargestWalSegment();
  std::string data;
  ASSERT_TRUE(ReadFileToString(vfs_, path, &data).ok());
  ASSERT_GT(data.size(), 200u);
  // Flip a byte in the middle: valid records follow, so this is corruption, not a torn tail.
  data[data.size() / 2] ^= 0x55;
  ASSERT_TRUE(WriteStringToFile(vfs_, data, path, true).ok());
  auto db = DB::Open(o, "/db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(db.status().message().find(path), std::string::npos) << db.status();
  EXPECT_NE(db.status().message().find("offset"), std::string::npos) << db.status();
}

TEST_F(DBTest, TornWalTailIsTruncatedAndReported) {
  Options o = SmallOptions();
  o.memtable_bytes = 1 << 20;
  o.wal_segment_bytes = 1 << 20;
  {
    auto db = OpenOrDie(o);
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(db->Set(WriteOptions{.sync = true}, "k" + std::to_string(i), "v").ok());
    }
    ASSERT_TRUE(db->Close().ok());
  }
  std::string path = LargestWalSegment();
  uint64_t size = *vfs_.GetFileSize(path);
  ASSERT_TRUE(vfs_.Truncate(path, size - 3).ok());  // tear the last record
  auto db = OpenOrDie(o);
  for (int i = 0; i < 99; ++i) ASSERT_TRUE(db->Get("k" + std::to_string(i)).ok()) << i;
  std::string report;
  ASSERT_TRUE(db->GetProperty("nokv.recovery", &report));
  EXPECT_NE(report.find("torn tail"), std::string::npos) << report;
}

TEST_F(DBTest, CorruptManifestAndSstAreReportedNotCrashed) {
  Options o = SmallOptions();
  {
    auto db = OpenOrDie(o);
    for (int i = 0; i < 3000; ++i) {
      ASSERT_TRUE(db->Set("k" + std::to_string(i), std::string(50, 'v')).ok());
    }
    ASSERT_TRUE(db->Flush().ok());
    ASSERT_TRUE(db->Close().ok());
  }
  // Flip one byte in every SST's data area: reads report DataLoss naming the file.
  auto ssts = vfs_.ListDir("/db/sst");
  ASSERT_TRUE(ssts.ok());
  ASSERT_FALSE(ssts->empty());
  for (const auto& name : *ssts) {
    std::string path = "/db/sst/" + name, data;
    ASSERT_TRUE(ReadFileToString(vfs_, path, &data).ok());
    data[data.size() / 4] ^= 0x20;
    ASSERT_TRUE(WriteStringToFile(vfs_, data, path, true).ok());
  }
  {
    auto db = OpenOrDie(o);
    int corrupt = 0;
    for (int i = 0; i < 3000; ++i) {
      auto got = db->Get("k" + std::to_string(i));
      if (!got.ok() && got.status().code() == absl::StatusCode::kDataLoss) {
        EXPECT_NE(got.status().message().find(".sst"), std::string::npos) << got.status();
        ++corrupt;
      }
    }
    EXPECT_GT(corrupt, 0);
    ASSERT_TRUE(db->Close().ok());
  }
  // A damaged MANIFEST makes Open fail with DataLoss naming it.
  std::string current;
  ASSERT_TRUE(ReadFileToString(vfs_, "/db/CURRENT", &current).ok());
  std::string manifest = "/db/" + current.substr(0, current.size() - 1), data;
  ASSERT_TRUE(ReadFileToString(vfs_, manifest, &data).ok());
  data[2] ^= 0x01;  // the magic
  ASSERT_TRUE(WriteStringToFile(vfs_, data, manifest, true).ok());
  auto db = DB::Open(o, "/db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(db.status().message().find("MANIFEST"), std::string::npos) << db.status();
}

}  // namespace
}  // namespace nokv
