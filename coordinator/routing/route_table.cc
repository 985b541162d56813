#include "coordinator/routing/route_table.h"

#include "coordinator/heartbeat/scheduler.h"

namespace nokv::coordinator {

RegionVerdict ClassifyRegion(const meta::MetaState& state,
                             const metapb::RegionDescriptor& reported) {
  const metapb::RegionRecord* record = state.RegionById(reported.region_id());
  if (record == nullptr) {
    return state.IdRetired(reported.region_id()) ? RegionVerdict::kRetired
                                                 : RegionVerdict::kUnknown;
  }
  const metapb::RegionDescriptor& current = record->region();
  if (meta::EpochEqual(reported.epoch(), current.epoch())) {
    return reported.start_key() == current.start_key() && reported.end_key() == current.end_key()
               ? RegionVerdict::kCurrent
               : RegionVerdict::kStale;
  }
  if (meta::EpochOlder(reported.epoch(), current.epoch())) return RegionVerdict::kStale;
  return RegionVerdict::kNewer;
}

RouteTable::RouteTable(Clock* clock, const CoordinatorOptions& options)
    : clock_(clock), options_(options) {}

bool RouteTable::FreshLocked(bool reported, uint64_t at_micros, uint64_t now) const {
  return reported && now - at_micros <= options_.heartbeat_stale_ms * 1000;
}

metapb::Peer RouteTable::RecordRegion(const meta::MetaState& state,
                                      const coordinatorpb::RegionHeartbeatRequest& request) {
  const uint64_t now = clock_->NowMonotonicMicros();
  std::lock_guard<std::mutex> lock(mu_);
  RegionHeartbeatInfo& info = regions_[request.region().region_id()];
  // A heartbeat from an older term than the one recorded is a deposed leader's late report.
  if (FreshLocked(info.reported, info.at_micros, now) &&
      meta::EpochEqual(info.epoch, request.region().epoch()) && request.term() < info.term) {
    return {};
  }
  info.leader = request.leader();
  info.term = request.term();
  info.epoch = request.region().epoch();
  info.approximate_size = request.approximate_size();
  info.approximate_keys = request.approximate_keys();
  info.pending_peers.assign(request.pending_peers().begin(), request.pending_peers().end());
  info.reported = true;
  info.at_micros = now;

  std::map<uint64_t, uint64_t> leaders;
  size_t fresh = 0;
  for (auto it = regions_.begin(); it != regions_.end();) {
    if (state.RegionById(it->first) == nullptr) {
      it = regions_.erase(it);  // merged away or tombstoned
      continue;
    }
    if (FreshLocked(it->second.reported, it->second.at_micros, now)) {
      ++fresh;
      ++leaders[it->second.leader.store_id()];
    }
    ++it;
  }
  if (info.hinted && now - info.last_hint_micros < options_.hint_interval_ms * 1000) return {};
  metapb::Peer hint = PickLeaderTransfer(state, leaders, fresh, request.region(), request.leader(),
                                         info.pending_peers, options_);
  if (hint.peer_id() != 0) {
    info.hinted = true;
    info.last_hint_micros = now;
    // Count the move as done for the hints that follow, so one round of heartbeats does not
    // send every region to the same store; the next heartbeat reports where the leader is.
    info.leader = hint;
  }
  return hint;
}

void RouteTable::RecordStore(const coordinatorpb::StoreHeartbeatRequest& request) {
  std::lock_guard<std::mutex> lock(mu_);
  StoreHeartbeatInfo& info = stores_[request.store().store_id()];
  info.reported = true;
  info.at_micros = clock_->NowMonotonicMicros();
  info.region_count = request.region_count();
  info.leader_count = request.leader_count();
}

coordinatorpb::RegionInfo RouteTable::Describe(const metapb::RegionRecord& record) const {
  coordinatorpb::RegionInfo out;
  *out.mutable_region() = record.region();
  out.set_configured_leader_store_id(record.leader_store_id());
  const uint64_t now = clock_->NowMonotonicMicros();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = regions_.find(record.region().region_id());
  if (it != regions_.end() && FreshLocked(it->second.reported, it->second.at_micros, now) &&
      meta::EpochEqual(it->second.epoch, record.region().epoch())) {
    *out.mutable_leader() = it->second.leader;
    out.set_heartbeat_age_ms((now - it->second.at_micros) / 1000);
    out.set_approximate_size(it->second.approximate_size);
    out.set_approximate_keys(it->second.approximate_keys);
  }
  return out;
}

coordinatorpb::StoreInfo RouteTable::DescribeStore(const metapb::Store& store) const {
  coordinatorpb::StoreInfo out;
  *out.mutable_store() = store;
  const uint64_t now = clock_->NowMonotonicMicros();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stores_.find(store.store_id());
  if (it != stores_.end()) {
    out.set_heartbeat_age_ms((now - it->second.at_micros) / 1000);
    out.set_alive(FreshLocked(it->second.reported, it->second.at_micros, now));
    out.set_region_count(it->second.region_count);
    out.set_leader_count(it->second.leader_count);
  }
  return out;
}

size_t RouteTable::FreshRegionCount() const {
  const uint64_t now = clock_->NowMonotonicMicros();
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [id, info] : regions_) n += FreshLocked(info.reported, info.at_micros, now);
  return n;
}

}  // namespace nokv::coordinator
