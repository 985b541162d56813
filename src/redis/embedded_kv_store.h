// EmbeddedKvStore: KvStore on one nokv::DB in this process.
//
// Layout (docs/redis.md, "Storage encoding"; docs/notes/2026-11-24-redis-storage-encoding.md and
// docs/notes/2026-11-29-redis-databases-and-transactions.md):
//   DB key   = namespace prefix + user key
//              namespace 0 = "k" (what every key was before databases existed, so an older
//              workdir's keys are database 0's), namespaces 1..15 = "d01" .. "d15"
//   DB value = tag byte + [8-byte LE absolute expiry ms] + payload
//              tag bit 0x80: an expiry follows; low 7 bits: ValueType (1 = string)
//   "mdbmap" = which namespace each logical database uses (16 bytes), written by SWAPDB; absent
//              = database i uses namespace i. SWAPDB exchanges two entries: O(1), no data moves.
// The engine's own TTL is set too (to a deadline >= the stored one) so compaction reclaims
// expired entries; the stored deadline is authoritative, which keeps expiry exact to the
// millisecond across rewrites (KEEPTTL, INCR on a volatile key).
//
// Isolation: a reader/writer gate plus 1024 striped key mutexes. Every write takes the gate
// shared and the stripes of its keys (sorted, so multi-key writes cannot deadlock), reads under
// them, and writes one WriteBatch. Whole-keyspace writes (FLUSHDB, FLUSHALL, SWAPDB, a MULTI
// with KEYS/SCAN/DBSIZE) take the gate exclusively. Reads without a write (MultiGet, Scan,
// Count) take no lock: they use an engine snapshot and a sequence-checked copy of the database
// map, retrying if a SWAPDB ran meanwhile.
//
// WATCH versions: a counter per key slot (16384 slots by key hash, bumped after each write of a
// key in it) and a counter per database (bumped by FLUSHDB/FLUSHALL/SWAPDB). Two keys sharing a
// slot make a WATCH abort spuriously (probability ~ writes between WATCH and EXEC / 16384); a
// real change is never missed. Versions live in memory: they only need to outlive a connection.
#pragma once

#include <pthread.h>

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
  // Reads the database map. `db` and `clock` are not owned and must outlive the store; `clock`
  // should be the one the DB was opened with. DataLoss if the stored map is malformed.
  static absl::StatusOr<std::unique_ptr<EmbeddedKvStore>> Open(DB* db, Clock* clock,
                                                               EmbeddedKvStoreOptions options);
  ~EmbeddedKvStore() override;

  Clock* clock() override { return clock_; }
  absl::Status MultiGet(int db, const std::vector<std::string_view>& keys,
                        std::vector<std::optional<Entry>>* out) override;
  absl::Status Apply(std::vector<Mutation> mutations) override;
  absl::Status Transact(const TxnScope& scope, const TxnBody& body) override;
  absl::Status Scan(int db, std::string_view start, size_t limit, std::vector<std::string>* keys,
                    std::optional<std::string>* next) override;
  absl::Status Count(int db, uint64_t* keys, uint64_t* keys_with_expiry) override;
  absl::Status Versions(int db, const std::vector<std::string_view>& keys,
                        std::vector<KeyVersion>* out) override;
  absl::Status Flush() override;
  std::map<std::string, uint64_t> Stats() override;

  // Switches fsync-per-write on or off (CONFIG SET appendfsync).
  void set_sync(bool sync) { sync_.store(sync, std::memory_order_relaxed); }
  bool sync() const { return sync_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kStripes = 1024;
  static constexpr size_t kVersionSlots = 16384;  // a multiple of kStripes (see VersionSlot)
  class Gate;
  class StripeGuard;
  class LockedReader;

  EmbeddedKvStore(DB* db, Clock* clock, EmbeddedKvStoreOptions options, uint64_t db_map);

  // Runs `read(namespace)` against a database map no SWAPDB changed while it ran.
  template <typename ReadFn>
  absl::Status WithNamespace(int db, ReadFn&& read);
  int NamespaceOfLocked(int db) const;  // with the gate held
  absl::StatusOr<std::optional<Entry>> ReadLocked(int ns, std::string_view key, uint64_t now);
  absl::Status ScanNamespace(int ns, std::string_view start, size_t limit,
                             std::vector<std::string>* keys, std::optional<std::string>* next);
  absl::Status CountNamespace(int ns, uint64_t* keys, uint64_t* keys_with_expiry);
  // Encodes and writes the mutations as one batch (the gate and the keys' stripes held), then
  // publishes a changed database map and bumps the WATCH versions.
  absl::Status WriteMutations(const std::vector<Mutation>& mutations, uint64_t now);
  absl::Status DecodeError(std::string_view key);

  DB* const db_;
  Clock* const clock_;
  std::atomic<bool> sync_;
  std::unique_ptr<Gate> gate_;
  std::array<std::mutex, kStripes> stripes_;
  // Logical database -> namespace, 4 bits each; changed only with the gate held exclusively,
  // between two increments of db_map_seq_ (odd = change in progress).
  std::atomic<uint64_t> db_map_;
  std::atomic<uint64_t> db_map_seq_{0};
  std::array<std::atomic<uint64_t>, kVersionSlots> key_versions_{};
  std::array<std::atomic<uint64_t>, kDatabases> db_versions_{};
  std::atomic<uint64_t> batches_written_{0};
  std::atomic<uint64_t> decode_errors_{0};
};

}  // namespace nokv::redis
