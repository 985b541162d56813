#include "meta/state.h"

#include <algorithm>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "meta/state_text.h"
#include "src/config/cluster_config.h"
#include "src/util/hash.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv::meta {

using config::PrintableKey;

namespace {

absl::Status Reject(std::string message) {
  return absl::FailedPreconditionError(std::move(message));
}

std::string Key(std::string_view key) { return StrCat("\"", PrintableKey(key), "\""); }
std::string End(std::string_view key) { return key.empty() ? "+inf" : Key(key); }
std::string Range(std::string_view start, std::string_view end) {
  return StrCat("[", Key(start), ", ", End(end), ")");
}
std::string EpochText(const metapb::RegionEpoch& e) {
  return StrCat("{version ", e.version(), ", conf_ver ", e.conf_ver(), "}");
}

bool HasPeer(const metapb::RegionDescriptor& region, uint64_t peer_id) {
  for (const auto& p : region.peers()) {
    if (p.peer_id() == peer_id) return true;
  }
  return false;
}

}  // namespace

bool EpochOlder(const metapb::RegionEpoch& a, const metapb::RegionEpoch& b) {
  return a.version() < b.version() || a.conf_ver() < b.conf_ver();
}

bool EpochEqual(const metapb::RegionEpoch& a, const metapb::RegionEpoch& b) {
  return a.version() == b.version() && a.conf_ver() == b.conf_ver();
}

bool RangesOverlap(std::string_view a_start, std::string_view a_end, std::string_view b_start,
                   std::string_view b_end) {
  const bool a_before_b = !a_end.empty() && a_end <= b_start;
  const bool b_before_a = !b_end.empty() && b_end <= a_start;
  return !a_before_b && !b_before_a;
}

std::string EventName(const metapb::Event& event) {
  if (event.kind_case() == metapb::Event::KIND_NOT_SET) return "empty";
  return event.GetDescriptor()->FindFieldByNumber(event.kind_case())->name();
}

std::string LegacyDigest(const metapb::Legacy& legacy) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    legacy.SerializeToCodedStream(&out);
  }
  std::string digest;
  const uint64_t h = Hash64(bytes, 0x6c696e65616765ULL);  // "lineage"
  for (int i = 0; i < 8; ++i) digest.push_back(static_cast<char>(h >> (8 * i)));
  return digest;
}

// ---- lookups -------------------------------------------------------------------------------

const metapb::Store* MetaState::FindStore(uint64_t store_id) const {
  auto it = stores_.find(store_id);
  return it == stores_.end() ? nullptr : &it->second;
}

const metapb::RegionRecord* MetaState::RegionById(uint64_t region_id) const {
  auto it = region_starts_.find(region_id);
  if (it == region_starts_.end()) return nullptr;
  return &regions_.at(it->second);
}

const metapb::RegionRecord* MetaState::RegionByKey(std::string_view key) const {
  auto it = regions_.upper_bound(std::string(key));
  if (it == regions_.begin()) return nullptr;
  --it;
  const std::string& end = it->second.region().end_key();
  if (!end.empty() && end <= key) return nullptr;
  return &it->second;
}

std::vector<const metapb::RegionRecord*> MetaState::ScanRegions(std::string_view start,
                                                                std::string_view end,
                                                                size_t limit) const {
  std::vector<const metapb::RegionRecord*> out;
  auto it = regions_.upper_bound(std::string(start));
  if (it != regions_.begin()) {
    auto prev = std::prev(it);
    const std::string& prev_end = prev->second.region().end_key();
    if (prev_end.empty() || prev_end > start) it = prev;
  }
  for (; it != regions_.end(); ++it) {
    if (!end.empty() && it->first >= end) break;
    out.push_back(&it->second);
    if (limit != 0 && out.size() >= limit) break;
  }
  return out;
}

const metapb::RegionRecord* MetaState::FirstOverlap(std::string_view start, std::string_view end,
                                                    uint64_t except) const {
  for (const metapb::RegionRecord* r : ScanRegions(start, end, 0)) {
    if (r->region().region_id() != except) return r;
  }
  return nullptr;
}

