// An expected-state oracle for crash tests (RocksDB's db_crashtest expected state, Jepsen-style
// real-time order): clients issue atomic writes, the oracle records what each write does, when
// it started and when (if ever) it was acknowledged, and then judges the state a recovered
// database shows.
//
// A recovered state is legal when, for every client c, it equals c's base state with a prefix
// p_c of c's writes applied (writes are atomic and per-client ordered: nothing later without
// everything earlier, nothing corrupted), and the prefixes respect:
//   - durability: every write acknowledged with sync=true is included, and so is every write
//     (of any client) acknowledged before that sync write started, since it sits earlier in
//     the log; in kAllAcknowledged mode (a process kill, where the OS keeps every write that
//     reached it) every acknowledged write is included;
//   - real-time order: if a write is included, every write acknowledged before it started is
//     included too (a later write never survives without an earlier one).
// Clients must use disjoint keys (one prefix each). Writes of one client come from one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace nokv::test {

struct ModelValue {
  std::string value;
  uint64_t expires_at = 0;  // Unix ms, 0 = never
  bool operator==(const ModelValue& o) const {
    return value == o.value && expires_at == o.expires_at;
  }
};
using ModelState = std::map<std::string, ModelValue>;

struct ModelOp {
  enum Kind { kSet, kDelete, kDeleteRange } kind = kSet;
  std::string key;    // kDeleteRange: begin
  std::string value;  // kSet: value; kDeleteRange: end ("" = unbounded)
  uint64_t expires_at = 0;
};

// Applies `op` to `state`.
void ApplyModelOp(const ModelOp& op, ModelState* state);
// The entries of `state` visible at `now_ms` (expired ones hidden).
ModelState VisibleAt(const ModelState& state, uint64_t now_ms);

class DurabilityOracle {
 public:
  enum class Mode {
    kSyncedWrites,     // power cut: only writes acknowledged with sync=true are guaranteed
    kAllAcknowledged,  // process crash: every acknowledged write is guaranteed
  };

  explicit DurabilityOracle(int clients);

  int clients() const { return static_cast<int>(clients_.size()); }
  const ModelState& base(int client) const { return clients_[client].base; }

  // Records the start of a write; returns its index in the client's sequence.
  size_t Begin(int client, std::vector<ModelOp> ops, bool sync);
  // Records that write `index` of `client` was acknowledged (returned OK).
  void Acknowledge(int client, size_t index);
  size_t writes(int client) const;

  // Judges `recovered` (per client: the visible entries of its keys at `now_ms`). On success the
  // recovered state becomes every client's base and the write logs are cleared, ready for the
  // next round; `summary` (may be null) says how many writes each client kept. On failure the
  // status explains which rule broke, with the closest legal state's differences.
  absl::Status CheckAndAdvance(const std::vector<ModelState>& recovered, uint64_t now_ms, Mode mode,
                               std::string* summary);

 private:
  struct Write {
    std::vector<ModelOp> ops;
    bool sync = false;
    uint64_t start = 0;
    uint64_t ack = 0;  // 0 = never acknowledged
  };
  struct Client {
    ModelState base;
    std::vector<Write> writes;
  };
  // Prefix lengths p (0..n) whose state, visible at now_ms, equals `recovered`.
  std::vector<size_t> FeasiblePrefixes(const Client& c, const ModelState& recovered,
                                       uint64_t now_ms) const;

  mutable std::mutex mu_;
  std::atomic<uint64_t> clock_{1};
  std::vector<Client> clients_;
};

}  // namespace nokv::test
