// Named protocol-phase failpoints. A test arms a failpoint on one node's registry with an action
// and a hit count; the Raft core (and ProcessReady) evaluate the failpoint when the node reaches
// that phase. A registry belongs to one node and, like the node, is not thread-safe.
//
// Cost when nothing is armed: one load and compare of a bit mask per phase (no map lookup, no
// allocation); a node built without a registry pays one null-pointer test.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"

namespace nokv::raft {

enum class Failpoint : uint8_t {
  kBeforeCampaign = 0,      // a node is about to start a (pre-)election
  kBeforeAppendPersist,     // a Ready's entries/hard state are about to be written
  kAfterPersistBeforeAck,   // a Ready is durable; its messages are not yet sent
  kBeforeApply,             // committed entries are about to be applied
  kBeforeCommitAdvance,     // the leader is about to advance its commit index
  kBeforeSnapshotSend,      // the leader is about to send a snapshot to a follower
  kDuringSnapshotInstall,   // a follower is installing a received snapshot
  kBeforeLeaderTransfer,    // the leader is about to start a leadership transfer
  kBeforeReadIndexConfirm,  // the leader is about to answer confirmed ReadIndex requests
  kCount,
};

// What an armed failpoint does when hit. Each phase documents its reading of kDrop/kDelay in
// docs/raft.md; in short kDrop skips the phase's action, kDelay postpones it to a later event,
// kError makes the API call return FailpointInjectedError, kCrash makes it return
// FailpointCrashError and the caller must restart the node from storage.
enum class FailpointAction : uint8_t { kOff = 0, kDrop, kDelay, kError, kCrash };

std::string_view FailpointName(Failpoint fp);
std::optional<Failpoint> FailpointFromName(std::string_view name);
std::string_view FailpointActionName(FailpointAction action);

class Failpoints {
 public:
  // Arms `fp` for the next `times` hits (0 = until disarmed).
  void Arm(Failpoint fp, FailpointAction action, uint32_t times = 1);
  void Disarm(Failpoint fp);
  void DisarmAll();

  // The action for this hit of `fp` (kOff when not armed); consumes one hit.
  FailpointAction Evaluate(Failpoint fp) {
    if ((armed_mask_ & (1u << static_cast<unsigned>(fp))) == 0) return FailpointAction::kOff;
    return EvaluateArmed(fp);
  }

  // How many times `fp` fired (returned an action other than kOff).
  uint64_t fired(Failpoint fp) const { return slots_[static_cast<size_t>(fp)].fired; }

 private:
  struct Slot {
    FailpointAction action = FailpointAction::kOff;
    uint32_t remaining = 0;  // 0 with an action set = unlimited
    uint64_t fired = 0;
  };
  FailpointAction EvaluateArmed(Failpoint fp);

  uint32_t armed_mask_ = 0;
  std::array<Slot, static_cast<size_t>(Failpoint::kCount)> slots_{};
};

// Evaluates `fp` on a possibly null registry.
inline FailpointAction EvaluateFailpoint(Failpoints* failpoints, Failpoint fp) {
  return failpoints == nullptr ? FailpointAction::kOff : failpoints->Evaluate(fp);
}

// kError/kCrash as the status the API call returns; OK for the other actions.
absl::Status FailpointStatus(Failpoint fp, FailpointAction action);

}  // namespace nokv::raft
