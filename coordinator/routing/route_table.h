// RouteTable: the routing view of the coordinator, a fold of meta (region descriptors, stores)
// plus what heartbeats add (the leader, sizes, pending peers, liveness) with their freshness.
//
// A region heartbeat is classified against meta first (ClassifyRegion): an older epoch is
// stale and refused with meta's descriptor; a newer one is published to meta by the caller
// (which evicts older overlapping regions); only a heartbeat whose epoch equals meta's updates
// the leader. So a report from before a split or merge never overwrites a newer route
// (CLUSTER-PITFALLS §8).
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "coordinator/coordinator.pb.h"
#include "coordinator/options.h"
#include "meta/state.h"
#include "src/util/clock.h"

namespace nokv::coordinator {

enum class RegionVerdict {
  kCurrent,  // same epoch and range as meta
  kNewer,    // newer epoch: publish it
  kStale,    // older epoch (or not newer and different): refuse
  kUnknown,  // no such region in meta (new regions come from ReportSplit)
  kRetired,  // the region was merged away or tombstoned
};
RegionVerdict ClassifyRegion(const meta::MetaState& state,
                             const metapb::RegionDescriptor& reported);

struct RegionHeartbeatInfo {
  metapb::Peer leader;
  uint64_t term = 0;
  metapb::RegionEpoch epoch;
  uint64_t approximate_size = 0;
  uint64_t approximate_keys = 0;
  std::vector<metapb::Peer> pending_peers;
  bool reported = false;
  uint64_t at_micros = 0;  // monotonic time of the heartbeat
  bool hinted = false;
  uint64_t last_hint_micros = 0;  // last leader-transfer hint for this region
};

struct StoreHeartbeatInfo {
  bool reported = false;
  uint64_t at_micros = 0;
  uint64_t region_count = 0;
  uint64_t leader_count = 0;
};

class RouteTable {
 public:
  RouteTable(Clock* clock, const CoordinatorOptions& options);

  // Records a heartbeat whose epoch equals meta's (the caller classified it). Returns the
  // leader-transfer hint for this region, if the scheduler wants one (peer_id 0 = none).
  metapb::Peer RecordRegion(const meta::MetaState& state,
                            const coordinatorpb::RegionHeartbeatRequest& request);
  void RecordStore(const coordinatorpb::StoreHeartbeatRequest& request);

  // Meta's record merged with the freshest heartbeat of the same epoch.
  coordinatorpb::RegionInfo Describe(const metapb::RegionRecord& record) const;
  coordinatorpb::StoreInfo DescribeStore(const metapb::Store& store) const;
  // Regions with a fresh heartbeat (those the scheduler sees).
  size_t FreshRegionCount() const;

 private:
  bool FreshLocked(bool reported, uint64_t at_micros, uint64_t now) const;

  Clock* const clock_;
  const CoordinatorOptions options_;
  mutable std::mutex mu_;
  std::map<uint64_t, RegionHeartbeatInfo> regions_;  // by region id
  std::map<uint64_t, StoreHeartbeatInfo> stores_;    // by store id
};

}  // namespace nokv::coordinator