metapb::Frontiers MetaState::CurrentFrontiers() const {
  metapb::Frontiers f;
  f.set_tso_fence(tso_fence_);
  f.set_id_fence(id_fence_);
  f.set_descriptor_revision(revision_);
  f.set_served_read_ts(tso_fence_);
  return f;
}

// ---- mutation helpers ------------------------------------------------------------------------

void MetaState::NoteIds(const metapb::RegionDescriptor& region) {
  max_id_ = std::max(max_id_, region.region_id());
  for (const auto& p : region.peers()) max_id_ = std::max(max_id_, p.peer_id());
}

void MetaState::PutRegion(metapb::RegionRecord record) {
  const uint64_t id = record.region().region_id();
  auto old = region_starts_.find(id);
  if (old != region_starts_.end()) {
    for (const auto& p : regions_.at(old->second).region().peers()) {
      // Peers dropped by this descriptor are retired; kept ones are re-registered below.
      peer_regions_.erase(p.peer_id());
      if (!HasPeer(record.region(), p.peer_id())) retired_ids_.insert(p.peer_id());
    }
    regions_.erase(old->second);
  }
  NoteIds(record.region());
  for (const auto& p : record.region().peers()) peer_regions_[p.peer_id()] = id;
  region_starts_[id] = record.region().start_key();
  std::string start = record.region().start_key();
  regions_[start] = std::move(record);
}

void MetaState::RemoveRegion(uint64_t region_id) {
  auto it = region_starts_.find(region_id);
  if (it == region_starts_.end()) return;
  for (const auto& p : regions_.at(it->second).region().peers()) {
    peer_regions_.erase(p.peer_id());
    retired_ids_.insert(p.peer_id());
  }
  regions_.erase(it->second);
  region_starts_.erase(it);
  retired_ids_.insert(region_id);
  for (auto pc = pending_peer_changes_.begin(); pc != pending_peer_changes_.end();) {
    pc = pc->first.first == region_id ? pending_peer_changes_.erase(pc) : std::next(pc);
  }
}

// ---- checks ----------------------------------------------------------------------------------

absl::Status MetaState::CheckDescriptor(const metapb::RegionDescriptor& region) const {
  const std::string name = StrCat("region ", region.region_id());
  if (region.region_id() == 0) return Reject("region id must be > 0");
  if (!region.end_key().empty() && region.end_key() <= region.start_key()) {
    return Reject(StrCat(name, ": empty range ", Range(region.start_key(), region.end_key())));
  }
  if (region.peers_size() == 0) return Reject(StrCat(name, ": no peers"));
  std::set<uint64_t> peer_ids;
  std::set<uint64_t> store_ids;
  for (const auto& p : region.peers()) {
    if (p.peer_id() == 0) return Reject(StrCat(name, ": peer id must be > 0"));
    if (p.peer_id() == region.region_id()) {
      return Reject(StrCat(name, ": peer id ", p.peer_id(), " equals the region id"));
    }
    if (!peer_ids.insert(p.peer_id()).second) {
      return Reject(StrCat(name, ": peer ", p.peer_id(), " listed twice"));
    }
    const metapb::Store* store = FindStore(p.store_id());
    if (store == nullptr) {
      return Reject(StrCat(name, ": peer ", p.peer_id(), " is on unknown store ", p.store_id()));
    }
    if (store->state() == metapb::STORE_RETIRED) {
      return Reject(StrCat(name, ": peer ", p.peer_id(), " is on retired store ", p.store_id()));
    }
    if (!store_ids.insert(p.store_id()).second) {
      return Reject(StrCat(name, ": two peers on store ", p.store_id()));
    }
  }
  return absl::OkStatus();
}

