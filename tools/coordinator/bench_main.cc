// nokv-coordinator-bench: TSO throughput/latency and failover time of running coordinators.
//
//   nokv-coordinator-bench tso --coordinators A[,B,C] [--clients 16] [--seconds 5] [--count 1]
//   nokv-coordinator-bench failover --config FILE --coordinator-bin PATH [--kills 20]
//
// tso: each client is a thread with its own GrpcCoordinatorClient issuing Tso(count) back to
// back; prints timestamps/s, requests/s and request latency p50/p99 (microseconds).
// failover: starts every coordinator of FILE, keeps one client asking for timestamps, and
// `kills` times SIGKILLs the holder (at a random point of its renewal period, after it served
// for at least two periods), measuring from the kill to the first timestamp served by any
// coordinator (the successor), then restarts the killed process. Prints median and max.
// Results are for docs/coordinator.md; the process tests check correctness, this only measures.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_split.h"
#include "coordinator/client/grpc_coordinator_client.h"
#include "src/config/cluster_config.h"
#include "src/util/random.h"

ABSL_FLAG(std::string, coordinators, "", "comma-separated coordinator addresses (tso)");
ABSL_FLAG(int, clients, 16, "concurrent clients (tso)");
ABSL_FLAG(int, seconds, 5, "measurement time (tso)");
ABSL_FLAG(int, count, 1, "timestamps per request (tso)");
ABSL_FLAG(std::string, config, "", "cluster config (failover)");
ABSL_FLAG(std::string, coordinator_bin, "", "path of nokv-coordinator (failover)");
ABSL_FLAG(int, kills, 20, "holder kills (failover)");
ABSL_FLAG(std::string, log_dir, "/tmp", "where coordinator logs go (failover)");
ABSL_FLAG(uint64_t, seed, 1, "seed of the kill times (failover)");

