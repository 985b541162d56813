// End-to-end tests of the `nokv` CLI against a real workdir written by nokv::DB.

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "engine/vfs/vfs.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "nokv/db.h"
#include "nokv/options.h"
#include "src/metrics/http_server.h"
#include "src/metrics/registry.h"
#include "src/util/str_cat.h"

namespace nokv {
namespace {

struct RunResult {
  int exit_code = -1;
  std::string out;
};

RunResult RunCli(const std::string& args) {
  RunResult r;
  const std::string cmd = StrCat(NOKV_CLI_PATH, " ", args, " 2>&1");
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class NokvCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nokv_cli_test_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    workdir_ = StrCat(dir_, "/db");
    Options options;
    auto db = DB::Open(options, workdir_);
    ASSERT_TRUE(db.ok()) << db.status();
    WriteOptions wo;
    for (int i = 0; i < 200; ++i) {
      ASSERT_TRUE((*db)->Set(wo, StrCat("key", std::to_string(1000 + i)), "value").ok());
    }
    ASSERT_TRUE((*db)->Delete(wo, "key1005").ok());
    ASSERT_TRUE((*db)->DeleteRange(wo, "key1100", "key1110").ok());
    ASSERT_TRUE((*db)->Flush().ok());
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE((*db)->Set(wo, StrCat("later", std::to_string(i)), "v2").ok());
    }
    for (int l = 0; l < 7; ++l) {
      std::string v;
      ASSERT_TRUE((*db)->GetProperty(StrCat("nokv.num-files-at-level", std::to_string(l)), &v));
      total_files_ += std::stoi(v);
    }
    ASSERT_TRUE((*db)->Close().ok());
  }

  void TearDown() override {
    // NOKV_CLI_TEST_KEEP=1 keeps the workdir for manual inspection.
    if (std::getenv("NOKV_CLI_TEST_KEEP") != nullptr) {
      std::printf("kept workdir %s\n", workdir_.c_str());
      return;
    }
    if (!dir_.empty()) std::system(StrCat("rm -rf ", dir_).c_str());
  }

  std::vector<std::string> List(const std::string& sub, const std::string& ext) {
    std::vector<std::string> out;
    auto names = VFS::Default()->ListDir(StrCat(workdir_, "/", sub));
    if (!names.ok()) return out;
    for (const auto& n : *names) {
      if (n.size() > ext.size() && n.compare(n.size() - ext.size(), ext.size(), ext) == 0) {
        out.push_back(StrCat(workdir_, "/", sub, "/", n));
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  void FlipByte(const std::string& path, uint64_t offset) {
    std::string data;
    ASSERT_TRUE(ReadFileToString(*VFS::Default(), path, &data).ok());
    ASSERT_LT(offset, data.size());
    data[offset] ^= 0x5a;
    auto f = VFS::Default()->NewWritableFile(path);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(data).ok());
    ASSERT_TRUE((*f)->Sync().ok());
    ASSERT_TRUE((*f)->Close().ok());
  }

  std::string dir_;
  std::string workdir_;
  int total_files_ = 0;
};

TEST_F(NokvCliTest, UsageErrors) {
  EXPECT_EQ(RunCli("").exit_code, 2);
  EXPECT_EQ(RunCli("bogus").exit_code, 2);
  EXPECT_EQ(RunCli("stats").exit_code, 2);
  EXPECT_EQ(RunCli("stats --workdir x --nope").exit_code, 2);
  EXPECT_EQ(RunCli("stats --workdir x --expvar 127.0.0.1:1").exit_code, 2);  // one source only
  EXPECT_EQ(RunCli("stats --workdir=").exit_code, 2);
  EXPECT_EQ(RunCli("stats --expvar 127.0.0.1:1 --timeout_ms=soon").exit_code, 2);
  EXPECT_EQ(RunCli("stats --expvar https://127.0.0.1:1/").exit_code, 2);
  EXPECT_EQ(RunCli("sst --file x --verify=maybe").exit_code, 2);
  EXPECT_EQ(RunCli("sst --file").exit_code, 2);
  RunResult help = RunCli("check --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--workdir"), std::string::npos);
  help = RunCli("stats --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--expvar"), std::string::npos);
  EXPECT_NE(help.out.find("--timeout_ms"), std::string::npos);
}

