// The replication surface (src/db/replication.h): export a range, ingest it elsewhere, and the
// properties raftstore relies on: the ingested range replaces what was there, atomically for
// readers and across crashes; older snapshots never see it; memtable data cannot shadow it.
#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "engine/vfs/fault_fs.h"
#include "engine/vfs/mem_vfs.h"
#include "gtest/gtest.h"
#include "nokv/db.h"
#include "src/db/replication.h"
#include "tests/util/crash_workload.h"

namespace nokv {
namespace {

using State = std::map<std::string, std::string>;

class ReplicationTest : public ::testing::Test {
 protected:
  Options Opts(VFS* vfs) {
    Options o;
    o.vfs = vfs;
    o.clock = &clock_;
    o.memtable_bytes = 64 << 10;
    o.target_file_bytes = 16 << 10;
    return o;
  }
  std::unique_ptr<DB> Open(VFS* vfs, const std::string& dir) {
    auto db = DB::Open(Opts(vfs), dir);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(*db) : nullptr;
  }
  static State Read(DB* db, const ReadOptions& ro = ReadOptions()) {
    State out;
    auto it = db->NewIterator(ro);
    for (it->SeekToFirst(); it->Valid(); it->Next()) out[std::string(it->key())] = it->value();
    EXPECT_TRUE(it->status().ok()) << it->status();
    return out;
  }
  static State Slice(const State& s, const std::string& lo, const std::string& hi) {
    return State(s.lower_bound(lo), s.lower_bound(hi));
  }
  static void Fill(DB* db, char first, char last, const std::string& tag, int per_letter) {
    for (char c = first; c <= last; ++c) {
      for (int i = 0; i < per_letter; ++i) {
        ASSERT_TRUE(
            db->Set(std::string(1, c) + std::to_string(1000 + i), tag + std::string(60, c)).ok());
      }
    }
  }