namespace {

using Clock = std::chrono::steady_clock;

uint64_t Percentile(std::vector<uint64_t>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(q * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

int RunTso() {
  std::vector<std::string> addresses =
      absl::StrSplit(absl::GetFlag(FLAGS_coordinators), ',', absl::SkipEmpty());
  if (addresses.empty()) {
    std::fprintf(stderr, "--coordinators is required\n");
    return 2;
  }
  const int clients = absl::GetFlag(FLAGS_clients);
  const int count = absl::GetFlag(FLAGS_count);
  const auto duration = std::chrono::seconds(absl::GetFlag(FLAGS_seconds));
  std::vector<std::vector<uint64_t>> latencies(clients);
  std::atomic<uint64_t> errors{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      nokv::coordinator::CoordinatorClientOptions o;
      o.addresses = addresses;
      nokv::coordinator::GrpcCoordinatorClient client(o);
      client.Tso(1).IgnoreError();  // connect and find the holder before measuring
      while (!go) std::this_thread::yield();
      const auto end = Clock::now() + duration;
      while (Clock::now() < end) {
        const auto start = Clock::now();
        auto ts = client.Tso(count);
        const auto micros =
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
        if (ts.ok()) {
          latencies[c].push_back(micros);
        } else {
          ++errors;
        }
      }
    });
  }
  const auto start = Clock::now();
  go = true;
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<uint64_t> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  const double rps = all.size() / secs;
  std::printf(
      "{\"clients\":%d,\"count\":%d,\"coordinators\":%zu,\"requests_per_s\":%.0f,"
      "\"timestamps_per_s\":%.0f,\"p50_us\":%llu,\"p99_us\":%llu,\"errors\":%llu}\n",
      clients, count, addresses.size(), rps, rps * count,
      static_cast<unsigned long long>(Percentile(all, 0.50)),
      static_cast<unsigned long long>(Percentile(all, 0.99)),
      static_cast<unsigned long long>(errors.load()));
  return 0;
}

pid_t Spawn(const std::string& bin, const std::string& config, uint64_t id,
            const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = std::freopen(log.c_str(), "a", stderr);
    (void)f;
    f = std::freopen("/dev/null", "w", stdout);
    (void)f;
    const std::string id_text = std::to_string(id);
    execl(bin.c_str(), bin.c_str(), "--config", config.c_str(), "--id", id_text.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

int RunFailover() {
  const std::string bin = absl::GetFlag(FLAGS_coordinator_bin);
  const std::string path = absl::GetFlag(FLAGS_config);
  auto config = nokv::config::LoadClusterConfig(*nokv::VFS::Default(), path);
  if (!config.ok() || bin.empty()) {
    std::fprintf(stderr, "failover: --config and --coordinator_bin are required (%s)\n",
                 config.status().ToString().c_str());
    return 2;
  }
  std::map<uint64_t, pid_t> pids;
  const std::string log_dir = absl::GetFlag(FLAGS_log_dir);
  for (const auto& c : config->coordinators()) {
    pids[c.id()] =
        Spawn(bin, path, c.id(), log_dir + "/coordinator-" + std::to_string(c.id()) + ".log");
  }
  nokv::coordinator::CoordinatorClientOptions o;
  for (const auto& c : config->coordinators()) o.addresses.push_back(c.addr());
  o.rpc_timeout = std::chrono::milliseconds(200);
  o.call_deadline = std::chrono::milliseconds(30000);
  o.max_clock_drift_ms = config->timing().max_clock_drift_ms();
  nokv::coordinator::GrpcCoordinatorClient client(o);
  std::vector<uint64_t> failover_ms;
  nokv::Random rnd(absl::GetFlag(FLAGS_seed));
  const uint64_t renew_ms =
      config->timing().renew_interval_ms() != 0 ? config->timing().renew_interval_ms() : 1000;
  for (int k = 0; k < absl::GetFlag(FLAGS_kills); ++k) {
    // Let the holder settle into renewing, and kill it at a random point of its renewal
    // period: the failover then waits out whatever remains of a steady-state lease.
    const auto settle =
        Clock::now() + std::chrono::milliseconds(2 * renew_ms + rnd.Uniform(renew_ms));
    while (Clock::now() < settle) client.Tso(1).IgnoreError();
    auto before = client.TsoWithHeader(1);
    if (!before.ok()) {
      std::fprintf(stderr, "no holder before kill %d: %s\n", k, before.status().ToString().c_str());
      break;
    }
    const uint64_t holder = before->header().responder_id();
    const auto killed_at = Clock::now();
    kill(pids[holder], SIGKILL);
    waitpid(pids[holder], nullptr, 0);
    auto after = client.TsoWithHeader(1);
    const auto served_at = Clock::now();
    if (!after.ok()) {
      std::fprintf(stderr, "no successor after kill %d: %s\n", k,
                   after.status().ToString().c_str());
      break;
    }
    failover_ms.push_back(
        std::chrono::duration_cast<std::chrono::milliseconds>(served_at - killed_at).count());
    std::fprintf(stderr, "kill %d: holder %llu -> %llu (era %llu) in %llu ms\n", k,
                 static_cast<unsigned long long>(holder),
                 static_cast<unsigned long long>(after->header().responder_id()),
                 static_cast<unsigned long long>(after->header().era()),
                 static_cast<unsigned long long>(failover_ms.back()));
    pids[holder] =
        Spawn(bin, path, holder, log_dir + "/coordinator-" + std::to_string(holder) + ".log");
  }
  for (auto& [id, pid] : pids) {
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
  }
  std::vector<uint64_t> sorted = failover_ms;
  std::sort(sorted.begin(), sorted.end());
  const uint64_t median = Percentile(sorted, 0.5);
  std::printf(
      "{\"kills\":%zu,\"failover_median_ms\":%llu,\"failover_max_ms\":%llu,"
      "\"lease_ms\":%llu}\n",
      failover_ms.size(), static_cast<unsigned long long>(Percentile(sorted, 0.5)),
      static_cast<unsigned long long>(sorted.empty() ? 0 : sorted.back()),
      static_cast<unsigned long long>(config->timing().lease_ms()));
  return failover_ms.size() == static_cast<size_t>(absl::GetFlag(FLAGS_kills)) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string mode = args.size() > 1 ? args[1] : "";
  if (mode == "tso") return RunTso();
  if (mode == "failover") return RunFailover();
  std::fprintf(stderr, "usage: nokv-coordinator-bench tso|failover [flags]\n");
  return 2;
}
