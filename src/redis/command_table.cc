// The command table, the dispatcher, MULTI's queueing, and the reply helpers shared by the
// handlers.
#include <algorithm>
#include <unordered_map>

#include "src/redis/command.h"
#include "src/redis/command_meta.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

// A served command: its handler and nokv's dispatch flags. Arity, key positions and Redis's
// flags come from the command's Redis metadata; `arity` is only for a command Redis 7.0 lacks.
struct Binding {
  std::string_view name;
  CommandHandler handler;
  uint32_t flags;
  int arity = 0;
};

constexpr uint32_t kI = kCmdInline;
constexpr uint32_t kK = kCmdKeyspace;
constexpr uint32_t kT = kCmdTxnControl;

// Containers come before their subcommands.
// clang-format off
constexpr Binding kBindings[] = {
  // connection
  {"ping", handlers::Ping, kI}, {"echo", handlers::Echo, kI}, {"quit", handlers::Quit, kT},
  {"hello", handlers::Hello, 0}, {"auth", handlers::Auth, 0}, {"reset", handlers::Reset, kT},
  {"select", handlers::Select, 0},
  {"client", nullptr, 0},
  {"client|id", handlers::ClientId, 0}, {"client|setname", handlers::ClientSetName, 0},
  {"client|getname", handlers::ClientGetName, 0}, {"client|list", handlers::ClientList, 0},
  {"client|info", handlers::ClientInfo, 0}, {"client|kill", handlers::ClientKill, 0},
  {"client|no-evict", handlers::ClientNoEvict, 0}, {"client|help", handlers::ClientHelp, 0},
  // Redis 7.2's; sent by newer client libraries on connect.
  {"client|setinfo", handlers::ClientSetInfo, 0, 4},
  // server
  {"command", handlers::CommandAll, 0},
  {"command|count", handlers::CommandCount, 0}, {"command|info", handlers::CommandInfo, 0},
  {"command|docs", handlers::CommandDocs, 0}, {"command|list", handlers::CommandList, 0},
  {"command|help", handlers::CommandHelp, 0},
  {"config", nullptr, 0},
  {"config|get", handlers::ConfigGet, 0}, {"config|set", handlers::ConfigSet, 0},
  {"config|resetstat", handlers::ConfigResetStat, 0},
  {"config|rewrite", handlers::ConfigRewrite, 0}, {"config|help", handlers::ConfigHelp, 0},
  {"info", handlers::Info, kK}, {"time", handlers::Time, kI},
  {"lastsave", handlers::LastSave, 0}, {"save", handlers::Save, 0},
  {"bgsave", handlers::BgSave, 0},
  // databases
  {"dbsize", handlers::DbSize, kK}, {"flushdb", handlers::FlushDb, kK},
  {"flushall", handlers::FlushAll, kK}, {"swapdb", handlers::SwapDb, kK},
  {"move", handlers::Move, 0}, {"copy", handlers::Copy, 0},
  // transactions
  {"multi", handlers::Multi, kT}, {"exec", handlers::Exec, kT},
  {"discard", handlers::Discard, kT}, {"watch", handlers::Watch, kT},
  {"unwatch", handlers::Unwatch, 0},
  // strings
  {"get", handlers::Get, kI}, {"set", handlers::Set, 0}, {"setnx", handlers::SetNx, 0},
  {"setex", handlers::SetEx, 0}, {"psetex", handlers::PSetEx, 0},
  {"getset", handlers::GetSet, 0}, {"getdel", handlers::GetDel, 0},
  {"getex", handlers::GetEx, 0}, {"mget", handlers::MGet, kI}, {"mset", handlers::MSet, 0},
  {"msetnx", handlers::MSetNx, 0}, {"append", handlers::Append, 0},
  {"strlen", handlers::StrLen, kI}, {"getrange", handlers::GetRange, kI},
  {"substr", handlers::GetRange, kI}, {"setrange", handlers::SetRange, 0},
  {"incr", handlers::Incr, 0}, {"decr", handlers::Decr, 0}, {"incrby", handlers::IncrBy, 0},
  {"decrby", handlers::DecrBy, 0}, {"incrbyfloat", handlers::IncrByFloat, 0},
  {"lcs", handlers::Lcs, 0},
  // keys
  {"del", handlers::Del, 0}, {"unlink", handlers::Del, 0}, {"exists", handlers::Exists, kI},
  {"touch", handlers::Exists, kI}, {"type", handlers::Type, kI},
  {"expire", handlers::Expire, 0}, {"pexpire", handlers::PExpire, 0},
  {"expireat", handlers::ExpireAt, 0}, {"pexpireat", handlers::PExpireAt, 0},
  {"expiretime", handlers::ExpireTime, kI}, {"pexpiretime", handlers::PExpireTime, kI},
  {"ttl", handlers::Ttl, kI}, {"pttl", handlers::PTtl, kI},
  {"persist", handlers::Persist, 0}, {"rename", handlers::Rename, 0},
  {"renamenx", handlers::RenameNx, 0}, {"keys", handlers::Keys, kK},
  {"scan", handlers::Scan, kK}, {"randomkey", handlers::RandomKey, kK},
  {"object", nullptr, 0},
  {"object|encoding", handlers::ObjectEncoding, 0}, {"object|freq", handlers::ObjectFreq, 0},
  {"object|idletime", handlers::ObjectIdleTime, 0},
  {"object|refcount", handlers::ObjectRefCount, 0}, {"object|help", handlers::ObjectHelp, 0},
};
// clang-format on

