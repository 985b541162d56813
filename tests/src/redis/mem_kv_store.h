// MemKvStore: a KvStore over std::map under one mutex. The reference model for command tests:
// trivially atomic, so any difference from the embedded backend is the backend's.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "src/redis/kv_store.h"
#include "src/util/clock.h"

namespace nokv::redis {

class MemKvStore : public KvStore {
 public:
  explicit MemKvStore(Clock* clock) : clock_(clock) {}

  Clock* clock() override { return clock_; }

  absl::Status MultiGet(const std::vector<std::string_view>& keys,
                        std::vector<std::optional<Entry>>* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    out->clear();
    for (std::string_view k : keys) out->push_back(Live(k));
    return absl::OkStatus();
  }

  absl::Status Apply(std::vector<Mutation> mutations) override {
    std::lock_guard<std::mutex> lock(mu_);
    ApplyLocked(mutations);
    return absl::OkStatus();
  }

  absl::Status Update(const std::vector<std::string_view>& keys, const UpdateBody& body) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::optional<Entry>> current;
    for (std::string_view k : keys) current.push_back(Live(k));
    std::vector<Mutation> mutations;
    absl::Status s = body(current, &mutations);
    if (!s.ok()) return s;
    ApplyLocked(mutations);
    return absl::OkStatus();
  }

  absl::Status Scan(std::string_view start, size_t limit, std::vector<std::string>* keys,
                    std::optional<std::string>* next) override {
    std::lock_guard<std::mutex> lock(mu_);
    keys->clear();
    next->reset();
    for (auto it = data_.lower_bound(std::string(start)); it != data_.end(); ++it) {
      if (!Live(it->first).has_value()) continue;
      if (keys->size() >= limit) {
        *next = it->first;
        break;
      }
      keys->push_back(it->first);
    }
    return absl::OkStatus();
  }

  absl::Status Count(uint64_t* keys, uint64_t* keys_with_expiry) override {
    std::lock_guard<std::mutex> lock(mu_);
    *keys = *keys_with_expiry = 0;
    for (const auto& [k, e] : data_) {
      if (!Live(k).has_value()) continue;
      ++*keys;
      if (e.expires_at_ms != 0) ++*keys_with_expiry;
    }
    return absl::OkStatus();
  }

  absl::Status Clear() override {
    std::lock_guard<std::mutex> lock(mu_);
    data_.clear();
    return absl::OkStatus();
  }

  std::map<std::string, uint64_t> Stats() override { return {{"mem.keys", data_.size()}}; }

 private:
  std::optional<Entry> Live(std::string_view key) {
    auto it = data_.find(std::string(key));
    if (it == data_.end()) return std::nullopt;
    if (it->second.expires_at_ms != 0 && it->second.expires_at_ms <= clock_->NowUnixMillis()) {
      return std::nullopt;
    }
    return it->second;
  }
  void ApplyLocked(const std::vector<Mutation>& mutations) {
    for (const Mutation& m : mutations) {
      if (m.kind == Mutation::Kind::kDelete ||
          (m.expires_at_ms != 0 && m.expires_at_ms <= clock_->NowUnixMillis())) {
        data_.erase(m.key);
      } else {
        data_[m.key] = Entry{ValueType::kString, m.value, m.expires_at_ms};
      }
    }
  }

  Clock* const clock_;
  std::mutex mu_;
  std::map<std::string, Entry> data_;
};

}  // namespace nokv::redis
