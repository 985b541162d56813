#include "src/metrics/http_server.h"

#include <httplib.h>

#include <charconv>

#include "src/util/clock.h"
#include "src/util/str_cat.h"

namespace nokv::metrics {

absl::Status ParseHostPort(const std::string& addr, std::string* host, int* port) {
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(StrCat("address '", addr, "' is not host:port"));
  }
  *host = addr.substr(0, colon);
  if (host->empty()) *host = "127.0.0.1";
  std::string_view p = std::string_view(addr).substr(colon + 1);
  int value = -1;
  auto res = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || res.ec != std::errc() || res.ptr != p.data() + p.size() || value < 0 ||
      value > 65535) {
    return absl::InvalidArgumentError(StrCat("address '", addr, "' has an invalid port"));
  }
  *port = value;
  return absl::OkStatus();
}

MetricsHttpServer::MetricsHttpServer(Registry* registry, std::function<absl::Status()> health)
    : registry_(registry), health_(std::move(health)) {}

MetricsHttpServer::~MetricsHttpServer() { Stop(); }

absl::Status MetricsHttpServer::Start(const std::string& addr) {
  std::string host;
  int port = 0;
  absl::Status s = ParseHostPort(addr, &host, &port);
  if (!s.ok()) return s;
  server_ = std::make_unique<httplib::Server>();
  // Two threads are plenty for scrapes and keep the footprint small.
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server_->Get("/debug/vars", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry_->RenderJson(), "application/json; charset=utf-8");
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry_->RenderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
    absl::Status h = health_ ? health_() : absl::OkStatus();
    if (h.ok()) {
      res.set_content("ok\n", "text/plain");
    } else {
      res.status = 503;
      res.set_content(StrCat(h.ToString(), "\n"), "text/plain");
    }
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
    if (port_ <= 0) return absl::UnavailableError(StrCat("metrics: cannot bind ", host));
  } else {
    if (!server_->bind_to_port(host, port)) {
      return absl::UnavailableError(StrCat("metrics: cannot bind ", addr));
    }
    port_ = port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the listen loop runs, so wait for it (bounded) to make Stop safe.
  for (int i = 0; i < 20000 && !server_->is_running(); ++i) Clock::Real()->SleepForMicros(100);
  return absl::OkStatus();
}

void MetricsHttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

}  // namespace nokv::metrics