  MemVFS vfs_;
  test::StillWallClock clock_;
};

TEST_F(ReplicationTest, ExportedRangeReplacesTheReceiversRange) {
  auto src = Open(&vfs_, "/src");
  auto dst = Open(&vfs_, "/dst");
  Fill(src.get(), 'a', 'z', "src", 30);
  ASSERT_TRUE(src->Delete("d1003").ok());
  ASSERT_TRUE(src->SetWithTTL("f-ttl", "expiring", 60000).ok());
  ASSERT_TRUE(src->Flush().ok());
  Fill(src.get(), 'c', 'e', "src2", 5);  // some in the memtable too
  const Snapshot* snap = src->GetSnapshot();
  ASSERT_TRUE(src->Set("e9999", "after the snapshot").ok());  // must not travel
  Fill(dst.get(), 'a', 'z', "dst", 40);                       // dst has more keys in the range
  ASSERT_TRUE(dst->Set("d-only-in-dst", "x").ok());

  ExportOptions ex;
  ex.snapshot = snap;
  ex.begin = "c";
  ex.end = "g";
  ex.dir = "/staging";
  ex.target_file_bytes = 8 << 10;  // several files
  auto files = ExportRange(src.get(), ex);
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_GE(files->size(), 2u);
  ReadOptions at_snap;
  at_snap.snapshot = snap;
  const State want = Slice(Read(src.get(), at_snap), "c", "g");
  const State dst_before = Read(dst.get());
  std::vector<std::string> paths;
  for (const auto& f : *files) paths.push_back(f.path);
  ASSERT_TRUE(IngestExternalFiles(dst.get(), paths).ok());

  const State after = Read(dst.get());
  EXPECT_EQ(Slice(after, "c", "g"), want) << "the range must equal the source's snapshot";
  EXPECT_EQ(Slice(after, "a", "c"), Slice(dst_before, "a", "c"));
  EXPECT_EQ(Slice(after, "g", "zz"), Slice(dst_before, "g", "zz"));
  auto ttl = dst->GetWithExpiry(ReadOptions(), "f-ttl");
  ASSERT_TRUE(ttl.ok());
  EXPECT_EQ(ttl->expires_at_millis, clock_.NowUnixMillis() + 60000) << "expiry travels";
  EXPECT_EQ(dst->Stats()["ingest.files"], files->size());
  // The same after a reopen (the MANIFEST keeps the global sequence) and a full compaction.
  ASSERT_TRUE(dst->Close().ok());
  dst = Open(&vfs_, "/dst");
  EXPECT_EQ(Read(dst.get()), after);
  ASSERT_TRUE(dst->CompactRange("", "").ok());
  EXPECT_EQ(Read(dst.get()), after);
  ASSERT_TRUE(dst->Close().ok());
  dst = Open(&vfs_, "/dst");
  EXPECT_EQ(Read(dst.get()), after);
  src->ReleaseSnapshot(snap);
}

// Reads consult memtables first: unflushed receiver data in the range would shadow the files
// unless the ingest flushes it.
TEST_F(ReplicationTest, UnflushedDataInTheRangeCannotShadowTheIngest) {
  auto dst = Open(&vfs_, "/dst");
  ASSERT_TRUE(dst->Set("k1", "old-in-memtable").ok());
  ASSERT_TRUE(dst->Set("k2", "old-in-memtable").ok());
  ASSERT_TRUE(vfs_.CreateDir("/staging").ok());
  auto w = SstFileWriter::Create(vfs_, "/staging/a.sst", TableOptions{});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->DeleteRange("k", "l").ok());
  ASSERT_TRUE((*w)->Put("k1", "new").ok());
  ExternalFileInfo info;
  ASSERT_TRUE((*w)->Finish(&info).ok());
  ASSERT_TRUE(IngestExternalFiles(dst.get(), {info.path}).ok());
  EXPECT_EQ(dst->Get("k2").status().code(), absl::StatusCode::kNotFound) << "cleared";
  EXPECT_FALSE(vfs_.FileExists("/staging/a.sst")) << "moved into the workdir";
}

// A snapshot taken before the ingest never sees it; one taken after sees all of it.
TEST_F(ReplicationTest, IngestIsAtomicForSnapshotsAndConcurrentReaders) {
  auto dst = Open(&vfs_, "/dst");
  Fill(dst.get(), 'a', 'c', "old", 50);
  ASSERT_TRUE(dst->Flush().ok());
  const Snapshot* before = dst->GetSnapshot();
  const State old_state = Read(dst.get());
  ASSERT_TRUE(vfs_.CreateDir("/staging").ok());
  auto w = SstFileWriter::Create(vfs_, "/staging/b.sst", TableOptions{});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->DeleteRange("b", "c").ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*w)->Put("b" + std::to_string(5000 + i), "new").ok());
  ExternalFileInfo info;
  ASSERT_TRUE((*w)->Finish(&info).ok());
  // A reader checks that every scan shows the b-range wholly old or wholly new.
  std::atomic<bool> stop{false};
  std::atomic<int> mixed{0}, scans{0};
  std::thread reader([&] {
    while (!stop.load()) {
      ReadOptions ro;
      ro.prefix = "b";
      State b = Read(dst.get(), ro);
      const bool all_new = b.size() == 20 && b.begin()->second == "new";
      const bool all_old = b.size() == 50 && b.begin()->second.rfind("old", 0) == 0;
      if (!all_new && !all_old) mixed.fetch_add(1);
      scans.fetch_add(1);
    }
  });
  while (scans.load() < 5) std::this_thread::yield();
  ASSERT_TRUE(IngestExternalFiles(dst.get(), {info.path}).ok());
  const int after_ingest = scans.load();
  while (scans.load() < after_ingest + 5) std::this_thread::yield();
  stop.store(true);
  reader.join();
  EXPECT_EQ(mixed.load(), 0);
  ReadOptions at_before;
  at_before.snapshot = before;
  EXPECT_EQ(Read(dst.get(), at_before), old_state) << "an older snapshot must not see the ingest";
  ReadOptions prefix_b;
  prefix_b.prefix = "b";
  EXPECT_EQ(Read(dst.get(), prefix_b).size(), 20u);
  dst->ReleaseSnapshot(before);
}

TEST_F(ReplicationTest, RejectsFilesThatAreNotIngestable) {
  auto dst = Open(&vfs_, "/dst");
  ASSERT_TRUE(vfs_.CreateDir("/staging").ok());
  auto make = [&](const std::string& path, std::vector<std::string> keys) {
    auto w = SstFileWriter::Create(vfs_, path, TableOptions{});
    EXPECT_TRUE(w.ok());
    for (const auto& k : keys) EXPECT_TRUE((*w)->Put(k, "v").ok());
    ExternalFileInfo info;
    EXPECT_TRUE((*w)->Finish(&info).ok());
    return info.path;
  };
  const std::string a = make("/staging/a.sst", {"k1", "k5"});
  const std::string b = make("/staging/b.sst", {"k3", "k9"});
  absl::Status s = IngestExternalFiles(dst.get(), {a, b});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_TRUE(vfs_.FileExists(a) && vfs_.FileExists(b)) << "a refused ingest moves nothing";
  // A table of the DB itself carries sequence numbers.
  ASSERT_TRUE(dst->Set("x", "y").ok());
  ASSERT_TRUE(dst->Flush().ok());
  auto ssts = *vfs_.ListDir("/dst/sst");
  ASSERT_FALSE(ssts.empty());
  s = IngestExternalFiles(dst.get(), {"/dst/sst/" + ssts[0]});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  // Writer misuse.
  auto w = SstFileWriter::Create(vfs_, "/staging/c.sst", TableOptions{});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Put("b", "v").ok());
  EXPECT_EQ((*w)->Put("a", "v").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ((*w)->Put("c", "").code(), absl::StatusCode::kInvalidArgument);
}

