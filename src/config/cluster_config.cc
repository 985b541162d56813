#include "src/config/cluster_config.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "src/metrics/http_server.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv::config {
namespace {

using configpb::ClusterConfig;

absl::Status Bad(std::string_view source, std::string_view what) {
  return absl::InvalidArgumentError(StrCat(source, ": ", what));
}

std::string Quoted(std::string_view s) { return StrCat("\"", PrintableKey(s), "\""); }

// Tracks every address in the file so that none is used twice.
class AddressBook {
 public:
  // Checks `addr` (named `entry.field` in messages); an empty address is allowed only when
  // `required` is false.
  absl::Status Add(std::string_view source, const std::string& entry, std::string_view field,
                   const std::string& addr, bool required) {
    if (addr.empty()) {
      if (!required) return absl::OkStatus();
      return Bad(source, StrCat(entry, ": ", field, " is missing"));
    }
    std::string host;
    int port = 0;
    absl::Status s = metrics::ParseHostPort(addr, &host, &port);
    if (!s.ok() || port == 0 || addr.front() == ':') {
      return Bad(source, StrCat(entry, ": ", field, " ", Quoted(addr),
                                " is not host:port with a non-zero port"));
    }
    auto [it, inserted] = owners_.emplace(addr, StrCat(entry, ".", field));
    if (!inserted) {
      return Bad(source, StrCat(entry, ": ", field, " ", Quoted(addr), " is also ", it->second));
    }
    return absl::OkStatus();
  }