absl::Status MetaState::CheckIdsFree(const metapb::RegionDescriptor& region,
                                     uint64_t except_region) const {
  const uint64_t id = region.region_id();
  if (id != except_region) {
    if (retired_ids_.count(id) > 0) return Reject(StrCat("region id ", id, " was retired"));
    if (region_starts_.count(id) > 0) return Reject(StrCat("region ", id, " already exists"));
    if (peer_regions_.count(id) > 0) {
      return Reject(StrCat("region id ", id, " is peer ", id, " of region ", peer_regions_.at(id)));
    }
  }
  for (const auto& p : region.peers()) {
    if (retired_ids_.count(p.peer_id()) > 0) {
      return Reject(StrCat("region ", id, ": peer id ", p.peer_id(), " was retired"));
    }
    if (region_starts_.count(p.peer_id()) > 0) {
      return Reject(StrCat("region ", id, ": peer id ", p.peer_id(), " is a region id"));
    }
    auto owner = peer_regions_.find(p.peer_id());
    if (owner != peer_regions_.end() && owner->second != except_region) {
      return Reject(
          StrCat("region ", id, ": peer ", p.peer_id(), " belongs to region ", owner->second));
    }
  }
  return absl::OkStatus();
}

// ---- events: stores --------------------------------------------------------------------------

absl::Status MetaState::ApplyStoreJoined(const metapb::StoreJoined& e) {
  const metapb::Store& s = e.store();
  if (s.store_id() == 0) return Reject("store id must be > 0");
  if (s.address().empty()) return Reject(StrCat("store ", s.store_id(), ": address is empty"));
  if (s.state() != metapb::STORE_UP) {
    return Reject(StrCat("store ", s.store_id(), ": a joining store must be up"));
  }
  const metapb::Store* old = FindStore(s.store_id());
  if (old != nullptr && old->state() == metapb::STORE_RETIRED) {
    return Reject(StrCat("store ", s.store_id(), " was retired; its id cannot rejoin"));
  }
  for (const auto& [id, other] : stores_) {
    if (id != s.store_id() && other.state() == metapb::STORE_UP && other.address() == s.address()) {
      return Reject(
          StrCat("store ", s.store_id(), ": address ", s.address(), " belongs to store ", id));
    }
  }
  stores_[s.store_id()] = s;
  return absl::OkStatus();
}

absl::Status MetaState::ApplyStoreRetired(const metapb::StoreRetired& e) {
  const metapb::Store* s = FindStore(e.store_id());
  if (s == nullptr) return Reject(StrCat("store ", e.store_id(), " is unknown"));
  if (s->state() == metapb::STORE_RETIRED) {
    return Reject(StrCat("store ", e.store_id(), " is already retired"));
  }
  for (const auto& [start, record] : regions_) {
    for (const auto& p : record.region().peers()) {
      if (p.store_id() == e.store_id()) {
        return Reject(StrCat("store ", e.store_id(), " still hosts peer ", p.peer_id(),
                             " of region ", record.region().region_id()));
      }
    }
  }
  stores_[e.store_id()].set_state(metapb::STORE_RETIRED);
  return absl::OkStatus();
}

// ---- events: regions -------------------------------------------------------------------------

absl::Status MetaState::ApplyRegionBootstrapped(const metapb::RegionBootstrapped& e) {
  if (bootstrapped_) return Reject("the cluster is already bootstrapped");
  const metapb::RegionDescriptor& r = e.region();
  NOKV_RETURN_IF_ERROR(CheckDescriptor(r));
  NOKV_RETURN_IF_ERROR(CheckIdsFree(r, 0));
  if (const auto* other = FirstOverlap(r.start_key(), r.end_key(), 0)) {
    return Reject(StrCat("region ", r.region_id(), " ", Range(r.start_key(), r.end_key()),
                         " overlaps region ", other->region().region_id(), " ",
                         Range(other->region().start_key(), other->region().end_key())));
  }
  if (e.leader_store_id() != 0) {
    bool found = false;
    for (const auto& p : r.peers()) found |= p.store_id() == e.leader_store_id();
    if (!found) {
      return Reject(
          StrCat("region ", r.region_id(), ": leader store ", e.leader_store_id(), " has no peer"));
    }
  }
  metapb::RegionRecord record;
  *record.mutable_region() = r;
  record.set_leader_store_id(e.leader_store_id());
  PutRegion(std::move(record));
  return absl::OkStatus();
}

