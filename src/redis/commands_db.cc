// Database commands: SELECT, SWAPDB, MOVE, COPY, DBSIZE, FLUSHDB, FLUSHALL. Databases are the
// KvStore's (a key prefix per database in the embedded backend); a connection's current one is
// Session::db.
#include "src/redis/command.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

// FLUSHDB / FLUSHALL take an optional ASYNC or SYNC; both are synchronous here (one range
// delete, no memory to free lazily).
bool FlushArgsOk(CommandContext& c) {
  if (c.argv.size() > 2 || (c.argv.size() == 2 && !EqualsIgnoreCase(c.argv[1], "sync") &&
                            !EqualsIgnoreCase(c.argv[1], "async"))) {
    AppendError(c.out, kErrSyntax);
    return false;
  }
  return true;
}

}  // namespace

namespace handlers {

void Select(CommandContext& c) {
  int db = 0;
  if (!ParseDbIndex(c, c.argv[1], &db)) return;
  c.session->db = db;
  c.session->info->db.store(db, std::memory_order_relaxed);
  AppendOk(c.out);
}

void SwapDb(CommandContext& c) {
  int64_t a = 0;
  int64_t b = 0;
  if (!ParseInt64Strict(c.argv[1], &a) || a < INT32_MIN || a > INT32_MAX) {
    return AppendError(c.out, "ERR invalid first DB index");
  }
  if (!ParseInt64Strict(c.argv[2], &b) || b < INT32_MIN || b > INT32_MAX) {
    return AppendError(c.out, "ERR invalid second DB index");
  }
  if (a < 0 || a >= kDatabases || b < 0 || b >= kDatabases) {
    return AppendError(c.out, kErrDbRange);
  }
  if (a != b && !RunApply(c, {Mutation::SwapDb(static_cast<int>(a), static_cast<int>(b))})) {
    return;
  }
  AppendOk(c.out);
}

void Move(CommandContext& c) {
  int target = 0;
  if (!ParseDbIndex(c, c.argv[2], &target)) return;
  const int source = c.db();
  if (target == source) return AppendError(c.out, kErrSameObject);
  std::string_view key = c.argv[1];
  bool moved = false;
  TxnScope scope;
  scope.keys = {key};
  absl::Status s = c.store->Transact(scope, [&](TxnReader& r, std::vector<Mutation>* muts) {
    moved = false;
    auto src = r.Get(source, key);
    if (!src.ok()) return src.status();
    if (!src->has_value()) return absl::OkStatus();
    auto dst = r.Get(target, key);
    if (!dst.ok()) return dst.status();
    if (dst->has_value()) return absl::OkStatus();
    moved = true;
    muts->push_back(Mutation::Delete(source, std::string(key)));
    muts->push_back(Mutation::Put(target, std::string(key), (*src)->value, (*src)->expires_at_ms));
    return absl::OkStatus();
  });
  if (!s.ok()) return ReplyStoreError(c, s);
  AppendInteger(c.out, moved ? 1 : 0);
}

void Copy(CommandContext& c) {
  const int source = c.db();
  int target = source;
  bool replace = false;
  for (size_t j = 3; j < c.argv.size(); ++j) {
    if (EqualsIgnoreCase(c.argv[j], "replace")) {
      replace = true;
    } else if (EqualsIgnoreCase(c.argv[j], "db") && j + 1 < c.argv.size()) {
      if (!ParseDbIndex(c, c.argv[++j], &target)) return;
    } else {
      return AppendError(c.out, kErrSyntax);
    }
  }
  std::string_view from = c.argv[1];
  std::string_view to = c.argv[2];
  if (source == target && from == to) return AppendError(c.out, kErrSameObject);
  bool copied = false;
  TxnScope scope;
  scope.keys = {from, to};
  absl::Status s = c.store->Transact(scope, [&](TxnReader& r, std::vector<Mutation>* muts) {
    copied = false;
    auto src = r.Get(source, from);
    if (!src.ok()) return src.status();
    if (!src->has_value()) return absl::OkStatus();
    auto dst = r.Get(target, to);
    if (!dst.ok()) return dst.status();
    if (dst->has_value() && !replace) return absl::OkStatus();
    copied = true;
    muts->push_back(Mutation::Put(target, std::string(to), (*src)->value, (*src)->expires_at_ms));
    return absl::OkStatus();
  });
  if (!s.ok()) return ReplyStoreError(c, s);
  AppendInteger(c.out, copied ? 1 : 0);
}

void DbSize(CommandContext& c) {
  uint64_t keys = 0, expires = 0;
  absl::Status s = c.store->Count(c.db(), &keys, &expires);
  if (!s.ok()) return ReplyStoreError(c, s);
  AppendInteger(c.out, static_cast<int64_t>(keys));
}

void FlushDb(CommandContext& c) {
  if (!FlushArgsOk(c) || !RunApply(c, {Mutation::ClearDb(c.db())})) return;
  c.server->cursors.Clear();
  AppendOk(c.out);
}

void FlushAll(CommandContext& c) {
  if (!FlushArgsOk(c) || !RunApply(c, {Mutation::ClearAll()})) return;
  c.server->cursors.Clear();
  AppendOk(c.out);
}

}  // namespace handlers
}  // namespace nokv::redis
