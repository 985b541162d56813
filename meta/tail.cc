#include "meta/tail.h"

namespace nokv::meta {

class TailLog::Watcher final : public MetaWatch {
 public:
  Watcher(std::shared_ptr<TailLog> log, uint64_t cursor) : log_(std::move(log)), cursor_(cursor) {}
  absl::StatusOr<WatchUpdate> Next(std::chrono::milliseconds timeout) override {
    auto update = log_->NextAfter(cursor_, timeout);
    if (update.ok()) {
      cursor_ = update->batch ? update->batch->revision() : update->reset->revision();
    }
    return update;
  }
  uint64_t cursor() const override { return cursor_; }

 private:
  std::shared_ptr<TailLog> log_;
  uint64_t cursor_;
};

TailLog::TailLog(std::shared_ptr<const MetaState> initial, size_t retain)
    : retain_(retain), state_(std::move(initial)) {}

void TailLog::Publish(std::shared_ptr<const MetaState> state, const metapb::EventBatch& batch) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = std::move(state);
    tail_.push_back(batch);
    while (tail_.size() > retain_) tail_.pop_front();
  }
  cv_.notify_all();
}

void TailLog::Reset(std::shared_ptr<const MetaState> state) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    state_ = std::move(state);
    tail_.clear();
  }
  cv_.notify_all();
}

std::shared_ptr<const MetaState> TailLog::State() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

std::unique_ptr<MetaWatch> TailLog::Watch(uint64_t after_revision) {
  return std::make_unique<Watcher>(shared_from_this(), after_revision);
}

void TailLog::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

absl::StatusOr<WatchUpdate> TailLog::NextAfter(uint64_t cursor, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  const bool ready = cv_.wait_for(lock, timeout, [&] {
    return closed_ || state_->revision() > cursor || cursor > state_->revision();
  });
  if (closed_) return absl::CancelledError("meta store closed");
  if (!ready) return absl::DeadlineExceededError("no new meta batch");
  WatchUpdate update;
  const uint64_t first = tail_.empty() ? state_->revision() + 1 : tail_.front().revision();
  if (cursor + 1 >= first && cursor < state_->revision()) {
    update.batch = tail_[cursor + 1 - first];
  } else {
    // The cursor fell out of the retained tail, or is ahead of this log (a replica restored
    // from an older snapshot): the watcher restarts from the whole state.
    update.reset = state_;
  }
  return update;
}

}  // namespace nokv::meta
