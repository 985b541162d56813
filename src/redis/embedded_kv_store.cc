#include "src/redis/embedded_kv_store.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "nokv/iterator.h"
#include "src/util/clock.h"
#include "src/util/coding.h"
#include "src/util/hash.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

constexpr uint8_t kHasExpiry = 0x80;
constexpr uint8_t kTypeMask = 0x7f;
constexpr std::string_view kDbMapKey = "mdbmap";
// Every namespace prefix ("k", "d01".."d15") sorts in ["d", "l"): FLUSHALL is one range delete
// that leaves gateway metadata ("m...") alone.
constexpr std::string_view kDataBegin = "d";
constexpr std::string_view kDataEnd = "l";

std::string_view NamespacePrefix(int ns) {
  static const std::array<std::string, kDatabases> prefixes = [] {
    std::array<std::string, kDatabases> p;
    p[0] = std::string(1, 'k');
    for (int i = 1; i < kDatabases; ++i) {
      p[i] = std::string{'d', static_cast<char>('0' + i / 10), static_cast<char>('0' + i % 10)};
    }
    return p;
  }();
  return prefixes[static_cast<size_t>(ns)];
}

// The smallest key after every key with the namespace's prefix.
std::string NamespaceEnd(int ns) {
  std::string end(NamespacePrefix(ns));
  end.back() = static_cast<char>(end.back() + 1);  // 'k' -> 'l', "d01" -> "d02": no carry
  return end;
}

void AppendKey(std::string* out, int ns, std::string_view user_key) {
  std::string_view prefix = NamespacePrefix(ns);
  out->reserve(prefix.size() + user_key.size());
  out->append(prefix);
  out->append(user_key);
}

std::string EncodeKey(int ns, std::string_view user_key) {
  std::string k;
  AppendKey(&k, ns, user_key);
  return k;
}

void EncodeValue(std::string* v, const std::string& value, uint64_t expires_at_ms) {
  v->clear();
  v->reserve(value.size() + 9);
  uint8_t tag = static_cast<uint8_t>(ValueType::kString);
  if (expires_at_ms != 0) tag |= kHasExpiry;
  v->push_back(static_cast<char>(tag));
  if (expires_at_ms != 0) PutFixed64(v, expires_at_ms);
  v->append(value);
}

// Decodes in place: `stored` becomes the payload (no copy of the value bytes).
bool DecodeValue(std::string&& stored, Entry* entry) {
  if (stored.empty()) return false;
  const uint8_t tag = static_cast<uint8_t>(stored[0]);
  if ((tag & kTypeMask) != static_cast<uint8_t>(ValueType::kString)) return false;
  entry->type = ValueType::kString;
  entry->expires_at_ms = 0;
  size_t header = 1;
  if (tag & kHasExpiry) {
    if (stored.size() < 9) return false;
    entry->expires_at_ms = DecodeFixed64(stored.data() + 1);
    if (entry->expires_at_ms == 0) return false;
    header = 9;
  }
  stored.erase(0, header);
  entry->value = std::move(stored);
  return true;
}

// Reads the stored deadline without copying the payload; false if the header is malformed.
bool PeekDeadline(std::string_view v, uint64_t* deadline) {
  if (v.empty() || (static_cast<uint8_t>(v[0]) & kTypeMask) != 1) return false;
  *deadline = 0;
  if (static_cast<uint8_t>(v[0]) & kHasExpiry) {
    if (v.size() < 9) return false;
    *deadline = DecodeFixed64(v.data() + 1);
  }
  return true;
}

int NamespaceOf(uint64_t map, int db) { return static_cast<int>((map >> (4 * db)) & 0xf); }
uint64_t SetNamespace(uint64_t map, int db, int ns) {
  map &= ~(uint64_t{0xf} << (4 * db));
  return map | (static_cast<uint64_t>(ns) << (4 * db));
}
uint64_t IdentityMap() {
  uint64_t map = 0;
  for (int db = 0; db < kDatabases; ++db) map = SetNamespace(map, db, db);
  return map;
}

// Stored form: one byte per logical database, its namespace.
std::string EncodeDbMap(uint64_t map) {
  std::string out;
  for (int db = 0; db < kDatabases; ++db) out.push_back(static_cast<char>(NamespaceOf(map, db)));
  return out;
}