// `stats --expvar` against a live DB's metrics served over real HTTP on 127.0.0.1, the way a
// daemon serves them (engine stats as the "engine" source plus its own metric families).
TEST_F(NokvCliTest, StatsOnlineReadsARunningEndpoint) {
  auto db = DB::Open(Options(), workdir_);
  ASSERT_TRUE(db.ok()) << db.status();
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE((*db)->Set(StrCat("online", std::to_string(i)), "v").ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*db)->Get(StrCat("online", std::to_string(i))).ok());
  metrics::Registry registry;
  registry.GetCounter("nokv_test_requests_total", "requests")->Add(7);
  registry.GetHistogram("nokv_test_latency_us", "latency")->Observe(300);
  DB* raw = db->get();
  registry.AddSource("engine", "nokv_engine_", [raw] { return raw->Stats(); });
  metrics::MetricsHttpServer server(&registry);
  ASSERT_TRUE(server.Start("127.0.0.1:0").ok());
  const std::string addr = StrCat("127.0.0.1:", std::to_string(server.port()));

  RunResult r = RunCli(StrCat("stats --expvar ", addr));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(StrCat("source: http://", addr, "/debug/vars")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("writes:       100 in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gets:         20 (20 found)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nL0 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nokv_test_requests_total 7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nokv_test_latency_us.count 1"), std::string::npos) << r.out;

  r = RunCli(StrCat("stats --json --expvar=http://", addr, "/debug/vars"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  nlohmann::json parsed = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_TRUE(parsed.is_object()) << r.out;
  EXPECT_EQ(parsed["vars"]["engine"]["write.requests"].get<uint64_t>(), 100u);
  EXPECT_EQ(parsed["vars"]["engine"]["read.get_hits"].get<uint64_t>(), 20u);
  EXPECT_EQ(parsed["vars"]["nokv_test_requests_total"].get<uint64_t>(), 7u);

  // The Prometheus page is not JSON: reported, exit 3.
  r = RunCli(StrCat("stats --expvar ", addr, "/metrics"));
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("not a JSON object"), std::string::npos) << r.out;

  server.Stop();
  r = RunCli(StrCat("stats --expvar ", addr, " --timeout_ms 500"));
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("is the daemon running?"), std::string::npos) << r.out;
  ASSERT_TRUE((*db)->Close().ok());
}

TEST_F(NokvCliTest, StatsMatchesDb) {
  ASSERT_GT(total_files_, 0);
  RunResult r = RunCli(StrCat("stats --workdir ", workdir_, " --json"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(StrCat("\"live_files\":", std::to_string(total_files_))), std::string::npos)
      << r.out;
  // The 50 keys written after Flush() are only in the WAL: the next Open replays them.
  EXPECT_NE(r.out.find("\"memtable_replay_records\":50,\"memtable_replay_ops\":50"),
            std::string::npos)
      << r.out;
  r = RunCli(StrCat("stats --workdir=", workdir_));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(StrCat("live files:       ", std::to_string(total_files_))),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("last sequence:"), std::string::npos);
  EXPECT_NE(r.out.find("memtable replay:  50 ops in 50 WAL records"), std::string::npos) << r.out;
}

TEST_F(NokvCliTest, ManifestListsEditsAndFiles) {
  RunResult r = RunCli(StrCat("manifest --workdir ", workdir_));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("--- edit 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--- live files"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("key1000"), std::string::npos) << r.out;
  r = RunCli(StrCat("manifest --workdir ", workdir_, " --json"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"edits\":["), std::string::npos) << r.out;
}

