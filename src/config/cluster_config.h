// The cluster configuration (raft_config.example.json): one JSON file that every binary and
// script reads. Parsed through the protobuf message configpb::ClusterConfig (so the schema and
// unknown-field errors come from JsonStringToMessage), then validated.
//
// Validation checks, and reports the first problem as one InvalidArgument naming the entry:
//   - 1 or 3 coordinators with unique non-zero ids, addresses and workdirs; meta_raft_addr
//     required when there are 3;
//   - stores with unique non-zero ids, listen addresses and workdirs;
//   - every address is host:port with a non-zero port and no address is used twice;
//   - regions with unique non-zero ids that cover the key space ["", +inf) without gaps or
//     overlaps; each has peers with non-zero ids on known stores, at most one per store;
//     region and peer ids share one ID space and are unique together; leader_store_id is 0
//     or the store of one of the region's peers;
//   - timing values consistent (renew interval below the lease, drift below the lease).
// Keys are strings; "hex:" followed by an even number of hex digits spells arbitrary bytes.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/vfs/vfs.h"
#include "src/config/cluster_config.pb.h"

namespace nokv::config {

// Parses and validates. `source` names the input in messages (usually the file path).
absl::StatusOr<configpb::ClusterConfig> ParseClusterConfig(std::string_view json,
                                                           std::string_view source);
// Reads `path` through `vfs`, then ParseClusterConfig.
absl::StatusOr<configpb::ClusterConfig> LoadClusterConfig(VFS& vfs, const std::string& path);
absl::Status ValidateClusterConfig(const configpb::ClusterConfig& config, std::string_view source);

// JSON of a config (what tests write to generate their own clusters).
std::string ClusterConfigToJson(const configpb::ClusterConfig& config);

// "hex:6d00" -> bytes; anything else is taken literally.
absl::StatusOr<std::string> DecodeKey(std::string_view spelled);
// A key for messages: printable ASCII as is, other bytes as \xNN; "" for the empty key.
std::string PrintableKey(std::string_view key);

// Entries by id; nullptr when absent.
const configpb::CoordinatorConfig* FindCoordinator(const configpb::ClusterConfig& config,
                                                   uint64_t id);
const configpb::StoreConfig* FindStore(const configpb::ClusterConfig& config, uint64_t store_id);

}  // namespace nokv::config
