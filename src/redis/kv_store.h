// KvStore: the storage the Redis command layer runs on.
//
// The command layer expresses every command as reads, blind atomic writes, or a transaction
// over a set of keys; it never sees how values are encoded, how databases are laid out or how
// keys are locked. The embedded backend (EmbeddedKvStore) implements it on one nokv::DB; a
// distributed backend implements each Transact as one Percolator transaction (one start_ts for
// its reads and its prewrite, so concurrent read-modify-writes conflict instead of losing
// updates). Design: docs/notes/2026-11-29-redis-databases-and-transactions.md.
//
// Databases: keys live in kDatabases logical databases (Redis's SELECT index). Every call names
// the database; the same key in two databases is two independent entries. SWAPDB exchanges two
// databases' contents atomically (a Mutation, so a transaction can contain it).
//
// Keys and values are arbitrary byte strings, including empty ones. Expiry is an absolute Unix
// time in milliseconds (0 = never); an entry whose expiry is <= the store clock's now is
// invisible to every call at once.
//
// Thread-safety: every method may be called from any number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace nokv {
class Clock;
}

namespace nokv::redis {

// Redis's default `databases`: SELECT 0 .. 15.
inline constexpr int kDatabases = 16;

// Types a key can hold. Only strings exist today; the stored encoding reserves room for more,
// and commands answer WRONGTYPE for a kind they do not handle.
enum class ValueType : uint8_t { kString = 1 };

struct Entry {
  ValueType type = ValueType::kString;
  std::string value;
  uint64_t expires_at_ms = 0;  // absolute Unix ms; 0 = persistent
};

// One update inside an atomic group. Mutations of a group apply in order: a later Put of a key
// wins over an earlier one, a Put after a ClearDb survives it, and a SwapDb changes which
// contents the db indices of the mutations after it refer to.
struct Mutation {
  enum class Kind : uint8_t {
    kPut,
    kDelete,
    kClearDb,   // every key of `db` (FLUSHDB)
    kClearAll,  // every key of every database (FLUSHALL)
    kSwapDb,    // exchange the contents of `db` and `db2` (SWAPDB)
  };
  Kind kind = Kind::kPut;
  int db = 0;
  int db2 = 0;  // kSwapDb only
  std::string key;
  std::string value;
  uint64_t expires_at_ms = 0;  // for kPut; 0 = persistent

  static Mutation Put(int db, std::string key, std::string value, uint64_t expires_at_ms = 0) {
    return Mutation{Kind::kPut, db, 0, std::move(key), std::move(value), expires_at_ms};
  }
  static Mutation Delete(int db, std::string key) {
    return Mutation{Kind::kDelete, db, 0, std::move(key), "", 0};
  }
  static Mutation ClearDb(int db) { return Mutation{Kind::kClearDb, db, 0, "", "", 0}; }
  static Mutation ClearAll() { return Mutation{Kind::kClearAll, 0, 0, "", "", 0}; }
  static Mutation SwapDb(int a, int b) { return Mutation{Kind::kSwapDb, a, b, "", "", 0}; }
  // True for the kinds that touch more than one key (they need a whole-keyspace Transact).
  bool WholeKeyspace() const { return kind >= Kind::kClearDb; }
};

// What WATCH remembers of a key. Opaque to the command layer: a backend fills it in Versions()
// and compares it in Transact().
struct KeyVersion {
  uint64_t key_version = 0;
  uint64_t db_version = 0;
};

struct WatchedKey {
  int db = 0;
  std::string key;
  KeyVersion version;
  bool existed = false;  // the key was live when its version was taken
};

// Consistent reads inside a Transact: the state the transaction's writes will apply to.
class TxnReader {
 public:
  virtual ~TxnReader() = default;
  virtual absl::StatusOr<std::optional<Entry>> Get(int db, std::string_view key) = 0;
  // As KvStore::Scan / KvStore::Count.
  virtual absl::Status Scan(int db, std::string_view start, size_t limit,
                            std::vector<std::string>* keys, std::optional<std::string>* next) = 0;
  virtual absl::Status Count(int db, uint64_t* keys, uint64_t* keys_with_expiry) = 0;
};

// What a Transact touches. `keys` are the user keys it reads or writes (in any database);
// `whole_keyspace` means it also scans, counts or clears beyond them (KEYS, DBSIZE, FLUSHDB,
// SWAPDB inside MULTI), which the embedded backend serializes with every other write.
struct TxnScope {
  std::vector<std::string_view> keys;
  bool whole_keyspace = false;
  // The transaction aborts (absl::Aborted, nothing written) if any of these keys was written
  // since its version was taken, or its database was flushed or swapped while the key was live
  // then or is live now (Redis's WATCH). A backend may abort spuriously (a change it cannot
  // tell apart from one of these keys'); never misses one.
  std::vector<WatchedKey> watched;
};

// The transaction body: reads through `reader`, appends the mutations to apply. A non-OK return
// aborts (nothing is written) and Transact returns that status. Reads and mutations must stay
// within the scope's keys unless the scope is whole_keyspace. The body may run more than once
// (a distributed backend retries on conflict), so it must not have side effects beyond filling
// its outputs (or must reset them when it starts).
using TxnBody = std::function<absl::Status(TxnReader& reader, std::vector<Mutation>* mutations)>;

// The body of KvStore::Update: sees the current entries of the keys (nullopt for missing or
// expired) in the order given, appends the mutations to apply. Same rules as TxnBody.
using UpdateBody = std::function<absl::Status(const std::vector<std::optional<Entry>>& current,
                                              std::vector<Mutation>* mutations)>;

class KvStore {
 public:
  virtual ~KvStore() = default;

