#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "engine/vfs/fault_fs.h"
#include "engine/vfs/mem_vfs.h"
#include "gtest/gtest.h"

namespace nokv {
namespace {

void RoundTrip(VFS& vfs, const std::string& dir) {
  ASSERT_TRUE(vfs.CreateDir(dir + "/sub").ok());
  ASSERT_TRUE(WriteStringToFile(vfs, "hello", dir + "/sub/a", true).ok());
  std::string data;
  ASSERT_TRUE(ReadFileToString(vfs, dir + "/sub/a", &data).ok());
  EXPECT_EQ(data, "hello");
  auto f = vfs.NewAppendableFile(dir + "/sub/a");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ((*f)->Size(), 5u);
  ASSERT_TRUE((*f)->Append(" world").ok());
  ASSERT_TRUE((*f)->Close().ok());
  auto r = vfs.NewRandomAccessFile(dir + "/sub/a");
  ASSERT_TRUE(r.ok());
  char scratch[16];
  EXPECT_EQ(*(*r)->Read(6, 16, scratch), "world");
  ASSERT_TRUE(vfs.RenameFile(dir + "/sub/a", dir + "/sub/b").ok());
  EXPECT_FALSE(vfs.FileExists(dir + "/sub/a"));
  EXPECT_EQ(*vfs.GetFileSize(dir + "/sub/b"), 11u);
  ASSERT_TRUE(vfs.Truncate(dir + "/sub/b", 4).ok());
  EXPECT_EQ(*vfs.GetFileSize(dir + "/sub/b"), 4u);
  EXPECT_EQ(vfs.RemoveFile(dir + "/sub/missing").code(), absl::StatusCode::kNotFound);
  auto lock = vfs.LockFile(dir + "/LOCK");
  ASSERT_TRUE(lock.ok());
  EXPECT_EQ(vfs.LockFile(dir + "/LOCK").status().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(vfs.UnlockFile(std::move(*lock)).ok());
  ASSERT_TRUE(RemoveTree(vfs, dir).ok());
  EXPECT_FALSE(vfs.FileExists(dir));
}

TEST(VfsTest, PosixRoundTrip) {
  std::string dir =
      std::filesystem::temp_directory_path() / ("nokv-vfs-" + std::to_string(getpid()));
  RoundTrip(*VFS::Default(), dir);
}

TEST(VfsTest, MemRoundTrip) {
  MemVFS vfs;
  RoundTrip(vfs, "/d");
}

TEST(VfsTest, PowerCutDropsUnsyncedBytesAndEntries) {
  MemVFS vfs;
  ASSERT_TRUE(vfs.CreateDir("/d").ok());
  auto f = vfs.NewWritableFile("/d/synced");
  ASSERT_TRUE((*f)->Append("durable").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("-lost").ok());
  ASSERT_TRUE(vfs.SyncDir("/d").ok());
  ASSERT_TRUE(WriteStringToFile(vfs, "x", "/d/entry-not-synced", true).ok());
  vfs.SimulatePowerCut();
  std::string data;
  ASSERT_TRUE(ReadFileToString(vfs, "/d/synced", &data).ok());
  EXPECT_EQ(data, "durable");
  EXPECT_FALSE(vfs.FileExists("/d/entry-not-synced"));
}

std::string Contents(MemVFS& vfs, const std::string& path) {
  std::string data;
  EXPECT_TRUE(ReadFileToString(vfs, path, &data).ok()) << path;
  return data;
}

// Catches: a truncation treated as durable before it is synced. Recovery cuts a torn WAL tail
// and must fsync the cut, or a power cut brings the torn record back behind newer segments.
TEST(VfsTest, UnsyncedTruncationIsUndoneByAPowerCut) {
  MemVFS vfs;
  ASSERT_TRUE(vfs.CreateDir("/d").ok());
  ASSERT_TRUE(WriteStringToFile(vfs, std::string(100, 'a'), "/d/f", true).ok());
  ASSERT_TRUE(vfs.SyncDir("/d").ok());
  ASSERT_TRUE(vfs.Truncate("/d/f", 50).ok());
  vfs.SimulatePowerCut();
  EXPECT_EQ(Contents(vfs, "/d/f").size(), 100u);
  ASSERT_TRUE(vfs.Truncate("/d/f", 50).ok());
  auto f = vfs.NewAppendableFile("/d/f");
  ASSERT_TRUE(f.ok() && (*f)->Sync().ok());
  vfs.SimulatePowerCut();
  EXPECT_EQ(Contents(vfs, "/d/f").size(), 50u);
}

// The partial model keeps the synced prefix and a random prefix of the unsynced appends,
// sometimes zero-filled; over many seeds every outcome occurs.
TEST(VfsTest, PartialPowerCutKeepsARandomPrefixOfUnsyncedAppends) {
  std::set<size_t> lengths;
  bool saw_zeros = false;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    MemVFS vfs;
    ASSERT_TRUE(vfs.CreateDir("/d").ok());
    auto f = vfs.NewWritableFile("/d/f");
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(vfs.SyncDir("/d").ok());
    ASSERT_TRUE((*f)->Append(std::string(10, 'a')).ok() && (*f)->Sync().ok());
    ASSERT_TRUE((*f)->Append(std::string(20, 'b')).ok());
    vfs.SimulatePowerCut(PowerCutMode::kPartial, seed);
    std::string got = Contents(vfs, "/d/f");
    ASSERT_GE(got.size(), 10u);
    ASSERT_LE(got.size(), 30u);
    EXPECT_EQ(got.substr(0, 10), std::string(10, 'a'));
    const std::string tail = got.substr(10);
    const size_t zeros_from = tail.find('\0');
    if (zeros_from != std::string::npos) {
      saw_zeros = true;
      EXPECT_EQ(tail.substr(zeros_from), std::string(tail.size() - zeros_from, '\0'));
      EXPECT_EQ(tail.substr(0, zeros_from), std::string(zeros_from, 'b'));
    } else {
      EXPECT_EQ(tail, std::string(tail.size(), 'b'));
    }
    lengths.insert(got.size());
  }
  EXPECT_TRUE(lengths.count(10) && lengths.count(30)) << "both extremes must be reachable";
  EXPECT_TRUE(saw_zeros);
}

// Unsynced directory changes survive in random subsets; the pessimistic cut keeps none.
TEST(VfsTest, PartialPowerCutKeepsARandomSubsetOfUnsyncedEntries) {
  std::set<std::string> outcomes;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    MemVFS vfs;
    ASSERT_TRUE(vfs.CreateDir("/d").ok());
    ASSERT_TRUE(WriteStringToFile(vfs, "a", "/d/a", true).ok());
    ASSERT_TRUE(WriteStringToFile(vfs, "b", "/d/b", true).ok());
    ASSERT_TRUE(vfs.SyncDir("/d").ok());
    ASSERT_TRUE(WriteStringToFile(vfs, "c", "/d/c", true).ok());
    ASSERT_TRUE(vfs.RemoveFile("/d/a").ok());
    ASSERT_TRUE(vfs.RenameFile("/d/b", "/d/e").ok());
    vfs.SimulatePowerCut(seed % 10 == 0 ? PowerCutMode::kPessimistic : PowerCutMode::kPartial,
                         seed);
    std::string present;
    for (const char* name : {"a", "b", "c", "e"}) {
      if (vfs.FileExists(std::string("/d/") + name)) present += name;
    }
    if (seed % 10 == 0) EXPECT_EQ(present, "ab");
    if (vfs.FileExists("/d/e")) EXPECT_EQ(Contents(vfs, "/d/e"), "b");
    outcomes.insert(present);
  }
  // 2 (c) x 2 (a) x 4 (rename halves) combinations; most of them must show up.
  EXPECT_GE(outcomes.size(), 10u);
}

// A process that did not notice the cut cannot change what the next one reads.
TEST(VfsTest, HandlesOpenedBeforeAPowerCutAreDetached) {
  MemVFS vfs;
  ASSERT_TRUE(vfs.CreateDir("/d").ok());
  auto f = vfs.NewWritableFile("/d/f");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->Append("synced").ok() && (*f)->Sync().ok());
  ASSERT_TRUE(vfs.SyncDir("/d").ok());
  vfs.SimulatePowerCut();
  ASSERT_TRUE((*f)->Append("late").ok() && (*f)->Sync().ok());
  EXPECT_EQ(Contents(vfs, "/d/f"), "synced");
}

