// nokv-redis: a Redis (RESP2) server on an embedded NoKV database.
//
//   nokv-redis --workdir DIR [--addr 127.0.0.1:6380] [--requirepass P] [--metrics-addr H:P]
//              [--sync] [--workers N] [--proto-max-bulk-len BYTES] [--maxclients N] [--timeout S]
//
// Prints "nokv-redis listening on HOST:PORT" once it accepts connections (with --addr ...:0 the
// chosen port), and stops cleanly on SIGINT/SIGTERM. Flag names accept '-' or '_'.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "nokv/db.h"
#include "src/metrics/http_server.h"
#include "src/metrics/registry.h"
#include "src/redis/embedded_kv_store.h"
#include "src/redis/server.h"
#include "src/util/clock.h"

ABSL_FLAG(std::string, workdir, "./work_redis", "Database directory (created if missing)");
ABSL_FLAG(std::string, addr, "127.0.0.1:6380", "RESP listen address host:port (port 0 = any)");
ABSL_FLAG(std::string, requirepass, "", "Password clients must AUTH with (empty = none)");
ABSL_FLAG(std::string, metrics_addr, "",
          "HTTP metrics address host:port for /debug/vars, /metrics, /healthz (empty = off)");
ABSL_FLAG(bool, sync, false,
          "fsync the WAL before acknowledging each write (like appendfsync always; group commit "
          "shares fsyncs between concurrent clients)");
ABSL_FLAG(int, workers, 0,
          "Worker threads: slow commands (KEYS, SCAN, FLUSHDB...) with --execution reactor, all "
          "commands with --execution workers (0 = one per core; with workers and --sync four "
          "per core, so writers queue up for the next shared fsync)");
ABSL_FLAG(int64_t, proto_max_bulk_len, 512LL << 20, "Largest accepted bulk string in bytes");
ABSL_FLAG(int64_t, maxclients, 10000, "Maximum simultaneous client connections");
ABSL_FLAG(int64_t, timeout, 0, "Close a client idle this many seconds (0 = never)");
ABSL_FLAG(std::string, execution, "reactor",
          "Where commands run: 'reactor' (the network thread; the writes of one event-loop "
          "round are committed, and with --sync fsynced, together) or 'workers' (a thread pool)");
ABSL_FLAG(int64_t, memtable_mb, 64, "Engine memtable size in MiB (Options::memtable_bytes)");