absl::Status MetaState::ApplyClusterBootstrapped(const metapb::ClusterBootstrapped& e) {
  if (bootstrapped_) return Reject("the cluster is already bootstrapped");
  if (regions_.empty()) return Reject("no regions bootstrapped");
  std::string expected_start;
  for (const auto& [start, record] : regions_) {
    if (start != expected_start) {
      return Reject(StrCat("regions leave a gap ", Range(expected_start, start)));
    }
    expected_start = record.region().end_key();
    if (expected_start.empty()) break;
  }
  if (!expected_start.empty()) {
    return Reject(StrCat("regions leave a gap ", Range(expected_start, "")));
  }
  bootstrapped_ = true;
  cluster_id_ = e.cluster_id();
  return absl::OkStatus();
}

absl::Status MetaState::ApplyRegionPublished(const metapb::RegionDescriptorPublished& e) {
  const metapb::RegionDescriptor& r = e.region();
  const metapb::RegionRecord* current = RegionById(r.region_id());
  if (current == nullptr) {
    return Reject(StrCat("region ", r.region_id(),
                         (IdRetired(r.region_id()) ? " was retired" : " is unknown"),
                         " (new regions come from splits)"));
  }
  NOKV_RETURN_IF_ERROR(CheckDescriptor(r));
  const metapb::RegionEpoch& old = current->region().epoch();
  if (EpochOlder(r.epoch(), old) || EpochEqual(r.epoch(), old)) {
    return Reject(StrCat("region ", r.region_id(), ": epoch ", EpochText(r.epoch()),
                         " is not newer than ", EpochText(old)));
  }
  if (r.epoch().version() == old.version() && (r.start_key() != current->region().start_key() ||
                                               r.end_key() != current->region().end_key())) {
    return Reject(StrCat("region ", r.region_id(), ": range changed to ",
                         Range(r.start_key(), r.end_key()), " without a version change"));
  }
  NOKV_RETURN_IF_ERROR(CheckIdsFree(r, r.region_id()));
  // Evict older overlapping regions (their descriptors predate the change that produced this
  // one); a newer or equally new overlap means this descriptor is the stale one.
  std::vector<uint64_t> evict;
  for (const metapb::RegionRecord* other : ScanRegions(r.start_key(), r.end_key(), 0)) {
    if (other->region().region_id() == r.region_id()) continue;
    if (other->region().epoch().version() >= r.epoch().version()) {
      return Reject(StrCat("region ", r.region_id(), " ", Range(r.start_key(), r.end_key()),
                           " overlaps region ", other->region().region_id(), " whose version ",
                           other->region().epoch().version(), " is not older than ",
                           r.epoch().version()));
    }
    evict.push_back(other->region().region_id());
  }
  metapb::RegionRecord record = *current;
  *record.mutable_region() = r;
  for (uint64_t id : evict) RemoveRegion(id);
  PutRegion(std::move(record));
  return absl::OkStatus();
}