TEST_F(NokvCliTest, SstDumpAndVerify) {
  auto ssts = List("sst", ".sst");
  ASSERT_FALSE(ssts.empty());
  RunResult r = RunCli(StrCat("sst --file ", ssts[0], " --dump --verify"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("key1000 @"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("key1005 @"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" del "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[key1100, key1110)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verify:              ok"), std::string::npos) << r.out;
  r = RunCli(StrCat("sst --file ", ssts[0], " --dump --json"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"key\":\"key1000\""), std::string::npos) << r.out;
}

TEST_F(NokvCliTest, WalAndCheckClean) {
  RunResult r = RunCli(StrCat("wal --workdir ", workdir_));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(".log"), std::string::npos) << r.out;
  r = RunCli(StrCat("check --workdir ", workdir_));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("OK"), std::string::npos) << r.out;
  r = RunCli(StrCat("check --workdir ", workdir_, " --json"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"ok\":true"), std::string::npos) << r.out;
}

TEST_F(NokvCliTest, CheckFindsCorruptSst) {
  auto ssts = List("sst", ".sst");
  ASSERT_FALSE(ssts.empty());
  FlipByte(ssts[0], 20);  // inside the first data block
  RunResult r = RunCli(StrCat("check --workdir ", workdir_));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(ssts[0]), std::string::npos) << r.out;
  r = RunCli(StrCat("sst --file ", ssts[0], " --verify"));
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

TEST_F(NokvCliTest, WalCorruptionMidFile) {
  auto logs = List("wal", ".log");
  ASSERT_FALSE(logs.empty());
  // Find a segment with several records and damage the first record's payload, so valid
  // records follow the bad one: corruption, not a torn tail.
  std::string target;
  for (const auto& l : logs) {
    auto size = VFS::Default()->GetFileSize(l);
    if (size.ok() && *size > 200) target = l;
  }
  ASSERT_FALSE(target.empty());
  FlipByte(target, 32 + 13 + 2);  // header (32) + record header (13) + into the payload
  RunResult r = RunCli(StrCat("wal --workdir ", workdir_));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(target), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("corrupt"), std::string::npos) << r.out;
  r = RunCli(StrCat("check --workdir ", workdir_));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(target), std::string::npos) << r.out;
}

TEST_F(NokvCliTest, WalTruncatedOldSegmentIsReported) {
  auto logs = List("wal", ".log");
  ASSERT_FALSE(logs.empty());
  const std::string target = logs.back();
  auto size = VFS::Default()->GetFileSize(target);
  ASSERT_TRUE(size.ok());
  ASSERT_GT(*size, 64u);
  // Cut the newest segment mid-record: a torn tail, which is allowed there.
  ASSERT_TRUE(VFS::Default()->Truncate(target, *size - 3).ok());
  RunResult r = RunCli(StrCat("wal --workdir ", workdir_));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("torn-tail@"), std::string::npos) << r.out;
  // A segment that is no longer the newest must not have a torn tail.
  std::string later = StrCat(workdir_, "/wal/999999.log");
  ASSERT_EQ(std::system(StrCat("cp ", logs.front(), " ", later).c_str()), 0);
  r = RunCli(StrCat("check --workdir ", workdir_));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(target), std::string::npos) << r.out;
}

// `nokv check` and DB::Open read the MANIFEST through the same code and must agree: a torn tail
// left by a crash mid-append is benign (check exits 0 with a note, Open succeeds); damage to an
// acknowledged last edit whose WAL segments are gone is DataLoss for both, naming the MANIFEST
// and the offset. (They once disagreed: the CLI had its own MANIFEST replay.)
TEST_F(NokvCliTest, CheckAndOpenAgreeOnATornManifestTail) {
  std::string current;
  ASSERT_TRUE(ReadFileToString(*VFS::Default(), StrCat(workdir_, "/CURRENT"), &current).ok());
  const std::string path = StrCat(workdir_, "/", current.substr(0, current.size() - 1));
  {
    // A crash while appending a new edit: half a record at the end.
    auto f = VFS::Default()->NewAppendableFile(path);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE((*f)->Append(std::string("\x01\x02\x03\x04\x05\x06\x07\x08\x40\x00", 10)).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  RunResult r = RunCli(StrCat("check --workdir ", workdir_));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("ends in a torn record"), std::string::npos) << r.out;
  Options o;
  o.create_if_missing = false;
  {
    auto db = DB::Open(o, workdir_);
    ASSERT_TRUE(db.ok()) << db.status();
    EXPECT_TRUE((*db)->Get("key1000").ok());
    ASSERT_TRUE((*db)->Flush().ok());  // the WAL segments before this flush are deleted
    ASSERT_TRUE((*db)->Close().ok());
  }
  // Now damage the last edit (that flush): its WAL segments are gone, so the data is lost
  // unless the edit is read. Both must refuse.
  ASSERT_TRUE(ReadFileToString(*VFS::Default(), StrCat(workdir_, "/CURRENT"), &current).ok());
  const std::string now = StrCat(workdir_, "/", current.substr(0, current.size() - 1));
  auto size = VFS::Default()->GetFileSize(now);
  ASSERT_TRUE(size.ok());
  FlipByte(now, *size - 2);
  r = RunCli(StrCat("check --workdir ", workdir_));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find(now), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("is gone"), std::string::npos) << r.out;
  auto db = DB::Open(o, workdir_);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(std::string(db.status().message()).find(now), std::string::npos) << db.status();
}

}  // namespace
}  // namespace nokv
