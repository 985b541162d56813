#include "raftstore/raft/failpoints.h"

#include "raftstore/raft/errors.h"

namespace nokv::raft {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Failpoint::kCount)> kNames = {
    "raft/before-campaign",           "raft/before-append-persist",
    "raft/after-persist-before-ack",  "raft/before-apply",
    "raft/before-commit-advance",     "raft/before-snapshot-send",
    "raft/during-snapshot-install",   "raft/before-leader-transfer",
    "raft/before-read-index-confirm",
};

}  // namespace

std::string_view FailpointName(Failpoint fp) {
  size_t i = static_cast<size_t>(fp);
  return i < kNames.size() ? kNames[i] : std::string_view("raft/unknown");
}

std::optional<Failpoint> FailpointFromName(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Failpoint>(i);
  }
  return std::nullopt;
}

std::string_view FailpointActionName(FailpointAction action) {
  switch (action) {
    case FailpointAction::kOff:
      return "off";
    case FailpointAction::kDrop:
      return "drop";
    case FailpointAction::kDelay:
      return "delay";
    case FailpointAction::kError:
      return "error";
    case FailpointAction::kCrash:
      return "crash";
  }
  return "unknown";
}

void Failpoints::Arm(Failpoint fp, FailpointAction action, uint32_t times) {
  size_t i = static_cast<size_t>(fp);
  if (i >= slots_.size()) return;
  if (action == FailpointAction::kOff) {
    Disarm(fp);
    return;
  }
  slots_[i].action = action;
  slots_[i].remaining = times;
  armed_mask_ |= 1u << i;
}

void Failpoints::Disarm(Failpoint fp) {
  size_t i = static_cast<size_t>(fp);
  if (i >= slots_.size()) return;
  slots_[i].action = FailpointAction::kOff;
  slots_[i].remaining = 0;
  armed_mask_ &= ~(1u << i);
}

void Failpoints::DisarmAll() {
  for (size_t i = 0; i < slots_.size(); ++i) Disarm(static_cast<Failpoint>(i));
}

FailpointAction Failpoints::EvaluateArmed(Failpoint fp) {
  Slot& slot = slots_[static_cast<size_t>(fp)];
  FailpointAction action = slot.action;
  ++slot.fired;
  if (slot.remaining > 0 && --slot.remaining == 0) Disarm(fp);
  return action;
}

absl::Status FailpointStatus(Failpoint fp, FailpointAction action) {
  switch (action) {
    case FailpointAction::kError:
      return FailpointInjectedError(FailpointName(fp));
    case FailpointAction::kCrash:
      return FailpointCrashError(FailpointName(fp));
    default:
      return absl::OkStatus();
  }
}

}  // namespace nokv::raft