absl::StatusOr<uint64_t> DecodeDbMap(std::string_view stored) {
  if (stored.size() != kDatabases) {
    return absl::DataLossError(StrCat("redis: database map (key '", kDbMapKey, "') has ",
                                      stored.size(), " bytes, want ", kDatabases));
  }
  uint64_t map = 0;
  uint32_t seen = 0;
  for (int db = 0; db < kDatabases; ++db) {
    const auto ns = static_cast<uint8_t>(stored[static_cast<size_t>(db)]);
    if (ns >= kDatabases || (seen & (1u << ns))) {
      return absl::DataLossError(
          StrCat("redis: database map (key '", kDbMapKey, "') is not a permutation at byte ", db));
    }
    seen |= 1u << ns;
    map = SetNamespace(map, db, ns);
  }
  return map;
}

// Releases an engine snapshot on scope exit.
class SnapshotHolder {
 public:
  explicit SnapshotHolder(DB* db) : db_(db), snapshot_(db->GetSnapshot()) {}
  ~SnapshotHolder() { db_->ReleaseSnapshot(snapshot_); }
  const Snapshot* get() const { return snapshot_; }

 private:
  DB* db_;
  const Snapshot* snapshot_;
};

uint64_t KeyHash(std::string_view user_key) { return Hash64(user_key, 0x5eed); }

}  // namespace

// The reader/writer gate. glibc's default rwlock prefers readers, which would let a steady
// stream of writes starve FLUSHDB; this one prefers the exclusive side.
class EmbeddedKvStore::Gate {
 public:
  Gate() {
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&lock_, &attr);
    pthread_rwlockattr_destroy(&attr);
  }
  ~Gate() { pthread_rwlock_destroy(&lock_); }
  void Lock(bool exclusive) {
    if (exclusive) {
      pthread_rwlock_wrlock(&lock_);
    } else {
      pthread_rwlock_rdlock(&lock_);
    }
  }
  void Unlock() { pthread_rwlock_unlock(&lock_); }

 private:
  pthread_rwlock_t lock_;
};

// Takes the gate (shared, or exclusive for a whole-keyspace write) and, when shared, the
// stripes of a key set in ascending order; releases them on exit.
class EmbeddedKvStore::StripeGuard {
 public:
  StripeGuard(EmbeddedKvStore* store, bool exclusive, std::vector<size_t> stripes) : store_(store) {
    store_->gate_->Lock(exclusive);
    if (exclusive) return;  // the exclusive gate already excludes every other writer
    std::sort(stripes.begin(), stripes.end());
    stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
    stripes_ = std::move(stripes);
    for (size_t i : stripes_) store_->stripes_[i].lock();
  }
  ~StripeGuard() {
    for (auto it = stripes_.rbegin(); it != stripes_.rend(); ++it) store_->stripes_[*it].unlock();
    store_->gate_->Unlock();
  }
  static size_t StripeOf(std::string_view key) { return KeyHash(key) % kStripes; }

 private:
  EmbeddedKvStore* store_;
  std::vector<size_t> stripes_;
};

// Reads inside a Transact: the gate is held, so the database map is stable, and the scope's
// stripes are held, so the latest state of those keys is what the write will apply to.
class EmbeddedKvStore::LockedReader : public TxnReader {
 public:
  LockedReader(EmbeddedKvStore* store, uint64_t now) : store_(store), now_(now) {}
  absl::StatusOr<std::optional<Entry>> Get(int db, std::string_view key) override {
    return store_->ReadLocked(store_->NamespaceOfLocked(db), key, now_);
  }
  absl::Status Scan(int db, std::string_view start, size_t limit, std::vector<std::string>* keys,
                    std::optional<std::string>* next) override {
    return store_->ScanNamespace(store_->NamespaceOfLocked(db), start, limit, keys, next);
  }
  absl::Status Count(int db, uint64_t* keys, uint64_t* keys_with_expiry) override {
    return store_->CountNamespace(store_->NamespaceOfLocked(db), keys, keys_with_expiry);
  }

 private:
  EmbeddedKvStore* store_;
  uint64_t now_;
};

