// Crash test with real processes on a real disk: a child process runs many writer threads
// (sync and non-sync writes, batches, DeleteRange), so group commit is exercised; each thread
// reports "B client index" before a write and "A client index" after it is acknowledged,
// through one pipe (each line is one write(2) under PIPE_BUF, so the lines are totally ordered
// in real time). The parent SIGKILLs the child at a random moment, replays the same seeded
// workload to know what each write did, reopens the workdir and judges it with the expected-
// state oracle in process-crash mode: the OS keeps whatever reached it, so EVERY acknowledged
// write must be there, nothing corrupted, a prefix per client in real-time order.
//
// What this catches that the in-process power-cut test cannot: the real file system and
// kernel, real threads in a real process dying at any instruction (a half-written WAL record,
// a flush or compaction in flight, a CURRENT swap). What it cannot catch: a missing fsync
// (kill -9 keeps the page cache), which is the power-cut test's job.
//
// NOKV_CRASH_ROUNDS sets the number of kills (CI: 30; the soak target runs 1,000).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "nokv/db.h"
#include "src/util/random.h"
#include "tests/test_seed.h"
#include "tests/util/crash_workload.h"
#include "tests/util/durability_oracle.h"

namespace nokv {
namespace {

using test::DurabilityOracle;

constexpr int kClients = 8;

test::WorkloadOptions Workload() {
  test::WorkloadOptions w;
  w.ttl = false;  // the child's wall clock is real: the parent could not know the deadlines
  return w;
}

Options ChildOptions() {
  Options o;
  o.memtable_bytes = 64 << 10;  // flushes and compactions happen during the kill
  o.wal_segment_bytes = 64 << 10;
  o.target_file_bytes = 32 << 10;
  o.l0_compaction_trigger = 3;
  return o;
}

uint64_t ClientSeed(uint64_t run_seed, int round, int client) {
  return run_seed * 1'000'003 + static_cast<uint64_t>(round) * 131 + client;
}

void Report(int fd, char kind, int client, uint64_t index) {
  char line[48];
  const int n = std::snprintf(line, sizeof(line), "%c %d %llu\n", kind, client,
                              static_cast<unsigned long long>(index));
  if (write(fd, line, n) != n) _exit(5);
}

[[noreturn]] void Child(const std::string& dir, uint64_t run_seed, int round, int fd) {
  auto db = DB::Open(ChildOptions(), dir);
  if (!db.ok()) _exit(3);
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      Random rng(ClientSeed(run_seed, round, c));
      const test::WorkloadOptions workload = Workload();
      for (uint64_t i = 0;; ++i) {
        test::WorkloadWrite w = test::GenerateWrite(&rng, workload, c, i, 0);
        Report(fd, 'B', c, i);
        if (!test::ExecuteWrite(db->get(), w).ok()) _exit(4);
        Report(fd, 'A', c, i);
      }
    });
  }
  for (auto& t : threads) t.join();
  _exit(0);
}

TEST(DBCrashTest, KillNineKeepsEveryAcknowledgedWriteAcrossThreads) {
  int rounds = 30;
  if (const char* r = std::getenv("NOKV_CRASH_ROUNDS")) rounds = std::atoi(r);
  const uint64_t seed = test::SeedFromEnv(std::random_device{}());
  SCOPED_TRACE("NOKV_TEST_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  const std::string dir =
      std::filesystem::temp_directory_path() / ("nokv-crash-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  DurabilityOracle oracle(kClients);
  uint64_t total_acked = 0;
  for (int round = 0; round < rounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      Child(dir, seed, round, fds[1]);
    }
    close(fds[1]);
    // Rebuild each client's writes from the same seeds, in the order the child reports them.
    std::vector<Random> generators;
    for (int c = 0; c < kClients; ++c) generators.emplace_back(ClientSeed(seed, round, c));
    const test::WorkloadOptions workload = Workload();
    std::vector<uint64_t> begun(kClients, 0);
    uint64_t acked = 0;
    const uint64_t kill_after = 20 + rng() % 400;  // acknowledged writes before the kill
    std::string pending;
    bool killed = false;
    char chunk[4096];
    while (true) {
      const ssize_t n = read(fds[0], chunk, sizeof(chunk));
      if (n <= 0) break;
      pending.append(chunk, n);
      size_t start = 0;
      for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        char kind = 0;
        int client = 0;
        unsigned long long index = 0;
        ASSERT_EQ(std::sscanf(pending.c_str() + start, "%c %d %llu", &kind, &client, &index), 3);
        ASSERT_TRUE(client >= 0 && client < kClients);
        if (kind == 'B') {
          ASSERT_EQ(index, begun[client]) << "client " << client << " skipped a write";
          test::WorkloadWrite w =
              test::GenerateWrite(&generators[client], workload, client, index, 0);
          ASSERT_EQ(oracle.Begin(client, w.ops, w.sync), index);
          ++begun[client];
        } else {
          oracle.Acknowledge(client, index);
          ++acked;
        }
      }
      pending.erase(0, start);
      if (!killed && acked >= kill_after) {
        // A random moment after that: the child is in the middle of something.
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
        kill(pid, SIGKILL);
        killed = true;
      }
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);
    total_acked += acked;
    auto db = DB::Open(ChildOptions(), dir);
    ASSERT_TRUE(db.ok()) << "round " << round << ": " << db.status();
    auto states = test::ReadClientStates(db->get(), kClients);
    ASSERT_TRUE(states.ok()) << "round " << round << ": " << states.status();
    std::string summary;
    absl::Status s =
        oracle.CheckAndAdvance(*states, 0, DurabilityOracle::Mode::kAllAcknowledged, &summary);
    ASSERT_TRUE(s.ok()) << "round " << round << ": " << s;
    ASSERT_TRUE((*db)->Close().ok());
  }
  EXPECT_GE(total_acked, 20u * rounds) << "the children acknowledged too few writes";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nokv