  // The time source expiry is judged by. Not owned.
  virtual Clock* clock() = 0;

  // Reads each key of `db` as of one consistent point (an MGET never sees half of an MSET).
  // out[i] is nullopt when keys[i] is missing or expired.
  virtual absl::Status MultiGet(int db, const std::vector<std::string_view>& keys,
                                std::vector<std::optional<Entry>>* out) = 0;

  // Applies the mutations atomically (all or none), serialized with every Transact touching the
  // same keys. Durable per the store's sync setting when it returns OK.
  virtual absl::Status Apply(std::vector<Mutation> mutations) = 0;

  // The general transaction: under the scope's isolation, checks the watched keys, runs `body`,
  // applies its mutations atomically. No other write to the scope's keys takes effect between
  // the reads and the write. Returns Aborted if a watched key changed.
  virtual absl::Status Transact(const TxnScope& scope, const TxnBody& body) = 0;

  // Read-modify-write of keys of one database: a Transact that reads `keys` first.
  absl::Status Update(int db, const std::vector<std::string_view>& keys, const UpdateBody& body);

  // Live keys of `db` >= `start` in byte order, at most `limit` of them, from one consistent
  // view. *next is the key to resume from, or nullopt when the database is exhausted. `start`
  // must not point into *keys or *next (they are cleared first).
  virtual absl::Status Scan(int db, std::string_view start, size_t limit,
                            std::vector<std::string>* keys, std::optional<std::string>* next) = 0;

  // Number of live keys of `db`, and how many of them have an expiry. May be O(keys).
  virtual absl::Status Count(int db, uint64_t* keys, uint64_t* keys_with_expiry) = 0;

  // The current version of each key (for WATCH); out[i] belongs to keys[i]. Take the versions
  // before reading the keys' values, so a write between the two is seen as a change.
  virtual absl::Status Versions(int db, const std::vector<std::string_view>& keys,
                                std::vector<KeyVersion>* out) = 0;

  // Makes every acknowledged write durable on disk (SAVE / BGSAVE).
  virtual absl::Status Flush() = 0;

  // Backend counters for INFO and the metrics endpoint (name -> value).
  virtual std::map<std::string, uint64_t> Stats() = 0;
};

// Convenience: reads one key.
absl::StatusOr<std::optional<Entry>> GetOne(KvStore* store, int db, std::string_view key);

// The WATCH rule both backends apply: has the watched key changed, given its version now and
// whether it is live now?
bool WatchedKeyChanged(const WatchedKey& watched, const KeyVersion& now, bool live_now);

}  // namespace nokv::redis
