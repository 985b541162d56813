// KvStore: the storage the Redis command layer runs on.
//
// The command layer expresses every command as reads, blind atomic writes, or a read-modify-
// write transaction over a handful of keys; it never sees how values are encoded or locked.
// The embedded backend (EmbeddedKvStore) implements it on one nokv::DB; the distributed backend
// implements each Update as one Percolator transaction (one start_ts for its reads and its
// prewrite, so concurrent read-modify-writes conflict instead of losing updates).
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

// Types a key can hold. Only strings exist today; the stored encoding reserves room for more,
// and commands answer WRONGTYPE for a kind they do not handle.
enum class ValueType : uint8_t { kString = 1 };

struct Entry {
  ValueType type = ValueType::kString;
  std::string value;
  uint64_t expires_at_ms = 0;  // absolute Unix ms; 0 = persistent
};

// One update inside an atomic group.
struct Mutation {
  enum class Kind : uint8_t { kPut, kDelete };
  Kind kind = Kind::kPut;
  std::string key;
  std::string value;
  uint64_t expires_at_ms = 0;  // for kPut; 0 = persistent

  static Mutation Put(std::string key, std::string value, uint64_t expires_at_ms = 0) {
    return Mutation{Kind::kPut, std::move(key), std::move(value), expires_at_ms};
  }
  static Mutation Delete(std::string key) { return Mutation{Kind::kDelete, std::move(key), "", 0}; }
};

// The transaction body for KvStore::Update: sees the current entries of the keys (nullopt for
// missing or expired) in the order given, appends the mutations to apply. A non-OK return
// aborts (nothing is written) and Update returns that status. Mutations may only touch keys
// passed to Update. The body may run more than once (a distributed backend retries on
// conflict), so it must not have side effects beyond filling its outputs.
using UpdateBody = std::function<absl::Status(const std::vector<std::optional<Entry>>& current,
                                              std::vector<Mutation>* mutations)>;

class KvStore {
 public:
  virtual ~KvStore() = default;

  // The time source expiry is judged by. Not owned.
  virtual Clock* clock() = 0;

  // Reads each key as of one consistent point (an MGET never sees half of an MSET). out[i] is
  // nullopt when keys[i] is missing or expired.
  virtual absl::Status MultiGet(const std::vector<std::string_view>& keys,
                                std::vector<std::optional<Entry>>* out) = 0;

  // Applies the mutations atomically (all or none), serialized with every Update touching the
  // same keys. Durable per the store's sync setting when it returns OK.
  virtual absl::Status Apply(std::vector<Mutation> mutations) = 0;

  // Read-modify-write: reads `keys`, runs `body`, applies its mutations atomically. No other
  // Apply/Update/Clear touching these keys takes effect between the read and the write.
  virtual absl::Status Update(const std::vector<std::string_view>& keys,
                              const UpdateBody& body) = 0;

  // Live keys >= `start` in byte order, at most `limit` of them, from one consistent view.
  // *next is the key to resume from, or empty when the key space is exhausted.
  virtual absl::Status Scan(std::string_view start, size_t limit, std::vector<std::string>* keys,
                            std::optional<std::string>* next) = 0;

  // Number of live keys, and how many of them have an expiry. May be O(keys).
  virtual absl::Status Count(uint64_t* keys, uint64_t* keys_with_expiry) = 0;

  // Removes every key (FLUSHDB), serialized with every Apply/Update.
  virtual absl::Status Clear() = 0;

  // Backend counters for INFO and the metrics endpoint (name -> value).
  virtual std::map<std::string, uint64_t> Stats() = 0;
};

// Convenience: reads one key.
absl::StatusOr<std::optional<Entry>> GetOne(KvStore* store, std::string_view key);

}  // namespace nokv::redis
