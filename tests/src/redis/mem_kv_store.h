// MemKvStore: a KvStore over std::maps under one mutex. The reference model for command tests:
// trivially atomic and with exact per-key WATCH versions, so any difference from the embedded
// backend is the backend's.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "src/redis/kv_store.h"
#include "src/util/clock.h"

namespace nokv::redis {

class MemKvStore : public KvStore {
 public:
  explicit MemKvStore(Clock* clock) : clock_(clock) {}

  Clock* clock() override { return clock_; }

  absl::Status MultiGet(int db, const std::vector<std::string_view>& keys,
                        std::vector<std::optional<Entry>>* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    out->clear();
    for (std::string_view k : keys) out->push_back(Live(db, k));
    return absl::OkStatus();
  }

  absl::Status Apply(std::vector<Mutation> mutations) override {
    std::lock_guard<std::mutex> lock(mu_);
    ApplyLocked(mutations);
    return absl::OkStatus();
  }

  absl::Status Transact(const TxnScope& scope, const TxnBody& body) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const WatchedKey& w : scope.watched) {
      if (WatchedKeyChanged(w, VersionLocked(w.db, w.key), Live(w.db, w.key).has_value())) {
        return absl::AbortedError("watched key changed");
      }
    }
    Reader reader(this);
    std::vector<Mutation> mutations;
    absl::Status s = body(reader, &mutations);
    if (!s.ok()) return s;
    ApplyLocked(mutations);
    return absl::OkStatus();
  }

  absl::Status Scan(int db, std::string_view start, size_t limit, std::vector<std::string>* keys,
                    std::optional<std::string>* next) override {
    std::lock_guard<std::mutex> lock(mu_);
    return ScanLocked(db, start, limit, keys, next);
  }

  absl::Status Count(int db, uint64_t* keys, uint64_t* keys_with_expiry) override {
    std::lock_guard<std::mutex> lock(mu_);
    return CountLocked(db, keys, keys_with_expiry);
  }

  absl::Status Versions(int db, const std::vector<std::string_view>& keys,
                        std::vector<KeyVersion>* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    out->clear();
    for (std::string_view k : keys) out->push_back(VersionLocked(db, k));
    return absl::OkStatus();
  }

  absl::Status Flush() override { return absl::OkStatus(); }

  std::map<std::string, uint64_t> Stats() override {
    std::lock_guard<std::mutex> lock(mu_);
    uint64_t n = 0;
    for (const auto& db : dbs_) n += db.size();
    return {{"mem.keys", n}};
  }

 private:
  class Reader : public TxnReader {
   public:
    explicit Reader(MemKvStore* store) : store_(store) {}
    absl::StatusOr<std::optional<Entry>> Get(int db, std::string_view key) override {
      return store_->Live(db, key);
    }
    absl::Status Scan(int db, std::string_view start, size_t limit, std::vector<std::string>* keys,
                      std::optional<std::string>* next) override {
      return store_->ScanLocked(db, start, limit, keys, next);
    }
    absl::Status Count(int db, uint64_t* keys, uint64_t* keys_with_expiry) override {
      return store_->CountLocked(db, keys, keys_with_expiry);
    }

   private:
    MemKvStore* store_;
  };

  std::optional<Entry> Live(int db, std::string_view key) {
    auto& m = dbs_[static_cast<size_t>(db)];
    auto it = m.find(std::string(key));
    if (it == m.end()) return std::nullopt;
    if (it->second.expires_at_ms != 0 && it->second.expires_at_ms <= clock_->NowUnixMillis()) {
      return std::nullopt;
    }
    return it->second;
  }
  KeyVersion VersionLocked(int db, std::string_view key) {
    auto it = key_versions_.find({db, std::string(key)});
    return KeyVersion{it == key_versions_.end() ? 0 : it->second,
                      db_versions_[static_cast<size_t>(db)]};
  }
  absl::Status ScanLocked(int db, std::string_view start, size_t limit,
                          std::vector<std::string>* keys, std::optional<std::string>* next) {
    keys->clear();
    next->reset();
    auto& m = dbs_[static_cast<size_t>(db)];
    for (auto it = m.lower_bound(std::string(start)); it != m.end(); ++it) {
      if (!Live(db, it->first).has_value()) continue;
      if (keys->size() >= limit) {
        *next = it->first;
        break;
      }
      keys->push_back(it->first);
    }
    return absl::OkStatus();
  }
  absl::Status CountLocked(int db, uint64_t* keys, uint64_t* keys_with_expiry) {
    *keys = *keys_with_expiry = 0;
    for (const auto& [k, e] : dbs_[static_cast<size_t>(db)]) {
      if (!Live(db, k).has_value()) continue;
      ++*keys;
      if (e.expires_at_ms != 0) ++*keys_with_expiry;
    }
    return absl::OkStatus();
  }
  void ApplyLocked(const std::vector<Mutation>& mutations) {
    for (const Mutation& m : mutations) {
      auto& db = dbs_[static_cast<size_t>(m.db)];
      switch (m.kind) {
        case Mutation::Kind::kPut:
        case Mutation::Kind::kDelete:
          ++key_versions_[{m.db, m.key}];
          if (m.kind == Mutation::Kind::kDelete ||
              (m.expires_at_ms != 0 && m.expires_at_ms <= clock_->NowUnixMillis())) {
            db.erase(m.key);
          } else {
            db[m.key] = Entry{ValueType::kString, m.value, m.expires_at_ms};
          }
          break;
        case Mutation::Kind::kClearDb:
          db.clear();
          ++db_versions_[static_cast<size_t>(m.db)];
          break;
        case Mutation::Kind::kClearAll:
          for (auto& d : dbs_) d.clear();
          for (auto& v : db_versions_) ++v;
          break;
        case Mutation::Kind::kSwapDb:
          std::swap(db, dbs_[static_cast<size_t>(m.db2)]);
          ++db_versions_[static_cast<size_t>(m.db)];
          ++db_versions_[static_cast<size_t>(m.db2)];
          break;
      }
    }
  }

  Clock* const clock_;
  std::mutex mu_;
  std::array<std::map<std::string, Entry>, kDatabases> dbs_;
  std::map<std::pair<int, std::string>, uint64_t> key_versions_;
  std::array<uint64_t, kDatabases> db_versions_{};
};

}  // namespace nokv::redis
