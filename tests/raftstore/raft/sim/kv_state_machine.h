// The simulator's replicated state machine: a string map with put and compare-and-swap,
// commands encoded as log entries, snapshots as a serialized map. Deterministic; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/raftstore/raft/sim/linearizability.h"

namespace nokv::raft::sim {

struct Command {
  uint64_t op_id = 0;
  KvOpKind kind = KvOpKind::kPut;
  std::string key;
  std::string value;
  std::optional<std::string> expected;
};

using KvMap = std::map<std::string, std::string>;

std::string EncodeCommand(const Command& c);
bool DecodeCommand(std::string_view data, Command* c);

// Applies a write exactly once; returns whether a CAS swapped (true for puts). A command
// applied before (retried by its client, or duplicated) sets *duplicate, changes nothing and
// returns the first application's outcome, as a session table would. A forwarded
// proposal can be duplicated by the network and appended twice, so commands carry a unique id
// and the state machine remembers the ids it applied (Raft thesis section 6.3). The simulator
// found this: without it a duplicated put re-applied later overwrote newer values.
bool ApplyCommand(const Command& c, KvMap* kv, bool* duplicate);

std::string SerializeKv(const KvMap& kv);
KvMap DeserializeKv(std::string_view data);

}  // namespace nokv::raft::sim
