#include "src/redis/kv_store.h"

namespace nokv::redis {

absl::StatusOr<std::optional<Entry>> GetOne(KvStore* store, int db, std::string_view key) {
  std::vector<std::optional<Entry>> out;
  absl::Status s = store->MultiGet(db, {key}, &out);
  if (!s.ok()) return s;
  return std::move(out[0]);
}

absl::Status KvStore::Update(int db, const std::vector<std::string_view>& keys,
                             const UpdateBody& body) {
  TxnScope scope;
  scope.keys = keys;
  return Transact(scope, [&](TxnReader& reader, std::vector<Mutation>* mutations) {
    std::vector<std::optional<Entry>> current;
    current.reserve(keys.size());
    for (std::string_view k : keys) {
      absl::StatusOr<std::optional<Entry>> e = reader.Get(db, k);
      if (!e.ok()) return e.status();
      current.push_back(std::move(*e));
    }
    return body(current, mutations);
  });
}

bool WatchedKeyChanged(const WatchedKey& watched, const KeyVersion& now, bool live_now) {
  // A write to the key itself always counts (even one that left the same value, as in Redis).
  if (now.key_version != watched.version.key_version) return true;
  // FLUSHDB / FLUSHALL / SWAPDB count only for a key they could have changed: one that was live
  // at WATCH (now gone or replaced) or is live now (came with a swapped-in database).
  return now.db_version != watched.version.db_version && (watched.existed || live_now);
}

}  // namespace nokv::redis
