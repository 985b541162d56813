#include "tools/nokv/cluster_commands.h"

#include <cstdio>
#include <ctime>

#include "coordinator/client/grpc_coordinator_client.h"
#include "coordinator/tso/hybrid_ts.h"
#include "meta/state_text.h"
#include "src/config/cluster_config.h"
#include "src/util/json_string.h"
#include "src/util/str_cat.h"

namespace nokv::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUnreachable = 3;

std::unique_ptr<coordinator::GrpcCoordinatorClient> Client(const ClusterArgs& args) {
  coordinator::CoordinatorClientOptions options;
  options.addresses = {args.coordinator};
  options.rpc_timeout = std::chrono::milliseconds(std::min(args.timeout_ms, 1000));
  options.call_deadline = std::chrono::milliseconds(args.timeout_ms);
  return std::make_unique<coordinator::GrpcCoordinatorClient>(options);
}

int Unreachable(const char* command, const absl::Status& s) {
  std::fprintf(stderr, "nokv %s: %s\n", command, s.ToString().c_str());
  return kExitUnreachable;
}

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

std::string KeyText(const std::string& key, bool end) {
  if (end && key.empty()) return "+inf";
  return StrCat("\"", config::PrintableKey(key), "\"");
}

std::string PeersText(const metapb::RegionDescriptor& r) {
  std::string out;
  for (const auto& p : r.peers()) {
    StrAppend(&out, out.empty() ? "" : ",", p.peer_id(), "@", p.store_id(),
              p.is_learner() ? "(learner)" : "");
  }
  return out;
}

std::string PeerJson(const metapb::Peer& p) {
  return StrCat("{\"peer_id\":", p.peer_id(), ",\"store_id\":", p.store_id(),
                ",\"is_learner\":", p.is_learner(), "}");
}

}  // namespace

int CmdRegions(const ClusterArgs& args) {
  auto client = Client(args);
  auto regions = client->ScanRegions("", "", 0);
  if (!regions.ok()) return Unreachable("regions", regions.status());
  if (args.json) {
    std::string out = "{\"regions\":[";
    for (size_t i = 0; i < regions->size(); ++i) {
      const auto& info = (*regions)[i];
      const auto& r = info.region();
      StrAppend(&out, i ? "," : "", "{\"id\":", r.region_id(),
                ",\"start_key\":", Json(r.start_key()), ",\"end_key\":", Json(r.end_key()),
                ",\"epoch\":{\"version\":", r.epoch().version(),
                ",\"conf_ver\":", r.epoch().conf_ver(), "},\"peers\":[");
      for (int p = 0; p < r.peers_size(); ++p) StrAppend(&out, p ? "," : "", PeerJson(r.peers(p)));
      StrAppend(&out, "],\"leader\":",
                info.leader().peer_id() != 0 ? PeerJson(info.leader()) : std::string("null"),
                ",\"heartbeat_age_ms\":", info.heartbeat_age_ms(),
                ",\"approximate_size\":", info.approximate_size(),
                ",\"approximate_keys\":", info.approximate_keys(),
                ",\"configured_leader_store_id\":", info.configured_leader_store_id(), "}");
    }
    StrAppend(&out, "],\"era\":", client->guard().newest_era(), "}");
    std::printf("%s\n", out.c_str());
    return kExitOk;
  }
  std::printf("%-8s %-20s %-20s %-9s %-28s %s\n", "REGION", "START", "END", "EPOCH", "PEERS",
              "LEADER");
  for (const auto& info : *regions) {
    const auto& r = info.region();
    const std::string leader =
        info.leader().peer_id() != 0
            ? StrCat(info.leader().peer_id(), "@", info.leader().store_id(), " (",
                     info.heartbeat_age_ms(), " ms ago)")
            : StrCat("unknown (configured store ", info.configured_leader_store_id(), ")");
    std::printf("%-8llu %-20s %-20s %-9s %-28s %s\n",
                static_cast<unsigned long long>(r.region_id()),
                KeyText(r.start_key(), false).c_str(), KeyText(r.end_key(), true).c_str(),
                StrCat(r.epoch().version(), "/", r.epoch().conf_ver()).c_str(),
                PeersText(r).c_str(), leader.c_str());
  }
  std::printf("%zu regions (era %llu)\n", regions->size(),
              static_cast<unsigned long long>(client->guard().newest_era()));
  return kExitOk;
}

