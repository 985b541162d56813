// nokv-coordinator: one coordinator of the cluster described by a config file.
//
//   nokv-coordinator --config raft_config.example.json --id N
//
// Serves the Coordinator gRPC service on the coordinator's `addr`, the meta group on its
// `meta_raft_addr` (three coordinators), metrics on `metrics_addr` (/metrics, /debug/vars,
// /healthz). Logs one JSON object per line on stderr. Prints
// "nokv-coordinator N listening on HOST:PORT" on stdout once serving. SIGTERM/SIGINT: stops
// serving and renewing (a successor takes over when the lease ends), stops, exits 0. Exit 2 on a
// bad config or flags, 1 when it cannot start.
#include <cstdio>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "coordinator/server/coordinator.h"
#include "coordinator/server/grpc_service.h"
#include "coordinator/server/meta_factory.h"
#include "src/config/cluster_config.h"
#include "src/metrics/http_server.h"
#include "src/rpc/daemon.h"
#include "src/rpc/rpc_metrics.h"
#include "src/rpc/server.h"

ABSL_FLAG(std::string, config, "", "cluster config (raft_config.example.json)");
ABSL_FLAG(uint64_t, id, 0, "this coordinator's id in the config");

namespace {

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "nokv-coordinator: %s\n", message.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("nokv-coordinator --config FILE --id N");
  absl::ParseCommandLine(argc, argv);
  nokv::rpc::StopSignals stop_signals;  // before any thread starts

  const std::string config_path = absl::GetFlag(FLAGS_config);
  const uint64_t id = absl::GetFlag(FLAGS_id);
  if (config_path.empty() || id == 0) return Fail(2, "--config and --id are required");
  nokv::VFS& vfs = *nokv::VFS::Default();
  auto config = nokv::config::LoadClusterConfig(vfs, config_path);
  if (!config.ok()) return Fail(2, std::string(config.status().message()));
  const nokv::configpb::CoordinatorConfig* self = nokv::config::FindCoordinator(*config, id);
  if (self == nullptr)
    return Fail(2, "no coordinator with id " + std::to_string(id) + " in " + config_path);

  nokv::Clock* clock = nokv::Clock::Real();
  nokv::rpc::Logger log("coordinator", clock);
  absl::Status s = vfs.CreateDir(self->workdir());
  if (!s.ok()) return Fail(1, "workdir " + self->workdir() + ": " + s.ToString());

  auto meta = nokv::coordinator::OpenMetaService(vfs, *config, id, clock, &log);
  if (!meta.ok()) return Fail(1, "meta: " + meta.status().ToString());

  nokv::metrics::Registry registry;
  const auto options = nokv::coordinator::CoordinatorOptions::FromTiming(config->timing());
  nokv::coordinator::Coordinator coordinator(id, *config, (*meta)->store(), clock, options,
                                             &registry, &log);
  nokv::rpc::RpcMetrics rpc_metrics(&registry, "Coordinator", clock);
  nokv::coordinator::CoordinatorGrpcService service(&coordinator, &rpc_metrics);
  nokv::rpc::GrpcServer server;
  s = server.Start(self->addr(), {&service});
  if (!s.ok()) return Fail(1, s.ToString());
  coordinator.Start();

  std::atomic<bool> stopping{false};
  std::unique_ptr<nokv::metrics::MetricsHttpServer> http;
  if (!self->metrics_addr().empty()) {
    http = std::make_unique<nokv::metrics::MetricsHttpServer>(&registry, [&stopping] {
      return stopping.load() ? absl::UnavailableError("shutting down") : absl::OkStatus();
    });
    s = http->Start(self->metrics_addr());
    if (!s.ok()) return Fail(1, "metrics: " + s.ToString());
  }
  log.Info("started", {{"id", id},
                       {"addr", server.address()},
                       {"meta_backend", (*meta)->store()->backend()},
                       {"metrics", self->metrics_addr()},
                       {"workdir", self->workdir()}});
  std::printf("nokv-coordinator %llu listening on %s\n", static_cast<unsigned long long>(id),
              server.address().c_str());
  std::fflush(stdout);

  const int sig = stop_signals.Wait();
  log.Info("stopping", {{"signal", sig}});
  stopping = true;
  coordinator.Stop(/*step_down=*/true);
  server.Shutdown();
  if (http) http->Stop();
  s = (*meta)->Close();
  log.Info("stopped", {{"ok", s.ok()}});
  return s.ok() ? 0 : 1;
}
