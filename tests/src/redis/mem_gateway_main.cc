// A test-only gateway: the real server and command layer over MemKvStore (no persistence), so
// the end-to-end suites can exercise the network and command paths independently of the
// engine. Accepts the nokv-redis flags the harness passes: --addr, --workdir (ignored),
// --requirepass, --metrics-addr, --sync (ignored).
#include <signal.h>

#include <cstdio>
#include <string>

#include "src/metrics/http_server.h"
#include "src/redis/server.h"
#include "tests/src/redis/mem_kv_store.h"

int main(int argc, char** argv) {
  std::string addr = "127.0.0.1:6380", requirepass, metrics_addr;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--addr")
      addr = next();
    else if (a == "--requirepass")
      requirepass = next();
    else if (a == "--metrics-addr")
      metrics_addr = next();
    else if (a == "--workdir")
      next();
  }
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::string host;
  int port = 0;
  if (!nokv::metrics::ParseHostPort(addr, &host, &port).ok()) return 1;
  nokv::redis::MemKvStore store(nokv::Clock::Real());
  nokv::metrics::Registry registry;
  registry.AddSource("engine", "nokv_engine_", [&store] { return store.Stats(); });
  nokv::redis::ServerConfig config;
  config.requirepass = requirepass;
  nokv::redis::ServerState state(&store, nokv::Clock::Real(), config, &registry);
  nokv::redis::ServerOptions options;
  options.bind_host = host;
  options.port = port;
  nokv::redis::RedisServer server(&state, options);
  if (!server.Start().ok()) return 1;
  nokv::metrics::MetricsHttpServer metrics(&registry);
  std::printf("nokv-redis listening on %s:%d\n", host.c_str(), server.port());
  if (!metrics_addr.empty()) {
    if (!metrics.Start(metrics_addr).ok()) return 1;
    std::printf("nokv-redis metrics on %s:%d\n", host.c_str(), metrics.port());
  }
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop, &sig);
  metrics.Stop();
  server.Stop();
  return 0;
}
