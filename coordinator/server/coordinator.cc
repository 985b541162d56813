#include "coordinator/server/coordinator.h"

#include "meta/state_text.h"
#include "src/config/cluster_config.h"
#include "src/util/hash.h"
#include "src/util/str_cat.h"

namespace nokv::coordinator {
namespace {

void SetError(coordinatorpb::ResponseHeader* header, coordinatorpb::ErrorCode code,
              std::string message) {
  header->mutable_error()->set_code(code);
  header->mutable_error()->set_message(std::move(message));
}

bool HasTenure(metapb::AuthorityPhase p) {
  return p == metapb::PHASE_ACTIVE || p == metapb::PHASE_ISSUED || p == metapb::PHASE_COVERED ||
         p == metapb::PHASE_CLOSED;
}

constexpr std::chrono::milliseconds kAllocationWait(1000);

}  // namespace

std::vector<metapb::Event> BootstrapEvents(const configpb::ClusterConfig& config) {
  std::vector<metapb::Event> events;
  for (const auto& s : config.stores()) {
    metapb::Event e;
    e.mutable_store_joined()->mutable_store()->set_store_id(s.store_id());
    e.mutable_store_joined()->mutable_store()->set_address(s.listen_addr());
    events.push_back(std::move(e));
  }
  for (const auto& r : config.regions()) {
    metapb::Event e;
    metapb::RegionBootstrapped* b = e.mutable_region_bootstrapped();
    metapb::RegionDescriptor* d = b->mutable_region();
    d->set_region_id(r.id());
    // The config was validated, so its keys decode.
    d->set_start_key(config::DecodeKey(r.start_key()).value_or(r.start_key()));
    d->set_end_key(config::DecodeKey(r.end_key()).value_or(r.end_key()));
    d->mutable_epoch()->set_version(1);
    d->mutable_epoch()->set_conf_ver(1);
    for (const auto& p : r.peers()) {
      metapb::Peer* peer = d->add_peers();
      peer->set_peer_id(p.peer_id());
      peer->set_store_id(p.store_id());
    }
    b->set_leader_store_id(r.leader_store_id());
    events.push_back(std::move(e));
  }
  metapb::Event done;
  done.mutable_cluster_bootstrapped()->set_cluster_id(Hash64(config.name()) | 1);
  events.push_back(std::move(done));
  return events;
}

Coordinator::Coordinator(uint64_t self_id, const configpb::ClusterConfig& config,
                         meta::MetaStore* meta, Clock* clock, const CoordinatorOptions& options,
                         metrics::Registry* registry, rpc::Logger* log)
    : self_id_(self_id),
      config_(config),
      meta_(meta),
      clock_(clock),
      options_(options),
      log_(log),
      authority_(self_id, meta, clock, options, BootstrapEvents(config)),
      routes_(clock, options) {
  if (registry != nullptr) {
    registry->AddSource("coordinator", "nokv_coordinator_", [this] { return Gauges(); });
  }
}

Coordinator::~Coordinator() { Stop(false); }

std::string Coordinator::AddressOf(uint64_t id) const {
  for (const auto& c : config_.coordinators()) {
    if (c.id() == id) return c.addr();
  }
  return "";
}

void Coordinator::Start() {
  stop_ = false;
  duty_ = std::thread([this] { DutyLoop(); });
}

void Coordinator::Stop(bool step_down) {
  if (duty_.joinable()) {
    stop_ = true;
    authority_.Kick();
    duty_.join();
  }
  if (step_down) {
    const uint64_t era = authority_.held_era();
    authority_.StepDown();
    if (log_ != nullptr) log_->Info("step_down", {{"era", era}});
  }
}

void Coordinator::DutyLoop() {
  std::string last_failure;
  while (!stop_) {
    for (int i = 0; i < 16 && !stop_; ++i) {
      StepResult r = authority_.Step();
      if (r.action == AuthorityAction::kNone) break;
      const bool routine = r.action == AuthorityAction::kRenew ||
                           r.action == AuthorityAction::kFenceTso ||
                           r.action == AuthorityAction::kFenceId;
      if (!r.status.ok()) {
        // Retried every tick; log a failure once until it changes.
        std::string failure = StrCat(AuthorityActionName(r.action), ": ", r.status.ToString());
        if (failure != last_failure && log_ != nullptr) {
          log_->Warn("authority_step_failed", {{"action", AuthorityActionName(r.action)},
                                               {"era", r.era},
                                               {"status", r.status.ToString()}});
        }
        last_failure = std::move(failure);
        break;
      }
      last_failure.clear();
      if (!routine) {
        counters_.transitions++;
        if (log_ != nullptr) {
          log_->Info("authority", {{"action", AuthorityActionName(r.action)}, {"era", r.era}});
        }
      }
    }
    authority_.WaitForWork(std::chrono::milliseconds(options_.duty_tick_ms));
  }
}

void Coordinator::FillHeader(coordinatorpb::ResponseHeader* header,
                             const std::optional<Grant>& grant, const meta::MetaState& state) {
  header->set_responder_id(self_id_);
  header->set_meta_revision(state.revision());
  header->set_sealed_through(state.authority().sealed_through());
  if (grant) {
    header->set_era(grant->era);
    header->set_lease_expires_ms(grant->lease_expires_ms);
  } else {
    // The newest era meta knows: a client seeing it refuses anything older from now on.
    header->set_era(state.authority().top_era());
  }
}

std::optional<Grant> Coordinator::Admit(coordinatorpb::ResponseHeader* header) {
  std::shared_ptr<const meta::MetaState> state = meta_->State();
  std::optional<Grant> grant = authority_.ServingGrant();
  FillHeader(header, grant, *state);
  if (grant) return grant;
  counters_.not_holder++;
  const metapb::AuthorityState& a = state->authority();
  const uint64_t holder = HasTenure(a.phase()) ? a.tenure().holder_id() : 0;
  const bool holder_serves = a.phase() == metapb::PHASE_ACTIVE && holder != self_id_;
  SetError(
      header, coordinatorpb::NOT_HOLDER,
      StrCat("coordinator ", self_id_, " does not hold the tenure (", meta::PhaseName(a.phase()),
             holder != 0 ? StrCat(", holder ", holder) : std::string(), ")"));
  if (holder_serves) {
    header->mutable_error()->set_holder_id(holder);
    header->mutable_error()->set_holder_addr(AddressOf(holder));
  }
  return std::nullopt;
}

absl::Status Coordinator::PublishRegion(const metapb::RegionDescriptor& region) {
  metapb::Event e;
  *e.mutable_region_published()->mutable_region() = region;
  absl::Status s = meta_->Append({e}).status();
  if (s.ok()) counters_.published_regions++;
  return s;
}

absl::Status Coordinator::StoreHeartbeat(const coordinatorpb::StoreHeartbeatRequest& request,
                                         coordinatorpb::StoreHeartbeatResponse* response) {
  if (request.store().store_id() == 0 || request.store().address().empty()) {
    return absl::InvalidArgumentError("StoreHeartbeat: store_id and address are required");
  }
  if (!Admit(response->mutable_header())) return absl::OkStatus();
  std::shared_ptr<const meta::MetaState> state = meta_->State();
  const metapb::Store* known = state->FindStore(request.store().store_id());
  if (known == nullptr || known->address() != request.store().address()) {
    metapb::Event e;
    metapb::Store* s = e.mutable_store_joined()->mutable_store();
    s->set_store_id(request.store().store_id());
    s->set_address(request.store().address());
    absl::Status status = meta_->Append({e}).status();
    if (!status.ok()) {
      SetError(
          response->mutable_header(),
          absl::IsFailedPrecondition(status) ? coordinatorpb::REJECTED : coordinatorpb::NOT_READY,
          std::string(status.message()));
      return absl::OkStatus();
    }
  }
  routes_.RecordStore(request);
  return absl::OkStatus();
}

absl::Status Coordinator::RegionHeartbeat(const coordinatorpb::RegionHeartbeatRequest& request,
                                          coordinatorpb::RegionHeartbeatResponse* response) {
  const metapb::RegionDescriptor& region = request.region();
  bool leader_in_region = false;
  for (const auto& p : region.peers()) {
    leader_in_region |=
        p.peer_id() == request.leader().peer_id() && p.store_id() == request.leader().store_id();
  }
  if (region.region_id() == 0 || !leader_in_region) {
    return absl::InvalidArgumentError(StrCat("RegionHeartbeat: region ", region.region_id(),
                                             ": the leader (peer ", request.leader().peer_id(),
                                             ") must be one of the region's peers"));
  }
  response->set_region_id(region.region_id());
  coordinatorpb::ResponseHeader* header = response->mutable_header();
  if (!Admit(header)) return absl::OkStatus();
  std::shared_ptr<const meta::MetaState> state = meta_->State();
  if (!state->bootstrapped()) {
    SetError(header, coordinatorpb::NOT_READY, "the cluster is not bootstrapped yet");
    return absl::OkStatus();
  }
  switch (ClassifyRegion(*state, region)) {
    case RegionVerdict::kStale: {
      counters_.stale_heartbeats++;
      SetError(header, coordinatorpb::STALE_EPOCH,
               StrCat("region ", region.region_id(), ": epoch ", region.epoch().version(), "/",
                      region.epoch().conf_ver(), " is older than meta's"));
      *header->mutable_error()->mutable_current_region() =
          state->RegionById(region.region_id())->region();
      return absl::OkStatus();
    }
    case RegionVerdict::kUnknown:
      SetError(header, coordinatorpb::REGION_NOT_FOUND,
               StrCat("region ", region.region_id(),
                      " is unknown (new regions are reported with ReportSplit)"));
      return absl::OkStatus();
    case RegionVerdict::kRetired:
      SetError(header, coordinatorpb::REGION_NOT_FOUND,
               StrCat("region ", region.region_id(), " was merged away or tombstoned"));
      return absl::OkStatus();
    case RegionVerdict::kNewer: {
      absl::Status s = PublishRegion(region);
      if (!s.ok()) {
        SetError(
            header,
            absl::IsFailedPrecondition(s) ? coordinatorpb::STALE_EPOCH : coordinatorpb::NOT_READY,
            std::string(s.message()));
        return absl::OkStatus();
      }
      state = meta_->State();
      header->set_meta_revision(state->revision());
      break;
    }
    case RegionVerdict::kCurrent:
      break;
  }
  metapb::Peer hint = routes_.RecordRegion(*state, request);
  if (hint.peer_id() != 0) {
    counters_.leader_hints++;
    *response->mutable_transfer_leader_to() = hint;
  }
  return absl::OkStatus();
}

absl::Status Coordinator::GetRegionByKey(const coordinatorpb::GetRegionByKeyRequest& request,
                                         coordinatorpb::GetRegionResponse* response) {
  coordinatorpb::ResponseHeader* header = response->mutable_header();
  if (!Admit(header)) return absl::OkStatus();
  std::shared_ptr<const meta::MetaState> state = meta_->State();
  const metapb::RegionRecord* record = state->RegionByKey(request.key());
  if (record == nullptr) {
    SetError(header,
             state->bootstrapped() ? coordinatorpb::REGION_NOT_FOUND : coordinatorpb::NOT_READY,
             StrCat("no region holds key \"", config::PrintableKey(request.key()), "\""));
    return absl::OkStatus();
  }
  *response->mutable_region() = routes_.Describe(*record);
  return absl::OkStatus();
}

absl::Status Coordinator::GetRegionById(const coordinatorpb::GetRegionByIdRequest& request,
                                        coordinatorpb::GetRegionResponse* response) {
  coordinatorpb::ResponseHeader* header = response->mutable_header();
  if (!Admit(header)) return absl::OkStatus();
  std::shared_ptr<const meta::MetaState> state = meta_->State();
  const metapb::RegionRecord* record = state->RegionById(request.region_id());
  if (record == nullptr) {
    SetError(header, coordinatorpb::REGION_NOT_FOUND,
             StrCat("region ", request.region_id(),
                    state->IdRetired(request.region_id()) ? " was retired" : " is unknown"));
    return absl::OkStatus();
  }
  *response->mutable_region() = routes_.Describe(*record);
  return absl::OkStatus();
}

absl::Status Coordinator::ScanRegions(const coordinatorpb::ScanRegionsRequest& request,
                                      coordinatorpb::ScanRegionsResponse* response) {
  if (!request.end_key().empty() && request.end_key() <= request.start_key()) {
    return absl::InvalidArgumentError("ScanRegions: end_key must be after start_key");
  }
  if (!Admit(response->mutable_header())) return absl::OkStatus();
  std::shared_ptr<const meta::MetaState> state = meta_->State();
  for (const metapb::RegionRecord* r :
       state->ScanRegions(request.start_key(), request.end_key(), request.limit())) {
    *response->add_regions() = routes_.Describe(*r);
  }
  return absl::OkStatus();
}

absl::Status Coordinator::GetStore(const coordinatorpb::GetStoreRequest& request,
                                   coordinatorpb::GetStoreResponse* response) {
  coordinatorpb::ResponseHeader* header = response->mutable_header();
  if (!Admit(header)) return absl::OkStatus();
  std::shared_ptr<const meta::MetaState> state = meta_->State();
  for (const auto& [id, store] : state->stores()) {
    if (request.store_id() == 0 || request.store_id() == id) {
      *response->add_stores() = routes_.DescribeStore(store);
    }
  }
  if (request.store_id() != 0 && response->stores_size() == 0) {
    SetError(header, coordinatorpb::STORE_NOT_FOUND,
             StrCat("store ", request.store_id(), " is unknown"));
  }
  return absl::OkStatus();
}

absl::Status Coordinator::AllocID(const coordinatorpb::AllocIDRequest& request,
                                  coordinatorpb::AllocIDResponse* response) {
  const uint32_t count = request.count() == 0 ? 1 : request.count();
  if (count > kMaxIdCount) {
    return absl::InvalidArgumentError(StrCat("AllocID: count ", count, " exceeds ", kMaxIdCount));
  }
  coordinatorpb::ResponseHeader* header = response->mutable_header();
  if (!Admit(header)) return absl::OkStatus();
  auto ids = authority_.AllocateIds(count, kAllocationWait);
  if (!ids.ok()) {
    SetError(header, coordinatorpb::NOT_READY, std::string(ids.status().message()));
    return absl::OkStatus();
  }
  header->set_era(ids->second.era);
  header->set_lease_expires_ms(ids->second.lease_expires_ms);
  response->set_first_id(ids->first);
  response->set_count(count);
  counters_.ids_served += count;
  return absl::OkStatus();
}

absl::Status Coordinator::Tso(const coordinatorpb::TsoRequest& request,
                              coordinatorpb::TsoResponse* response) {
  const uint32_t count = request.count() == 0 ? 1 : request.count();
  if (count > kMaxTsoCount) {
    return absl::InvalidArgumentError(StrCat("Tso: count ", count, " exceeds ", kMaxTsoCount));
  }
  coordinatorpb::ResponseHeader* header = response->mutable_header();
  if (!Admit(header)) return absl::OkStatus();
  auto ts = authority_.AllocateTso(count, kAllocationWait);
  if (!ts.ok()) {
    SetError(header, coordinatorpb::NOT_READY, std::string(ts.status().message()));
    return absl::OkStatus();
  }
  header->set_era(ts->second.era);
  header->set_lease_expires_ms(ts->second.lease_expires_ms);
  response->set_first_ts(ts->first);
  response->set_count(count);
  counters_.tso_served += count;
  return absl::OkStatus();
}

absl::Status Coordinator::ReportSplit(const coordinatorpb::ReportSplitRequest& request,
                                      coordinatorpb::ReportSplitResponse* response) {
  if (request.regions_size() < 2) {
    return absl::InvalidArgumentError("ReportSplit: a split yields at least two regions");
  }
  coordinatorpb::ResponseHeader* header = response->mutable_header();
  if (!Admit(header)) return absl::OkStatus();
  std::shared_ptr<const meta::MetaState> state = meta_->State();
  // A retried report of a split meta already holds succeeds again.
  bool already = true;
  for (const auto& r : request.regions()) {
    const metapb::RegionRecord* have = state->RegionById(r.region_id());
    already &= have != nullptr && meta::EpochEqual(have->region().epoch(), r.epoch()) &&
               have->region().start_key() == r.start_key() &&
               have->region().end_key() == r.end_key();
  }
  if (already) return absl::OkStatus();
  metapb::Event e;
  e.mutable_region_split()->set_parent_region_id(request.parent_region_id());
  for (const auto& r : request.regions()) *e.mutable_region_split()->add_regions() = r;
  absl::Status s = meta_->Append({e}).status();
  if (!s.ok()) {
    SetError(header,
             absl::IsFailedPrecondition(s) ? coordinatorpb::REJECTED : coordinatorpb::NOT_READY,
             std::string(s.message()));
    return absl::OkStatus();
  }
  counters_.splits++;
  header->set_meta_revision(meta_->State()->revision());
  return absl::OkStatus();
}

absl::Status Coordinator::Status(const coordinatorpb::StatusRequest&,
                                 coordinatorpb::StatusResponse* response) {
  std::shared_ptr<const meta::MetaState> state = meta_->State();
  std::optional<Grant> grant = authority_.ServingGrant();
  FillHeader(response->mutable_header(), grant, *state);
  const metapb::AuthorityState& a = state->authority();
  response->set_coordinator_id(self_id_);
  response->set_is_holder(grant.has_value());
  const uint64_t holder = HasTenure(a.phase()) ? a.tenure().holder_id() : 0;
  response->set_holder_id(holder);
  response->set_holder_addr(AddressOf(holder));
  response->set_phase(a.phase());
  response->set_era(HasTenure(a.phase()) ? a.tenure().era() : a.top_era());
  response->set_lease_expires_ms(a.tenure().expires_ms());
  response->set_meta_revision(state->revision());
  response->set_tso_fence(state->tso_fence());
  response->set_id_fence(state->id_fence());
  response->set_region_count(state->regions().size());
  response->set_store_count(state->stores().size());
  response->set_meta_backend(meta_->backend());
  const meta::MetaMembership m = meta_->Membership();
  response->set_meta_leader_id(m.leader_id);
  for (const auto& c : config_.coordinators()) {
    coordinatorpb::MemberStatus* member = response->add_members();
    member->set_id(c.id());
    member->set_addr(c.addr());
    member->set_is_meta_leader(c.id() == m.leader_id);
  }
  response->set_handover_stage(a.handover().stage());
  response->set_sealed_through(a.sealed_through());
  return absl::OkStatus();
}

std::map<std::string, uint64_t> Coordinator::Gauges() const {
  std::shared_ptr<const meta::MetaState> state = meta_->State();
  const Authority::Snapshot snap = authority_.snapshot();
  return {
      {"is_holder", snap.serving ? 1u : 0u},
      {"held_era", snap.held_era},
      {"era", state->authority().top_era()},
      {"sealed_through", state->authority().sealed_through()},
      {"phase", static_cast<uint64_t>(state->authority().phase())},
      {"meta_revision", state->revision()},
      {"tso_fence", state->tso_fence()},
      {"id_fence", state->id_fence()},
      {"regions", state->regions().size()},
      {"stores", state->stores().size()},
      {"fresh_region_heartbeats", routes_.FreshRegionCount()},
      {"tso_served", counters_.tso_served.load()},
      {"ids_served", counters_.ids_served.load()},
      {"not_holder_replies", counters_.not_holder.load()},
      {"stale_heartbeats", counters_.stale_heartbeats.load()},
      {"published_regions", counters_.published_regions.load()},
      {"splits", counters_.splits.load()},
      {"leader_hints", counters_.leader_hints.load()},
      {"authority_transitions", counters_.transitions.load()},
  };
}

}  // namespace nokv::coordinator
