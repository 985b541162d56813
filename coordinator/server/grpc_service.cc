#include "coordinator/server/grpc_service.h"

#include "src/rpc/status.h"

namespace nokv::coordinator {

CoordinatorGrpcService::CoordinatorGrpcService(Coordinator* coordinator, rpc::RpcMetrics* metrics)
    : coordinator_(coordinator), metrics_(metrics) {
  m_.store_heartbeat = metrics->GetMethod("StoreHeartbeat");
  m_.region_heartbeat = metrics->GetMethod("RegionHeartbeat");
  m_.get_region_by_key = metrics->GetMethod("GetRegionByKey");
  m_.get_region_by_id = metrics->GetMethod("GetRegionById");
  m_.scan_regions = metrics->GetMethod("ScanRegions");
  m_.get_store = metrics->GetMethod("GetStore");
  m_.alloc_id = metrics->GetMethod("AllocID");
  m_.tso = metrics->GetMethod("Tso");
  m_.report_split = metrics->GetMethod("ReportSplit");
  m_.status = metrics->GetMethod("Status");
}

template <typename Request, typename Response>
grpc::Status CoordinatorGrpcService::Forward(rpc::RpcMetrics::Method* method,
                                             absl::Status (Coordinator::*handler)(const Request&,
                                                                                  Response*),
                                             const Request* request, Response* response) {
  rpc::CallTimer timer(metrics_, method);
  absl::Status s = (coordinator_->*handler)(*request, response);
  if (!s.ok()) return rpc::ToGrpcStatus(s);
  switch (response->header().error().code()) {
    case coordinatorpb::ERROR_NONE:
      timer.set_outcome(rpc::CallOutcome::kOk);
      break;
    case coordinatorpb::NOT_HOLDER:
      timer.set_outcome(rpc::CallOutcome::kRedirect);
      break;
    default:
      break;
  }
  return grpc::Status::OK;
}

grpc::Status CoordinatorGrpcService::StoreHeartbeat(grpc::ServerContext*,
                                                    const coordinatorpb::StoreHeartbeatRequest* q,
                                                    coordinatorpb::StoreHeartbeatResponse* r) {
  return Forward(m_.store_heartbeat, &Coordinator::StoreHeartbeat, q, r);
}
grpc::Status CoordinatorGrpcService::RegionHeartbeat(grpc::ServerContext*,
                                                     const coordinatorpb::RegionHeartbeatRequest* q,
                                                     coordinatorpb::RegionHeartbeatResponse* r) {
  return Forward(m_.region_heartbeat, &Coordinator::RegionHeartbeat, q, r);
}
grpc::Status CoordinatorGrpcService::GetRegionByKey(grpc::ServerContext*,
                                                    const coordinatorpb::GetRegionByKeyRequest* q,
                                                    coordinatorpb::GetRegionResponse* r) {
  return Forward(m_.get_region_by_key, &Coordinator::GetRegionByKey, q, r);
}
grpc::Status CoordinatorGrpcService::GetRegionById(grpc::ServerContext*,
                                                   const coordinatorpb::GetRegionByIdRequest* q,
                                                   coordinatorpb::GetRegionResponse* r) {
  return Forward(m_.get_region_by_id, &Coordinator::GetRegionById, q, r);
}
grpc::Status CoordinatorGrpcService::ScanRegions(grpc::ServerContext*,
                                                 const coordinatorpb::ScanRegionsRequest* q,
                                                 coordinatorpb::ScanRegionsResponse* r) {
  return Forward(m_.scan_regions, &Coordinator::ScanRegions, q, r);
}
grpc::Status CoordinatorGrpcService::GetStore(grpc::ServerContext*,
                                              const coordinatorpb::GetStoreRequest* q,
                                              coordinatorpb::GetStoreResponse* r) {
  return Forward(m_.get_store, &Coordinator::GetStore, q, r);
}
grpc::Status CoordinatorGrpcService::AllocID(grpc::ServerContext*,
                                             const coordinatorpb::AllocIDRequest* q,
                                             coordinatorpb::AllocIDResponse* r) {
  return Forward(m_.alloc_id, &Coordinator::AllocID, q, r);
}
grpc::Status CoordinatorGrpcService::Tso(grpc::ServerContext*, const coordinatorpb::TsoRequest* q,
                                         coordinatorpb::TsoResponse* r) {
  return Forward(m_.tso, &Coordinator::Tso, q, r);
}
grpc::Status CoordinatorGrpcService::ReportSplit(grpc::ServerContext*,
                                                 const coordinatorpb::ReportSplitRequest* q,
                                                 coordinatorpb::ReportSplitResponse* r) {
  return Forward(m_.report_split, &Coordinator::ReportSplit, q, r);
}
grpc::Status CoordinatorGrpcService::Status(grpc::ServerContext*,
                                            const coordinatorpb::StatusRequest* q,
                                            coordinatorpb::StatusResponse* r) {
  return Forward(m_.status, &Coordinator::Status, q, r);
}

}  // namespace nokv::coordinator
