// Batched execution: blind writes as one Apply, INCR-family steps as one Update (command.h).
#include <algorithm>

#include "src/redis/command.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

// INCR / DECR / INCRBY / DECRBY with a valid delta: the signed step; nullopt otherwise.
std::optional<int64_t> CounterDelta(const Argv& a) {
  int64_t delta = 0;
  if (a.size() == 2 && EqualsIgnoreCase(a[0], "incr")) return 1;
  if (a.size() == 2 && EqualsIgnoreCase(a[0], "decr")) return -1;
  if (a.size() == 3 && EqualsIgnoreCase(a[0], "incrby") && ParseInt64Strict(a[2], &delta)) {
    return delta;
  }
  if (a.size() == 3 && EqualsIgnoreCase(a[0], "decrby") && ParseInt64Strict(a[2], &delta) &&
      delta != INT64_MIN) {
    return -delta;
  }
  return std::nullopt;
}

size_t IndexOf(const Argv& argv) { return FindCommand(argv[0])->index; }

void RecordBatch(ServerState* server, const std::vector<BatchItem>& items, uint64_t start_us,
                 const std::vector<bool>& failed) {
  const uint64_t elapsed_us = server->clock->NowMonotonicMicros() - start_us;
  server->metrics.commands_total->Add(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const size_t index = IndexOf(*items[i].argv);
    RecordCommand(server->metrics, index, elapsed_us, failed[i]);
    items[i].session->info->last_command.store(static_cast<int>(index), std::memory_order_relaxed);
  }
}

void ReplyError(ServerState* server, const BatchItem& item, const absl::Status& status) {
  CommandContext ctx{*item.argv, item.out, item.session, server, server->store};
  ReplyStoreError(ctx, status);
}

void ExecuteBlindWrites(ServerState* server, const std::vector<BatchItem>& items) {
  const uint64_t start_us = server->clock->NowMonotonicMicros();
  std::vector<Mutation> mutations;
  mutations.reserve(items.size());
  for (const BatchItem& item : items) {
    const Argv& a = *item.argv;
    // SET k v, or MSET's pairs in order: within one batch a later put of a key wins, as it
    // would one by one.
    for (size_t i = 1; i + 1 < a.size(); i += 2) {
      mutations.push_back(Mutation::Put(item.session->db, a[i], a[i + 1]));
    }
  }
  // One atomic batch: each command still happens entirely or not at all.
  const absl::Status s = server->store->Apply(std::move(mutations));
  for (const BatchItem& item : items) {
    if (s.ok()) {
      AppendOk(item.out);
    } else {
      ReplyError(server, item, s);
    }
  }
  RecordBatch(server, items, start_us, std::vector<bool>(items.size(), !s.ok()));
}

void ExecuteCounters(ServerState* server, const std::vector<BatchItem>& items) {
  struct Op {
    int db;
    std::string_view key;
    int64_t delta = 0;
    size_t slot = 0;  // into `keys`
    std::string_view error;
    int64_t result = 0;
  };
  std::vector<Op> ops;
  ops.reserve(items.size());
  // One transaction over every key the steps touch, in any database.
  std::vector<std::pair<int, std::string_view>> slots;
  TxnScope scope;
  for (const BatchItem& item : items) {
    Op op{item.session->db, (*item.argv)[1], *CounterDelta(*item.argv), 0, {}, 0};
    auto it = std::find(slots.begin(), slots.end(), std::make_pair(op.db, op.key));
    op.slot = static_cast<size_t>(it - slots.begin());
    if (it == slots.end()) {
      slots.emplace_back(op.db, op.key);
      scope.keys.push_back(op.key);
    }
    ops.push_back(op);
  }
  const uint64_t start_us = server->clock->NowMonotonicMicros();
  const uint64_t now = server->clock->NowUnixMillis();
  const absl::Status s =
      server->store->Transact(scope, [&](TxnReader& reader, std::vector<Mutation>* muts) {
        std::vector<std::optional<Entry>> state;
        for (const auto& [db, key] : slots) {
          absl::StatusOr<std::optional<Entry>> e = reader.Get(db, key);
          if (!e.ok()) return e.status();
          state.push_back(std::move(*e));
        }
        std::vector<bool> changed(slots.size(), false);
        // The steps apply in order, each seeing the ones before it (INCR a; INCR a: 1, 2).
        for (Op& op : ops) {
          std::optional<Entry>& entry = state[op.slot];
          op.error = StepCounter(entry, op.delta, &op.result);
          if (!op.error.empty()) continue;
          if (!entry.has_value()) entry = Entry{};
          entry->value = StrCat(op.result);  // the expiry, if any, is kept, as in Redis
          changed[op.slot] = true;
        }
        for (size_t k = 0; k < slots.size(); ++k) {
          if (!changed[k]) continue;
          muts->push_back(PutAt(slots[k].first, slots[k].second, state[k]->value,
                                state[k]->expires_at_ms, now));
        }
        return absl::OkStatus();
      });
  std::vector<bool> failed(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const Op& op = ops[i];
    failed[i] = !s.ok() || !op.error.empty();
    if (!s.ok()) {
      ReplyError(server, items[i], s);
    } else if (!op.error.empty()) {
      AppendError(items[i].out, op.error);
    } else {
      AppendInteger(items[i].out, op.result);
    }
  }
  RecordBatch(server, items, start_us, failed);
}

size_t ExecuteRun(ServerState* server, Session* session, BatchKind kind,
                  const std::vector<Argv>& commands, size_t begin, size_t max_run,
                  std::string* out) {
  std::vector<BatchItem> items;
  for (size_t i = begin; i < commands.size() && items.size() < max_run; ++i) {
    if (BatchKindOf(*server, *session, commands[i]) != kind) break;
    items.push_back(BatchItem{session, &commands[i], out});
  }
  // A lone command gains nothing from the batch path; keep ExecuteCommand's single code path.
  if (items.size() < 2) return 0;
  ExecuteBatch(server, kind, items);
  return items.size();
}

}  // namespace

BatchKind BatchKindOf(const ServerState& server, const Session& session, const Argv& argv) {
  if (argv.size() < 2 || session.in_multi || server.AuthRequired(session)) {
    return BatchKind::kNone;
  }
  if ((argv.size() == 3 && EqualsIgnoreCase(argv[0], "set")) ||
      (argv.size() % 2 == 1 && EqualsIgnoreCase(argv[0], "mset"))) {
    return BatchKind::kBlindWrite;
  }
  return CounterDelta(argv).has_value() ? BatchKind::kCounter : BatchKind::kNone;
}

void ExecuteBatch(ServerState* server, BatchKind kind, const std::vector<BatchItem>& items) {
  if (items.empty()) return;
  if (kind == BatchKind::kBlindWrite) return ExecuteBlindWrites(server, items);
  if (kind == BatchKind::kCounter) return ExecuteCounters(server, items);
}

size_t ExecuteSetRun(ServerState* server, Session* session, const std::vector<Argv>& commands,
                     size_t begin, size_t max_run, std::string* out) {
  return ExecuteRun(server, session, BatchKind::kBlindWrite, commands, begin, max_run, out);
}

size_t ExecuteCounterRun(ServerState* server, Session* session, const std::vector<Argv>& commands,
                         size_t begin, size_t max_run, std::string* out) {
  return ExecuteRun(server, session, BatchKind::kCounter, commands, begin, max_run, out);
}

}  // namespace nokv::redis
