// Coordinator: the control plane's request handlers as plain C++ over the coordinatorpb
// messages (the gRPC service in grpc_service.h only forwards to it), plus the duty loop that
// drives the Authority.
//
// Every reply carries a header: the era it was served under (or, from a non-holder, the newest
// era meta knows, so clients learn that older eras are sealed), the lease end, the responder
// and meta's revision. A coordinator that is not the tenure holder answers everything but
// Status with NOT_HOLDER and the holder's address. Region errors (STALE_EPOCH,
// REGION_NOT_FOUND, REJECTED) travel in the header too; a non-OK absl::Status is reserved for a
// malformed request (InvalidArgument).
//
// Thread-safety: handlers may be called from any thread; Start/Stop from one.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "coordinator/authority/authority.h"
#include "coordinator/coordinator.pb.h"
#include "coordinator/options.h"
#include "coordinator/routing/route_table.h"
#include "meta/store.h"
#include "src/config/cluster_config.pb.h"
#include "src/metrics/registry.h"
#include "src/rpc/log.h"
#include "src/util/clock.h"

namespace nokv::coordinator {

class Coordinator {
 public:
  // Nothing is owned; all must outlive the coordinator. `registry` and `log` may be null.
  Coordinator(uint64_t self_id, const configpb::ClusterConfig& config, meta::MetaStore* meta,
              Clock* clock, const CoordinatorOptions& options, metrics::Registry* registry,
              rpc::Logger* log);
  ~Coordinator();

  // Starts the duty loop (tenure, handover, allocator fences, bootstrap).
  void Start();
  // Stops the duty loop; with `step_down`, also stops serving and renewing (clean shutdown:
  // a successor takes over when the lease ends).
  void Stop(bool step_down);

  absl::Status StoreHeartbeat(const coordinatorpb::StoreHeartbeatRequest& request,
                              coordinatorpb::StoreHeartbeatResponse* response);
  absl::Status RegionHeartbeat(const coordinatorpb::RegionHeartbeatRequest& request,
                               coordinatorpb::RegionHeartbeatResponse* response);
  absl::Status GetRegionByKey(const coordinatorpb::GetRegionByKeyRequest& request,
                              coordinatorpb::GetRegionResponse* response);
  absl::Status GetRegionById(const coordinatorpb::GetRegionByIdRequest& request,
                             coordinatorpb::GetRegionResponse* response);
  absl::Status ScanRegions(const coordinatorpb::ScanRegionsRequest& request,
                           coordinatorpb::ScanRegionsResponse* response);
  absl::Status GetStore(const coordinatorpb::GetStoreRequest& request,
                        coordinatorpb::GetStoreResponse* response);
  absl::Status AllocID(const coordinatorpb::AllocIDRequest& request,
                       coordinatorpb::AllocIDResponse* response);
  absl::Status Tso(const coordinatorpb::TsoRequest& request, coordinatorpb::TsoResponse* response);
  absl::Status ReportSplit(const coordinatorpb::ReportSplitRequest& request,
                           coordinatorpb::ReportSplitResponse* response);
  absl::Status Status(const coordinatorpb::StatusRequest& request,
                      coordinatorpb::StatusResponse* response);

  Authority& authority() { return authority_; }
  // The address of coordinator `id` from the config ("" if unknown).
  std::string AddressOf(uint64_t id) const;

  // Largest batch a single Tso / AllocID request may ask for.
  static constexpr uint32_t kMaxTsoCount = 1 << 16;
  static constexpr uint32_t kMaxIdCount = 1 << 16;

 private:
  // Fills the header; returns the grant when this coordinator serves as the holder, else
  // sets NOT_HOLDER and returns nullopt.
  std::optional<Grant> Admit(coordinatorpb::ResponseHeader* header);
  void FillHeader(coordinatorpb::ResponseHeader* header, const std::optional<Grant>& grant,
                  const meta::MetaState& state);
  void DutyLoop();
  absl::Status PublishRegion(const metapb::RegionDescriptor& region);
  std::map<std::string, uint64_t> Gauges() const;

  const uint64_t self_id_;
  const configpb::ClusterConfig config_;
  meta::MetaStore* const meta_;
  Clock* const clock_;
  const CoordinatorOptions options_;
  rpc::Logger* const log_;
  Authority authority_;
  RouteTable routes_;

  std::atomic<bool> stop_{false};
  std::thread duty_;
  struct Counters {
    std::atomic<uint64_t> tso_served{0};
    std::atomic<uint64_t> ids_served{0};
    std::atomic<uint64_t> not_holder{0};
    std::atomic<uint64_t> stale_heartbeats{0};
    std::atomic<uint64_t> published_regions{0};
    std::atomic<uint64_t> splits{0};
    std::atomic<uint64_t> leader_hints{0};
    std::atomic<uint64_t> transitions{0};  // tenure/handover stage changes made here
  } counters_;
};

// The events the first holder appends: every configured store and region, then
// ClusterBootstrapped. Keys are decoded ("hex:").
std::vector<metapb::Event> BootstrapEvents(const configpb::ClusterConfig& config);

}  // namespace nokv::coordinator
