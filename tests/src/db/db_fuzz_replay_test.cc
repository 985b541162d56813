// Mutations of real engine files through the parser fuzz entry point (tests/fuzz/
// engine_fuzz_target.h), and through a whole DB::Open, so every CI run (and the ASan preset)
// exercises the corrupt-input paths the libFuzzer target explores.
//
// The seeds are the files of a real workdir: WAL segments, SSTs, the MANIFEST, CURRENT.
// NOKV_TEST_SEED replays a failing run.
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "engine/vfs/mem_vfs.h"
#include "gtest/gtest.h"
#include "nokv/db.h"
#include "src/util/clock.h"
#include "src/util/random.h"
#include "tests/fuzz/engine_fuzz_target.h"
#include "tests/test_seed.h"
#include "tests/util/durability_oracle.h"

namespace nokv {
namespace {

uint64_t TestSeed() { return test::SeedFromEnv(20261124); }

// What MakeWorkdir wrote, in order: one write per entry. Writes up to the last Flush() are in
// SSTs (durable); the rest live only in the WAL segment.
struct WriteLog {
  std::vector<std::vector<test::ModelOp>> writes;
  size_t flushed = 0;
};

// A workdir with every kind of entry: values, TTL values, deletions, a range deletion, two
// flushed tables, a live WAL segment.
std::map<std::string, std::string> MakeWorkdir(MemVFS* vfs, ManualClock* clock,
                                               WriteLog* log = nullptr) {
  Options o;
  o.vfs = vfs;
  o.clock = clock;
  o.memtable_bytes =
      4 << 20;  // no background flush: the files (and a seed's run) are the same every time
  auto db = DB::Open(o, "/db");
  EXPECT_TRUE(db.ok()) << db.status();
  auto record = [&](test::ModelOp op) {
    if (log != nullptr) log->writes.push_back({std::move(op)});
  };
  for (int i = 0; i < 300; ++i) {
    std::string key = "key" + std::to_string(i);
    std::string value(20 + i % 50, 'a' + i % 26);
    EXPECT_TRUE((*db)->Set(key, value).ok());
    record({test::ModelOp::kSet, key, value, 0});
    if (i % 7 == 0) {
      EXPECT_TRUE((*db)->Delete("key" + std::to_string(i / 2)).ok());
      record({test::ModelOp::kDelete, "key" + std::to_string(i / 2), "", 0});
    }
    if (i % 50 == 0) {
      EXPECT_TRUE((*db)->SetWithTTL("ttl" + std::to_string(i), "t", 60000).ok());
      record({test::ModelOp::kSet, "ttl" + std::to_string(i), "t", clock->NowUnixMillis() + 60000});
    }
    if (i == 150) {
      EXPECT_TRUE((*db)->DeleteRange("key20", "key25").ok());
      record({test::ModelOp::kDeleteRange, "key20", "key25", 0});
    }
    if (i == 150 || i == 250) {
      EXPECT_TRUE((*db)->Flush().ok());
      if (log != nullptr) log->flushed = log->writes.size();
    }
  }
  EXPECT_TRUE((*db)->Close().ok());
  std::map<std::string, std::string> files;
  for (const std::string dir : {"/db", "/db/wal", "/db/sst"}) {
    auto names = vfs->ListDir(dir);
    EXPECT_TRUE(names.ok());
    for (const auto& name : *names) {
      if (dir == "/db" && (name == "wal" || name == "sst")) continue;
      std::string path = JoinPath(dir, name);
      std::string data;
      if (ReadFileToString(*vfs, path, &data).ok()) files[path] = data;
    }
  }
  return files;
}

// Every visible entry (with expiry) of the DB.
absl::StatusOr<test::ModelState> ReadAll(DB* db) {
  test::ModelState out;
  auto it = db->NewIterator(ReadOptions());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out[std::string(it->key())] =
        test::ModelValue{std::string(it->value()), it->expires_at_millis()};
  }
  if (!it->status().ok()) return it->status();
  return out;
}

std::string Mutate(std::string data, Random& rnd) {
  const int edits = 1 + static_cast<int>(rnd.Uniform(4));
  for (int e = 0; e < edits; ++e) {
    switch (rnd.Uniform(5)) {
      case 0:  // flip bits of one byte
        if (!data.empty())
          data[rnd.Uniform(data.size())] ^= static_cast<char>(1 + rnd.Uniform(255));
        break;
      case 1:  // truncate
        data.resize(rnd.Uniform(data.size() + 1));
        break;
      case 2: {  // overwrite a run with random bytes
        if (data.empty()) break;
        size_t at = rnd.Uniform(data.size());
        size_t n = std::min<size_t>(1 + rnd.Uniform(16), data.size() - at);
        for (size_t i = 0; i < n; ++i) data[at + i] = static_cast<char>(rnd.Uniform(256));
        break;
      }
      case 3: {  // insert random bytes
        size_t at = rnd.Uniform(data.size() + 1);
        std::string junk(1 + rnd.Uniform(8), '\0');
        for (char& c : junk) c = static_cast<char>(rnd.Uniform(256));
        data.insert(at, junk);
        break;
      }
      default: {  // set a 4-byte field to a large value (lengths, counts, offsets)
        if (data.size() < 4) break;
        size_t at = rnd.Uniform(data.size() - 3);
        uint32_t v = rnd.OneIn(2) ? 0xffffffffu : static_cast<uint32_t>(rnd.Next());
        for (int i = 0; i < 4; ++i) data[at + i] = static_cast<char>(v >> (8 * i));
      }
    }
  }
  return data;
}

TEST(DbFuzzReplayTest, MutatedFilesThroughEveryParser) {
  MemVFS vfs;
  ManualClock clock;
  auto files = MakeWorkdir(&vfs, &clock);
  ASSERT_GE(files.size(), 4u);  // CURRENT, MANIFEST, >= 1 SST, >= 1 WAL segment
  std::vector<std::string> seeds;
  for (const auto& [path, data] : files) seeds.push_back(data);
  for (const auto& seed : seeds) {
    fuzz::EngineFuzzOne(reinterpret_cast<const uint8_t*>(seed.data()), seed.size());
  }
  const uint64_t seed = TestSeed();
  std::printf("NOKV_TEST_SEED=%llu\n", static_cast<unsigned long long>(seed));
  Random rnd(seed);
  for (int i = 0; i < 20000; ++i) {
    std::string input = Mutate(seeds[rnd.Uniform(seeds.size())], rnd);
    fuzz::EngineFuzzOne(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  }
}

// One mutated file in a real workdir. Open, or the read that meets the damage, fails with a
// status naming the file; or everything reads back exactly as written. The one legitimate
// difference: damage to the tail of the newest WAL segment drops that tail, so the state is the
// writes up to some point (never less than what the flushes made durable), and recovery
// reports the truncation. Silent loss fails the test (before this test compared, a mutation
// could make Open drop data quietly and pass).
TEST(DbFuzzReplayTest, MutatedWorkdirFailsNamingTheFileOrReadsBackWhatWasWritten) {
  MemVFS seed_vfs;
  ManualClock clock;
  WriteLog log;
  auto files = MakeWorkdir(&seed_vfs, &clock, &log);
  std::vector<std::string> paths;
  std::string wal_segment;
  for (const auto& [path, data] : files) {
    paths.push_back(path);
    if (path.rfind("/db/wal/", 0) == 0) wal_segment = path;
  }
  ASSERT_FALSE(wal_segment.empty());
  test::ModelState original;
  {
    Options o;
    o.vfs = &seed_vfs;
    o.clock = &clock;
    auto db = DB::Open(o, "/db");
    ASSERT_TRUE(db.ok()) << db.status();
    auto all = ReadAll(db->get());
    ASSERT_TRUE(all.ok()) << all.status();
    original = *all;
    ASSERT_TRUE((*db)->Close().ok());
  }
  Random rnd(TestSeed() + 1);
  constexpr int kRounds = 400;
  int opened = 0, refused = 0, read_failed = 0, exact = 0, tail_dropped = 0;
  for (int round = 0; round < kRounds; ++round) {
    MemVFS vfs;
    ASSERT_TRUE(vfs.CreateDir("/db").ok());
    ASSERT_TRUE(vfs.CreateDir("/db/wal").ok());
    ASSERT_TRUE(vfs.CreateDir("/db/sst").ok());
    const std::string& victim = paths[rnd.Uniform(paths.size())];
    std::string mutated;
    for (const auto& [path, data] : files) {
      std::string bytes = data;
      if (path == victim) bytes = mutated = Mutate(data, rnd);
      ASSERT_TRUE(WriteStringToFile(vfs, bytes, path, true).ok());
    }
    SCOPED_TRACE("round " + std::to_string(round) + ", mutated " + victim);
    // A file damaged so it reads the same (e.g. a flip undone) is no test of anything.
    if (mutated == files[victim]) continue;
    // The name a status must carry: the victim, or for CURRENT the MANIFEST it names.
    auto names_the_file = [&](const absl::Status& st) {
      const std::string msg(st.message());
      if (msg.find(victim) != std::string::npos) return true;
      return victim == "/db/CURRENT" && (msg.find("CURRENT") != std::string::npos ||
                                         msg.find("MANIFEST") != std::string::npos);
    };
    Options o;
    o.vfs = &vfs;
    o.clock = &clock;
    auto db = DB::Open(o, "/db");
    if (!db.ok()) {
      ++refused;
      EXPECT_TRUE(names_the_file(db.status())) << db.status();
      continue;
    }
    ++opened;
    auto all = ReadAll(db->get());
    if (!all.ok()) {
      ++read_failed;
      EXPECT_TRUE(names_the_file(all.status())) << all.status();
      continue;
    }
    if (*all == original) {
      ++exact;
      continue;
    }
    // Only the newest WAL segment's tail may go, and only after the flushed writes.
    if (victim != wal_segment) {
      std::string report;
      (*db)->GetProperty("nokv.recovery", &report);
      FAIL() << "data changed without an error; recovery said: " << report;
    }
    test::DurabilityOracle oracle(1);
    for (size_t w = 0; w < log.writes.size(); ++w) {
      // Flushed writes are durable: the oracle requires them (acknowledged with sync).
      oracle.Acknowledge(0, oracle.Begin(0, log.writes[w], /*sync=*/w < log.flushed));
    }
    absl::Status prefix = oracle.CheckAndAdvance(
        {*all}, clock.NowUnixMillis(), test::DurabilityOracle::Mode::kSyncedWrites, nullptr);
    ASSERT_TRUE(prefix.ok()) << prefix;
    // Reported, unless the damage left a clean prefix of whole records (indistinguishable from
    // a crash before those appends: nothing on disk says they were ever written).
    std::string report;
    ASSERT_TRUE((*db)->GetProperty("nokv.recovery", &report));
    const std::string& before = files[victim];
    const bool clean_prefix =
        mutated.size() < before.size() && before.compare(0, mutated.size(), mutated) == 0;
    if (!clean_prefix) EXPECT_NE(report.find(victim), std::string::npos) << report;
    ++tail_dropped;
    (*db)->Close().IgnoreError();
  }
  std::printf("%d mutated workdirs: refused %d, read failed %d, exact %d, WAL tail dropped %d\n",
              kRounds, refused, read_failed, exact, tail_dropped);
  EXPECT_GT(refused, 0);  // the mutations do reach the checks
  EXPECT_GT(tail_dropped, 0);
}

}  // namespace
}  // namespace nokv
