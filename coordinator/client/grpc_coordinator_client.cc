#include "coordinator/client/grpc_coordinator_client.h"

#include <algorithm>

#include "src/rpc/channel.h"
#include "src/rpc/status.h"
#include "src/util/str_cat.h"

namespace nokv::coordinator {
namespace {

absl::Status HeaderError(const coordinatorpb::Error& e) {
  switch (e.code()) {
    case coordinatorpb::ERROR_NONE:
      return absl::OkStatus();
    case coordinatorpb::REGION_NOT_FOUND:
    case coordinatorpb::STORE_NOT_FOUND:
      return absl::NotFoundError(e.message());
    case coordinatorpb::STALE_EPOCH:
    case coordinatorpb::REJECTED:
      return absl::FailedPreconditionError(e.message());
    default:
      return absl::UnavailableError(e.message());
  }
}

}  // namespace

GrpcCoordinatorClient::GrpcCoordinatorClient(CoordinatorClientOptions options)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : Clock::Real()),
      guard_(clock_, options_.max_clock_drift_ms),
      addresses_(options_.addresses) {}

GrpcCoordinatorClient::Stats GrpcCoordinatorClient::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::shared_ptr<coordinatorpb::Coordinator::Stub> GrpcCoordinatorClient::StubFor(
    const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& stub = stubs_[address];
  if (stub == nullptr) stub = coordinatorpb::Coordinator::NewStub(rpc::MakeChannel(address));
  return stub;
}

std::string GrpcCoordinatorClient::Target(size_t attempt) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!preferred_.empty()) return preferred_;
  if (addresses_.empty()) return "";
  return addresses_[attempt % addresses_.size()];
}

void GrpcCoordinatorClient::Redirected(const std::string& from, const std::string& holder_addr) {
  std::lock_guard<std::mutex> lock(mu_);
  ++stats_.redirects;
  if (!holder_addr.empty() && holder_addr != from) {
    preferred_ = holder_addr;
    if (std::find(addresses_.begin(), addresses_.end(), holder_addr) == addresses_.end()) {
      addresses_.push_back(holder_addr);
    }
  } else if (preferred_ == from) {
    preferred_.clear();
  }
}

template <typename Response, typename Attempt>
absl::StatusOr<Response> GrpcCoordinatorClient::Invoke(const char* method, bool allocator,
                                                       Attempt attempt) {
  const uint64_t start = clock_->NowMonotonicMicros();
  const uint64_t deadline = start + options_.call_deadline.count() * 1000;
  uint64_t backoff_micros = 5000;
  absl::Status last = absl::UnavailableError("no coordinator address");
  for (size_t n = 0;; ++n) {
    const std::string address = Target(n);
    if (address.empty()) return absl::InvalidArgumentError("no coordinator address given");
    Response response;
    grpc::ClientContext context;
    rpc::SetTimeout(&context, options_.rpc_timeout);
    grpc::Status g = attempt(StubFor(address).get(), &context, &response);
    bool retry_now = false;
    if (!g.ok()) {
      absl::Status s = rpc::FromGrpcStatus(g, StrCat(method, " to ", address));
      if (s.code() == absl::StatusCode::kInvalidArgument) return s;
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.transport_errors;
      if (preferred_ == address) preferred_.clear();
      // A channel that failed to connect backs off for seconds before trying again (gRPC's
      // reconnect backoff), even once the coordinator is back; a new channel connects at once.
      stubs_.erase(address);
      last = s;
    } else if (response.header().error().code() == coordinatorpb::NOT_HOLDER) {
      guard_.Observe(response.header());
      Redirected(address, response.header().error().holder_addr());
      last = absl::UnavailableError(
          StrCat(method, " to ", address, ": ", response.header().error().message()));
      retry_now = !response.header().error().holder_addr().empty() &&
                  response.header().error().holder_addr() != address;
    } else if (response.header().error().code() == coordinatorpb::NOT_READY) {
      guard_.Observe(response.header());
      last = absl::UnavailableError(
          StrCat(method, " to ", address, ": ", response.header().error().message()));
    } else {
      absl::Status admitted = guard_.Admit(response.header(), allocator);
      if (admitted.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        preferred_ = address;
        return response;
      }
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.refused;
      if (preferred_ == address) preferred_.clear();
      last = admitted;
    }
    const uint64_t now = clock_->NowMonotonicMicros();
    if (now >= deadline) {
      return absl::DeadlineExceededError(StrCat(method, ": no coordinator answered within ",
                                                options_.call_deadline.count(),
                                                " ms; last: ", last.message()));
    }
    if (!retry_now) {
      clock_->SleepForMicros(std::min(backoff_micros, deadline - now));
      backoff_micros = std::min<uint64_t>(backoff_micros * 2, 100000);
    }
  }
}

absl::StatusOr<coordinatorpb::TsoResponse> GrpcCoordinatorClient::TsoWithHeader(uint32_t count) {
  coordinatorpb::TsoRequest request;
  request.set_count(count);
  return Invoke<coordinatorpb::TsoResponse>("Tso", true, [&](auto* stub, auto* ctx, auto* resp) {
    return stub->Tso(ctx, request, resp);
  });
}

absl::StatusOr<uint64_t> GrpcCoordinatorClient::Tso(uint32_t count) {
  auto r = TsoWithHeader(count);
  if (!r.ok()) return r.status();
  return r->first_ts();
}