bool HasFlag(std::string_view flags, std::string_view flag) {
  while (!flags.empty()) {
    size_t sp = flags.find(' ');
    if (flags.substr(0, sp) == flag) return true;
    if (sp == std::string_view::npos) break;
    flags.remove_prefix(sp + 1);
  }
  return false;
}

std::vector<CommandSpec> BuildTable() {
  std::vector<CommandSpec> table;
  table.reserve(std::size(kBindings));
  for (const Binding& b : kBindings) {
    CommandSpec spec{b.name, b.handler, b.flags, b.arity, 0, 0, 0, FindCommandMeta(b.name), {}};
    if (spec.meta != nullptr) {
      spec.arity = spec.meta->arity;
      spec.first_key = spec.meta->first_key;
      spec.last_key = spec.meta->last_key;
      spec.key_step = spec.meta->key_step;
      if (HasFlag(spec.meta->flags, "no_auth")) spec.flags |= kCmdNoAuth;
      if (HasFlag(spec.meta->flags, "write")) spec.flags |= kCmdWrite;
      if (HasFlag(spec.meta->flags, "no_multi")) spec.flags |= kCmdNoMulti;
    }
    spec.index = table.size();
    table.push_back(std::move(spec));
  }
  // Link subcommands once the vector no longer moves.
  for (CommandSpec& spec : table) {
    size_t bar = spec.name.find('|');
    if (bar == std::string_view::npos) continue;
    for (CommandSpec& parent : table) {
      if (parent.name == spec.name.substr(0, bar)) parent.subcommands.push_back(&spec);
    }
  }
  return table;
}

// Keyed by views of the table's (static) names, so a lookup needs no allocation.
const std::unordered_map<std::string_view, const CommandSpec*>& TopLevelIndex() {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const CommandSpec*>();
    for (const CommandSpec& spec : AllCommands()) {
      if (spec.name.find('|') == std::string_view::npos) m->emplace(spec.name, &spec);
    }
    return m;
  }();
  return *index;
}

const CommandSpec* FindSubcommand(const CommandSpec& container, std::string_view name) {
  for (const CommandSpec* sub : container.subcommands) {
    if (EqualsIgnoreCase(sub->name.substr(container.name.size() + 1), name)) return sub;
  }
  return nullptr;
}