namespace {

// absl flags are identifiers; accept Redis-style dashed names by rewriting "--a-b" to "--a_b".
std::vector<char*> NormalizeFlagNames(int argc, char** argv, std::vector<std::string>* storage) {
  storage->reserve(argc);
  for (int i = 0; i < argc; ++i) {
    std::string arg = argv[i];
    if (i > 0 && arg.size() > 2 && arg[0] == '-') {
      size_t name_start = arg.find_first_not_of('-');
      size_t name_end = arg.find('=');
      if (name_end == std::string::npos) name_end = arg.size();
      for (size_t j = name_start; j < name_end; ++j) {
        if (arg[j] == '-') arg[j] = '_';
      }
    }
    storage->push_back(std::move(arg));
  }
  std::vector<char*> out;
  for (auto& s : *storage) out.push_back(s.data());
  return out;
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "nokv-redis: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Redis-compatible server on an embedded NoKV database.\n\n"
      "usage: nokv-redis --workdir DIR [--addr HOST:PORT] [flags]   (docs/redis.md)");
  // --help lists this file's flags (absl's default looks for a file named like the binary).
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view path) {
    return absl::EndsWith(path, "tools/redis/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  usage.normalize_filename = [](absl::string_view path) {
    return std::string(path.substr(
        path.rfind("tools/redis/") == absl::string_view::npos ? 0 : path.rfind("tools/redis/")));
  };
  absl::SetFlagsUsageConfig(usage);
  std::vector<std::string> storage;
  std::vector<char*> args = NormalizeFlagNames(argc, argv, &storage);
  absl::ParseCommandLine(static_cast<int>(args.size()), args.data());

  // Block the stop signals before any thread starts so that only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::string host;
  int port = 0;
  absl::Status s = nokv::metrics::ParseHostPort(absl::GetFlag(FLAGS_addr), &host, &port);
  if (!s.ok()) return Fail(s.ToString());
  // By default the network thread runs commands and commits what many clients send in one
  // event-loop round as one write (one fsync with --sync), as Redis does with its AOF; measured
  // against the worker pool in docs/notes/2026-11-29-redis-event-loop-batching.md.
  nokv::redis::ServerOptions server_options;
  const std::string execution = absl::GetFlag(FLAGS_execution);
  if (execution == "reactor") {
    server_options.execution = nokv::redis::Execution::kReactor;
  } else if (execution == "workers") {
    server_options.execution = nokv::redis::Execution::kWorkers;
  } else {
    return Fail("--execution must be 'reactor' or 'workers', not '" + execution + "'");
  }

  nokv::Clock* clock = nokv::Clock::Real();
  nokv::Options db_options;
  db_options.clock = clock;
  db_options.memtable_bytes =
      static_cast<size_t>(std::max<int64_t>(1, absl::GetFlag(FLAGS_memtable_mb))) << 20;
  const std::string workdir = absl::GetFlag(FLAGS_workdir);
  auto db = nokv::DB::Open(db_options, workdir);
  if (!db.ok()) return Fail("open " + workdir + ": " + db.status().ToString());

  nokv::redis::EmbeddedKvStoreOptions store_options;
  store_options.sync = absl::GetFlag(FLAGS_sync);
  auto store = nokv::redis::EmbeddedKvStore::Open(db->get(), clock, store_options);
  if (!store.ok()) return Fail("open " + workdir + ": " + store.status().ToString());

  nokv::metrics::Registry registry;
  nokv::DB* raw_db = db->get();
  registry.AddSource("engine", "nokv_engine_", [raw_db] { return raw_db->Stats(); });

  nokv::redis::ServerConfig config;
  config.requirepass = absl::GetFlag(FLAGS_requirepass);
  config.proto_max_bulk_len = absl::GetFlag(FLAGS_proto_max_bulk_len);
  config.sync = store_options.sync;
  config.bind_addr = host;
  config.workdir = workdir;
  config.maxclients = std::max<int64_t>(1, absl::GetFlag(FLAGS_maxclients));
  config.timeout_seconds = std::max<int64_t>(0, absl::GetFlag(FLAGS_timeout));

  server_options.bind_host = host;
  server_options.port = port;
  server_options.workers = absl::GetFlag(FLAGS_workers);
  if (server_options.workers <= 0) {
    // More command threads than cores only add context switches when a write costs
    // microseconds; with workers and --sync a write waits for an fsync, and waiting writers
    // are what group commit batches, so more threads pay off there.
    const int cores = std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
    const bool fsync_waiters =
        store_options.sync && server_options.execution == nokv::redis::Execution::kWorkers;
    server_options.workers = fsync_waiters ? 4 * cores : cores;
  }
  server_options.limits.max_bulk_bytes = config.proto_max_bulk_len;

  nokv::redis::EmbeddedKvStore* raw_store = store->get();
  auto state = std::make_unique<nokv::redis::ServerState>(raw_store, clock, config, &registry);
  // CONFIG SET appendfsync always|no switches the store's fsync-per-write.
  state->config.set_sync_hook([raw_store](bool sync) { raw_store->set_sync(sync); });
  auto server = std::make_unique<nokv::redis::RedisServer>(state.get(), server_options);
  s = server->Start();
  if (!s.ok()) return Fail(s.ToString());

  std::atomic<bool> stopping{false};
  std::unique_ptr<nokv::metrics::MetricsHttpServer> metrics;
  const std::string metrics_addr = absl::GetFlag(FLAGS_metrics_addr);
  if (!metrics_addr.empty()) {
    metrics = std::make_unique<nokv::metrics::MetricsHttpServer>(&registry, [&stopping] {
      return stopping.load() ? absl::UnavailableError("shutting down") : absl::OkStatus();
    });
    s = metrics->Start(metrics_addr);
    if (!s.ok()) return Fail(s.ToString());
  }

  std::printf("nokv-redis listening on %s:%d\n", host.c_str(), server->port());
  if (metrics) std::printf("nokv-redis metrics on %s:%d\n", host.c_str(), metrics->port());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::fprintf(stderr, "nokv-redis: signal %d, shutting down\n", sig);
  stopping.store(true);
  if (metrics) metrics->Stop();
  server->Stop();
  state.reset();  // waits for a BGSAVE still running
  s = (*db)->Close();
  if (!s.ok()) return Fail("close: " + s.ToString());
  return 0;
}
