// MULTI/EXEC/WATCH and databases on every KvStore backend: a metamorphic property test (a
// block run by EXEC replies and ends exactly as the same commands run one by one), races
// between transactions and other clients, and the embedded encoding of databases.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "src/util/random.h"
#include "tests/src/redis/backends.h"
#include "tests/src/redis/command_test_util.h"
#include "tests/test_seed.h"
#ifdef NOKV_HAVE_ENGINE
#include "engine/vfs/fault_fs.h"
#endif

namespace nokv::redis {
namespace {

using namespace testing;  // NOLINT

class TxnTest : public BackendCommandTest {};

// Every database's keys, values and deadlines, as one string.
std::string Dump(CommandHarness* h) {
  std::string dump;
  for (int db = 0; db < 3; ++db) {
    h->Run({"SELECT", StrCat(db)});
    dump += StrCat("db", db, ":", h->Run({"KEYS", "*"}));
    for (const char* k : {"a", "b", "c", "d", "e"})
      dump += h->Run({"GET", k}) + h->Run({"PTTL", k});
  }
  h->Run({"SELECT", "0"});
  return dump;
}

Argv RandomCommand(Random& rnd) {
  const std::string k = std::string(1, static_cast<char>('a' + rnd.Uniform(5)));
  const std::string k2 = std::string(1, static_cast<char>('a' + rnd.Uniform(5)));
  const std::string db = StrCat(rnd.Uniform(3));
  const std::string v = StrCat(rnd.Uniform(100));
  switch (rnd.Uniform(24)) {
    case 0:
      return {"SET", k, v};
    case 1:
      return {"SET", k, v, "PX", StrCat(1 + rnd.Uniform(50))};
    case 2:
      return {"GET", k};
    case 3:
      return {"DEL", k, k2};
    case 4:
      return {"INCR", k};
    case 5:
      return {"APPEND", k, v};
    case 6:
      return {"MSET", k, v, k2, v};
    case 7:
      return {"EXISTS", k, k2};
    case 8:
      return {"DBSIZE"};
    case 9:
      return {"KEYS", "*"};
    case 10:
      return {"SCAN", "0", "COUNT", StrCat(1 + rnd.Uniform(3))};
    case 11:
      return {"SELECT", db};
    case 12:
      return {"SWAPDB", db, StrCat(rnd.Uniform(3))};
    case 13:
      return rnd.OneIn(3) ? Argv{"FLUSHALL"} : Argv{"FLUSHDB"};
    case 14:
      return {"MOVE", k, db};
    case 15:
      return {"COPY", k, k2, "DB", db};
    case 16:
      return {"RENAME", k, k2};
    case 17:
      return {"EXPIRE", k, StrCat(rnd.Uniform(3))};
    case 18:
      return {"PERSIST", k};
    case 19:
      return {"PTTL", k};
    case 20:
      return {"GETDEL", k};
    case 21:
      return {"SETNX", k, v};
    case 22:
      return {"INCRBY", k, "x"};  // an error inside the block
    default:
      return {"MGET", k, k2, "nosuch"};
  }
}

// Metamorphic: a MULTI block must reply and end exactly as its commands run one by one. The
// commands mix keyspace-wide ones (KEYS, SCAN, DBSIZE, FLUSHDB, SWAPDB) with writes, so EXEC's
// view (TxnView) must merge the block's own writes into scans and counts. Bug caught: a scan or
// count of the view that ignores (or double counts) a key the block wrote, deleted or moved
// (checked once by making TxnView::Scan skip the block's entries: the test fails).
TEST_P(TxnTest, ExecMatchesTheSameCommandsOneByOne) {
  const uint64_t seed = test::SeedFromEnv(20261129);
  Random rnd(seed);
  for (int round = 0; round < 150; ++round) {
    // Fresh servers on both sides, so SCAN cursors are issued alike.
    backend_ = MakeBackend(GetParam());
    h_ = std::make_unique<CommandHarness>(backend_->store.get(), backend_->clock.get());
    auto serial_backend = MakeBackend(GetParam());
    CommandHarness serial(serial_backend->store.get(), serial_backend->clock.get());
    // The same starting data in both.
    for (int i = 0; i < 6; ++i) {
      Argv init = {"SET", std::string(1, static_cast<char>('a' + rnd.Uniform(5))),
                   StrCat(rnd.Uniform(100))};
      const std::string db = StrCat(rnd.Uniform(3));
      Run({"SELECT", db});
      serial.Run({"SELECT", db});
      Run(init);
      serial.Run(init);
    }
    Run({"SELECT", "0"});
    serial.Run({"SELECT", "0"});
    std::vector<Argv> block;
    for (int i = 0, n = 1 + static_cast<int>(rnd.Uniform(14)); i < n; ++i) {
      block.push_back(RandomCommand(rnd));
    }
    ASSERT_EQ(Run({"MULTI"}), Ok());
    std::string want = StrCat("*", block.size(), "\r\n");
    for (const Argv& cmd : block) {
      ASSERT_EQ(Run(cmd), Simple("QUEUED"));
      want += serial.Run(cmd);
    }
    ASSERT_EQ(Run({"EXEC"}), want) << "seed " << seed << " round " << round;
    ASSERT_EQ(h_->session()->db, serial.session()->db);
    Run({"SELECT", "0"});
    serial.Run({"SELECT", "0"});
    ASSERT_EQ(Dump(h_.get()), Dump(&serial)) << "seed " << seed << " round " << round;
  }
}

TEST_P(TxnTest, WatchedKeyThatExpiresAbortsExec) {
  ASSERT_EQ(Run({"SET", "k", "v", "PX", "100"}), Ok());
  ASSERT_EQ(Run({"WATCH", "k"}), Ok());
  backend_->clock->AdvanceMillis(200);
  ASSERT_EQ(Run({"MULTI"}), Ok());
  ASSERT_EQ(Run({"SET", "x", "1"}), Simple("QUEUED"));
  EXPECT_EQ(Run({"EXEC"}), "*-1\r\n");
  EXPECT_EQ(Run({"GET", "x"}), Nil());
  // A key already gone at WATCH time stays gone: no abort.
  ASSERT_EQ(Run({"WATCH", "k"}), Ok());
  ASSERT_EQ(Run({"MULTI"}), Ok());
  ASSERT_EQ(Run({"SET", "x", "1"}), Simple("QUEUED"));
  EXPECT_EQ(Run({"EXEC"}), Arr({Ok()}));
  // RESP3 spells the aborted EXEC as a null.
  ASSERT_EQ(Run({"SET", "k", "v"}), Ok());
  ASSERT_EQ(Run({"WATCH", "k"}), Ok());
  Session other;
  ASSERT_EQ(RunAs(&other, {"SET", "k", "w"}), Ok());
  ASSERT_EQ(Run({"HELLO", "3"}).substr(0, 3), "%7\r");
  ASSERT_EQ(Run({"MULTI"}), Ok());
  EXPECT_EQ(Run({"EXEC"}), "_\r\n");
}

TEST_P(TxnTest, WatchOnOneDatabaseIgnoresTheSameKeyElsewhere) {
  ASSERT_EQ(Run({"SET", "k", "0"}), Ok());
  ASSERT_EQ(Run({"WATCH", "k"}), Ok());
  Session other;
  ASSERT_EQ(RunAs(&other, {"SELECT", "1"}), Ok());
  ASSERT_EQ(RunAs(&other, {"FLUSHDB"}), Ok());  // database 1 had no "k": not a change
  ASSERT_EQ(Run({"MULTI"}), Ok());
  ASSERT_EQ(Run({"INCR", "k"}), Simple("QUEUED"));
  EXPECT_EQ(Run({"EXEC"}), Arr({Int(1)}));
}

// Optimistic increments: every thread loops WATCH/GET/MULTI/SET/EXEC until EXEC succeeds.
// Bug caught: EXEC committing although the watched key changed after WATCH (a lost update:
// the final count falls short), e.g. a version bumped before the write is visible or a check
// outside the key locks.
TEST_P(TxnTest, ConcurrentWatchLoopsLoseNoIncrement) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 500;
  std::atomic<int> aborted{0};
  std::atomic<int> started{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      Session s;
      started++;
      while (started.load() < kThreads) std::this_thread::yield();  // overlap the loops
      for (int done = 0; done < kPerThread;) {
        std::string out;
        ExecuteCommand(h_->state(), &s, {"WATCH", "n"}, &out);
        out.clear();
        ExecuteCommand(h_->state(), &s, {"GET", "n"}, &out);
        int64_t n = 0;
        if (out != "$-1\r\n") n = std::stoll(out.substr(out.find("\r\n") + 2));
        ExecuteCommand(h_->state(), &s, {"MULTI"}, &out);
        ExecuteCommand(h_->state(), &s, {"SET", "n", StrCat(n + 1)}, &out);
        out.clear();
        ExecuteCommand(h_->state(), &s, {"EXEC"}, &out);
        if (out == "*-1\r\n") {
          aborted++;
        } else {
          ASSERT_EQ(out, "*1\r\n+OK\r\n");
          ++done;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Run({"GET", "n"}), Bulk(StrCat(kThreads * kPerThread)));
  std::printf("aborted EXECs: %d\n", aborted.load());
}

// Bug caught: a reader seeing part of an EXEC (one key of the block updated, the other not).
TEST_P(TxnTest, ReadersNeverSeeHalfAnExec) {
  ASSERT_EQ(Run({"MSET", "a", "0", "b", "0"}), Ok());
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    Session s;
    while (!stop.load()) {
      reads++;
      std::string out;
      ExecuteCommand(h_->state(), &s, {"MGET", "a", "b"}, &out);
      // "*2\r\n$<n>\r\n<a>\r\n$<m>\r\n<b>\r\n": the two elements must be equal.
      const std::string body = out.substr(4);
      const size_t half = body.size() / 2;
      if (body.size() % 2 != 0 || body.substr(0, half) != body.substr(half)) torn++;
    }
  });
  Session w;
  while (reads.load() == 0) std::this_thread::yield();
  for (int i = 1; i <= 2000; ++i) {
    std::string out;
    ExecuteCommand(h_->state(), &w, {"MULTI"}, &out);
    ExecuteCommand(h_->state(), &w, {"SET", "a", StrCat(i)}, &out);
    ExecuteCommand(h_->state(), &w, {"INCR", "b"}, &out);
    out.clear();
    ExecuteCommand(h_->state(), &w, {"EXEC"}, &out);
    ASSERT_EQ(out, Arr({Ok(), Int(i)}));
  }
  stop = true;
  reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(reads.load(), 1);
}

// Whole-keyspace blocks (FLUSHALL inside MULTI) against concurrent INCRs of two keys kept in
// step by their own transactions: every state anyone reads has x == y. Bug caught: a
// whole-keyspace transaction that does not exclude writers of other keys (or the reverse).
TEST_P(TxnTest, FlushInsideMultiRacesWithOtherTransactions) {
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::atomic<int> flushes{0};
  std::thread flusher([&] {
    Session s;
    while (!stop.load()) {
      flushes++;
      std::string out;
      ExecuteCommand(h_->state(), &s, {"MULTI"}, &out);
      ExecuteCommand(h_->state(), &s, {"DBSIZE"}, &out);
      ExecuteCommand(h_->state(), &s, {"FLUSHALL"}, &out);
      ExecuteCommand(h_->state(), &s, {"EXEC"}, &out);
    }
  });
  Session s;
  while (flushes.load() == 0) std::this_thread::yield();
  for (int i = 0; i < 2000; ++i) {
    std::string out;
    ExecuteCommand(h_->state(), &s, {"MULTI"}, &out);
    ExecuteCommand(h_->state(), &s, {"INCR", "x"}, &out);
    ExecuteCommand(h_->state(), &s, {"INCR", "y"}, &out);
    out.clear();
    ExecuteCommand(h_->state(), &s, {"EXEC"}, &out);
    // Both INCRs of one block see the same starting state.
    const size_t first = out.find(':'), second = out.find(':', first + 1);
    if (out.substr(first, out.find('\r', first) - first) !=
        out.substr(second, out.find('\r', second) - second)) {
      bad++;
    }
  }
  stop = true;
  flusher.join();
  EXPECT_EQ(bad.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, TxnTest, ::testing::ValuesIn(BackendNames()),
                         [](const auto& info) { return info.param; });

#ifdef NOKV_HAVE_ENGINE
class EmbeddedDatabasesTest : public ::testing::Test {
 protected:
  absl::StatusOr<std::unique_ptr<DB>> OpenDb() {
    Options options;
    options.vfs = &fs_;
    options.clock = &clock_;
    return DB::Open(options, "/redis");
  }
  MemVFS base_;
  FaultFS fs_{&base_};
  ManualClock clock_;
};

// A workdir written before databases existed ('k' + key, the same value encoding) is
// database 0, and only database 0.
TEST_F(EmbeddedDatabasesTest, AnOlderWorkdirIsDatabaseZero) {
  auto db = OpenDb();
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->Set(WriteOptions(), "kold", std::string("\x01value", 6)).ok());
  auto store = EmbeddedKvStore::Open(db->get(), &clock_, EmbeddedKvStoreOptions());
  ASSERT_TRUE(store.ok()) << store.status();
  CommandHarness h(store->get(), &clock_);
  EXPECT_EQ(h.Run({"GET", "old"}), Bulk("value"));
  EXPECT_EQ(h.Run({"DBSIZE"}), Int(1));
  EXPECT_EQ(h.Run({"SELECT", "1"}), Ok());
  EXPECT_EQ(h.Run({"GET", "old"}), Nil());
  EXPECT_EQ(h.Run({"DBSIZE"}), Int(0));
  ASSERT_TRUE((*db)->Close().ok());
}

// SWAPDB survives a restart (the database map is written in the same batch as the swap), and
// a corrupt map is reported, not guessed at.
TEST_F(EmbeddedDatabasesTest, SwapDbIsDurableAndAMalformedMapIsDataLoss) {
  {
    auto db = OpenDb();
    ASSERT_TRUE(db.ok());
    auto store = EmbeddedKvStore::Open(db->get(), &clock_, EmbeddedKvStoreOptions());
    ASSERT_TRUE(store.ok());
    CommandHarness h(store->get(), &clock_);
    ASSERT_EQ(h.Run({"SET", "k", "zero"}), Ok());
    ASSERT_EQ(h.Run({"SELECT", "3"}), Ok());
    ASSERT_EQ(h.Run({"SET", "k", "three"}), Ok());
    ASSERT_EQ(h.Run({"SWAPDB", "0", "3"}), Ok());
    ASSERT_EQ(h.Run({"SET", "after", "swap"}), Ok());  // database 3 now holds the old db 0
    ASSERT_TRUE((*db)->Close().ok());
  }
  {
    auto db = OpenDb();
    ASSERT_TRUE(db.ok());
    auto store = EmbeddedKvStore::Open(db->get(), &clock_, EmbeddedKvStoreOptions());
    ASSERT_TRUE(store.ok());
    CommandHarness h(store->get(), &clock_);
    EXPECT_EQ(h.Run({"GET", "k"}), Bulk("three"));
    EXPECT_EQ(h.Run({"SELECT", "3"}), Ok());
    EXPECT_EQ(h.Run({"GET", "k"}), Bulk("zero"));
    EXPECT_EQ(h.Run({"GET", "after"}), Bulk("swap"));
    // FLUSHALL empties every database and forgets the map.
    EXPECT_EQ(h.Run({"FLUSHALL"}), Ok());
    EXPECT_TRUE(absl::IsNotFound((*db)->Get(ReadOptions(), "mdbmap").status()));
    ASSERT_TRUE((*db)->Set(WriteOptions(), "mdbmap", "short").ok());
    ASSERT_TRUE((*db)->Close().ok());
  }
  auto db = OpenDb();
  ASSERT_TRUE(db.ok());
  auto store = EmbeddedKvStore::Open(db->get(), &clock_, EmbeddedKvStoreOptions());
  EXPECT_TRUE(absl::IsDataLoss(store.status())) << store.status();
  ASSERT_TRUE((*db)->Close().ok());
}

// A full disk during EXEC: the whole block fails with the storage error and none of it is
// applied; the connection leaves MULTI.
TEST_F(EmbeddedDatabasesTest, ExecOnAFullDiskAppliesNothing) {
  auto db = OpenDb();
  ASSERT_TRUE(db.ok());
  auto store = EmbeddedKvStore::Open(db->get(), &clock_, EmbeddedKvStoreOptions());
  ASSERT_TRUE(store.ok());
  CommandHarness h(store->get(), &clock_);
  ASSERT_EQ(h.Run({"SET", "a", "1"}), Ok());
  ASSERT_EQ(h.Run({"MULTI"}), Ok());
  ASSERT_EQ(h.Run({"SET", "a", "2"}), Simple("QUEUED"));
  ASSERT_EQ(h.Run({"SET", "b", "2"}), Simple("QUEUED"));
  FaultRule rule;
  rule.op = FaultOp::kAppend;
  rule.kind = FaultKind::kNoSpace;
  fs_.AddRule(rule);
  const std::string reply = h.Run({"EXEC"});
  EXPECT_EQ(reply.rfind("-ERR storage: ", 0), 0u) << reply;
  fs_.ClearRules();
  EXPECT_FALSE(h.session()->in_multi);
  EXPECT_EQ(h.Run({"MGET", "a", "b"}), Arr({Bulk("1"), Nil()}));
  (*db)->Close().IgnoreError();
}
#endif

}  // namespace
}  // namespace nokv::redis