absl::Status MetaState::ApplyRegionSplit(const metapb::RegionSplit& e) {
  const metapb::RegionRecord* parent_record = RegionById(e.parent_region_id());
  if (parent_record == nullptr) {
    return Reject(StrCat("split parent region ", e.parent_region_id(), " is unknown"));
  }
  const metapb::RegionDescriptor& parent = parent_record->region();
  const std::string name = StrCat("split of region ", parent.region_id());
  if (e.regions_size() < 2) return Reject(StrCat(name, ": needs at least two regions"));
  if (e.regions(0).start_key() != parent.start_key()) {
    return Reject(StrCat(name, ": first region starts at ", Key(e.regions(0).start_key()),
                         ", the parent at ", Key(parent.start_key())));
  }
  if (e.regions(e.regions_size() - 1).end_key() != parent.end_key()) {
    return Reject(StrCat(name, ": last region ends at ",
                         End(e.regions(e.regions_size() - 1).end_key()), ", the parent at ",
                         End(parent.end_key())));
  }
  int keeps_parent_id = 0;
  std::set<uint64_t> new_ids;
  for (int i = 0; i < e.regions_size(); ++i) {
    const metapb::RegionDescriptor& r = e.regions(i);
    NOKV_RETURN_IF_ERROR(CheckDescriptor(r));
    if (i > 0 && r.start_key() != e.regions(i - 1).end_key()) {
      return Reject(StrCat(name, ": region ", r.region_id(), " starts at ", Key(r.start_key()),
                           ", not where region ", e.regions(i - 1).region_id(), " ends (",
                           End(e.regions(i - 1).end_key()), ")"));
    }
    if (r.epoch().version() <= parent.epoch().version() ||
        r.epoch().conf_ver() < parent.epoch().conf_ver()) {
      return Reject(StrCat(name, ": region ", r.region_id(), " epoch ", EpochText(r.epoch()),
                           " is not newer than the parent's ", EpochText(parent.epoch())));
    }
    if (r.region_id() == parent.region_id()) {
      ++keeps_parent_id;
      NOKV_RETURN_IF_ERROR(CheckIdsFree(r, parent.region_id()));
    } else {
      NOKV_RETURN_IF_ERROR(CheckIdsFree(r, 0));
    }
    if (!new_ids.insert(r.region_id()).second) {
      return Reject(StrCat(name, ": region id ", r.region_id(), " used twice"));
    }
    for (const auto& p : r.peers()) {
      if (!new_ids.insert(p.peer_id()).second) {
        return Reject(StrCat(name, ": id ", p.peer_id(), " used twice"));
      }
    }
  }
  if (keeps_parent_id != 1) {
    return Reject(StrCat(name, ": exactly one region must keep the parent's id"));
  }
  // The region keeping the parent's id moves first, so the range map never holds two entries
  // at one start key.
  const uint64_t leader_hint = parent_record->leader_store_id();
  const uint64_t parent_id = parent.region_id();
  std::vector<metapb::RegionRecord> records;
  for (const auto& r : e.regions()) {
    metapb::RegionRecord record;
    *record.mutable_region() = r;
    record.set_leader_store_id(leader_hint);
    records.push_back(std::move(record));
  }
  std::stable_partition(records.begin(), records.end(), [parent_id](const metapb::RegionRecord& r) {
    return r.region().region_id() == parent_id;
  });
  for (auto& record : records) PutRegion(std::move(record));
  return absl::OkStatus();
}

absl::Status MetaState::ApplyRegionMerged(const metapb::RegionMerged& e) {
  const metapb::RegionRecord* source = RegionById(e.source_region_id());
  const metapb::RegionDescriptor& t = e.target();
  const metapb::RegionRecord* target = RegionById(t.region_id());
  if (source == nullptr)
    return Reject(StrCat("merge source region ", e.source_region_id(), " is unknown"));
  if (target == nullptr)
    return Reject(StrCat("merge target region ", t.region_id(), " is unknown"));
  if (source == target) return Reject("a region cannot merge into itself");
  NOKV_RETURN_IF_ERROR(CheckDescriptor(t));
  const auto& s = source->region();
  const auto& old = target->region();
  const bool source_left = s.end_key() == old.start_key() && !s.end_key().empty();
  const bool source_right = old.end_key() == s.start_key() && !old.end_key().empty();
  if (!source_left && !source_right) {
    return Reject(StrCat("merge: region ", s.region_id(), " ", Range(s.start_key(), s.end_key()),
                         " is not adjacent to region ", old.region_id(), " ",
                         Range(old.start_key(), old.end_key())));
  }
  const std::string want_start = source_left ? s.start_key() : old.start_key();
  const std::string want_end = source_left ? old.end_key() : s.end_key();
  if (t.start_key() != want_start || t.end_key() != want_end) {
    return Reject(StrCat("merge: target range ", Range(t.start_key(), t.end_key()),
                         " is not the union ", Range(want_start, want_end)));
  }
  const uint64_t min_version = std::max(s.epoch().version(), old.epoch().version());
  if (t.epoch().version() <= min_version || t.epoch().conf_ver() < old.epoch().conf_ver()) {
    return Reject(StrCat("merge: target epoch ", EpochText(t.epoch()),
                         " is not newer than both regions (version ", min_version, ")"));
  }
  NOKV_RETURN_IF_ERROR(CheckIdsFree(t, t.region_id()));
  metapb::RegionRecord record = *target;
  *record.mutable_region() = t;
  RemoveRegion(s.region_id());
  PutRegion(std::move(record));
  return absl::OkStatus();
}

