// The gRPC face of the Coordinator: registers the service and forwards each call to the plain
// C++ handler, recording per-method metrics (outcome "redirect" for NOT_HOLDER replies).
//
// Thread-safety: gRPC calls it from its own threads; the Coordinator handlers are thread-safe.
#pragma once

#include "coordinator/coordinator.grpc.pb.h"
#include "coordinator/server/coordinator.h"
#include "src/rpc/rpc_metrics.h"

namespace nokv::coordinator {

class CoordinatorGrpcService final : public coordinatorpb::Coordinator::Service {
 public:
  // Neither is owned; both must outlive the service.
  CoordinatorGrpcService(Coordinator* coordinator, rpc::RpcMetrics* metrics);

  grpc::Status StoreHeartbeat(grpc::ServerContext*, const coordinatorpb::StoreHeartbeatRequest*,
                              coordinatorpb::StoreHeartbeatResponse*) override;
  grpc::Status RegionHeartbeat(grpc::ServerContext*, const coordinatorpb::RegionHeartbeatRequest*,
                               coordinatorpb::RegionHeartbeatResponse*) override;
  grpc::Status GetRegionByKey(grpc::ServerContext*, const coordinatorpb::GetRegionByKeyRequest*,
                              coordinatorpb::GetRegionResponse*) override;
  grpc::Status GetRegionById(grpc::ServerContext*, const coordinatorpb::GetRegionByIdRequest*,
                             coordinatorpb::GetRegionResponse*) override;
  grpc::Status ScanRegions(grpc::ServerContext*, const coordinatorpb::ScanRegionsRequest*,
                           coordinatorpb::ScanRegionsResponse*) override;
  grpc::Status GetStore(grpc::ServerContext*, const coordinatorpb::GetStoreRequest*,
                        coordinatorpb::GetStoreResponse*) override;
  grpc::Status AllocID(grpc::ServerContext*, const coordinatorpb::AllocIDRequest*,
                       coordinatorpb::AllocIDResponse*) override;
  grpc::Status Tso(grpc::ServerContext*, const coordinatorpb::TsoRequest*,
                   coordinatorpb::TsoResponse*) override;
  grpc::Status ReportSplit(grpc::ServerContext*, const coordinatorpb::ReportSplitRequest*,
                           coordinatorpb::ReportSplitResponse*) override;
  grpc::Status Status(grpc::ServerContext*, const coordinatorpb::StatusRequest*,
                      coordinatorpb::StatusResponse*) override;

 private:
  template <typename Request, typename Response>
  grpc::Status Forward(rpc::RpcMetrics::Method* method,
                       absl::Status (Coordinator::*handler)(const Request&, Response*),
                       const Request* request, Response* response);

  Coordinator* const coordinator_;
  rpc::RpcMetrics* const metrics_;
  struct Methods {
    rpc::RpcMetrics::Method *store_heartbeat, *region_heartbeat, *get_region_by_key,
        *get_region_by_id, *scan_regions, *get_store, *alloc_id, *tso, *report_split, *status;
  } m_;
};

}  // namespace nokv::coordinator
