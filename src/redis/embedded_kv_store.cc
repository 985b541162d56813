#include "src/redis/embedded_kv_store.h"

#include <algorithm>
#include <vector>

#include "nokv/iterator.h"
#include "src/util/clock.h"
#include "src/util/coding.h"
#include "src/util/hash.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

constexpr char kKeyPrefix = 'k';
constexpr uint8_t kHasExpiry = 0x80;
constexpr uint8_t kTypeMask = 0x7f;

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

}  // namespace

// Locks the stripes of a key set in ascending order (or all of them) and unlocks on exit.
class EmbeddedKvStore::StripeGuard {
 public:
  StripeGuard(EmbeddedKvStore* store, std::vector<size_t> stripes) : store_(store) {
    std::sort(stripes.begin(), stripes.end());
    stripes.erase(std::unique(stripes.begin(), stripes.end()), stripes.end());
    stripes_ = std::move(stripes);
    for (size_t i : stripes_) store_->stripes_[i].lock();
  }
  ~StripeGuard() {
    for (auto it = stripes_.rbegin(); it != stripes_.rend(); ++it) store_->stripes_[*it].unlock();
  }
  static size_t StripeOf(std::string_view key) { return Hash64(key, 0x5eed) % kStripes; }

 private:
  EmbeddedKvStore* store_;
  std::vector<size_t> stripes_;
};

EmbeddedKvStore::EmbeddedKvStore(DB* db, Clock* clock, EmbeddedKvStoreOptions options)
    : db_(db), clock_(clock != nullptr ? clock : Clock::Real()), options_(options) {}

std::string EmbeddedKvStore::EncodeKey(std::string_view user_key) {
  std::string k;
  k.reserve(user_key.size() + 1);
  k.push_back(kKeyPrefix);
  k.append(user_key);
  return k;
}

std::string EmbeddedKvStore::EncodeValue(const Entry& entry) {
  std::string v;
  v.reserve(entry.value.size() + 9);
  uint8_t tag = static_cast<uint8_t>(entry.type);
  if (entry.expires_at_ms != 0) tag |= kHasExpiry;
  v.push_back(static_cast<char>(tag));
  if (entry.expires_at_ms != 0) PutFixed64(&v, entry.expires_at_ms);
  v.append(entry.value);
  return v;
}

bool EmbeddedKvStore::DecodeValue(std::string_view stored, Entry* entry) {
  if (stored.empty()) return false;
  uint8_t tag = static_cast<uint8_t>(stored[0]);
  stored.remove_prefix(1);
  if ((tag & kTypeMask) != static_cast<uint8_t>(ValueType::kString)) return false;
  entry->type = ValueType::kString;
  entry->expires_at_ms = 0;
  if (tag & kHasExpiry) {
    if (!GetFixed64(&stored, &entry->expires_at_ms) || entry->expires_at_ms == 0) return false;
  }
  entry->value.assign(stored.data(), stored.size());
  return true;
}