absl::Status MetaState::ApplyRegionTombstoned(const metapb::RegionTombstoned& e) {
  const metapb::RegionRecord* r = RegionById(e.region_id());
  if (r == nullptr) return Reject(StrCat("region ", e.region_id(), " is unknown"));
  if (EpochOlder(e.epoch(), r->region().epoch())) {
    return Reject(StrCat("region ", e.region_id(), ": tombstone epoch ", EpochText(e.epoch()),
                         " is older than ", EpochText(r->region().epoch())));
  }
  RemoveRegion(e.region_id());
  return absl::OkStatus();
}

absl::Status MetaState::ApplyPeerChange(const metapb::PeerChange& e) {
  const metapb::RegionRecord* record = RegionById(e.region_id());
  if (record == nullptr) return Reject(StrCat("region ", e.region_id(), " is unknown"));
  const metapb::RegionDescriptor& region = record->region();
  const uint64_t peer_id = e.peer().peer_id();
  const std::string name = StrCat(e.kind() == metapb::PEER_ADD ? "adding" : "removing", " peer ",
                                  peer_id, " of region ", e.region_id());
  const auto key = std::make_pair(e.region_id(), peer_id);
  auto pending = pending_peer_changes_.find(key);
  switch (e.outcome()) {
    case metapb::PEER_CHANGE_PLANNED: {
      if (peer_id == 0) return Reject(StrCat(name, ": peer id must be > 0"));
      for (const auto& [k, v] : pending_peer_changes_) {
        if (k.first == e.region_id()) {
          return Reject(StrCat(name, ": peer ", k.second, " of the region is still changing"));
        }
      }
      if (!EpochEqual(e.epoch(), region.epoch())) {
        return Reject(StrCat(name, ": planned at epoch ", EpochText(e.epoch()),
                             ", the region is at ", EpochText(region.epoch())));
      }
      if (e.kind() == metapb::PEER_ADD) {
        metapb::RegionDescriptor grown = region;
        *grown.add_peers() = e.peer();
        NOKV_RETURN_IF_ERROR(CheckDescriptor(grown));
        NOKV_RETURN_IF_ERROR(CheckIdsFree(grown, region.region_id()));
      } else if (!HasPeer(region, peer_id)) {
        return Reject(StrCat(name, ": not a peer of the region"));
      } else if (region.peers_size() == 1) {
        return Reject(StrCat(name, ": it is the region's last peer"));
      }
      max_id_ = std::max(max_id_, peer_id);
      pending_peer_changes_[key] = e;
      return absl::OkStatus();
    }
    case metapb::PEER_CHANGE_DONE: {
      if (pending == pending_peer_changes_.end() || pending->second.kind() != e.kind()) {
        return Reject(StrCat(name, ": no such change is planned"));
      }
      const metapb::RegionDescriptor& r = e.region();
      if (r.region_id() != region.region_id() || r.start_key() != region.start_key() ||
          r.end_key() != region.end_key() || r.epoch().version() != region.epoch().version() ||
          r.epoch().conf_ver() <= region.epoch().conf_ver()) {
        return Reject(StrCat(name,
                             ": the resulting descriptor must keep the range and version "
                             "and raise conf_ver above ",
                             region.epoch().conf_ver()));
      }
      NOKV_RETURN_IF_ERROR(CheckDescriptor(r));
      const bool present = HasPeer(r, peer_id);
      if (present != (e.kind() == metapb::PEER_ADD)) {
        return Reject(StrCat(name, ": the resulting descriptor ", present ? "still has" : "lacks",
                             " the peer"));
      }
      NOKV_RETURN_IF_ERROR(CheckIdsFree(r, region.region_id()));
      metapb::RegionRecord updated = *record;
      *updated.mutable_region() = r;
      pending_peer_changes_.erase(pending);
      PutRegion(std::move(updated));
      return absl::OkStatus();
    }
    case metapb::PEER_CHANGE_CANCELLED:
      if (pending == pending_peer_changes_.end() || pending->second.kind() != e.kind()) {
        return Reject(StrCat(name, ": no such change is planned"));
      }
      pending_peer_changes_.erase(pending);
      return absl::OkStatus();
    default:
      return Reject(StrCat(name, ": unknown outcome ", static_cast<int>(e.outcome())));
  }
}

