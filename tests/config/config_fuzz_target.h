// The cluster-config parser's fuzz entry point, shared by the libFuzzer binary
// (config_fuzz.cc) and the gtest that replays seeds and mutations in CI
// (config_fuzz_replay_test.cc).
//
// Checks, for any input: parsing never crashes; a rejection is an InvalidArgument whose message
// names the source; an accepted config survives a round trip (render to JSON, parse again:
// accepted, and the same message). Bug caught: a check that answers with another status code
// or without naming the file (verified by making the address check return Internal: the
// replay aborts), or a renderer that drops a field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "google/protobuf/util/message_differencer.h"
#include "src/config/cluster_config.h"

namespace nokv::config::fuzz {

inline int ConfigFuzzOne(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto parsed = ParseClusterConfig(input, "fuzz.json");
  if (!parsed.ok()) {
    if (parsed.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    if (std::string(parsed.status().message()).rfind("fuzz.json: ", 0) != 0) std::abort();
    return 0;
  }
  const std::string json = ClusterConfigToJson(*parsed);
  auto again = ParseClusterConfig(json, "roundtrip.json");
  if (!again.ok()) std::abort();
  if (!google::protobuf::util::MessageDifferencer::Equals(*parsed, *again)) std::abort();
  return 0;
}

}  // namespace nokv::config::fuzz