TEST(FaultFsTest, HaltFailsEveryOperationAfterInFlightOnesFinish) {
  MemVFS base;
  ASSERT_TRUE(base.CreateDir("/d").ok());
  FaultFS fs(&base);
  auto f = fs.NewWritableFile("/d/f");
  ASSERT_TRUE(f.ok());
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> ok_appends{0};
  std::thread writer([&] {
    while (!stop.load()) {
      if ((*f)->Append("x").ok()) ok_appends.fetch_add(1);
    }
  });
  while (ok_appends.load() < 100) std::this_thread::yield();
  fs.Halt();
  const uint64_t size_at_halt = *base.GetFileSize("/d/f");
  EXPECT_FALSE(fs.NewWritableFile("/d/g").ok());
  EXPECT_FALSE(fs.FileExists("/d/f"));
  stop.store(true);
  writer.join();
  EXPECT_EQ(*base.GetFileSize("/d/f"), size_at_halt) << "nothing reached the disk after Halt";
  EXPECT_EQ(ok_appends.load(), size_at_halt) << "every append reported done landed before Halt";
}

// The broken-storage mode the power-cut tests use to prove they catch a missing fsync.
TEST(FaultFsTest, SyncNoopClaimsDurabilityItDoesNotGive) {
  MemVFS base;
  ASSERT_TRUE(base.CreateDir("/d").ok());
  FaultFS fs(&base);
  fs.SetSyncIsNoop(/*files=*/true, /*dirs=*/false);
  auto f = fs.NewWritableFile("/d/f");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(fs.SyncDir("/d").ok());
  ASSERT_TRUE((*f)->Append("data").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  base.SimulatePowerCut();
  EXPECT_EQ(Contents(base, "/d/f"), "");
}

TEST(FaultFsTest, NthCallPathGlobAndMaxFailures) {
  MemVFS base;
  FaultFS fs(&base);
  ASSERT_TRUE(fs.CreateDir("/d").ok());
  FaultRule rule;
  rule.op = FaultOp::kCreate;
  rule.path_glob = "/d/*.sst";
  rule.nth = 2;
  fs.AddRule(rule);
  EXPECT_TRUE(fs.NewWritableFile("/d/1.sst").ok());
  EXPECT_TRUE(fs.NewWritableFile("/d/1.log").ok());  // glob does not match
  auto failed = fs.NewWritableFile("/d/2.sst");
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInternal);
  EXPECT_NE(failed.status().message().find("/d/2.sst"), std::string::npos);
  EXPECT_TRUE(fs.NewWritableFile("/d/3.sst").ok());
  EXPECT_EQ(fs.InjectedCount(), 1u);
}