absl::StatusOr<coordinatorpb::AllocIDResponse> GrpcCoordinatorClient::AllocIdWithHeader(
    uint32_t count) {
  coordinatorpb::AllocIDRequest request;
  request.set_count(count);
  return Invoke<coordinatorpb::AllocIDResponse>(
      "AllocID", true,
      [&](auto* stub, auto* ctx, auto* resp) { return stub->AllocID(ctx, request, resp); });
}

absl::StatusOr<uint64_t> GrpcCoordinatorClient::AllocId(uint32_t count) {
  auto r = AllocIdWithHeader(count);
  if (!r.ok()) return r.status();
  return r->first_id();
}

absl::StatusOr<coordinatorpb::RegionInfo> GrpcCoordinatorClient::GetRegionByKey(
    std::string_view key) {
  coordinatorpb::GetRegionByKeyRequest request;
  request.set_key(std::string(key));
  auto r = Invoke<coordinatorpb::GetRegionResponse>(
      "GetRegionByKey", false,
      [&](auto* stub, auto* ctx, auto* resp) { return stub->GetRegionByKey(ctx, request, resp); });
  if (!r.ok()) return r.status();
  if (absl::Status s = HeaderError(r->header().error()); !s.ok()) return s;
  return r->region();
}

absl::StatusOr<coordinatorpb::RegionInfo> GrpcCoordinatorClient::GetRegionById(uint64_t region_id) {
  coordinatorpb::GetRegionByIdRequest request;
  request.set_region_id(region_id);
  auto r = Invoke<coordinatorpb::GetRegionResponse>(
      "GetRegionById", false,
      [&](auto* stub, auto* ctx, auto* resp) { return stub->GetRegionById(ctx, request, resp); });
  if (!r.ok()) return r.status();
  if (absl::Status s = HeaderError(r->header().error()); !s.ok()) return s;
  return r->region();
}

absl::StatusOr<std::vector<coordinatorpb::RegionInfo>> GrpcCoordinatorClient::ScanRegions(
    std::string_view start, std::string_view end, uint32_t limit) {
  coordinatorpb::ScanRegionsRequest request;
  request.set_start_key(std::string(start));
  request.set_end_key(std::string(end));
  request.set_limit(limit);
  auto r = Invoke<coordinatorpb::ScanRegionsResponse>(
      "ScanRegions", false,
      [&](auto* stub, auto* ctx, auto* resp) { return stub->ScanRegions(ctx, request, resp); });
  if (!r.ok()) return r.status();
  if (absl::Status s = HeaderError(r->header().error()); !s.ok()) return s;
  return std::vector<coordinatorpb::RegionInfo>(r->regions().begin(), r->regions().end());
}

absl::StatusOr<std::vector<coordinatorpb::StoreInfo>> GrpcCoordinatorClient::GetStores(
    uint64_t store_id) {
  coordinatorpb::GetStoreRequest request;
  request.set_store_id(store_id);
  auto r = Invoke<coordinatorpb::GetStoreResponse>(
      "GetStore", false,
      [&](auto* stub, auto* ctx, auto* resp) { return stub->GetStore(ctx, request, resp); });
  if (!r.ok()) return r.status();
  if (absl::Status s = HeaderError(r->header().error()); !s.ok()) return s;
  return std::vector<coordinatorpb::StoreInfo>(r->stores().begin(), r->stores().end());
}

absl::StatusOr<coordinatorpb::StoreHeartbeatResponse> GrpcCoordinatorClient::StoreHeartbeat(
    const coordinatorpb::StoreHeartbeatRequest& request) {
  return Invoke<coordinatorpb::StoreHeartbeatResponse>(
      "StoreHeartbeat", false,
      [&](auto* stub, auto* ctx, auto* resp) { return stub->StoreHeartbeat(ctx, request, resp); });
}

absl::StatusOr<coordinatorpb::RegionHeartbeatResponse> GrpcCoordinatorClient::RegionHeartbeat(
    const coordinatorpb::RegionHeartbeatRequest& request) {
  return Invoke<coordinatorpb::RegionHeartbeatResponse>(
      "RegionHeartbeat", false,
      [&](auto* stub, auto* ctx, auto* resp) { return stub->RegionHeartbeat(ctx, request, resp); });
}

absl::Status GrpcCoordinatorClient::ReportSplit(
    uint64_t parent_region_id, const std::vector<metapb::RegionDescriptor>& regions) {
  coordinatorpb::ReportSplitRequest request;
  request.set_parent_region_id(parent_region_id);
  for (const auto& r : regions) *request.add_regions() = r;
  auto r = Invoke<coordinatorpb::ReportSplitResponse>(
      "ReportSplit", false,
      [&](auto* stub, auto* ctx, auto* resp) { return stub->ReportSplit(ctx, request, resp); });
  if (!r.ok()) return r.status();
  return HeaderError(r->header().error());
}

absl::StatusOr<coordinatorpb::StatusResponse> GrpcCoordinatorClient::StatusOf(
    const std::string& address) {
  coordinatorpb::StatusResponse response;
  grpc::ClientContext context;
  rpc::SetTimeout(&context, options_.rpc_timeout);
  grpc::Status g = StubFor(address)->Status(&context, coordinatorpb::StatusRequest(), &response);
  if (!g.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    stubs_.erase(address);  // see Invoke: reconnect with a fresh channel
    return rpc::FromGrpcStatus(g, StrCat("Status to ", address));
  }
  return response;
}

}  // namespace nokv::coordinator
