#include <unistd.h>

#include <filesystem>
#include <string>

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
    (*seq)->Skip(1).IgnoreError();
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
