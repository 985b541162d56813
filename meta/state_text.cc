#include "meta/state_text.h"

#include "src/config/cluster_config.h"
#include "src/util/str_cat.h"

namespace nokv::meta {
namespace {

std::string Key(const std::string& key) { return StrCat("\"", config::PrintableKey(key), "\""); }

std::string Hex(const std::string& bytes) {
  if (bytes.empty()) return "-";
  std::string out;
  constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

}  // namespace

const char* PhaseName(metapb::AuthorityPhase phase) {
  switch (phase) {
    case metapb::PHASE_VACANT:
      return "VACANT";
    case metapb::PHASE_ACTIVE:
      return "ACTIVE";
    case metapb::PHASE_SEALED:
      return "SEALED";
    case metapb::PHASE_ISSUED:
      return "ISSUED";
    case metapb::PHASE_COVERED:
      return "COVERED";
    case metapb::PHASE_CLOSED:
      return "CLOSED";
    default:
      return "UNKNOWN";
  }
}

const char* StageName(metapb::HandoverStage stage) {
  switch (stage) {
    case metapb::HANDOVER_NONE:
      return "NONE";
    case metapb::HANDOVER_CONFIRMED:
      return "CONFIRMED";
    case metapb::HANDOVER_CLOSED:
      return "CLOSED";
    case metapb::HANDOVER_REATTACHED:
      return "REATTACHED";
    default:
      return "UNKNOWN";
  }
}

std::string DescribeFrontiers(const metapb::Frontiers& f) {
  return StrCat("{tso ", f.tso_fence(), " id ", f.id_fence(), " rev ", f.descriptor_revision(),
                " reads ", f.served_read_ts(), "}");
}

std::string DescribeRegion(const metapb::RegionDescriptor& r) {
  std::string out = StrCat("region ", r.region_id(), " [", Key(r.start_key()), ", ",
                           r.end_key().empty() ? std::string("+inf") : Key(r.end_key()), ") epoch ",
                           r.epoch().version(), "/", r.epoch().conf_ver(), " peers");
  for (const auto& p : r.peers()) {
    StrAppend(&out, " ", p.peer_id(), "@", p.store_id(), p.is_learner() ? "(learner)" : "");
  }
  return out;
}

std::string DescribeAuthority(const metapb::AuthorityState& a) {
  std::string out =
      StrCat("authority ", PhaseName(a.phase()), " top ", a.top_era(), " sealed ",
             a.sealed_through(), " covered ", a.covered_through(), " closed ", a.closed_through(),
             " holder era ", a.holder_era(), " id ", a.holder_id(), "\n");
  if (a.has_tenure()) {
    const auto& t = a.tenure();
    StrAppend(&out, "tenure era ", t.era(), " holder ", t.holder_id(), " issued ", t.issued_at_ms(),
              " expires ", t.expires_ms(), " lease-start ", t.lease_start_ts(), " frontiers ",
              DescribeFrontiers(t.frontiers()), " digest ", Hex(t.lineage_digest()), "\n");
  }
  for (const auto& l : a.legacy().eras()) {
    StrAppend(&out, "legacy era ", l.era(), " holder ", l.holder_id(), " sealed-at ",
              l.sealed_at_ms(), " by ", l.sealed_by(), " frontiers ",
              DescribeFrontiers(l.frontiers()), "\n");
  }
  if (a.handover().successor_era() != 0) {
    StrAppend(&out, "handover successor ", a.handover().successor_era(), " legacy [");
    for (int i = 0; i < a.handover().legacy_eras_size(); ++i) {
      StrAppend(&out, i == 0 ? "" : " ", a.handover().legacy_eras(i));
    }
    StrAppend(&out, "] stage ", StageName(a.handover().stage()), "\n");
  }
  return out;
}

std::string DescribeState(const MetaState& s) {
  std::string out = StrCat("revision ", s.revision(),
                           s.bootstrapped() ? StrCat(" bootstrapped cluster ", s.cluster_id())
                                            : std::string(" not-bootstrapped"),
                           "\n");
  for (const auto& [id, st] : s.stores()) {
    StrAppend(&out, "store ", id, " ", st.address(),
              st.state() == metapb::STORE_UP ? " up" : " retired", "\n");
  }
  for (const auto& [start, r] : s.regions()) {
    StrAppend(&out, DescribeRegion(r.region()));
    if (r.leader_store_id() != 0) StrAppend(&out, " leader-hint ", r.leader_store_id());
    out += "\n";
  }
  for (const auto& [key, pc] : s.pending_peer_changes()) {
    StrAppend(&out, "pending ", pc.kind() == metapb::PEER_ADD ? "add" : "remove", " peer ",
              pc.peer().peer_id(), "@", pc.peer().store_id(), " region ", pc.region_id(), "\n");
  }
  StrAppend(&out, "fences id ", s.id_fence(), " tso ", s.tso_fence(), " max-id ", s.max_id(), "\n");
  out += DescribeAuthority(s.authority());
  return out;
}

}  // namespace nokv::meta
