// MetricsHttpServer: serves a Registry over HTTP (cpp-httplib).
//   GET /debug/vars  expvar-style JSON          (application/json)
//   GET /metrics     Prometheus text format 0.0.4
//   GET /healthz     "ok" (200) while the health check passes, else 503 with its message
// Binds 127.0.0.1 unless told otherwise: metrics reveal key counts and traffic, so exposing them
// beyond the host is an explicit decision. No CORS header is sent.
//
// Thread-safety: Start/Stop from one thread; requests are served on the server's own threads.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "src/metrics/registry.h"

namespace httplib {
class Server;
}

namespace nokv::metrics {

class MetricsHttpServer {
 public:
  // `registry` is not owned and must outlive the server. `health` (optional) returns OK while
  // the process is healthy.
  MetricsHttpServer(Registry* registry, std::function<absl::Status()> health = nullptr);
  ~MetricsHttpServer();

  // Parses "host:port" (port 0 = any free port), binds and starts serving in the background.
  absl::Status Start(const std::string& addr);
  int port() const { return port_; }
  void Stop();

 private:
  Registry* const registry_;
  std::function<absl::Status()> health_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// Splits "host:port"; an empty host means 127.0.0.1. Fails on a missing or invalid port.
absl::Status ParseHostPort(const std::string& addr, std::string* host, int* port);

}  // namespace nokv::metrics
