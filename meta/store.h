// MetaStore: the one interface over meta's two backends (local files, replicated group).
//
//   Append(events)  validates the events against the folded state and appends them as one
//                   batch, all or nothing. On OK the batch is durable (local: fsynced;
//                   replicated: committed by a quorum and applied here) and visible in State().
//                   FailedPrecondition: rejected by the fold, nothing appended. Any other error
//                   (IO, no quorum, not the leader, timeout) leaves the outcome unknown: the
//                   batch may or may not be in the log; read State() to find out.
//   State()         an immutable snapshot of the folded state (cheap: a shared pointer).
//   Watch(cursor)   the batches after `cursor`, in order, as they are appended; a watcher that
//                   falls behind the retained tail gets the whole state instead (Reset).
//
// Thread-safety: every method may be called from any thread. Appends are serialized.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "meta/meta.pb.h"
#include "meta/state.h"

namespace nokv::meta {

// One step of a watch: the next batch after the cursor, or a state to restart from when the
// batches the watcher missed are no longer retained.
struct WatchUpdate {
  std::optional<metapb::EventBatch> batch;
  std::shared_ptr<const MetaState> reset;
};

class MetaWatch {
 public:
  virtual ~MetaWatch() = default;
  // Waits up to `timeout` for the next update. DeadlineExceeded if none arrived, Cancelled once
  // the store is closed.
  virtual absl::StatusOr<WatchUpdate> Next(std::chrono::milliseconds timeout) = 0;
  // Revision of the last update returned (the cursor).
  virtual uint64_t cursor() const = 0;
};

// Who may append. The local backend is always its own leader.
struct MetaMembership {
  uint64_t self_id = 0;
  uint64_t leader_id = 0;  // 0 = unknown (election in progress)
  std::vector<uint64_t> members;
  bool is_leader() const { return self_id != 0 && self_id == leader_id; }
};

class MetaStore {
 public:
  virtual ~MetaStore() = default;

  virtual absl::StatusOr<uint64_t> Append(const std::vector<metapb::Event>& events) = 0;
  virtual std::shared_ptr<const MetaState> State() const = 0;
  virtual std::unique_ptr<MetaWatch> Watch(uint64_t after_revision) = 0;
  virtual MetaMembership Membership() const = 0;
  // "local" or "replicated".
  virtual const char* backend() const = 0;
  // Stops the store: pending and later calls fail, watches end with Cancelled. Idempotent.
  virtual absl::Status Close() = 0;
};

}  // namespace nokv::meta
