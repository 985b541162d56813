// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//
// MULTI makes the dispatcher queue commands (ExecuteCommand). EXEC runs the queue as ONE
// KvStore::Transact: its scope is every key the queued commands name (plus the watched keys),
// or the whole keyspace if one of them scans, counts or flushes; the watched keys' versions
// are checked inside it; each queued command runs its ordinary handler on a TxnView; the
// mutations of the whole block are one atomic write. On a distributed backend that is one
// Percolator transaction. Design: docs/notes/2026-11-29-redis-databases-and-transactions.md.
#include "src/redis/command.h"
#include "src/redis/txn_view.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

void EndMulti(Session* session) {
  session->in_multi = false;
  session->multi_error = false;
  session->queued.clear();
  session->queued_bytes = 0;
  session->info->multi.store(-1, std::memory_order_relaxed);
}

}  // namespace

void DiscardTransaction(Session* session) {
  EndMulti(session);
  session->watched.clear();
}

namespace handlers {

void Multi(CommandContext& c) {
  if (c.session->in_multi) return AppendError(c.out, "ERR MULTI calls can not be nested");
  c.session->in_multi = true;
  c.session->multi_error = false;
  c.session->queued.clear();
  c.session->queued_bytes = 0;
  c.session->info->multi.store(0, std::memory_order_relaxed);
  AppendOk(c.out);
}

void Discard(CommandContext& c) {
  if (!c.session->in_multi) return AppendError(c.out, "ERR DISCARD without MULTI");
  DiscardTransaction(c.session);
  AppendOk(c.out);
}

void Watch(CommandContext& c) {
  if (c.session->in_multi) return AppendError(c.out, "ERR WATCH inside MULTI is not allowed");
  const int db = c.db();
  std::vector<std::string_view> keys;
  for (size_t i = 1; i < c.argv.size(); ++i) {
    bool known = false;
    for (const WatchedEntry& w : c.session->watched) {
      known |= w.key.db == db && w.key.key == c.argv[i];
    }
    if (!known && std::find(keys.begin(), keys.end(), c.argv[i]) == keys.end()) {
      keys.push_back(c.argv[i]);
    }
  }
  // Versions first, values second: a write in between shows as a changed version at EXEC.
  std::vector<KeyVersion> versions;
  std::vector<std::optional<Entry>> values;
  absl::Status s = c.store->Versions(db, keys, &versions);
  if (s.ok()) s = c.store->MultiGet(db, keys, &values);
  if (!s.ok()) return ReplyStoreError(c, s);
  for (size_t i = 0; i < keys.size(); ++i) {
    WatchedEntry w;
    w.key.db = db;
    w.key.key = std::string(keys[i]);
    w.key.version = versions[i];
    w.key.existed = values[i].has_value();
    w.expires_at_ms = values[i].has_value() ? values[i]->expires_at_ms : 0;
    c.session->watched.push_back(std::move(w));
  }
  AppendOk(c.out);
}

void Unwatch(CommandContext& c) {
  c.session->watched.clear();
  AppendOk(c.out);
}

void Exec(CommandContext& c) {
  Session* session = c.session;
  if (!session->in_multi) return AppendError(c.out, "ERR EXEC without MULTI");
  std::vector<Argv> queued = std::move(session->queued);
  const bool refused = session->multi_error;
  std::vector<WatchedEntry> watched = std::move(session->watched);
  session->watched.clear();
  EndMulti(session);
  if (refused) {
    return AppendError(c.out, "EXECABORT Transaction discarded because of previous errors.");
  }

  TxnScope scope;
  std::vector<const CommandSpec*> specs;
  for (const Argv& argv : queued) {
    const CommandSpec* spec = ResolveCommand(argv);  // resolved when it was queued
    specs.push_back(spec);
    CommandKeys(*spec, argv, &scope.keys);
    if (spec->flags & kCmdKeyspace) scope.whole_keyspace = true;
  }
  for (const WatchedEntry& w : watched) scope.watched.push_back(w.key);

  // The body may run more than once (a distributed backend retries on conflict): it starts
  // from the connection's state as of EXEC every time.
  const int db = session->db;
  const int protocol = session->protocol;
  std::string replies;
  absl::Status s = c.server->store->Transact(
      scope, [&](TxnReader& reader, std::vector<Mutation>* mutations) -> absl::Status {
        replies.clear();
        session->db = db;
        session->protocol = protocol;
        const uint64_t now = c.server->clock->NowUnixMillis();
        for (const WatchedEntry& w : watched) {
          // A watched key that expired since WATCH counts as changed, as in Redis.
          if (w.key.existed && w.expires_at_ms != 0 && w.expires_at_ms <= now) {
            return absl::AbortedError("redis: a watched key expired");
          }
        }
        TxnView view(&reader, mutations, c.server->store, now);
        AppendArrayHeader(&replies, static_cast<int64_t>(queued.size()));
        for (size_t i = 0; i < queued.size(); ++i) {
          RunCommand(c.server, session, *specs[i], queued[i], &replies, &view);
        }
        return absl::OkStatus();
      });
  if (absl::IsAborted(s)) return AppendNullArray(c.out, protocol);
  if (!s.ok()) {
    session->db = db;
    session->protocol = protocol;
    return ReplyStoreError(c, s);
  }
  session->info->db.store(session->db, std::memory_order_relaxed);
  c.out->append(replies);
}

}  // namespace handlers
}  // namespace nokv::redis