 private:
  std::map<std::string, std::string> owners_;
};

absl::Status ValidateCoordinators(const ClusterConfig& config, std::string_view source,
                                  AddressBook* addresses, std::set<std::string>* workdirs) {
  const int n = config.coordinators_size();
  if (n != 1 && n != 3) {
    return Bad(source, StrCat("coordinators: ", n,
                              " entries; the meta group needs exactly 1 or 3 coordinators"));
  }
  std::set<uint64_t> ids;
  for (int i = 0; i < n; ++i) {
    const auto& c = config.coordinators(i);
    const std::string entry = StrCat("coordinators[", i, "] (id ", c.id(), ")");
    if (c.id() == 0) return Bad(source, StrCat("coordinators[", i, "]: id must be > 0"));
    if (!ids.insert(c.id()).second) return Bad(source, StrCat(entry, ": duplicate id"));
    NOKV_RETURN_IF_ERROR(addresses->Add(source, entry, "addr", c.addr(), true));
    NOKV_RETURN_IF_ERROR(
        addresses->Add(source, entry, "meta_raft_addr", c.meta_raft_addr(), n > 1));
    NOKV_RETURN_IF_ERROR(addresses->Add(source, entry, "metrics_addr", c.metrics_addr(), false));
    if (c.workdir().empty()) return Bad(source, StrCat(entry, ": workdir is missing"));
    if (!workdirs->insert(c.workdir()).second) {
      return Bad(source, StrCat(entry, ": workdir ", Quoted(c.workdir()), " is used twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateStores(const ClusterConfig& config, std::string_view source,
                            AddressBook* addresses, std::set<std::string>* workdirs) {
  if (config.stores_size() == 0) return Bad(source, "stores: at least one store is required");
  std::set<uint64_t> ids;
  for (int i = 0; i < config.stores_size(); ++i) {
    const auto& st = config.stores(i);
    const std::string entry = StrCat("stores[", i, "] (store_id ", st.store_id(), ")");
    if (st.store_id() == 0) return Bad(source, StrCat("stores[", i, "]: store_id must be > 0"));
    if (!ids.insert(st.store_id()).second)
      return Bad(source, StrCat(entry, ": duplicate store_id"));
    NOKV_RETURN_IF_ERROR(addresses->Add(source, entry, "listen_addr", st.listen_addr(), true));
    NOKV_RETURN_IF_ERROR(addresses->Add(source, entry, "metrics_addr", st.metrics_addr(), false));
    if (st.workdir().empty()) return Bad(source, StrCat(entry, ": workdir is missing"));
    if (!workdirs->insert(st.workdir()).second) {
      return Bad(source, StrCat(entry, ": workdir ", Quoted(st.workdir()), " is used twice"));
    }
  }
  return absl::OkStatus();
}

struct DecodedRegion {
  int index;
  uint64_t id;
  std::string start;
  std::string end;  // empty = +inf
};

absl::Status ValidateRegions(const ClusterConfig& config, std::string_view source) {
  if (config.regions_size() == 0) {
    return Bad(source, "regions: at least one region is required (covering the key space)");
  }
  std::map<uint64_t, std::string> id_owner;  // region and peer ids share one ID space
  auto claim_id = [&](uint64_t id, const std::string& who) -> absl::Status {
    auto [it, inserted] = id_owner.emplace(id, who);
    if (!inserted) return Bad(source, StrCat(who, ": id ", id, " is also used by ", it->second));
    return absl::OkStatus();
  };
  std::vector<DecodedRegion> regions;
  for (int i = 0; i < config.regions_size(); ++i) {
    const auto& r = config.regions(i);
    const std::string entry = StrCat("regions[", i, "] (id ", r.id(), ")");
    if (r.id() == 0) return Bad(source, StrCat("regions[", i, "]: id must be > 0"));
    NOKV_RETURN_IF_ERROR(claim_id(r.id(), entry));
    DecodedRegion d{i, r.id(), "", ""};
    auto start = DecodeKey(r.start_key());
    if (!start.ok()) return Bad(source, StrCat(entry, ": start_key: ", start.status().message()));
    auto end = DecodeKey(r.end_key());
    if (!end.ok()) return Bad(source, StrCat(entry, ": end_key: ", end.status().message()));
    d.start = *std::move(start);
    d.end = *std::move(end);
    if (!d.end.empty() && d.end <= d.start) {
      return Bad(source, StrCat(entry, ": end_key ", Quoted(d.end), " is not after start_key ",
                                Quoted(d.start)));
    }
    if (r.peers_size() == 0) return Bad(source, StrCat(entry, ": no peers"));
    std::set<uint64_t> stores_used;
    bool leader_found = r.leader_store_id() == 0;
    for (int p = 0; p < r.peers_size(); ++p) {
      const auto& peer = r.peers(p);
      const std::string peer_entry =
          StrCat(entry, ".peers[", p, "] (peer_id ", peer.peer_id(), ")");
      if (peer.peer_id() == 0) {
        return Bad(source, StrCat(entry, ".peers[", p, "]: peer_id must be > 0"));
      }
      NOKV_RETURN_IF_ERROR(claim_id(peer.peer_id(), peer_entry));
      if (FindStore(config, peer.store_id()) == nullptr) {
        return Bad(source,
                   StrCat(peer_entry, ": store_id ", peer.store_id(), " is not one of the stores"));
      }
      if (!stores_used.insert(peer.store_id()).second) {
        return Bad(source, StrCat(peer_entry, ": a second peer on store ", peer.store_id()));
      }
      if (peer.store_id() == r.leader_store_id()) leader_found = true;
    }
    if (!leader_found) {
      return Bad(source, StrCat(entry, ": leader_store_id ", r.leader_store_id(),
                                " has no peer of this region"));
    }
    regions.push_back(std::move(d));
  }
  std::sort(regions.begin(), regions.end(),
            [](const DecodedRegion& a, const DecodedRegion& b) { return a.start < b.start; });
  auto name = [](const DecodedRegion& r) {
    return StrCat("regions[", r.index, "] (id ", r.id, ")");
  };
  if (!regions.front().start.empty()) {
    return Bad(source, StrCat("regions: no region starts at the empty key; the first starts at ",
                              Quoted(regions.front().start), " (", name(regions.front()), ")"));
  }
  for (size_t i = 1; i < regions.size(); ++i) {
    const DecodedRegion& prev = regions[i - 1];
    const DecodedRegion& cur = regions[i];
    if (prev.end.empty() || prev.end > cur.start) {
      return Bad(source, StrCat(name(cur), ": range starting at ", Quoted(cur.start), " overlaps ",
                                name(prev), " ending at ",
                                prev.end.empty() ? std::string("+inf") : Quoted(prev.end)));
    }
    if (prev.end < cur.start) {
      return Bad(source,
                 StrCat(name(cur), ": gap between ", name(prev), " ending at ", Quoted(prev.end),
                        " and this region starting at ", Quoted(cur.start)));
    }
  }
  if (!regions.back().end.empty()) {
    return Bad(source, StrCat(name(regions.back()), ": the last region ends at ",
                              Quoted(regions.back().end), "; keys from there on have no region"));
  }
  return absl::OkStatus();
}

absl::Status ValidateTiming(const ClusterConfig& config, std::string_view source) {
  const auto& t = config.timing();
  if (t.lease_ms() != 0 && t.lease_ms() < 100) {
    return Bad(source, StrCat("timing.lease_ms ", t.lease_ms(), " is below 100"));
  }
  const uint64_t lease = t.lease_ms() != 0 ? t.lease_ms() : 3000;
  if (t.renew_interval_ms() != 0 && t.renew_interval_ms() >= lease) {
    return Bad(source, StrCat("timing.renew_interval_ms ", t.renew_interval_ms(),
                              " must be below the lease (", lease, " ms)"));
  }
  if (t.max_clock_drift_ms() != 0 && 2 * t.max_clock_drift_ms() >= lease) {
    return Bad(source, StrCat("timing.max_clock_drift_ms ", t.max_clock_drift_ms(),
                              " must be below half the lease (", lease, " ms)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> DecodeKey(std::string_view spelled) {
  constexpr std::string_view kHex = "hex:";
  if (spelled.substr(0, kHex.size()) != kHex) return std::string(spelled);
  std::string_view digits = spelled.substr(kHex.size());
  if (digits.size() % 2 != 0) {
    return absl::InvalidArgumentError(
        StrCat("\"", PrintableKey(spelled), "\" has an odd number of hex digits"));
  }
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < digits.size(); i += 2) {
    int hi = nibble(digits[i]);
    int lo = nibble(digits[i + 1]);
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError(
          StrCat("\"", PrintableKey(spelled), "\" has a non-hex digit at position ", i + 4));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

std::string PrintableKey(std::string_view key) {
  std::string out;
  for (unsigned char c : key) {
    if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
      out.push_back(static_cast<char>(c));
    } else {
      constexpr char kDigits[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

const configpb::CoordinatorConfig* FindCoordinator(const ClusterConfig& config, uint64_t id) {
  for (const auto& c : config.coordinators()) {
    if (c.id() == id) return &c;
  }
  return nullptr;
}

const configpb::StoreConfig* FindStore(const ClusterConfig& config, uint64_t store_id) {
  for (const auto& s : config.stores()) {
    if (s.store_id() == store_id) return &s;
  }
  return nullptr;
}

absl::Status ValidateClusterConfig(const ClusterConfig& config, std::string_view source) {
  AddressBook addresses;
  std::set<std::string> workdirs;
  NOKV_RETURN_IF_ERROR(ValidateCoordinators(config, source, &addresses, &workdirs));
  NOKV_RETURN_IF_ERROR(ValidateStores(config, source, &addresses, &workdirs));
  NOKV_RETURN_IF_ERROR(ValidateRegions(config, source));
  return ValidateTiming(config, source);
}

absl::StatusOr<ClusterConfig> ParseClusterConfig(std::string_view json, std::string_view source) {
  ClusterConfig config;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &config, options);
  if (!status.ok()) {
    return Bad(source, StrCat("not a valid cluster config: ", status.message()));
  }
  NOKV_RETURN_IF_ERROR(ValidateClusterConfig(config, source));
  return config;
}

absl::StatusOr<ClusterConfig> LoadClusterConfig(VFS& vfs, const std::string& path) {
  std::string json;
  absl::Status s = ReadFileToString(vfs, path, &json);
  if (!s.ok()) return absl::Status(s.code(), StrCat(path, ": cannot read: ", s.message()));
  return ParseClusterConfig(json, path);
}

std::string ClusterConfigToJson(const ClusterConfig& config) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(config, &out, options);
  return out;
}

}  // namespace nokv::config
