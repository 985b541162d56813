#include "raftstore/raft/ready_loop.h"

#include <utility>

namespace nokv::raft {
namespace {

// Messages dropped here never reach the transport, so nobody else would report the fate of a
// snapshot among them; without the report the leader waits for it forever.
void ReportDroppedSnapshots(RawNode& node, const std::vector<raftpb::Message>& messages) {
  for (const raftpb::Message& m : messages) {
    if (m.type() == raftpb::MSG_SNAPSHOT) node.ReportSnapshot(m.to(), /*failed=*/true);
  }
}

}  // namespace

absl::Status ProcessReady(RawNode& node, MutableLogStorage& storage, const ReadyHandlers& handlers,
                          Failpoints* failpoints) {
  if (!node.HasReady()) return absl::OkStatus();
  Ready rd = node.GetReady();
  // Read points need no persistence; the caller answers them once applied >= index.
  if (handlers.read_ready) {
    for (const ReadState& rs : rd.read_states) handlers.read_ready(rs);
  }
  bool writes = rd.snapshot.has_value() || !rd.entries.empty() || rd.hard_state.has_value();

  if (writes) {
    FailpointAction a = EvaluateFailpoint(failpoints, Failpoint::kBeforeAppendPersist);
    if (a == FailpointAction::kDrop || a == FailpointAction::kDelay) {
      ReportDroppedSnapshots(node, rd.messages);
      return absl::OkStatus();
    }
    if (a != FailpointAction::kOff) return FailpointStatus(Failpoint::kBeforeAppendPersist, a);
  }
  // Durability order: snapshot, then entries (which follow it), then the hard state whose
  // commit index may point into those entries.
  if (rd.snapshot) {
    if (handlers.install_snapshot) {
      absl::Status s = handlers.install_snapshot(*rd.snapshot);
      if (!s.ok()) return s;
    }
    absl::Status s = storage.ApplySnapshot(*rd.snapshot);
    if (!s.ok()) return s;
  }
  if (!rd.entries.empty()) {
    absl::Status s = storage.Append(rd.entries);
    if (!s.ok()) return s;
  }
  if (rd.hard_state) {
    absl::Status s = storage.SetHardState(*rd.hard_state);
    if (!s.ok()) return s;
  }

  bool send = true;
  if (writes || !rd.messages.empty()) {
    FailpointAction a = EvaluateFailpoint(failpoints, Failpoint::kAfterPersistBeforeAck);
    if (a == FailpointAction::kDrop || a == FailpointAction::kDelay) {
      ReportDroppedSnapshots(node, rd.messages);
      if (a == FailpointAction::kDelay) return absl::OkStatus();
      send = false;
    }
    if (a == FailpointAction::kError || a == FailpointAction::kCrash) {
      return FailpointStatus(Failpoint::kAfterPersistBeforeAck, a);
    }
  }
  if (send) {
    for (raftpb::Message& m : rd.messages) handlers.send(std::move(m));
  }

  if (!rd.committed_entries.empty()) {
    FailpointAction a = EvaluateFailpoint(failpoints, Failpoint::kBeforeApply);
    if (a == FailpointAction::kDrop || a == FailpointAction::kDelay) return absl::OkStatus();
    if (a != FailpointAction::kOff) return FailpointStatus(Failpoint::kBeforeApply, a);
  }
  for (const raftpb::Entry& e : rd.committed_entries) {
    absl::Status s = handlers.apply(e);
    if (!s.ok()) return s;
  }
  return node.Advance();
}

}  // namespace nokv::raft
