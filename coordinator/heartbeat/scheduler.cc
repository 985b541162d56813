#include "coordinator/heartbeat/scheduler.h"

#include <vector>

namespace nokv::coordinator {

metapb::Peer PickLeaderTransfer(const meta::MetaState& state,
                                const std::map<uint64_t, uint64_t>& leaders, size_t fresh_regions,
                                const metapb::RegionDescriptor& region, const metapb::Peer& leader,
                                const std::vector<metapb::Peer>& pending_peers,
                                const CoordinatorOptions& options) {
  const size_t total = state.regions().size();
  if (total == 0 || static_cast<double>(fresh_regions) < options.hint_min_coverage * total) {
    return {};
  }
  auto count = [&](uint64_t store_id) {
    auto it = leaders.find(store_id);
    return it == leaders.end() ? uint64_t{0} : it->second;
  };
  const uint64_t mine = count(leader.store_id());
  metapb::Peer best;
  uint64_t best_count = mine;
  for (const auto& p : region.peers()) {
    if (p.peer_id() == leader.peer_id() || p.is_learner()) continue;
    bool pending = false;
    for (const auto& q : pending_peers) pending |= q.peer_id() == p.peer_id();
    const metapb::Store* store = state.FindStore(p.store_id());
    if (pending || store == nullptr || store->state() != metapb::STORE_UP) continue;
    const uint64_t c = count(p.store_id());
    if (c < best_count) {
      best = p;
      best_count = c;
    }
  }
  // A difference of one is as even as it gets; moving then would only swap the imbalance.
  if (best.peer_id() == 0 || mine < best_count + 2) return {};
  return best;
}

}  // namespace nokv::coordinator
