// CoordinatorClient: how stores, clients and tools reach the control plane. raftstore and the
// CLI depend only on this interface (tests can substitute fakes); GrpcCoordinatorClient
// (grpc_coordinator_client.h) is the real one.
//
// Every call either returns an answer admitted by the era check (era_guard.h) or an error:
//   NotFound            REGION_NOT_FOUND / STORE_NOT_FOUND
//   FailedPrecondition  REJECTED (e.g. a split meta refuses), STALE_EPOCH for lookups
//   DeadlineExceeded    no coordinator answered in time (holder failover in progress, ...)
//   InvalidArgument     the request is malformed
// Holder redirects (NOT_HOLDER), NOT_READY and unreachable coordinators are retried inside the
// call until its deadline. Tso and AllocId are safe to retry: a lost reply only leaves a gap.
// RegionHeartbeat returns the whole response, region errors (STALE_EPOCH with meta's
// descriptor) included, because the store acts on them.
//
// Thread-safety: implementations are thread-safe.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "coordinator/coordinator.pb.h"

namespace nokv::coordinator {

class CoordinatorClient {
 public:
  virtual ~CoordinatorClient() = default;

  // The first of `count` consecutive timestamps (physical ms << 18 | logical).
  virtual absl::StatusOr<uint64_t> Tso(uint32_t count) = 0;
  // The first of `count` consecutive unique IDs.
  virtual absl::StatusOr<uint64_t> AllocId(uint32_t count) = 0;

  virtual absl::StatusOr<coordinatorpb::RegionInfo> GetRegionByKey(std::string_view key) = 0;
  virtual absl::StatusOr<coordinatorpb::RegionInfo> GetRegionById(uint64_t region_id) = 0;
  // Regions intersecting [start, end) (empty end = to the end), at most `limit` (0 = all).
  virtual absl::StatusOr<std::vector<coordinatorpb::RegionInfo>> ScanRegions(std::string_view start,
                                                                             std::string_view end,
                                                                             uint32_t limit) = 0;
  // One store (store_id != 0) or all.
  virtual absl::StatusOr<std::vector<coordinatorpb::StoreInfo>> GetStores(uint64_t store_id) = 0;

  virtual absl::StatusOr<coordinatorpb::StoreHeartbeatResponse> StoreHeartbeat(
      const coordinatorpb::StoreHeartbeatRequest& request) = 0;
  virtual absl::StatusOr<coordinatorpb::RegionHeartbeatResponse> RegionHeartbeat(
      const coordinatorpb::RegionHeartbeatRequest& request) = 0;
  // Publishes a committed split; idempotent.
  virtual absl::Status ReportSplit(uint64_t parent_region_id,
                                   const std::vector<metapb::RegionDescriptor>& regions) = 0;

  // Status of the coordinator at `address` (no redirect): what `nokv coordinator status` shows.
  virtual absl::StatusOr<coordinatorpb::StatusResponse> StatusOf(const std::string& address) = 0;
};

}  // namespace nokv::coordinator
