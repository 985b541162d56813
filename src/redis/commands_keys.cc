// Keyspace commands: DEL/UNLINK, EXISTS/TOUCH, TYPE, the EXPIRE family, TTL/PTTL,
// EXPIRETIME/PEXPIRETIME, PERSIST, RENAME, KEYS, SCAN, RANDOMKEY, OBJECT.
#include <algorithm>
#include <climits>
#include <optional>

#include "src/redis/command.h"
#include "src/redis/glob.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

uint64_t Now(CommandContext& c) { return c.server->clock->NowUnixMillis(); }

enum ExpireFlag : uint32_t { kNx = 1, kXx = 2, kGt = 4, kLt = 8 };

void ExpireGeneric(CommandContext& c, TimeUnit unit, bool relative) {
  uint32_t flags = 0;
  for (size_t j = 3; j < c.argv.size(); ++j) {
    std::string_view opt = c.argv[j];
    if (EqualsIgnoreCase(opt, "nx")) {
      flags |= kNx;
    } else if (EqualsIgnoreCase(opt, "xx")) {
      flags |= kXx;
    } else if (EqualsIgnoreCase(opt, "gt")) {
      flags |= kGt;
    } else if (EqualsIgnoreCase(opt, "lt")) {
      flags |= kLt;
    } else {
      return AppendError(c.out, StrCat("ERR Unsupported option ", opt));
    }
  }
  if ((flags & kNx) && (flags & (kXx | kGt | kLt))) {
    return AppendError(c.out,
                       "ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if ((flags & kGt) && (flags & kLt)) {
    return AppendError(c.out, "ERR GT and LT options at the same time are not compatible");
  }
  int64_t when = 0;
  if (!ParseInt64Strict(c.argv[2], &when)) return AppendError(c.out, kErrNotInteger);
  const std::string_view name = c.argv[0];
  auto invalid = [&] {
    AppendError(c.out, StrCat("ERR invalid expire time in '", ToLower(name), "' command"));
  };
  if (unit == TimeUnit::kSeconds) {
    if (when > INT64_MAX / 1000 || when < INT64_MIN / 1000) return invalid();
    when *= 1000;
  }
  const uint64_t now = Now(c);
  const int64_t base = relative ? static_cast<int64_t>(now) : 0;
  if (when > INT64_MAX - base) return invalid();
  when += base;

  std::string_view key = c.argv[1];
  bool applied = false;
  if (!RunUpdate(c, {key}, [&](const auto& cur, std::vector<Mutation>* muts) {
        applied = false;
        if (!cur[0].has_value()) return absl::OkStatus();
        // A persistent key's expiry counts as infinite for GT/LT.
        const uint64_t current = cur[0]->expires_at_ms;
        if ((flags & kNx) && current != 0) return absl::OkStatus();
        if ((flags & kXx) && current == 0) return absl::OkStatus();
        if ((flags & kGt) && (current == 0 || when <= static_cast<int64_t>(current))) {
          return absl::OkStatus();
        }
        if ((flags & kLt) && current != 0 && when >= static_cast<int64_t>(current)) {
          return absl::OkStatus();
        }
        applied = true;
        if (when <= static_cast<int64_t>(now)) {
          muts->push_back(Mutation::Delete(c.db(), std::string(key)));
        } else {
          muts->push_back(
              Mutation::Put(c.db(), std::string(key), cur[0]->value, static_cast<uint64_t>(when)));
        }
        return absl::OkStatus();
      })) {
    return;
  }
  AppendInteger(c.out, applied ? 1 : 0);
}

void TtlGeneric(CommandContext& c, bool millis) {
  auto r = GetOne(c.store, c.db(), c.argv[1]);
  if (!r.ok()) return ReplyStoreError(c, r.status());
  if (!r->has_value()) return AppendInteger(c.out, -2);
  uint64_t deadline = (*r)->expires_at_ms;
  if (deadline == 0) return AppendInteger(c.out, -1);
  uint64_t now = Now(c);
  int64_t ttl = deadline > now ? static_cast<int64_t>(deadline - now) : 0;
  AppendInteger(c.out, millis ? ttl : (ttl + 500) / 1000);
}

// EXPIRETIME / PEXPIRETIME: the absolute deadline (seconds rounded as Redis rounds them).
void ExpireTimeGeneric(CommandContext& c, bool millis) {
  auto r = GetOne(c.store, c.db(), c.argv[1]);
  if (!r.ok()) return ReplyStoreError(c, r.status());
  if (!r->has_value()) return AppendInteger(c.out, -2);
  const uint64_t deadline = (*r)->expires_at_ms;
  if (deadline == 0) return AppendInteger(c.out, -1);
  AppendInteger(c.out, static_cast<int64_t>(millis ? deadline : (deadline + 500) / 1000));
}

// OBJECT's lookup: the entry, or a null reply (and nullopt) if the key is missing.
std::optional<Entry> ObjectLookup(CommandContext& c) {
  auto r = GetOne(c.store, c.db(), c.argv[2]);
  if (!r.ok()) {
    ReplyStoreError(c, r.status());
    return std::nullopt;
  }
  if (!r->has_value()) ReplyNull(c);
  return std::move(*r);
}

// Redis stores a string that parses as a long in at most 20 bytes as an integer, and integers
// 0..9999 as shared objects.
bool IntEncoded(std::string_view v, int64_t* n) { return v.size() <= 20 && ParseInt64Strict(v, n); }

void RenameGeneric(CommandContext& c, bool nx) {
  std::string_view src = c.argv[1];
  std::string_view dst = c.argv[2];
  bool missing = false;
  bool renamed = false;
  std::vector<std::string_view> keys = {src};
  if (src != dst) keys.push_back(dst);
  if (!RunUpdate(c, keys, [&](const auto& cur, std::vector<Mutation>* muts) {
        missing = !cur[0].has_value();
        renamed = false;
        if (missing || src == dst) return absl::OkStatus();
        if (nx && cur[1].has_value()) return absl::OkStatus();
        renamed = true;
        muts->push_back(Mutation::Delete(c.db(), std::string(src)));
        muts->push_back(
            Mutation::Put(c.db(), std::string(dst), cur[0]->value, cur[0]->expires_at_ms));
        return absl::OkStatus();
      })) {
    return;
  }
  if (missing) return AppendError(c.out, kErrNoSuchKey);
  if (nx) return AppendInteger(c.out, renamed ? 1 : 0);
  AppendOk(c.out);
}

// The literal prefix every match of `pattern` starts with (up to the first special byte).
std::string LiteralPrefix(std::string_view pattern) {
  std::string prefix;
  for (char ch : pattern) {
    if (ch == '*' || ch == '?' || ch == '[' || ch == '\\') break;
    prefix.push_back(ch);
  }
  return prefix;
}

bool ParseCursor(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    uint64_t d = static_cast<uint64_t>(ch - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

}  // namespace

namespace handlers {

void Del(CommandContext& c) {
  std::vector<std::string_view> keys(c.argv.begin() + 1, c.argv.end());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  int64_t deleted = 0;
  if (!RunUpdate(c, keys, [&](const auto& cur, std::vector<Mutation>* muts) {
        deleted = 0;
        for (size_t i = 0; i < keys.size(); ++i) {
          if (!cur[i].has_value()) continue;
          ++deleted;
          muts->push_back(Mutation::Delete(c.db(), std::string(keys[i])));
        }
        return absl::OkStatus();
      })) {
    return;
  }
  AppendInteger(c.out, deleted);
}

void Exists(CommandContext& c) {
  std::vector<std::string_view> keys(c.argv.begin() + 1, c.argv.end());
  std::vector<std::optional<Entry>> values;
  absl::Status s = c.store->MultiGet(c.db(), keys, &values);
  if (!s.ok()) return ReplyStoreError(c, s);
  int64_t n = 0;
  for (const auto& v : values) n += v.has_value() ? 1 : 0;
  AppendInteger(c.out, n);
}

void Type(CommandContext& c) {
  auto r = GetOne(c.store, c.db(), c.argv[1]);
  if (!r.ok()) return ReplyStoreError(c, r.status());
  AppendSimpleString(c.out, r->has_value() ? "string" : "none");
}

void Expire(CommandContext& c) { ExpireGeneric(c, TimeUnit::kSeconds, true); }
void PExpire(CommandContext& c) { ExpireGeneric(c, TimeUnit::kMillis, true); }
void ExpireAt(CommandContext& c) { ExpireGeneric(c, TimeUnit::kSeconds, false); }
void PExpireAt(CommandContext& c) { ExpireGeneric(c, TimeUnit::kMillis, false); }
void Ttl(CommandContext& c) { TtlGeneric(c, false); }
void PTtl(CommandContext& c) { TtlGeneric(c, true); }

void Persist(CommandContext& c) {
  std::string_view key = c.argv[1];
  bool changed = false;
  if (!RunUpdate(c, {key}, [&](const auto& cur, std::vector<Mutation>* muts) {
        changed = cur[0].has_value() && cur[0]->expires_at_ms != 0;
        if (changed) muts->push_back(Mutation::Put(c.db(), std::string(key), cur[0]->value));
        return absl::OkStatus();
      })) {
    return;
  }
  AppendInteger(c.out, changed ? 1 : 0);
}

void ExpireTime(CommandContext& c) { ExpireTimeGeneric(c, false); }
void PExpireTime(CommandContext& c) { ExpireTimeGeneric(c, true); }

void ObjectEncoding(CommandContext& c) {
  std::optional<Entry> e = ObjectLookup(c);
  if (!e.has_value()) return;
  int64_t n = 0;
  // Redis keeps strings of up to 44 bytes in one allocation ("embstr"). A value built by
  // APPEND or SETRANGE is "raw" in Redis whatever its size; here the encoding follows the
  // content only.
  AppendBulk(c.out, IntEncoded(e->value, &n) ? "int" : e->value.size() <= 44 ? "embstr" : "raw");
}

void ObjectFreq(CommandContext& c) {
  if (!ObjectLookup(c).has_value()) return;
  // maxmemory-policy is always noeviction here: no LFU counter exists, as Redis says.
  AppendError(c.out,
              "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please "
              "note that when switching between policies at runtime LRU and LFU data will take "
              "some time to adjust.");
}

void ObjectIdleTime(CommandContext& c) {
  if (!ObjectLookup(c).has_value()) return;
  AppendInteger(c.out, 0);  // access times are not tracked: every key reads as just used
}

void ObjectRefCount(CommandContext& c) {
  std::optional<Entry> e = ObjectLookup(c);
  if (!e.has_value()) return;
  int64_t n = 0;
  AppendInteger(c.out, IntEncoded(e->value, &n) && n >= 0 && n < 10000 ? INT32_MAX : 1);
}

void ObjectHelp(CommandContext& c) {
  ReplyHelp(c, "OBJECT",
            {"ENCODING <key>", "    Return the kind of internal representation used in order to",
             "    store the value associated with a <key>.", "FREQ <key>",
             "    Return the access frequency index of the <key>. The returned integer is",
             "    proportional to the logarithm of the recent access frequency of the key.",
             "IDLETIME <key>", "    Return the idle time of the <key>, that is the approximated",
             "    number of seconds elapsed since the last access to the key.", "REFCOUNT <key>",
             "    Return the number of references of the value associated with",
             "    the specified <key>.", "HELP", "    Print this help."});
}

void Rename(CommandContext& c) { RenameGeneric(c, false); }
void RenameNx(CommandContext& c) { RenameGeneric(c, true); }

void Keys(CommandContext& c) {
  std::string_view pattern = c.argv[1];
  const std::string prefix = LiteralPrefix(pattern);
  std::vector<std::string> matches;
  std::optional<std::string> next = prefix;
  std::vector<std::string> batch;
  while (next.has_value()) {
    // Scan resets *next before it reads `start`: pass a copy, not a view into *next.
    const std::string start = std::move(*next);
    absl::Status s = c.store->Scan(c.db(), start, 1024, &batch, &next);
    if (!s.ok()) return ReplyStoreError(c, s);
    bool past_prefix = false;
    for (std::string& k : batch) {
      if (k.compare(0, prefix.size(), prefix) != 0) {
        past_prefix = true;  // keys are sorted: nothing further can match
        break;
      }
      if (GlobMatch(pattern, k)) matches.push_back(std::move(k));
    }
    if (past_prefix) break;
  }
  AppendArrayHeader(c.out, static_cast<int64_t>(matches.size()));
  for (const auto& k : matches) AppendBulk(c.out, k);
}

void Scan(CommandContext& c) {
  uint64_t cursor = 0;
  if (!ParseCursor(c.argv[1], &cursor)) return AppendError(c.out, "ERR invalid cursor");
  int64_t count = 10;
  std::optional<std::string_view> pattern;
  std::optional<std::string_view> type;
  for (size_t i = 2; i < c.argv.size(); i += 2) {
    size_t left = c.argv.size() - i;
    std::string_view opt = c.argv[i];
    if (EqualsIgnoreCase(opt, "count") && left >= 2) {
      if (!ParseInt64Strict(c.argv[i + 1], &count)) return AppendError(c.out, kErrNotInteger);
      if (count < 1) return AppendError(c.out, kErrSyntax);
    } else if (EqualsIgnoreCase(opt, "match") && left >= 2) {
      pattern = c.argv[i + 1];
    } else if (EqualsIgnoreCase(opt, "type") && left >= 2) {
      type = c.argv[i + 1];
    } else {
      return AppendError(c.out, kErrSyntax);
    }
  }
  std::string start;
  if (cursor != 0) {
    std::optional<std::string> resume = c.server->cursors.Lookup(cursor);
    if (!resume.has_value()) return AppendError(c.out, "ERR invalid cursor");
    start = std::move(*resume);
  }
  std::vector<std::string> keys;
  std::optional<std::string> next;
  // COUNT bounds the work of one call, as in Redis; cap it so one call stays short.
  size_t limit = static_cast<size_t>(std::min<int64_t>(count, 100000));
  absl::Status s = c.store->Scan(c.db(), start, limit, &keys, &next);
  if (!s.ok()) return ReplyStoreError(c, s);
  std::vector<std::string_view> selected;
  bool type_ok = !type.has_value() || EqualsIgnoreCase(*type, "string");
  for (const auto& k : keys) {
    if (!type_ok) break;
    if (pattern.has_value() && !GlobMatch(*pattern, k)) continue;
    selected.push_back(k);
  }
  AppendArrayHeader(c.out, 2);
  AppendBulk(c.out, next.has_value() ? StrCat(c.server->cursors.Issue(std::move(*next))) : "0");
  AppendArrayHeader(c.out, static_cast<int64_t>(selected.size()));
  for (std::string_view k : selected) AppendBulk(c.out, k);
}

void RandomKey(CommandContext& c) {
  // The first key at or after a random point of the printable-ASCII key space (wrapping to the
  // first key). Keys are not equally likely; see docs/redis.md.
  std::string start;
  uint64_t r = c.server->NextRandom();
  size_t len = 1 + r % 6;
  for (size_t i = 0; i < len; ++i) {
    r = c.server->NextRandom();
    start.push_back(static_cast<char>('0' + r % ('z' - '0' + 1)));
  }
  std::vector<std::string> keys;
  std::optional<std::string> next;
  absl::Status s = c.store->Scan(c.db(), start, 1, &keys, &next);
  if (s.ok() && keys.empty()) s = c.store->Scan(c.db(), "", 1, &keys, &next);
  if (!s.ok()) return ReplyStoreError(c, s);
  if (keys.empty()) return ReplyNull(c);
  AppendBulk(c.out, keys[0]);
}

}  // namespace handlers
}  // namespace nokv::redis