// ---- events: allocator fences ----------------------------------------------------------------

absl::Status MetaState::ApplyIdFenced(const metapb::IdAllocatorFenced& e) {
  if (authority_.phase() != metapb::PHASE_ACTIVE || e.era() != authority_.tenure().era()) {
    return Reject(StrCat("era ", e.era(), " is not the active era (", PhaseName(authority_.phase()),
                         ", era ", authority_.tenure().era(),
                         "): it may not fence the ID allocator"));
  }
  if (e.fence() <= id_fence_) {
    return Reject(StrCat("ID fence ", e.fence(), " does not advance ", id_fence_));
  }
  id_fence_ = e.fence();
  return absl::OkStatus();
}

absl::Status MetaState::ApplyTsoFenced(const metapb::TsoFenced& e) {
  if (authority_.phase() != metapb::PHASE_ACTIVE || e.era() != authority_.tenure().era()) {
    return Reject(StrCat("era ", e.era(), " is not the active era (", PhaseName(authority_.phase()),
                         ", era ", authority_.tenure().era(), "): it may not fence the TSO"));
  }
  if (e.fence() <= tso_fence_) {
    return Reject(StrCat("TSO fence ", e.fence(), " does not advance ", tso_fence_));
  }
  if (e.fence() < authority_.tenure().lease_start_ts()) {
    return Reject(StrCat("TSO fence ", e.fence(), " is below the lease start ",
                         authority_.tenure().lease_start_ts()));
  }
  tso_fence_ = e.fence();
  return absl::OkStatus();
}

// ---- batches ---------------------------------------------------------------------------------

absl::Status MetaState::Apply(const metapb::Event& event) {
  switch (event.kind_case()) {
    case metapb::Event::kStoreJoined:
      return ApplyStoreJoined(event.store_joined());
    case metapb::Event::kStoreRetired:
      return ApplyStoreRetired(event.store_retired());
    case metapb::Event::kRegionBootstrapped:
      return ApplyRegionBootstrapped(event.region_bootstrapped());
    case metapb::Event::kClusterBootstrapped:
      return ApplyClusterBootstrapped(event.cluster_bootstrapped());
    case metapb::Event::kRegionPublished:
      return ApplyRegionPublished(event.region_published());
    case metapb::Event::kRegionSplit:
      return ApplyRegionSplit(event.region_split());
    case metapb::Event::kRegionMerged:
      return ApplyRegionMerged(event.region_merged());
    case metapb::Event::kRegionTombstoned:
      return ApplyRegionTombstoned(event.region_tombstoned());
    case metapb::Event::kPeerChange:
      return ApplyPeerChange(event.peer_change());
    case metapb::Event::kIdFenced:
      return ApplyIdFenced(event.id_fenced());
    case metapb::Event::kTsoFenced:
      return ApplyTsoFenced(event.tso_fenced());
    case metapb::Event::kTenureIssued:
      return ApplyTenureIssued(event.tenure_issued());
    case metapb::Event::kTenureRenewed:
      return ApplyTenureRenewed(event.tenure_renewed());
    case metapb::Event::kTenureSealed:
      return ApplyTenureSealed(event.tenure_sealed());
    case metapb::Event::kHandoverStaged:
      return ApplyHandoverStaged(event.handover_staged());
    case metapb::Event::KIND_NOT_SET:
      break;
  }
  return Reject("event has no kind");
}

