// String commands. Each read-modify-write command is one KvStore::Update so that it is atomic
// with respect to every other write of the same keys (REFERENCE.md §11 items 10 and 13).
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "src/redis/command.h"
#include "src/util/str_cat.h"

namespace nokv::redis {

bool ParseExpireArg(CommandContext& c, std::string_view arg, TimeUnit unit, bool relative,
                    uint64_t now_ms, std::string_view command, uint64_t* deadline_ms) {
  int64_t v = 0;
  if (!ParseInt64Strict(arg, &v)) {
    AppendError(c.out, kErrNotInteger);
    return false;
  }
  auto invalid = [&] {
    AppendError(c.out, StrCat("ERR invalid expire time in '", command, "' command"));
    return false;
  };
  if (v <= 0 || (unit == TimeUnit::kSeconds && v > INT64_MAX / 1000)) return invalid();
  if (unit == TimeUnit::kSeconds) v *= 1000;
  if (relative) {
    if (v > INT64_MAX - static_cast<int64_t>(now_ms)) return invalid();
    v += static_cast<int64_t>(now_ms);
  }
  *deadline_ms = static_cast<uint64_t>(v);
  return true;
}

Mutation PutAt(int db, std::string_view key, std::string value, uint64_t deadline_ms,
               uint64_t now_ms) {
  // A put whose deadline has already passed is a delete (SET k v PXAT <past>, EXPIRE k -1).
  if (deadline_ms != 0 && deadline_ms <= now_ms) return Mutation::Delete(db, std::string(key));
  return Mutation::Put(db, std::string(key), std::move(value), deadline_ms);
}

std::string_view StepCounter(const std::optional<Entry>& cur, int64_t delta, int64_t* result) {
  int64_t old = 0;
  if (cur.has_value() && !ParseInt64Strict(cur->value, &old)) return kErrNotInteger;
  if ((delta < 0 && old < 0 && delta < INT64_MIN - old) ||
      (delta > 0 && old > 0 && delta > INT64_MAX - old)) {
    return kErrOverflow;
  }
  *result = old + delta;
  return {};
}

namespace {

uint64_t Now(CommandContext& c) { return c.server->clock->NowUnixMillis(); }

// SET / GETEX option flags, parsed with Redis's compatibility rules.
enum SetFlag : uint32_t {
  kNx = 1 << 0,
  kXx = 1 << 1,
  kGet = 1 << 2,
  kKeepTtl = 1 << 3,
  kPersist = 1 << 4,
  kEx = 1 << 5,
  kPx = 1 << 6,
  kExAt = 1 << 7,
  kPxAt = 1 << 8,
};
constexpr uint32_t kAnyExpire = kEx | kPx | kExAt | kPxAt;

// Parses argv[first..]. For GETEX (`is_set` false) only expiry options and PERSIST exist.
bool ParseSetOptions(CommandContext& c, size_t first, bool is_set, uint32_t* flags,
                     std::string_view* expire_arg) {
  const Argv& argv = c.argv;
  for (size_t j = first; j < argv.size(); ++j) {
    std::string_view opt = argv[j];
    bool has_next = j + 1 < argv.size();
    auto expire_ok = [&](uint32_t self) {
      return !(*flags & kKeepTtl) && !(*flags & kPersist) && !(*flags & (kAnyExpire & ~self)) &&
             has_next;
    };
    if (is_set && EqualsIgnoreCase(opt, "nx") && !(*flags & kXx)) {
      *flags |= kNx;
    } else if (is_set && EqualsIgnoreCase(opt, "xx") && !(*flags & kNx)) {
      *flags |= kXx;
    } else if (is_set && EqualsIgnoreCase(opt, "get")) {
      *flags |= kGet;
    } else if (is_set && EqualsIgnoreCase(opt, "keepttl") && !(*flags & kPersist) &&
               !(*flags & kAnyExpire)) {
      *flags |= kKeepTtl;
    } else if (!is_set && EqualsIgnoreCase(opt, "persist") && !(*flags & kAnyExpire) &&
               !(*flags & kKeepTtl)) {
      *flags |= kPersist;
    } else if (EqualsIgnoreCase(opt, "ex") && expire_ok(kEx)) {
      *flags |= kEx;
      *expire_arg = argv[++j];
    } else if (EqualsIgnoreCase(opt, "px") && expire_ok(kPx)) {
      *flags |= kPx;
      *expire_arg = argv[++j];
    } else if (EqualsIgnoreCase(opt, "exat") && expire_ok(kExAt)) {
      *flags |= kExAt;
      *expire_arg = argv[++j];
    } else if (EqualsIgnoreCase(opt, "pxat") && expire_ok(kPxAt)) {
      *flags |= kPxAt;
      *expire_arg = argv[++j];
    } else {
      AppendError(c.out, kErrSyntax);
      return false;
    }
  }
  return true;
}

bool ExpireFromFlags(CommandContext& c, uint32_t flags, std::string_view arg, uint64_t now,
                     std::string_view command, uint64_t* deadline) {
  *deadline = 0;
  if (!(flags & kAnyExpire)) return true;
  TimeUnit unit = (flags & (kEx | kExAt)) ? TimeUnit::kSeconds : TimeUnit::kMillis;
  bool relative = (flags & (kEx | kPx)) != 0;
  return ParseExpireArg(c, arg, unit, relative, now, command, deadline);
}

// Shared by INCR, DECR, INCRBY, DECRBY.
void IncrementBy(CommandContext& c, int64_t delta) {
  std::string_view key = c.argv[1];
  int64_t result = 0;
  std::string_view error;
  const uint64_t now = Now(c);
  if (!RunUpdate(c, {key}, [&](const auto& cur, std::vector<Mutation>* muts) {
        error = StepCounter(cur[0], delta, &result);
        if (!error.empty()) return absl::OkStatus();
        // INCR keeps the key's expiry, as in Redis.
        uint64_t deadline = cur[0].has_value() ? cur[0]->expires_at_ms : 0;
        muts->push_back(PutAt(c.db(), key, StrCat(result), deadline, now));
        return absl::OkStatus();
      })) {
    return;
  }
  if (!error.empty()) return AppendError(c.out, error);
  AppendInteger(c.out, result);
}

// Redis's string2ld: the whole string must be a number (no spaces), NaN is rejected.
bool ParseLongDouble(std::string_view s, long double* out) {
  if (s.empty() || s.size() >= 5 * 1024) return false;
  std::string buf(s);
  if (buf[0] == ' ' || buf[0] == '\t' || buf[0] == '\n' || buf[0] == '\r' || buf[0] == '\v' ||
      buf[0] == '\f') {
    return false;
  }
  errno = 0;
  char* end = nullptr;
  long double v = std::strtold(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size()) return false;
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || std::fpclassify(v) == FP_ZERO)) {
    return false;
  }
  if (std::isnan(v)) return false;
  *out = v;
  return true;
}

