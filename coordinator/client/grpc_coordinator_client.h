// GrpcCoordinatorClient: the CoordinatorClient over gRPC. Knows the coordinators' addresses,
// sticks to the last holder, follows NOT_HOLDER redirects, retries NOT_READY and unreachable
// coordinators with backoff until the call's deadline, and admits replies only through its
// EraGuard (a reply of a sealed era, or an allocator reply past its lease, is refused and
// retried elsewhere).
//
// Thread-safety: thread-safe; one client may serve many threads.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "coordinator/client/coordinator_client.h"
#include "coordinator/client/era_guard.h"
#include "coordinator/coordinator.grpc.pb.h"
#include "src/util/clock.h"

namespace nokv::coordinator {

struct CoordinatorClientOptions {
  // Coordinator addresses ("host:port"); redirects may add the holder's.
  std::vector<std::string> addresses;
  // One RPC attempt, and the whole call including retries.
  std::chrono::milliseconds rpc_timeout{1000};
  std::chrono::milliseconds call_deadline{10000};
  // Must match the coordinators' timing.max_clock_drift_ms.
  uint64_t max_clock_drift_ms = 250;
  // Not owned; null = Clock::Real().
  Clock* clock = nullptr;
};

class GrpcCoordinatorClient final : public CoordinatorClient {
 public:
  explicit GrpcCoordinatorClient(CoordinatorClientOptions options);

  absl::StatusOr<uint64_t> Tso(uint32_t count) override;
  absl::StatusOr<uint64_t> AllocId(uint32_t count) override;
  absl::StatusOr<coordinatorpb::RegionInfo> GetRegionByKey(std::string_view key) override;
  absl::StatusOr<coordinatorpb::RegionInfo> GetRegionById(uint64_t region_id) override;
  absl::StatusOr<std::vector<coordinatorpb::RegionInfo>> ScanRegions(std::string_view start,
                                                                     std::string_view end,
                                                                     uint32_t limit) override;
  absl::StatusOr<std::vector<coordinatorpb::StoreInfo>> GetStores(uint64_t store_id) override;
  absl::StatusOr<coordinatorpb::StoreHeartbeatResponse> StoreHeartbeat(
      const coordinatorpb::StoreHeartbeatRequest& request) override;
  absl::StatusOr<coordinatorpb::RegionHeartbeatResponse> RegionHeartbeat(
      const coordinatorpb::RegionHeartbeatRequest& request) override;
  absl::Status ReportSplit(uint64_t parent_region_id,
                           const std::vector<metapb::RegionDescriptor>& regions) override;
  absl::StatusOr<coordinatorpb::StatusResponse> StatusOf(const std::string& address) override;

  // Like Tso, with the reply's header (era, responder) for tests and benchmarks.
  absl::StatusOr<coordinatorpb::TsoResponse> TsoWithHeader(uint32_t count);
  absl::StatusOr<coordinatorpb::AllocIDResponse> AllocIdWithHeader(uint32_t count);

  const EraGuard& guard() const { return guard_; }
  // Counts of attempts that were redirected, refused by the guard, or failed in transport.
  struct Stats {
    uint64_t redirects = 0;
    uint64_t refused = 0;
    uint64_t transport_errors = 0;
  };
  Stats stats() const;

 private:
  // Runs `attempt` against coordinators until a reply is admitted or the deadline passes.
  // `attempt(stub, context, response)` issues one RPC.
  template <typename Response, typename Attempt>
  absl::StatusOr<Response> Invoke(const char* method, bool allocator, Attempt attempt);
  std::shared_ptr<coordinatorpb::Coordinator::Stub> StubFor(const std::string& address);
  std::string Target(size_t attempt);
  void Redirected(const std::string& from, const std::string& holder_addr);

  const CoordinatorClientOptions options_;
  Clock* const clock_;
  EraGuard guard_;
  mutable std::mutex mu_;
  std::vector<std::string> addresses_;
  std::string preferred_;  // the last holder that answered
  // Stubs are shared by concurrent calls; one whose call failed in transport is replaced.
  std::map<std::string, std::shared_ptr<coordinatorpb::Coordinator::Stub>> stubs_;
  Stats stats_;
};

}  // namespace nokv::coordinator