int CmdCoordinatorStatus(const ClusterArgs& args) {
  auto client = Client(args);
  auto st = client->StatusOf(args.coordinator);
  if (!st.ok()) return Unreachable("coordinator status", st.status());
  const char* phase = meta::PhaseName(st->phase());
  const char* stage = meta::StageName(st->handover_stage());
  if (args.json) {
    std::string members = "[";
    for (int i = 0; i < st->members_size(); ++i) {
      const auto& m = st->members(i);
      StrAppend(&members, i ? "," : "", "{\"id\":", m.id(), ",\"addr\":", Json(m.addr()),
                ",\"is_meta_leader\":", m.is_meta_leader(), "}");
    }
    members += "]";
    std::printf(
        "%s\n",
        StrCat("{\"coordinator_id\":", st->coordinator_id(), ",\"is_holder\":", st->is_holder(),
               ",\"holder_id\":", st->holder_id(), ",\"holder_addr\":", Json(st->holder_addr()),
               ",\"phase\":", Json(phase), ",\"era\":", st->era(),
               ",\"sealed_through\":", st->sealed_through(), ",\"handover_stage\":", Json(stage),
               ",\"lease_expires_ms\":", st->lease_expires_ms(), ",\"meta_backend\":",
               Json(st->meta_backend()), ",\"meta_leader_id\":", st->meta_leader_id(),
               ",\"meta_revision\":", st->meta_revision(), ",\"tso_fence\":", st->tso_fence(),
               ",\"id_fence\":", st->id_fence(), ",\"regions\":", st->region_count(),
               ",\"stores\":", st->store_count(), ",\"members\":", members, "}")
            .c_str());
    return kExitOk;
  }
  std::printf("coordinator     %llu%s\n", static_cast<unsigned long long>(st->coordinator_id()),
              st->is_holder() ? " (holder)" : "");
  std::printf("holder          %llu %s\n", static_cast<unsigned long long>(st->holder_id()),
              st->holder_addr().c_str());
  std::printf("authority       %s era %llu, sealed through %llu, handover %s\n", phase,
              static_cast<unsigned long long>(st->era()),
              static_cast<unsigned long long>(st->sealed_through()), stage);
  std::printf("lease expires   %llu ms (unix)\n",
              static_cast<unsigned long long>(st->lease_expires_ms()));
  std::printf("meta            %s, leader %llu, revision %llu\n", st->meta_backend().c_str(),
              static_cast<unsigned long long>(st->meta_leader_id()),
              static_cast<unsigned long long>(st->meta_revision()));
  std::printf("fences          tso %llu (%llu ms), id %llu\n",
              static_cast<unsigned long long>(st->tso_fence()),
              static_cast<unsigned long long>(coordinator::PhysicalMs(st->tso_fence())),
              static_cast<unsigned long long>(st->id_fence()));
  std::printf("topology        %llu regions, %llu stores\n",
              static_cast<unsigned long long>(st->region_count()),
              static_cast<unsigned long long>(st->store_count()));
  for (const auto& m : st->members()) {
    std::printf("member          %llu %s%s\n", static_cast<unsigned long long>(m.id()),
                m.addr().c_str(), m.is_meta_leader() ? " (meta leader)" : "");
  }
  return kExitOk;
}

int CmdTso(const ClusterArgs& args) {
  auto client = Client(args);
  auto reply = client->TsoWithHeader(args.count);
  if (!reply.ok()) return Unreachable("tso", reply.status());
  const uint64_t ts = reply->first_ts();
  if (args.json) {
    std::printf("%s\n", StrCat("{\"ts\":", ts, ",\"count\":", reply->count(),
                               ",\"physical_ms\":", coordinator::PhysicalMs(ts), ",\"logical\":",
                               coordinator::LogicalPart(ts), ",\"era\":", reply->header().era(),
                               ",\"coordinator_id\":", reply->header().responder_id(), "}")
                            .c_str());
    return kExitOk;
  }
  std::printf("%llu\n", static_cast<unsigned long long>(ts));
  std::printf("physical %llu ms, logical %llu, count %u, era %llu, from coordinator %llu\n",
              static_cast<unsigned long long>(coordinator::PhysicalMs(ts)),
              static_cast<unsigned long long>(coordinator::LogicalPart(ts)), reply->count(),
              static_cast<unsigned long long>(reply->header().era()),
              static_cast<unsigned long long>(reply->header().responder_id()));
  return kExitOk;
}

}  // namespace nokv::cli
