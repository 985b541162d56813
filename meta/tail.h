// TailLog: the retained tail of applied batches and the watches reading it; shared by both
// backends. The backend publishes each applied batch with the state it produced; watches wait
// on a condition variable.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>

#include "meta/store.h"

namespace nokv::meta {

class TailLog : public std::enable_shared_from_this<TailLog> {
 public:
  // Keeps the last `retain` batches.
  explicit TailLog(std::shared_ptr<const MetaState> initial, size_t retain = 1024);

  // Publishes `state` (the fold after `batch`) and `batch`. Batches arrive in revision order.
  void Publish(std::shared_ptr<const MetaState> state, const metapb::EventBatch& batch);
  // Replaces everything (a replicated member installed a snapshot): watchers behind it reset.
  void Reset(std::shared_ptr<const MetaState> state);
  std::shared_ptr<const MetaState> State() const;
  std::unique_ptr<MetaWatch> Watch(uint64_t after_revision);
  // Wakes every watch with Cancelled.
  void Close();

 private:
  class Watcher;
  absl::StatusOr<WatchUpdate> NextAfter(uint64_t cursor, std::chrono::milliseconds timeout);

  const size_t retain_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const MetaState> state_;
  std::deque<metapb::EventBatch> tail_;  // consecutive revisions ending at state_->revision()
  bool closed_ = false;
};

}  // namespace nokv::meta