absl::StatusOr<std::unique_ptr<EmbeddedKvStore>> EmbeddedKvStore::Open(
    DB* db, Clock* clock, EmbeddedKvStoreOptions options) {
  uint64_t map = IdentityMap();
  absl::StatusOr<std::string> stored = db->Get(ReadOptions(), kDbMapKey);
  if (stored.ok()) {
    absl::StatusOr<uint64_t> decoded = DecodeDbMap(*stored);
    if (!decoded.ok()) return decoded.status();
    map = *decoded;
  } else if (!absl::IsNotFound(stored.status())) {
    return stored.status();
  }
  return std::unique_ptr<EmbeddedKvStore>(new EmbeddedKvStore(db, clock, options, map));
}

EmbeddedKvStore::EmbeddedKvStore(DB* db, Clock* clock, EmbeddedKvStoreOptions options,
                                 uint64_t db_map)
    : db_(db),
      clock_(clock != nullptr ? clock : Clock::Real()),
      sync_(options.sync),
      gate_(std::make_unique<Gate>()),
      db_map_(db_map) {}

EmbeddedKvStore::~EmbeddedKvStore() = default;

absl::Status EmbeddedKvStore::DecodeError(std::string_view key) {
  decode_errors_.fetch_add(1, std::memory_order_relaxed);
  return absl::DataLossError(
      StrCat("redis: undecodable value stored for key of ", key.size(), " bytes"));
}

template <typename ReadFn>
absl::Status EmbeddedKvStore::WithNamespace(int db, ReadFn&& read) {
  while (true) {
    const uint64_t seq = db_map_seq_.load(std::memory_order_acquire);
    if (seq & 1) {  // a SWAPDB is being written: wait for it rather than read a half state
      std::this_thread::yield();
      continue;
    }
    absl::Status s = read(NamespaceOf(db_map_.load(std::memory_order_acquire), db));
    if (db_map_seq_.load(std::memory_order_acquire) == seq) return s;
  }
}

int EmbeddedKvStore::NamespaceOfLocked(int db) const {
  return NamespaceOf(db_map_.load(std::memory_order_relaxed), db);
}