absl::Status MetaState::ApplyBatch(const metapb::EventBatch& batch) {
  if (batch.revision() != revision_ + 1) {
    return absl::FailedPreconditionError(
        StrCat("batch revision ", batch.revision(), " does not follow ", revision_));
  }
  if (batch.events_size() == 0) return absl::FailedPreconditionError("empty batch");
  auto annotate = [](int i, const metapb::Event& e, const absl::Status& s) {
    return absl::Status(s.code(), StrCat("event ", i, " (", EventName(e), "): ", s.message()));
  };
  if (batch.events_size() == 1) {
    // Every Apply* validates before it mutates, so one event needs no scratch copy.
    absl::Status s = Apply(batch.events(0));
    if (!s.ok()) return annotate(0, batch.events(0), s);
  } else {
    MetaState next = *this;
    for (int i = 0; i < batch.events_size(); ++i) {
      absl::Status s = next.Apply(batch.events(i));
      if (!s.ok()) return annotate(i, batch.events(i), s);
    }
    *this = std::move(next);
  }
  revision_ = batch.revision();
  return absl::OkStatus();
}

absl::Status MetaState::Check(const std::vector<metapb::Event>& events) const {
  MetaState scratch = *this;
  metapb::EventBatch batch;
  batch.set_revision(revision_ + 1);
  for (const auto& e : events) *batch.add_events() = e;
  return scratch.ApplyBatch(batch);
}

// ---- checkpoints -----------------------------------------------------------------------------

metapb::MetaState MetaState::ToProto() const {
  metapb::MetaState p;
  p.set_revision(revision_);
  p.set_bootstrapped(bootstrapped_);
  p.set_cluster_id(cluster_id_);
  for (const auto& [id, s] : stores_) *p.add_stores() = s;
  for (const auto& [start, r] : regions_) *p.add_regions() = r;
  for (const auto& [k, pc] : pending_peer_changes_) *p.add_pending_peer_changes() = pc;
  p.set_id_fence(id_fence_);
  p.set_tso_fence(tso_fence_);
  p.set_max_id(max_id_);
  for (uint64_t id : retired_ids_) p.add_retired_ids(id);
  *p.mutable_authority() = authority_;
  return p;
}

absl::StatusOr<MetaState> MetaState::FromProto(const metapb::MetaState& p) {
  MetaState s;
  s.revision_ = p.revision();
  s.bootstrapped_ = p.bootstrapped();
  s.cluster_id_ = p.cluster_id();
  for (const auto& store : p.stores()) {
    if (!s.stores_.emplace(store.store_id(), store).second) {
      return absl::DataLossError(StrCat("checkpoint: store ", store.store_id(), " twice"));
    }
  }
  for (uint64_t id : p.retired_ids()) s.retired_ids_.insert(id);
  for (const auto& r : p.regions()) {
    const auto& d = r.region();
    if (s.RegionById(d.region_id()) != nullptr ||
        s.FirstOverlap(d.start_key(), d.end_key(), 0) != nullptr) {
      return absl::DataLossError(
          StrCat("checkpoint: region ", d.region_id(), " is duplicated or overlaps another"));
    }
    for (const auto& peer : d.peers()) {
      if (s.peer_regions_.count(peer.peer_id()) > 0) {
        return absl::DataLossError(StrCat("checkpoint: peer ", peer.peer_id(), " twice"));
      }
    }
    s.PutRegion(r);
  }
  for (const auto& pc : p.pending_peer_changes()) {
    s.pending_peer_changes_[{pc.region_id(), pc.peer().peer_id()}] = pc;
  }
  s.id_fence_ = p.id_fence();
  s.tso_fence_ = p.tso_fence();
  s.max_id_ = std::max(s.max_id_, p.max_id());
  s.authority_ = p.authority();
  return s;
}

}  // namespace nokv::meta
