// The standard way to handle one Ready: persist, send, apply, advance -- in the order Raft's
// safety requires (see raw_node.h), with the driver-side failpoints evaluated between the steps.
// raftstore's peer loop, the simulator and the benchmark all use it, so the ordering is written
// (and tested) once.
#pragma once

#include <functional>

#include "absl/status/status.h"
#include "raftstore/raft/failpoints.h"
#include "raftstore/raft/raw_node.h"
#include "raftstore/raft/storage.h"

namespace nokv::raft {

struct ReadyHandlers {
  // Hands a message to the transport. Required.
  std::function<void(raftpb::Message)> send;
  // Installs a snapshot into the state machine (called before the storage records it).
  std::function<absl::Status(const raftpb::Snapshot&)> install_snapshot;
  // Applies one committed entry. Conf change entries must be applied through
  // RawNode::ApplyConfChange by this handler. Required.
  std::function<absl::Status(const raftpb::Entry&)> apply;
  // Receives confirmed read points. Optional.
  std::function<void(const ReadState&)> read_ready;
};

// Handles the node's pending Ready, if any. Failpoints (all optional):
//   raft/before-append-persist   before anything is written. kDrop/kDelay: nothing is written
//                                or sent, the Ready is retried by the next call (its messages
//                                are lost, as on a lossy network).
//   raft/after-persist-before-ack  after the writes, before sending. kDrop: messages are
//                                dropped; kDelay: the whole Ready is retried later.
//   raft/before-apply            before applying committed entries. kDrop/kDelay: application
//                                is postponed to the next call (Advance is not called).
// kError returns FailpointInjectedError and kCrash FailpointCrashError at that point; storage
// write errors are returned as they are. After any error the node must be restarted from
// storage (its in-memory state may be ahead of what was persisted).
absl::Status ProcessReady(RawNode& node, MutableLogStorage& storage, const ReadyHandlers& handlers,
                          Failpoints* failpoints);

}  // namespace nokv::raft