absl::Status EmbeddedKvStore::MultiGet(int db, const std::vector<std::string_view>& keys,
                                       std::vector<std::optional<Entry>>* out) {
  const uint64_t now = clock_->NowUnixMillis();
  return WithNamespace(db, [&](int ns) -> absl::Status {
    out->assign(keys.size(), std::nullopt);
    ReadOptions ro;
    std::unique_ptr<SnapshotHolder> snapshot;
    if (keys.size() > 1) {
      snapshot = std::make_unique<SnapshotHolder>(db_);
      ro.snapshot = snapshot->get();
    }
    std::string key;
    for (size_t i = 0; i < keys.size(); ++i) {
      key.clear();
      AppendKey(&key, ns, keys[i]);
      absl::StatusOr<std::string> raw = db_->Get(ro, key);
      if (absl::IsNotFound(raw.status())) continue;
      if (!raw.ok()) return raw.status();
      Entry e;
      if (!DecodeValue(std::move(*raw), &e)) return DecodeError(keys[i]);
      if (e.expires_at_ms != 0 && e.expires_at_ms <= now) continue;
      (*out)[i] = std::move(e);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<Entry>> EmbeddedKvStore::ReadLocked(int ns, std::string_view key,
                                                                 uint64_t now) {
  absl::StatusOr<std::string> raw = db_->Get(ReadOptions(), EncodeKey(ns, key));
  if (absl::IsNotFound(raw.status())) return std::optional<Entry>();
  if (!raw.ok()) return raw.status();
  Entry e;
  if (!DecodeValue(std::move(*raw), &e)) return DecodeError(key);
  if (e.expires_at_ms != 0 && e.expires_at_ms <= now) return std::optional<Entry>();
  return std::optional<Entry>(std::move(e));
}

absl::Status EmbeddedKvStore::WriteMutations(const std::vector<Mutation>& mutations, uint64_t now) {
  if (mutations.empty()) return absl::OkStatus();
  WriteBatch batch;
  const uint64_t old_map = db_map_.load(std::memory_order_relaxed);
  uint64_t map = old_map;
  std::string key;
  std::string value;
  for (const Mutation& m : mutations) {
    switch (m.kind) {
      case Mutation::Kind::kPut:
      case Mutation::Kind::kDelete:
        key.clear();
        AppendKey(&key, NamespaceOf(map, m.db), m.key);
        if (m.kind == Mutation::Kind::kDelete || (m.expires_at_ms != 0 && m.expires_at_ms <= now)) {
          // A deadline already in the past deletes the key (SET ... PXAT <past>, EXPIRE k -1).
          batch.Delete(key);
        } else {
          EncodeValue(&value, m.value, m.expires_at_ms);
          if (m.expires_at_ms == 0) {
            batch.Set(key, value);
          } else {
            // The engine measures its TTL from its own clock read, which happens after `now`,
            // so its deadline is >= the stored one: the entry never vanishes early.
            batch.SetWithTTL(key, value, m.expires_at_ms - now);
          }
        }
        break;
      case Mutation::Kind::kClearDb: {
        const int ns = NamespaceOf(map, m.db);
        batch.DeleteRange(NamespacePrefix(ns), NamespaceEnd(ns));
        break;
      }
      case Mutation::Kind::kClearAll:
        batch.DeleteRange(kDataBegin, kDataEnd);
        map = IdentityMap();  // every database is empty: no mapping is worth keeping
        break;
      case Mutation::Kind::kSwapDb: {
        const int a = NamespaceOf(map, m.db);
        map = SetNamespace(map, m.db, NamespaceOf(map, m.db2));
        map = SetNamespace(map, m.db2, a);
        break;
      }
    }
  }
  const bool map_changed = map != old_map;
  if (map_changed) {
    if (map == IdentityMap()) {
      batch.Delete(kDbMapKey);
    } else {
      batch.Set(kDbMapKey, EncodeDbMap(map));
    }
    // Readers of the old map must not see this batch's keys (written under the new map):
    // they wait from here until the new map is published.
    db_map_seq_.fetch_add(1, std::memory_order_acq_rel);
  }
  WriteOptions wo;
  wo.sync = sync_.load(std::memory_order_relaxed);
  absl::Status s = db_->Write(wo, batch);
  if (map_changed) {
    if (s.ok()) db_map_.store(map, std::memory_order_release);
    db_map_seq_.fetch_add(1, std::memory_order_acq_rel);
  }
  if (!s.ok()) return s;
  batches_written_.fetch_add(1, std::memory_order_relaxed);
  // Versions move after the write is visible: a WATCH that reads the old version may see the
  // new value (and then aborts, conservatively), but never the new version with the old value.
  for (const Mutation& m : mutations) {
    switch (m.kind) {
      case Mutation::Kind::kPut:
      case Mutation::Kind::kDelete:
        key_versions_[KeyHash(m.key) % kVersionSlots].fetch_add(1, std::memory_order_release);
        break;
      case Mutation::Kind::kClearDb:
        db_versions_[static_cast<size_t>(m.db)].fetch_add(1, std::memory_order_release);
        break;
      case Mutation::Kind::kClearAll:
        for (auto& v : db_versions_) v.fetch_add(1, std::memory_order_release);
        break;
      case Mutation::Kind::kSwapDb:
        db_versions_[static_cast<size_t>(m.db)].fetch_add(1, std::memory_order_release);
        db_versions_[static_cast<size_t>(m.db2)].fetch_add(1, std::memory_order_release);
        break;
    }
  }
  return absl::OkStatus();
}

absl::Status EmbeddedKvStore::Apply(std::vector<Mutation> mutations) {
  bool exclusive = false;
  std::vector<size_t> stripes;
  stripes.reserve(mutations.size());
  for (const Mutation& m : mutations) {
    exclusive |= m.WholeKeyspace();
    stripes.push_back(StripeGuard::StripeOf(m.key));
  }
  StripeGuard guard(this, exclusive, std::move(stripes));
  return WriteMutations(mutations, clock_->NowUnixMillis());
}

absl::Status EmbeddedKvStore::Transact(const TxnScope& scope, const TxnBody& body) {
  std::vector<size_t> stripes;
  if (!scope.whole_keyspace) {
    stripes.reserve(scope.keys.size() + scope.watched.size());
    for (std::string_view k : scope.keys) stripes.push_back(StripeGuard::StripeOf(k));
    for (const WatchedKey& w : scope.watched) stripes.push_back(StripeGuard::StripeOf(w.key));
  }
  StripeGuard guard(this, scope.whole_keyspace, std::move(stripes));
  const uint64_t now = clock_->NowUnixMillis();
  LockedReader reader(this, now);
  if (!scope.watched.empty()) {
    for (const WatchedKey& w : scope.watched) {
      std::vector<KeyVersion> version;
      absl::Status vs = Versions(w.db, {w.key}, &version);
      if (!vs.ok()) return vs;
      absl::StatusOr<std::optional<Entry>> live = reader.Get(w.db, w.key);
      if (!live.ok()) return live.status();
      if (WatchedKeyChanged(w, version[0], live->has_value())) {
        return absl::AbortedError("redis: a watched key changed");
      }
    }
  }
  std::vector<Mutation> mutations;
  absl::Status s = body(reader, &mutations);
  if (!s.ok()) return s;
  if (!scope.whole_keyspace) {
    for (const Mutation& m : mutations) {
      if (m.WholeKeyspace()) {
        return absl::InvalidArgumentError(
            "redis: FLUSHDB/FLUSHALL/SWAPDB mutation in a transaction without whole_keyspace");
      }
    }
  }
  return WriteMutations(mutations, now);
}

absl::Status EmbeddedKvStore::ScanNamespace(int ns, std::string_view start, size_t limit,
                                            std::vector<std::string>* keys,
                                            std::optional<std::string>* next) {
  keys->clear();
  next->reset();
  const uint64_t now = clock_->NowUnixMillis();
  const std::string_view prefix = NamespacePrefix(ns);
  ReadOptions ro;
  ro.prefix = std::string(prefix);
  ro.fill_cache = false;
  std::unique_ptr<Iterator> it = db_->NewIterator(ro);
  for (it->Seek(EncodeKey(ns, start)); it->Valid(); it->Next()) {
    std::string_view k = it->key();
    if (k.substr(0, prefix.size()) != prefix) break;
    k.remove_prefix(prefix.size());
    if (keys->size() >= limit) {
      *next = std::string(k);
      break;
    }
    uint64_t deadline = 0;
    if (!PeekDeadline(it->value(), &deadline)) {
      decode_errors_.fetch_add(1, std::memory_order_relaxed);
      continue;  // reported through Stats(); one bad value must not hide the rest of the keys
    }
    if (deadline != 0 && deadline <= now) continue;
    keys->emplace_back(k);
  }
  return it->status();
}

absl::Status EmbeddedKvStore::Scan(int db, std::string_view start, size_t limit,
                                   std::vector<std::string>* keys,
                                   std::optional<std::string>* next) {
  return WithNamespace(db, [&](int ns) { return ScanNamespace(ns, start, limit, keys, next); });
}

absl::Status EmbeddedKvStore::CountNamespace(int ns, uint64_t* keys, uint64_t* keys_with_expiry) {
  *keys = 0;
  *keys_with_expiry = 0;
  const uint64_t now = clock_->NowUnixMillis();
  const std::string_view prefix = NamespacePrefix(ns);
  ReadOptions ro;
  ro.prefix = std::string(prefix);
  ro.fill_cache = false;
  std::unique_ptr<Iterator> it = db_->NewIterator(ro);
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    if (it->key().substr(0, prefix.size()) != prefix) break;
    uint64_t deadline = 0;
    if (!PeekDeadline(it->value(), &deadline)) continue;
    if (deadline != 0 && deadline <= now) continue;
    ++*keys;
    if (deadline != 0) ++*keys_with_expiry;
  }
  return it->status();
}

absl::Status EmbeddedKvStore::Count(int db, uint64_t* keys, uint64_t* keys_with_expiry) {
  return WithNamespace(db, [&](int ns) { return CountNamespace(ns, keys, keys_with_expiry); });
}

absl::Status EmbeddedKvStore::Versions(int db, const std::vector<std::string_view>& keys,
                                       std::vector<KeyVersion>* out) {
  out->clear();
  const uint64_t db_version = db_versions_[static_cast<size_t>(db)].load(std::memory_order_acquire);
  for (std::string_view k : keys) {
    out->push_back(KeyVersion{
        key_versions_[KeyHash(k) % kVersionSlots].load(std::memory_order_acquire), db_version});
  }
  return absl::OkStatus();
}

absl::Status EmbeddedKvStore::Flush() { return db_->Flush(); }

std::map<std::string, uint64_t> EmbeddedKvStore::Stats() {
  std::map<std::string, uint64_t> stats = db_->Stats();
  stats["redis.batches_written"] = batches_written_.load(std::memory_order_relaxed);
  stats["redis.decode_errors"] = decode_errors_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace nokv::redis