TEST(FaultFsTest, NoSpaceAndShortWrite) {
  MemVFS base;
  FaultFS fs(&base);
  ASSERT_TRUE(fs.CreateDir("/d").ok());
  FaultRule rule;
  rule.op = FaultOp::kAppend;
  rule.kind = FaultKind::kShortWrite;
  rule.max_failures = 1;
  fs.AddRule(rule);
  auto f = fs.NewWritableFile("/d/f");
  absl::Status s = (*f)->Append("0123456789");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(*base.GetFileSize("/d/f"), 5u);  // half reached the file
  fs.ClearRules();
  rule.kind = FaultKind::kNoSpace;
  rule.max_failures = -1;
  fs.AddRule(rule);
  EXPECT_EQ((*f)->Append("x").code(), absl::StatusCode::kResourceExhausted);
}

TEST(FaultFsTest, EveryOperationKindCanFail) {
  for (int op = 0; op < kNumFaultOps; ++op) {
    MemVFS base;
    ASSERT_TRUE(base.CreateDir("/d").ok());
    ASSERT_TRUE(WriteStringToFile(base, "data", "/d/f", true).ok());
    FaultFS fs(&base);
    auto w = fs.NewAppendableFile("/d/f");
    auto seq = fs.NewSequentialFile("/d/f");
    auto rnd = fs.NewRandomAccessFile("/d/f");
    ASSERT_TRUE(w.ok() && seq.ok() && rnd.ok());
    FaultRule rule;
    rule.op = static_cast<FaultOp>(op);
    fs.AddRule(rule);
    char scratch[8];
    std::unique_ptr<FileLock> lock;
    if (rule.op == FaultOp::kUnlock) lock = std::move(*base.LockFile("/d/LOCK"));
    fs.NewWritableFile("/d/g").status().IgnoreError();
    fs.NewAppendableFile("/d/f").status().IgnoreError();
    fs.NewSequentialFile("/d/f").status().IgnoreError();
    fs.NewRandomAccessFile("/d/f").status().IgnoreError();
    (*seq)->Read(2, scratch).status().IgnoreError();
    (*rnd)->Read(0, 2, scratch).status().IgnoreError();
    (*w)->Append("x").IgnoreError();
    (*w)->Flush().IgnoreError();
    (*w)->Sync().IgnoreError();
    (*w)->Close().IgnoreError();
    fs.FileExists("/d/f");
    fs.GetFileSize("/d/f").status().IgnoreError();
    fs.ListDir("/d").status().IgnoreError();
    fs.CreateDir("/d/e").IgnoreError();
    fs.RemoveDir("/d/e").IgnoreError();
    fs.RemoveFile("/d/g").IgnoreError();
    fs.RenameFile("/d/f", "/d/h").IgnoreError();
    fs.Truncate("/d/f", 1).IgnoreError();
    fs.SyncDir("/d").IgnoreError();
    fs.LockFile("/d/LOCK2").status().IgnoreError();
    if (lock) fs.UnlockFile(std::move(lock)).IgnoreError();
    EXPECT_GE(fs.InjectedCount(), 1u) << FaultOpName(rule.op) << " was never injected";
  }
}

}  // namespace
}  // namespace nokv
