// Quorum arithmetic over majority and joint (two-majority) configurations: the commit index a
// configuration agrees on and the outcome of an election. Pure functions of their inputs.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "absl/functional/function_ref.h"

namespace nokv::raft {

enum class VoteResult { kPending, kLost, kWon };

// Returns the value acknowledged by `id`, or false if it has not acknowledged anything.
using AckedIndexFn = absl::FunctionRef<bool(uint64_t id, uint64_t* index)>;

// A set of voters deciding by simple majority. Ordered so that iteration is deterministic.
class MajorityConfig {
 public:
  MajorityConfig() = default;
  explicit MajorityConfig(std::set<uint64_t> ids) : ids_(std::move(ids)) {}

  // The largest index acknowledged by a majority. An empty configuration returns UINT64_MAX so
  // that it is neutral inside a joint configuration.
  uint64_t CommittedIndex(AckedIndexFn acked) const;
  // Outcome given the recorded votes (true = granted). Empty configuration: kWon.
  VoteResult Vote(const std::map<uint64_t, bool>& votes) const;

  std::set<uint64_t>& ids() { return ids_; }
  const std::set<uint64_t>& ids() const { return ids_; }
  bool empty() const { return ids_.empty(); }
  std::string DebugString() const;

 private:
  std::set<uint64_t> ids_;
};

// Joint consensus (Raft thesis §4.3): a decision needs a majority of `incoming` AND of
// `outgoing`. With an empty `outgoing` this is just `incoming`.
struct JointConfig {
  MajorityConfig incoming;
  MajorityConfig outgoing;

  uint64_t CommittedIndex(AckedIndexFn acked) const;
  VoteResult Vote(const std::map<uint64_t, bool>& votes) const;
  bool IsJoint() const { return !outgoing.empty(); }
  std::set<uint64_t> Ids() const;
  std::string DebugString() const;
};

}  // namespace nokv::raft