absl::Status EmbeddedKvStore::MultiGet(const std::vector<std::string_view>& keys,
                                       std::vector<std::optional<Entry>>* out) {
  out->assign(keys.size(), std::nullopt);
  const uint64_t now = clock_->NowUnixMillis();
  ReadOptions ro;
  std::unique_ptr<SnapshotHolder> snapshot;
  if (keys.size() > 1) {
    snapshot = std::make_unique<SnapshotHolder>(db_);
    ro.snapshot = snapshot->get();
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    absl::StatusOr<std::string> raw = db_->Get(ro, EncodeKey(keys[i]));
    if (absl::IsNotFound(raw.status())) continue;
    if (!raw.ok()) return raw.status();
    Entry e;
    if (!DecodeValue(*raw, &e)) {
      decode_errors_.fetch_add(1, std::memory_order_relaxed);
      return absl::DataLossError(
          StrCat("redis: undecodable value stored for key of ", keys[i].size(), " bytes"));
    }
    if (e.expires_at_ms != 0 && e.expires_at_ms <= now) continue;
    (*out)[i] = std::move(e);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Entry>> EmbeddedKvStore::ReadLocked(std::string_view key,
                                                                 uint64_t now) {
  absl::StatusOr<std::string> raw = db_->Get(ReadOptions(), EncodeKey(key));
  if (absl::IsNotFound(raw.status())) return std::optional<Entry>();
  if (!raw.ok()) return raw.status();
  Entry e;
  if (!DecodeValue(*raw, &e)) {
    decode_errors_.fetch_add(1, std::memory_order_relaxed);
    return absl::DataLossError(
        StrCat("redis: undecodable value stored for key of ", key.size(), " bytes"));
  }
  if (e.expires_at_ms != 0 && e.expires_at_ms <= now) return std::optional<Entry>();
  return std::optional<Entry>(std::move(e));
}

absl::Status EmbeddedKvStore::WriteMutations(const std::vector<Mutation>& mutations, uint64_t now) {
  if (mutations.empty()) return absl::OkStatus();
  WriteBatch batch;
  for (const Mutation& m : mutations) {
    std::string key = EncodeKey(m.key);
    if (m.kind == Mutation::Kind::kDelete) {
      batch.Delete(key);
      continue;
    }
    if (m.expires_at_ms != 0 && m.expires_at_ms <= now) {
      // A deadline already in the past deletes the key (SET ... PXAT <past>, EXPIRE k -1).
      batch.Delete(key);
      continue;
    }
    Entry e;
    e.value = m.value;
    e.expires_at_ms = m.expires_at_ms;
    std::string value = EncodeValue(e);
    if (m.expires_at_ms == 0) {
      batch.Set(key, value);
    } else {
      // The engine measures its TTL from its own clock read, which happens after `now`, so its
      // deadline is >= the stored one: the entry never vanishes before the stored deadline.
      batch.SetWithTTL(key, value, m.expires_at_ms - now);
    }
  }
  WriteOptions wo;
  wo.sync = options_.sync;
  absl::Status s = db_->Write(wo, batch);
  if (s.ok()) batches_written_.fetch_add(1, std::memory_order_relaxed);
  return s;
}

absl::Status EmbeddedKvStore::Apply(std::vector<Mutation> mutations) {
  std::vector<size_t> stripes;
  stripes.reserve(mutations.size());
  for (const Mutation& m : mutations) stripes.push_back(StripeGuard::StripeOf(m.key));
  StripeGuard guard(this, std::move(stripes));
  return WriteMutations(mutations, clock_->NowUnixMillis());
}

absl::Status EmbeddedKvStore::Update(const std::vector<std::string_view>& keys,
                                     const UpdateBody& body) {
  std::vector<size_t> stripes;
  stripes.reserve(keys.size());
  for (std::string_view k : keys) stripes.push_back(StripeGuard::StripeOf(k));
  StripeGuard guard(this, std::move(stripes));
  const uint64_t now = clock_->NowUnixMillis();
  std::vector<std::optional<Entry>> current;
  current.reserve(keys.size());
  for (std::string_view k : keys) {
    absl::StatusOr<std::optional<Entry>> e = ReadLocked(k, now);
    if (!e.ok()) return e.status();
    current.push_back(std::move(*e));
  }
  std::vector<Mutation> mutations;
  absl::Status s = body(current, &mutations);
  if (!s.ok()) return s;
  return WriteMutations(mutations, now);
}

absl::Status EmbeddedKvStore::Scan(std::string_view start, size_t limit,
                                   std::vector<std::string>* keys,
                                   std::optional<std::string>* next) {
  keys->clear();
  next->reset();
  const uint64_t now = clock_->NowUnixMillis();
  ReadOptions ro;
  ro.prefix = std::string(1, kKeyPrefix);
  ro.fill_cache = false;
  std::unique_ptr<Iterator> it = db_->NewIterator(ro);
  for (it->Seek(EncodeKey(start)); it->Valid(); it->Next()) {
    std::string_view k = it->key();
    if (k.empty() || k[0] != kKeyPrefix) break;
    k.remove_prefix(1);
    if (keys->size() >= limit) {
      *next = std::string(k);
      break;
    }
    Entry e;
    if (!DecodeValue(it->value(), &e)) {
      decode_errors_.fetch_add(1, std::memory_order_relaxed);
      continue;  // reported through Stats(); one bad value must not hide the rest of the keys
    }
    if (e.expires_at_ms != 0 && e.expires_at_ms <= now) continue;
    keys->emplace_back(k);
  }
  return it->status();
}

absl::Status EmbeddedKvStore::Count(uint64_t* keys, uint64_t* keys_with_expiry) {
  *keys = 0;
  *keys_with_expiry = 0;
  const uint64_t now = clock_->NowUnixMillis();
  ReadOptions ro;
  ro.prefix = std::string(1, kKeyPrefix);
  ro.fill_cache = false;
  std::unique_ptr<Iterator> it = db_->NewIterator(ro);
  for (it->Seek(std::string(1, kKeyPrefix)); it->Valid(); it->Next()) {
    std::string_view k = it->key();
    if (k.empty() || k[0] != kKeyPrefix) break;
    std::string_view v = it->value();
    if (v.empty()) continue;
    // Only the header is needed: avoid copying the payload.
    uint64_t deadline = 0;
    if ((static_cast<uint8_t>(v[0]) & kHasExpiry) && v.size() >= 9) {
      deadline = DecodeFixed64(v.data() + 1);
      if (deadline <= now) continue;
    }
    ++*keys;
    if (deadline != 0) ++*keys_with_expiry;
  }
  return it->status();
}

absl::Status EmbeddedKvStore::Clear() {
  std::vector<size_t> all(kStripes);
  for (size_t i = 0; i < kStripes; ++i) all[i] = i;
  StripeGuard guard(this, std::move(all));
  WriteOptions wo;
  wo.sync = options_.sync;
  // The gateway owns the whole database, so FLUSHDB removes everything from the smallest
  // possible key ("\0"; the engine rejects empty keys) to the end.
  return db_->DeleteRange(wo, std::string_view("\0", 1), std::string_view());
}

std::map<std::string, uint64_t> EmbeddedKvStore::Stats() {
  std::map<std::string, uint64_t> stats = db_->Stats();
  stats["redis.batches_written"] = batches_written_.load(std::memory_order_relaxed);
  stats["redis.decode_errors"] = decode_errors_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace nokv::redis