// Redis's "human" long double format: %.17Lf with trailing zeros (and a bare '.') removed.
std::string FormatLongDouble(long double v) {
  char buf[5 * 1024 + 64];
  int n = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (n < 0 || static_cast<size_t>(n) >= sizeof(buf)) return "0";
  std::string out(buf, static_cast<size_t>(n));
  if (out.find('.') != std::string::npos) {
    while (!out.empty() && out.back() == '0') out.pop_back();
    if (!out.empty() && out.back() == '.') out.pop_back();
  }
  if (out == "-0") out = "0";
  return out;
}

}  // namespace

namespace handlers {

void Get(CommandContext& c) {
  auto r = GetOne(c.store, c.db(), c.argv[1]);
  if (!r.ok()) return ReplyStoreError(c, r.status());
  if (r->has_value()) {
    c.server->keyspace_hits.fetch_add(1, std::memory_order_relaxed);
    AppendBulk(c.out, (*r)->value);
  } else {
    c.server->keyspace_misses.fetch_add(1, std::memory_order_relaxed);
    ReplyNull(c);
  }
}

void Set(CommandContext& c) {
  uint32_t flags = 0;
  std::string_view expire_arg;
  if (!ParseSetOptions(c, 3, /*is_set=*/true, &flags, &expire_arg)) return;
  const uint64_t now = Now(c);
  uint64_t deadline = 0;
  if (!ExpireFromFlags(c, flags, expire_arg, now, "set", &deadline)) return;
  std::string_view key = c.argv[1];
  const std::string& value = c.argv[2];
  if (!(flags & (kNx | kXx | kGet | kKeepTtl))) {
    // A blind write needs no read.
    if (RunApply(c, {PutAt(c.db(), key, value, deadline, now)})) AppendOk(c.out);
    return;
  }
  std::optional<std::string> old;
  bool written = false;
  if (!RunUpdate(c, {key}, [&](const auto& cur, std::vector<Mutation>* muts) {
        old.reset();
        if (cur[0].has_value()) old = cur[0]->value;
        bool found = cur[0].has_value();
        written = !((flags & kNx) && found) && !((flags & kXx) && !found);
        if (written) {
          uint64_t d = deadline;
          if ((flags & kKeepTtl) && found) d = cur[0]->expires_at_ms;
          muts->push_back(PutAt(c.db(), key, value, d, now));
        }
        return absl::OkStatus();
      })) {
    return;
  }
  if (flags & kGet) return ReplyOptionalBulk(c, old);
  if (written) {
    AppendOk(c.out);
  } else {
    ReplyNull(c);
  }
}

void SetNx(CommandContext& c) {
  std::string_view key = c.argv[1];
  bool written = false;
  if (!RunUpdate(c, {key}, [&](const auto& cur, std::vector<Mutation>* muts) {
        written = !cur[0].has_value();
        if (written) muts->push_back(Mutation::Put(c.db(), std::string(key), c.argv[2]));
        return absl::OkStatus();
      })) {
    return;
  }
  AppendInteger(c.out, written ? 1 : 0);
}

namespace {
void SetWithExpiry(CommandContext& c, TimeUnit unit, std::string_view command) {
  const uint64_t now = Now(c);
  uint64_t deadline = 0;
  if (!ParseExpireArg(c, c.argv[2], unit, /*relative=*/true, now, command, &deadline)) return;
  if (RunApply(c, {PutAt(c.db(), c.argv[1], c.argv[3], deadline, now)})) AppendOk(c.out);
}
}  // namespace

void SetEx(CommandContext& c) { SetWithExpiry(c, TimeUnit::kSeconds, "setex"); }
void PSetEx(CommandContext& c) { SetWithExpiry(c, TimeUnit::kMillis, "psetex"); }

void GetSet(CommandContext& c) {
  std::string_view key = c.argv[1];
  std::optional<std::string> old;
  if (!RunUpdate(c, {key}, [&](const auto& cur, std::vector<Mutation>* muts) {
        old.reset();
        if (cur[0].has_value()) old = cur[0]->value;
        muts->push_back(Mutation::Put(c.db(), std::string(key), c.argv[2]));  // drops any expiry
        return absl::OkStatus();
      })) {
    return;
  }
  ReplyOptionalBulk(c, old);
}

void GetDel(CommandContext& c) {
  std::string_view key = c.argv[1];
  std::optional<std::string> old;
  if (!RunUpdate(c, {key}, [&](const auto& cur, std::vector<Mutation>* muts) {
        old.reset();
        if (cur[0].has_value()) {
          old = cur[0]->value;
          muts->push_back(Mutation::Delete(c.db(), std::string(key)));
        }
        return absl::OkStatus();
      })) {
    return;
  }
  ReplyOptionalBulk(c, old);
}

void GetEx(CommandContext& c) {
  uint32_t flags = 0;
  std::string_view expire_arg;
  if (!ParseSetOptions(c, 2, /*is_set=*/false, &flags, &expire_arg)) return;
  const uint64_t now = Now(c);
  uint64_t deadline = 0;
  if (!ExpireFromFlags(c, flags, expire_arg, now, "getex", &deadline)) return;
  std::string_view key = c.argv[1];
  if (!(flags & (kAnyExpire | kPersist))) return Get(c);
  std::optional<std::string> old;
  if (!RunUpdate(c, {key}, [&](const auto& cur, std::vector<Mutation>* muts) {
        old.reset();
        if (!cur[0].has_value()) return absl::OkStatus();
        old = cur[0]->value;
        if (flags & kPersist) {
          if (cur[0]->expires_at_ms != 0)
            muts->push_back(Mutation::Put(c.db(), std::string(key), *old));
        } else {
          muts->push_back(PutAt(c.db(), key, *old, deadline, now));
        }
        return absl::OkStatus();
      })) {
    return;
  }
  ReplyOptionalBulk(c, old);
}

void MGet(CommandContext& c) {
  std::vector<std::string_view> keys(c.argv.begin() + 1, c.argv.end());
  std::vector<std::optional<Entry>> values;
  absl::Status s = c.store->MultiGet(c.db(), keys, &values);
  if (!s.ok()) return ReplyStoreError(c, s);
  AppendArrayHeader(c.out, static_cast<int64_t>(values.size()));
  for (const auto& v : values) {
    if (v.has_value()) {
      AppendBulk(c.out, v->value);
    } else {
      ReplyNull(c);
    }
  }
}

namespace {
// MSET's pairs with later duplicates winning, as sequential SETs would leave them.
std::vector<Mutation> MSetMutations(int db, const Argv& argv) {
  std::map<std::string_view, std::string_view> last;
  for (size_t i = 1; i + 1 < argv.size(); i += 2) last[argv[i]] = argv[i + 1];
  std::vector<Mutation> muts;
  muts.reserve(last.size());
  for (const auto& [k, v] : last) muts.push_back(Mutation::Put(db, std::string(k), std::string(v)));
  return muts;
}
}  // namespace

void MSet(CommandContext& c) {
  if (c.argv.size() % 2 == 0) return ReplyWrongArity(c, "mset");
  if (RunApply(c, MSetMutations(c.db(), c.argv))) AppendOk(c.out);
}

void MSetNx(CommandContext& c) {
  if (c.argv.size() % 2 == 0) return ReplyWrongArity(c, "msetnx");
  std::vector<std::string_view> keys;
  for (size_t i = 1; i < c.argv.size(); i += 2) keys.push_back(c.argv[i]);
  bool written = false;
  if (!RunUpdate(c, keys, [&](const auto& cur, std::vector<Mutation>* muts) {
        written = false;
        for (const auto& e : cur) {
          if (e.has_value()) return absl::OkStatus();
        }
        written = true;
        *muts = MSetMutations(c.db(), c.argv);
        return absl::OkStatus();
      })) {
    return;
  }
  AppendInteger(c.out, written ? 1 : 0);
}

void Append(CommandContext& c) {
  std::string_view key = c.argv[1];
  const std::string& suffix = c.argv[2];
  int64_t length = 0;
  bool too_long = false;
  if (!RunUpdate(c, {key}, [&](const auto& cur, std::vector<Mutation>* muts) {
        std::string value = cur[0].has_value() ? cur[0]->value : std::string();
        too_long = static_cast<int64_t>(value.size() + suffix.size()) >
                   c.server->config.proto_max_bulk_len();
        if (too_long) return absl::OkStatus();
        value += suffix;
        length = static_cast<int64_t>(value.size());
        uint64_t deadline = cur[0].has_value() ? cur[0]->expires_at_ms : 0;
        muts->push_back(Mutation::Put(c.db(), std::string(key), std::move(value), deadline));
        return absl::OkStatus();
      })) {
    return;
  }
  if (too_long) return AppendError(c.out, kErrStringTooLong);
  AppendInteger(c.out, length);
}

void StrLen(CommandContext& c) {
  auto r = GetOne(c.store, c.db(), c.argv[1]);
  if (!r.ok()) return ReplyStoreError(c, r.status());
  AppendInteger(c.out, r->has_value() ? static_cast<int64_t>((*r)->value.size()) : 0);
}

void GetRange(CommandContext& c) {
  int64_t start = 0;
  int64_t end = 0;
  if (!ParseInt64Strict(c.argv[2], &start) || !ParseInt64Strict(c.argv[3], &end)) {
    return AppendError(c.out, kErrNotInteger);
  }
  auto r = GetOne(c.store, c.db(), c.argv[1]);
  if (!r.ok()) return ReplyStoreError(c, r.status());
  if (start < 0 && end < 0 && start > end) return AppendBulk(c.out, "");
  std::string_view value = r->has_value() ? std::string_view((*r)->value) : std::string_view();
  const int64_t len = static_cast<int64_t>(value.size());
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (len == 0 || start > end) return AppendBulk(c.out, "");
  AppendBulk(c.out, value.substr(static_cast<size_t>(start), static_cast<size_t>(end - start + 1)));
}

void SetRange(CommandContext& c) {
  int64_t offset = 0;
  if (!ParseInt64Strict(c.argv[2], &offset)) return AppendError(c.out, kErrNotInteger);
  if (offset < 0) return AppendError(c.out, "ERR offset is out of range");
  std::string_view key = c.argv[1];
  const std::string& patch = c.argv[3];
  int64_t length = 0;
  bool too_long = false;
  if (!RunUpdate(c, {key}, [&](const auto& cur, std::vector<Mutation>* muts) {
        too_long = false;
        length = cur[0].has_value() ? static_cast<int64_t>(cur[0]->value.size()) : 0;
        if (patch.empty()) return absl::OkStatus();  // no-op, and no key is created
        if (offset > c.server->config.proto_max_bulk_len() - static_cast<int64_t>(patch.size())) {
          too_long = true;
          return absl::OkStatus();
        }
        std::string value = cur[0].has_value() ? cur[0]->value : std::string();
        size_t needed = static_cast<size_t>(offset) + patch.size();
        if (value.size() < needed) value.resize(needed, '\0');
        value.replace(static_cast<size_t>(offset), patch.size(), patch);
        length = static_cast<int64_t>(value.size());
        uint64_t deadline = cur[0].has_value() ? cur[0]->expires_at_ms : 0;
        muts->push_back(Mutation::Put(c.db(), std::string(key), std::move(value), deadline));
        return absl::OkStatus();
      })) {
    return;
  }
  if (too_long) return AppendError(c.out, kErrStringTooLong);
  AppendInteger(c.out, length);
}

void Incr(CommandContext& c) { IncrementBy(c, 1); }
void Decr(CommandContext& c) { IncrementBy(c, -1); }

void IncrBy(CommandContext& c) {
  int64_t delta = 0;
  if (!ParseInt64Strict(c.argv[2], &delta)) return AppendError(c.out, kErrNotInteger);
  IncrementBy(c, delta);
}

void DecrBy(CommandContext& c) {
  int64_t delta = 0;
  if (!ParseInt64Strict(c.argv[2], &delta)) return AppendError(c.out, kErrNotInteger);
  if (delta == INT64_MIN) return AppendError(c.out, "ERR decrement would overflow");
  IncrementBy(c, -delta);
}

void IncrByFloat(CommandContext& c) {
  std::string_view key = c.argv[1];
  std::string result;
  std::string_view error;
  const uint64_t now = Now(c);
  if (!RunUpdate(c, {key}, [&](const auto& cur, std::vector<Mutation>* muts) {
        error = {};
        long double old = 0;
        long double incr = 0;
        if ((cur[0].has_value() && !ParseLongDouble(cur[0]->value, &old)) ||
            !ParseLongDouble(c.argv[2], &incr)) {
          error = kErrNotFloat;
          return absl::OkStatus();
        }
        long double sum = old + incr;
        if (std::isnan(sum) || std::isinf(sum)) {
          error = "ERR increment would produce NaN or Infinity";
          return absl::OkStatus();
        }
        result = FormatLongDouble(sum);
        uint64_t deadline = cur[0].has_value() ? cur[0]->expires_at_ms : 0;
        muts->push_back(PutAt(c.db(), key, result, deadline, now));
        return absl::OkStatus();
      })) {
    return;
  }
  if (!error.empty()) return AppendError(c.out, error);
  AppendBulk(c.out, result);
}

}  // namespace handlers

}  // namespace nokv::redis