void AppendUnknownCommand(std::string* out, const Argv& argv) {
  // Redis quotes at most ~128 bytes of the name and of the arguments.
  std::string args;
  for (size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    size_t room = 128 - args.size();
    StrAppend(&args, "'", std::string_view(argv[i]).substr(0, room), "' ");
  }
  AppendError(out, StrCat("ERR unknown command '", std::string_view(argv[0]).substr(0, 128),
                          "', with args beginning with: ", args));
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
  }
  return out;
}

bool ArityOk(const CommandSpec& spec, size_t argc) {
  const auto n = static_cast<int64_t>(argc);
  return spec.arity > 0 ? n == spec.arity : n >= -spec.arity;
}

}  // namespace

const std::vector<CommandSpec>& AllCommands() {
  static const std::vector<CommandSpec> table = BuildTable();
  return table;
}

const CommandSpec* FindCommand(std::string_view name) {
  char lower[32];
  if (name.size() > sizeof(lower)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) {
    const char ch = name[i];
    lower[i] = ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch + 32) : ch;
  }
  const auto& index = TopLevelIndex();
  auto it = index.find(std::string_view(lower, name.size()));
  return it == index.end() ? nullptr : it->second;
}

const CommandSpec* ResolveCommand(const Argv& argv) {
  const CommandSpec* spec = argv.empty() ? nullptr : FindCommand(argv[0]);
  if (spec == nullptr || spec->subcommands.empty()) return spec;
  if (argv.size() < 2) return spec->handler != nullptr ? spec : nullptr;
  return FindSubcommand(*spec, argv[1]);
}

void CommandKeys(const CommandSpec& spec, const Argv& argv, std::vector<std::string_view>* keys) {
  if (spec.first_key <= 0 || spec.key_step <= 0) return;
  const auto argc = static_cast<int64_t>(argv.size());
  const int64_t last = spec.last_key < 0 ? argc + spec.last_key : spec.last_key;
  for (int64_t i = spec.first_key; i <= last && i < argc; i += spec.key_step) {
    keys->push_back(argv[static_cast<size_t>(i)]);
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] + 32) : b[i];
    if (x != y) return false;
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
  }
  return out;
}

void ReplyWrongArity(CommandContext& c, std::string_view full_name) {
  AppendError(c.out, StrCat("ERR wrong number of arguments for '", full_name, "' command"));
}

void ReplyStoreError(CommandContext& c, const absl::Status& status) {
  AppendError(c.out, StrCat("ERR storage: ",
                            std::string_view(status.message().data(), status.message().size())));
}

bool RunUpdate(CommandContext& c, const std::vector<std::string_view>& keys,
               const UpdateBody& body) {
  absl::Status s = c.store->Update(c.db(), keys, body);
  if (!s.ok()) ReplyStoreError(c, s);
  return s.ok();
}

bool RunApply(CommandContext& c, std::vector<Mutation> mutations) {
  absl::Status s = c.store->Apply(std::move(mutations));
  if (!s.ok()) ReplyStoreError(c, s);
  return s.ok();
}

void ReplyNull(CommandContext& c) { AppendNull(c.out, c.protocol()); }

void ReplyOptionalBulk(CommandContext& c, const std::optional<std::string>& value) {
  if (value.has_value()) return AppendBulk(c.out, *value);
  ReplyNull(c);
}

void ReplyHelp(CommandContext& c, std::string_view container,
               const std::vector<std::string_view>& lines) {
  AppendArrayHeader(c.out, static_cast<int64_t>(lines.size() + 1));
  AppendSimpleString(
      c.out, StrCat(container, " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"));
  for (std::string_view line : lines) AppendSimpleString(c.out, line);
}

bool ParseDbIndex(CommandContext& c, std::string_view arg, int* db) {
  int64_t v = 0;
  if (!ParseInt64Strict(arg, &v) || v < INT32_MIN || v > INT32_MAX) {
    AppendError(c.out, kErrNotInteger);
    return false;
  }
  if (v < 0 || v >= kDatabases) {
    AppendError(c.out, kErrDbRange);
    return false;
  }
  *db = static_cast<int>(v);
  return true;
}

