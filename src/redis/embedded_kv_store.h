// EmbeddedKvStore: KvStore on one nokv::DB in this process.
//
// Layout (docs/redis.md, "Storage encoding"; docs/notes/2026-11-24-redis-storage-encoding.md):
//   DB key   = 'k' + user key            (so the empty Redis key is storable and other
//                                          namespaces can be added beside it later)
//   DB value = tag byte + [8-byte LE absolute expiry ms] + payload
//              tag bit 0x80: an expiry follows; low 7 bits: ValueType (1 = string)
// The engine's own TTL is set too (to a deadline >= the stored one) so compaction reclaims
// expired entries; the stored deadline is authoritative, which keeps expiry exact to the
// millisecond across rewrites (KEEPTTL, INCR on a volatile key) instead of drifting by the
// time between the gateway's clock read and the engine's.
//
// Atomicity: every Apply/Update locks the striped mutexes of its keys (sorted, so multi-key
// updates cannot deadlock), reads under the lock, and writes one WriteBatch. Clear() takes every
// stripe. Reads without a write (MultiGet, Scan) use an engine snapshot and no lock.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "nokv/db.h"
#include "src/redis/kv_store.h"

namespace nokv::redis {

struct EmbeddedKvStoreOptions {
  // fsync the WAL before acknowledging each write (group commit shares the fsync).
  bool sync = false;
};

class EmbeddedKvStore : public KvStore {
 public:
  // `db` and `clock` are not owned and must outlive the store. `clock` should be the one the DB
  // was opened with.
  EmbeddedKvStore(DB* db, Clock* clock, EmbeddedKvStoreOptions options);

  Clock* clock() override { return clock_; }
  absl::Status MultiGet(const std::vector<std::string_view>& keys,
                        std::vector<std::optional<Entry>>* out) override;
  absl::Status Apply(std::vector<Mutation> mutations) override;
  absl::Status Update(const std::vector<std::string_view>& keys, const UpdateBody& body) override;
  absl::Status Scan(std::string_view start, size_t limit, std::vector<std::string>* keys,
                    std::optional<std::string>* next) override;
  absl::Status Count(uint64_t* keys, uint64_t* keys_with_expiry) override;
  absl::Status Clear() override;
  std::map<std::string, uint64_t> Stats() override;

  // Encoding helpers, exposed for tests and tools.
  static std::string EncodeKey(std::string_view user_key);
  static std::string EncodeValue(const Entry& entry);
  // False if `stored` is not a valid encoding.
  static bool DecodeValue(std::string_view stored, Entry* entry);

 private:
  static constexpr size_t kStripes = 1024;
  class StripeGuard;

  absl::StatusOr<std::optional<Entry>> ReadLocked(std::string_view key, uint64_t now);
  absl::Status WriteMutations(const std::vector<Mutation>& mutations, uint64_t now);

  DB* const db_;
  Clock* const clock_;
  const EmbeddedKvStoreOptions options_;
  std::array<std::mutex, kStripes> stripes_;
  std::atomic<uint64_t> batches_written_{0};
  std::atomic<uint64_t> decode_errors_{0};
};

}  // namespace nokv::redis
