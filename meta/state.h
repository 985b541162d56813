// MetaState: the deterministic fold of meta's event log. Every replica (the local file, each
// member of the replicated group, a coordinator's view) computes the same state from the same
// batches, because ApplyBatch depends on nothing but the state and the batch: no clock, no
// randomness, no I/O.
//
// ApplyBatch is also the validator: it checks each event against the state the earlier events
// of the batch produced, and applies all of them or none. What it forbids is the state
// machine's contract (docs/meta.md lists every rule); the main ones:
//   topology   regions stay disjoint; a descriptor is replaced only by a newer epoch; splits
//              cover their parent exactly; peers live on known stores; ids are never reused;
//   allocators fences only grow, and only the active era (phase ACTIVE) may move them;
//   authority  the stages of spec/Succession.tla: Bootstrap/Issue/Seal/Abandon/Cover/Close/
//              Reattach, with inheritance of frontiers, the lineage digest and lease-start
//              coverage checked on Issue.
//
// Thread-safety: none; a MetaState is a value. Backends publish immutable copies.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "meta/meta.pb.h"

namespace nokv::meta {

// a is older than b: either part of the epoch is smaller.
bool EpochOlder(const metapb::RegionEpoch& a, const metapb::RegionEpoch& b);
bool EpochEqual(const metapb::RegionEpoch& a, const metapb::RegionEpoch& b);
// Whether [a_start, a_end) and [b_start, b_end) intersect (empty end = +infinity).
bool RangesOverlap(std::string_view a_start, std::string_view a_end, std::string_view b_start,
                   std::string_view b_end);
// The event's kind as named in meta.proto ("tenure_issued"), "empty" if unset.
std::string EventName(const metapb::Event& event);
// Digest of a legacy (the proof a successor read exactly this sealed lineage).
std::string LegacyDigest(const metapb::Legacy& legacy);

class MetaState {
 public:
  MetaState() = default;

  // Rebuilds a state from its checkpoint, checking the invariants the fold maintains (regions
  // disjoint, ids unique, authority consistent). DataLoss naming the violation otherwise.
  static absl::StatusOr<MetaState> FromProto(const metapb::MetaState& proto);
  metapb::MetaState ToProto() const;

  // Validates and applies `batch`, whose revision must be revision() + 1. On rejection returns
  // FailedPrecondition "event <i> (<kind>): <why>" and leaves the state unchanged.
  absl::Status ApplyBatch(const metapb::EventBatch& batch);
  // Validates `events` as ApplyBatch would, without changing anything.
  absl::Status Check(const std::vector<metapb::Event>& events) const;

  uint64_t revision() const { return revision_; }
  bool bootstrapped() const { return bootstrapped_; }
  uint64_t cluster_id() const { return cluster_id_; }
  uint64_t id_fence() const { return id_fence_; }
  uint64_t tso_fence() const { return tso_fence_; }
  uint64_t max_id() const { return max_id_; }
  const metapb::AuthorityState& authority() const { return authority_; }

  const std::map<uint64_t, metapb::Store>& stores() const { return stores_; }
  const metapb::Store* FindStore(uint64_t store_id) const;
  // Regions by start key.
  const std::map<std::string, metapb::RegionRecord>& regions() const { return regions_; }
  const metapb::RegionRecord* RegionById(uint64_t region_id) const;
  // The region whose range holds `key`; nullptr in a gap.
  const metapb::RegionRecord* RegionByKey(std::string_view key) const;
  // Regions intersecting [start, end) (empty end = +infinity) in key order, at most `limit`
  // (0 = all).
  std::vector<const metapb::RegionRecord*> ScanRegions(std::string_view start, std::string_view end,
                                                       size_t limit) const;
  bool IdRetired(uint64_t id) const { return retired_ids_.count(id) > 0; }
  const std::map<std::pair<uint64_t, uint64_t>, metapb::PeerChange>& pending_peer_changes() const {
    return pending_peer_changes_;
  }
  // The frontiers the active era has reached (what a seal records).
  metapb::Frontiers CurrentFrontiers() const;

 private:
  // Validates one event against this state and applies it; unchanged on error.
  absl::Status Apply(const metapb::Event& event);

  absl::Status ApplyStoreJoined(const metapb::StoreJoined& e);
  absl::Status ApplyStoreRetired(const metapb::StoreRetired& e);
  absl::Status ApplyRegionBootstrapped(const metapb::RegionBootstrapped& e);
  absl::Status ApplyClusterBootstrapped(const metapb::ClusterBootstrapped& e);
  absl::Status ApplyRegionPublished(const metapb::RegionDescriptorPublished& e);
  absl::Status ApplyRegionSplit(const metapb::RegionSplit& e);
  absl::Status ApplyRegionMerged(const metapb::RegionMerged& e);
  absl::Status ApplyRegionTombstoned(const metapb::RegionTombstoned& e);
  absl::Status ApplyPeerChange(const metapb::PeerChange& e);
  absl::Status ApplyIdFenced(const metapb::IdAllocatorFenced& e);
  absl::Status ApplyTsoFenced(const metapb::TsoFenced& e);
  // Authority (meta/authority_fold.cc).
  absl::Status ApplyTenureIssued(const metapb::TenureIssued& e);
  absl::Status ApplyTenureRenewed(const metapb::TenureRenewed& e);
  absl::Status ApplyTenureSealed(const metapb::TenureSealed& e);
  absl::Status ApplyHandoverStaged(const metapb::HandoverStaged& e);

  // Checks a descriptor's own shape and its peers against the stores (not its neighbours).
  absl::Status CheckDescriptor(const metapb::RegionDescriptor& region) const;
  // Region and peer ids of `region` must not belong to another region (or a retired one).
  absl::Status CheckIdsFree(const metapb::RegionDescriptor& region, uint64_t except_region) const;
  // The live region (other than `except`) overlapping [start, end), or nullptr.
  const metapb::RegionRecord* FirstOverlap(std::string_view start, std::string_view end,
                                           uint64_t except) const;
  void PutRegion(metapb::RegionRecord record);
  // Removes a region; its id and its peers' ids are retired.
  void RemoveRegion(uint64_t region_id);
  void NoteIds(const metapb::RegionDescriptor& region);

  uint64_t revision_ = 0;
  bool bootstrapped_ = false;
  uint64_t cluster_id_ = 0;
  std::map<uint64_t, metapb::Store> stores_;
  std::map<std::string, metapb::RegionRecord> regions_;  // by start key
  std::map<uint64_t, std::string> region_starts_;        // region id -> start key
  std::map<uint64_t, uint64_t> peer_regions_;            // peer id -> region id
  std::map<std::pair<uint64_t, uint64_t>, metapb::PeerChange> pending_peer_changes_;
  std::set<uint64_t> retired_ids_;  // region and peer ids no longer in use
  uint64_t id_fence_ = 0;
  uint64_t tso_fence_ = 0;
  uint64_t max_id_ = 0;
  metapb::AuthorityState authority_;
};

}  // namespace nokv::meta