// Crash safety: a power cut at every VFS operation of an ingest leaves the receiver's range
// either wholly as before or wholly as ingested, never a mix, and the DB always opens.
TEST_F(ReplicationTest, PowerCutAtEveryOperationOfAnIngestLeavesOldOrNew) {
  // Build the receiver and the files once; each round starts from a copy.
  auto setup = [&](MemVFS* disk) {
    auto db = Open(disk, "/dst");
    Fill(db.get(), 'a', 'd', "old", 40);
    ASSERT_TRUE(db->Flush().ok());
    Fill(db.get(), 'b', 'b', "mem", 5);  // overlapping memtable data: the ingest must flush it
    ASSERT_TRUE(db->Close().ok());
    ASSERT_TRUE(disk->CreateDir("/staging").ok());
    auto w = SstFileWriter::Create(*disk, "/staging/n.sst", TableOptions{});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->DeleteRange("b", "c").ok());
    for (int i = 0; i < 30; ++i) ASSERT_TRUE((*w)->Put("b" + std::to_string(7000 + i), "new").ok());
    ExternalFileInfo info;
    ASSERT_TRUE((*w)->Finish(&info).ok());
    ASSERT_TRUE(disk->SyncDir("/staging").ok());
  };
  int old_seen = 0, new_seen = 0;
  for (uint64_t op = 1;; ++op) {
    MemVFS disk;
    setup(&disk);
    State old_state;
    {
      auto db = Open(&disk, "/dst");
      old_state = Read(db.get());
      ASSERT_TRUE(db->Close().ok());
    }
    FaultFS fs(&disk);
    Options o = Opts(&fs);
    auto db = DB::Open(o, "/dst");
    ASSERT_TRUE(db.ok());
    FaultRule halt;
    halt.nth = op;
    halt.kind = FaultKind::kHalt;
    fs.AddRule(halt);
    absl::Status s = IngestExternalFiles(db->get(), {"/staging/n.sst"});
    const bool cut = fs.halted();
    fs.Halt();
    disk.SimulatePowerCut(op % 2 ? PowerCutMode::kPartial : PowerCutMode::kPessimistic, op);
    (*db)->Close().IgnoreError();
    db->reset();
    auto reopened = DB::Open(Opts(&disk), "/dst");
    ASSERT_TRUE(reopened.ok()) << "cut at operation " << op << ": " << reopened.status();
    ReadOptions prefix_b;
    prefix_b.prefix = "b";
    const State b = Read(reopened->get(), prefix_b);
    const bool is_new = b.size() == 30 && b.begin()->second == "new";
    const bool is_old = b == Slice(old_state, "b", "c");
    ASSERT_TRUE(is_new || is_old) << "cut at operation " << op << ": a mix of " << b.size()
                                  << " keys";
    EXPECT_EQ(Slice(Read(reopened->get()), "c", "z"), Slice(old_state, "c", "z"));
    if (is_new) ++new_seen;
    if (is_old) ++old_seen;
    if (!cut) {
      ASSERT_TRUE(s.ok()) << s;
      EXPECT_TRUE(is_new);
      break;  // past the last operation of the ingest
    }
  }
  EXPECT_GT(old_seen, 0);
  EXPECT_GT(new_seen, 0);
}

TEST_F(ReplicationTest, ApproximateRangeStatsFollowTheData) {
  auto db = Open(&vfs_, "/db");
  Fill(db.get(), 'a', 'j', "v", 200);  // 10 letters x 200 keys x ~70 bytes
  ASSERT_TRUE(db->Flush().ok());
  ASSERT_TRUE(db->CompactRange("", "").ok());
  auto all = ApproximateRangeStats(db.get(), "", "");
  auto half = ApproximateRangeStats(db.get(), "a", "f");
  auto none = ApproximateRangeStats(db.get(), "x", "z");
  ASSERT_TRUE(all.ok() && half.ok() && none.ok());
  EXPECT_GE(all->keys, 1900u);
  EXPECT_LE(all->keys, 2000u);
  EXPECT_GT(half->bytes, all->bytes / 3);
  EXPECT_LT(half->bytes, all->bytes * 2 / 3);
  EXPECT_EQ(none->keys, 0u);
  // Memtable data counts too.
  ASSERT_TRUE(db->Set("x1", std::string(500, 'x')).ok());
  auto mem = ApproximateRangeStats(db.get(), "x", "z");
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->keys, 1u);
  EXPECT_GE(mem->bytes, 500u);
}

}  // namespace
}  // namespace nokv