void RecordCommand(GatewayMetrics& m, size_t index, uint64_t latency_us, bool error) {
  m.per_command[index]->Add();
  if (latency_us != kNotTimed) m.command_latency_us->Observe(latency_us);
  if (error) {
    m.errors_total->Add();
    m.per_command_errors[index]->Add();
  }
}

void ExecuteCommand(ServerState* server, Session* session, const Argv& argv, std::string* out) {
  if (argv.empty()) return;
  GatewayMetrics& m = server->metrics;
  // A refusal inside MULTI makes the transaction fail at EXEC, as in Redis; a refused EXEC
  // discards the transaction at once.
  const CommandSpec* spec = FindCommand(argv[0]);
  auto refuse = [&](std::string_view error) {
    m.errors_total->Add();
    if (spec != nullptr && spec->handler == handlers::Exec) {
      DiscardTransaction(session);
      if (error.substr(0, 4) == "ERR ") error.remove_prefix(4);
      return AppendError(out, StrCat("EXECABORT Transaction discarded because of: ", error));
    }
    if (session->in_multi) session->multi_error = true;
    AppendError(out, error);
  };
  if (spec == nullptr) {
    m.commands_total->Add();
    m.unknown_commands->Add();
    if (session->in_multi) session->multi_error = true;
    m.errors_total->Add();
    return AppendUnknownCommand(out, argv);
  }
  if (!spec->subcommands.empty() && (spec->handler == nullptr || argv.size() > 1)) {
    // A container (COMMAND alone has a meaning of its own): the subcommand is the command.
    if (!ArityOk(*spec, argv.size())) {
      return refuse(StrCat("ERR wrong number of arguments for '", spec->name, "' command"));
    }
    const CommandSpec* sub = FindSubcommand(*spec, argv[1]);
    if (sub == nullptr) {
      return refuse(StrCat("ERR unknown subcommand '", std::string_view(argv[1]).substr(0, 128),
                           "'. Try ", Upper(spec->name), " HELP."));
    }
    spec = sub;
  }
  if (!ArityOk(*spec, argv.size())) {
    return refuse(StrCat("ERR wrong number of arguments for '", spec->name, "' command"));
  }
  if (!(spec->flags & kCmdNoAuth) && server->AuthRequired(*session)) return refuse(kErrNoAuth);
  if (session->in_multi && !(spec->flags & kCmdTxnControl)) {
    if (spec->flags & kCmdNoMulti) return refuse("ERR Command not allowed inside a transaction");
    // The queue is bounded like a request (Redis's client-query-buffer-limit), so one
    // connection cannot make the server hold an unbounded MULTI block.
    size_t bytes = 0;
    for (const std::string& a : argv) bytes += a.size() + 16;
    if (session->queued_bytes + bytes > kMaxQueuedBytes) {
      return refuse(StrCat("ERR MULTI block larger than ", kMaxQueuedBytes, " bytes"));
    }
    session->queued_bytes += bytes;
    session->queued.push_back(argv);
    session->info->multi.store(static_cast<int>(session->queued.size()), std::memory_order_relaxed);
    return AppendSimpleString(out, "QUEUED");
  }
  RunCommand(server, session, *spec, argv, out, server->store);
}

void RunCommand(ServerState* server, Session* session, const CommandSpec& spec, const Argv& argv,
                std::string* out, KvStore* store) {
  server->metrics.commands_total->Add();
  const size_t before = out->size();
  // The latency histogram samples one command in 8 per thread: two clock reads per command were
  // 4% of the CPU of pipelined GETs.
  thread_local uint32_t sample = 0;
  const bool timed = (sample++ & 7) == 0;
  const uint64_t start_us = timed ? server->clock->NowMonotonicMicros() : 0;
  session->info->last_command.store(static_cast<int>(spec.index), std::memory_order_relaxed);
  CommandContext ctx{argv, out, session, server, store};
  spec.handler(ctx);
  RecordCommand(server->metrics, spec.index,
                timed ? server->clock->NowMonotonicMicros() - start_us : kNotTimed,
                out->size() > before && (*out)[before] == '-');
}

}  // namespace nokv::redis
