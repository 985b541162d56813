// The scheduler, deliberately small: leader-transfer hints that spread region leaders evenly
// over the stores. A hint is given in the reply to a region leader's heartbeat when its store
// leads at least two more regions than the least-loaded store holding a voter of the same
// region; the hint names that voter. No hints until most regions have reported (a coordinator
// that just took over would otherwise balance from a half-loaded picture: CLUSTER-PITFALLS §8),
// and at most one per region per interval, so a store that does not act on it is not flooded.
//
// Pure function over its inputs; the caller (RouteTable) holds the lock.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "coordinator/options.h"
#include "meta/state.h"

namespace nokv::coordinator {

// `leaders` counts fresh region leaders per store (including this region's current leader).
// Returns the peer to transfer leadership to, or peer_id 0.
metapb::Peer PickLeaderTransfer(const meta::MetaState& state,
                                const std::map<uint64_t, uint64_t>& leaders, size_t fresh_regions,
                                const metapb::RegionDescriptor& region, const metapb::Peer& leader,
                                const std::vector<metapb::Peer>& pending_peers,
                                const CoordinatorOptions& options);

}  // namespace nokv::coordinator
