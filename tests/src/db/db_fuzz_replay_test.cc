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

namespace nokv {
namespace {

uint64_t TestSeed() { return test::SeedFromEnv(20261124); }

// A workdir with every kind of entry: values, TTL values, deletions, a range deletion, two
// flushed tables, a live WAL segment.
std::map<std::string, std::string> MakeWorkdir(MemVFS* vfs, ManualClock* clock) {
  Options o;
  o.vfs = vfs;
  o.clock = clock;
  o.memtable_bytes =
      4 << 20;  // no background flush: the files (and a seed's run) are the same every time
  auto db = DB::Open(o, "/db");
  EXPECT_TRUE(db.ok()) << db.status();
  for (int i = 0; i < 300; ++i) {
    std::string key = "key" + std::to_string(i);
    EXPECT_TRUE((*db)->Set(key, std::string(20 + i % 50, 'a' + i % 26)).ok());
    if (i % 7 == 0) EXPECT_TRUE((*db)->Delete("key" + std::to_string(i / 2)).ok());
    if (i % 50 == 0) EXPECT_TRUE((*db)->SetWithTTL("ttl" + std::to_string(i), "t", 60000).ok());
    if (i == 150) EXPECT_TRUE((*db)->DeleteRange("key20", "key25").ok());
    if (i == 150 || i == 250) EXPECT_TRUE((*db)->Flush().ok());
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

// One mutated file in a real workdir: Open either fails with a status or yields a DB that can
// be read end to end and closed. Never a crash, never a hang.
TEST(DbFuzzReplayTest, OpenOfAMutatedWorkdirFailsCleanlyOrWorks) {
  MemVFS seed_vfs;
  ManualClock clock;
  auto files = MakeWorkdir(&seed_vfs, &clock);
  std::vector<std::string> paths;
  for (const auto& [path, data] : files) paths.push_back(path);
  Random rnd(TestSeed() + 1);
  constexpr int kRounds = 400;
  int opened = 0, refused = 0;
  for (int round = 0; round < kRounds; ++round) {
    MemVFS vfs;
    ASSERT_TRUE(vfs.CreateDir("/db").ok());
    ASSERT_TRUE(vfs.CreateDir("/db/wal").ok());
    ASSERT_TRUE(vfs.CreateDir("/db/sst").ok());
    const std::string& victim = paths[rnd.Uniform(paths.size())];
    for (const auto& [path, data] : files) {
      std::string bytes = path == victim ? Mutate(data, rnd) : data;
      ASSERT_TRUE(WriteStringToFile(vfs, bytes, path, true).ok());
    }
    Options o;
    o.vfs = &vfs;
    o.clock = &clock;
    auto db = DB::Open(o, "/db");
    if (!db.ok()) {
      ++refused;
      EXPECT_FALSE(db.status().message().empty()) << "round " << round << " " << victim;
      continue;
    }
    ++opened;
    auto it = (*db)->NewIterator(ReadOptions());
    int n = 0;
    for (it->SeekToFirst(); it->Valid() && n < 100000; it->Next()) ++n;
    it->status().IgnoreError();  // a corrupt block is a status, checked to exist, not to be OK
    for (int k = 0; k < 300; k += 17) (*db)->Get("key" + std::to_string(k)).status().IgnoreError();
    it.reset();
    (*db)->Close().IgnoreError();
  }
  std::printf("opened %d, refused %d of %d mutated workdirs\n", opened, refused, kRounds);
  EXPECT_GT(refused, 0);  // the mutations do reach the checks
}

}  // namespace
}  // namespace nokv
