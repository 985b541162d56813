// The command table, the dispatcher, and COMMAND (which describes the table).
#include <algorithm>
#include <unordered_map>

#include "src/redis/command.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

constexpr uint32_t kW = kCmdWrite;
constexpr uint32_t kR = kCmdReadOnly;
constexpr uint32_t kF = kCmdFast;

// clang-format off
const std::vector<CommandSpec>& BuildTable() {
  static const std::vector<CommandSpec> table = {
    // name, arity, flags, first, last, step, group, summary, since, acl, handler
    {"ping", -1, kF | kCmdStale | kCmdLoading | kCmdInline, 0, 0, 0, "connection", "Returns the server's liveliness response.", "1.0.0", "@fast @connection", handlers::Ping},
    {"echo", 2, kF | kCmdStale | kCmdLoading | kCmdInline, 0, 0, 0, "connection", "Returns the given string.", "1.0.0", "@fast @connection", handlers::Echo},
    {"quit", -1, kF | kCmdNoAuth | kCmdStale | kCmdLoading, 0, 0, 0, "connection", "Closes the connection.", "1.0.0", "@fast @connection", handlers::Quit},
    {"hello", -1, kF | kCmdNoAuth | kCmdStale | kCmdLoading, 0, 0, 0, "connection", "Handshakes with the server.", "6.0.0", "@fast @connection", handlers::Hello},
    {"auth", -2, kF | kCmdNoAuth | kCmdStale | kCmdLoading, 0, 0, 0, "connection", "Authenticates the connection.", "1.0.0", "@fast @connection", handlers::Auth},
    {"select", 2, kF | kCmdStale | kCmdLoading, 0, 0, 0, "connection", "Changes the selected database (only 0 exists).", "1.0.0", "@fast @keyspace", handlers::Select},
    {"client", -2, kCmdStale | kCmdLoading, 0, 0, 0, "connection", "CLIENT ID, SETNAME, GETNAME, SETINFO.", "2.4.0", "@slow @connection", handlers::Client},
    {"command", -1, kCmdStale | kCmdLoading, 0, 0, 0, "server", "Returns details about commands.", "2.8.13", "@slow @connection", handlers::Command},
    {"config", -2, kCmdAdmin | kCmdStale | kCmdLoading, 0, 0, 0, "server", "CONFIG GET of a few read-only parameters.", "2.0.0", "@admin @slow @dangerous", handlers::Config},
    {"info", -1, kCmdStale | kCmdLoading, 0, 0, 0, "server", "Returns information and statistics about the server.", "1.0.0", "@slow @dangerous", handlers::Info},
    {"dbsize", 1, kR, 0, 0, 0, "server", "Returns the number of keys (counts them).", "1.0.0", "@keyspace @read @slow", handlers::DbSize},
    {"flushdb", -1, kW, 0, 0, 0, "server", "Removes all keys.", "1.0.0", "@keyspace @write @slow @dangerous", handlers::FlushDb},
    {"flushall", -1, kW, 0, 0, 0, "server", "Removes all keys.", "1.0.0", "@keyspace @write @slow @dangerous", handlers::FlushDb},
    {"time", 1, kF | kCmdStale | kCmdLoading | kCmdInline, 0, 0, 0, "server", "Returns the server time.", "2.6.0", "@fast", handlers::Time},
    {"get", 2, kR | kF | kCmdInline, 1, 1, 1, "string", "Returns the string value of a key.", "1.0.0", "@read @string @fast", handlers::Get},
    {"set", -3, kW, 1, 1, 1, "string", "Sets the string value of a key, with expiry and conditions.", "1.0.0", "@write @string @slow", handlers::Set},
    {"setnx", 3, kW | kF, 1, 1, 1, "string", "Sets a key only if it does not exist.", "1.0.0", "@write @string @fast", handlers::SetNx},
    {"setex", 4, kW, 1, 1, 1, "string", "Sets a key with an expiry in seconds.", "2.0.0", "@write @string @slow", handlers::SetEx},
    {"psetex", 4, kW, 1, 1, 1, "string", "Sets a key with an expiry in milliseconds.", "2.6.0", "@write @string @slow", handlers::PSetEx},
    {"getset", 3, kW | kF, 1, 1, 1, "string", "Sets a key and returns its previous value.", "1.0.0", "@write @string @fast", handlers::GetSet},
    {"getdel", 2, kW | kF, 1, 1, 1, "string", "Returns a key's value and deletes it.", "6.2.0", "@write @string @fast", handlers::GetDel},
    {"getex", -2, kW | kF, 1, 1, 1, "string", "Returns a key's value and changes its expiry.", "6.2.0", "@write @string @fast", handlers::GetEx},
    {"mget", -2, kR | kF | kCmdInline, 1, -1, 1, "string", "Returns the values of several keys (one snapshot).", "1.0.0", "@read @string @fast", handlers::MGet},
    {"mset", -3, kW, 1, -1, 2, "string", "Sets several keys atomically.", "1.0.1", "@write @string @slow", handlers::MSet},
    {"msetnx", -3, kW, 1, -1, 2, "string", "Sets several keys atomically only if none exists.", "1.0.1", "@write @string @slow", handlers::MSetNx},
    {"append", 3, kW, 1, 1, 1, "string", "Appends to a key's value.", "2.0.0", "@write @string @fast", handlers::Append},
    {"strlen", 2, kR | kF | kCmdInline, 1, 1, 1, "string", "Returns the length of a key's value.", "2.2.0", "@read @string @fast", handlers::StrLen},
    {"getrange", 4, kR, 1, 1, 1, "string", "Returns a substring of a key's value.", "2.4.0", "@read @string @slow", handlers::GetRange},
    {"setrange", 4, kW, 1, 1, 1, "string", "Overwrites part of a key's value at an offset.", "2.2.0", "@write @string @slow", handlers::SetRange},
    {"incr", 2, kW | kF, 1, 1, 1, "string", "Increments an integer value by one.", "1.0.0", "@write @string @fast", handlers::Incr},
    {"decr", 2, kW | kF, 1, 1, 1, "string", "Decrements an integer value by one.", "1.0.0", "@write @string @fast", handlers::Decr},
    {"incrby", 3, kW | kF, 1, 1, 1, "string", "Increments an integer value.", "1.0.0", "@write @string @fast", handlers::IncrBy},
    {"decrby", 3, kW | kF, 1, 1, 1, "string", "Decrements an integer value.", "1.0.0", "@write @string @fast", handlers::DecrBy},
    {"incrbyfloat", 3, kW | kF, 1, 1, 1, "string", "Increments a floating point value.", "2.6.0", "@write @string @fast", handlers::IncrByFloat},
    {"del", -2, kW, 1, -1, 1, "generic", "Deletes keys atomically.", "1.0.0", "@keyspace @write @slow", handlers::Del},
    {"unlink", -2, kW | kF, 1, -1, 1, "generic", "Deletes keys atomically.", "4.0.0", "@keyspace @write @fast", handlers::Del},
    {"exists", -2, kR | kF | kCmdInline, 1, -1, 1, "generic", "Counts how many of the keys exist.", "1.0.0", "@keyspace @read @fast", handlers::Exists},
    {"type", 2, kR | kF | kCmdInline, 1, 1, 1, "generic", "Returns the type of a key.", "1.0.0", "@keyspace @read @fast", handlers::Type},
    {"expire", -3, kW | kF, 1, 1, 1, "generic", "Sets a key's time to live in seconds.", "1.0.0", "@keyspace @write @fast", handlers::Expire},
    {"pexpire", -3, kW | kF, 1, 1, 1, "generic", "Sets a key's time to live in milliseconds.", "2.6.0", "@keyspace @write @fast", handlers::PExpire},
    {"expireat", -3, kW | kF, 1, 1, 1, "generic", "Sets a key's expiry as a Unix time in seconds.", "1.2.0", "@keyspace @write @fast", handlers::ExpireAt},
    {"pexpireat", -3, kW | kF, 1, 1, 1, "generic", "Sets a key's expiry as a Unix time in milliseconds.", "2.6.0", "@keyspace @write @fast", handlers::PExpireAt},
    {"ttl", 2, kR | kF | kCmdInline, 1, 1, 1, "generic", "Returns a key's time to live in seconds.", "1.0.0", "@keyspace @read @fast", handlers::Ttl},
    {"pttl", 2, kR | kF | kCmdInline, 1, 1, 1, "generic", "Returns a key's time to live in milliseconds.", "2.6.0", "@keyspace @read @fast", handlers::PTtl},
    {"persist", 2, kW | kF, 1, 1, 1, "generic", "Removes a key's expiry.", "2.2.0", "@keyspace @write @fast", handlers::Persist},
    {"rename", 3, kW, 1, 2, 1, "generic", "Renames a key atomically (value and expiry).", "1.0.0", "@keyspace @write @slow", handlers::Rename},
    {"renamenx", 3, kW | kF, 1, 2, 1, "generic", "Renames a key only if the new name does not exist.", "1.0.0", "@keyspace @write @fast", handlers::RenameNx},
    {"keys", 2, kR, 0, 0, 0, "generic", "Returns all key names matching a pattern.", "1.0.0", "@keyspace @read @slow @dangerous", handlers::Keys},
    {"scan", -2, kR, 0, 0, 0, "generic", "Iterates over key names.", "2.8.0", "@keyspace @read @slow", handlers::Scan},
    {"randomkey", 1, kR, 0, 0, 0, "generic", "Returns a random key name.", "1.0.0", "@keyspace @read @slow", handlers::RandomKey},
  };
  return table;
}
// clang-format on

const std::unordered_map<std::string, size_t>& Index() {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string, size_t>();
    const auto& table = AllCommands();
    for (size_t i = 0; i < table.size(); ++i) m->emplace(std::string(table[i].name), i);
    return m;
  }();
  return *index;
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

void AppendFlags(std::string* out, uint32_t flags) {
  std::vector<std::string_view> names;
  if (flags & kCmdWrite) names.push_back("write");
  if (flags & kCmdReadOnly) names.push_back("readonly");
  if (flags & kCmdAdmin) names.push_back("admin");
  if (flags & kCmdNoAuth) names.push_back("no_auth");
  if (flags & kCmdLoading) names.push_back("loading");
  if (flags & kCmdStale) names.push_back("stale");
  if (flags & kCmdFast) names.push_back("fast");
  AppendArrayHeader(out, static_cast<int64_t>(names.size()));
  for (std::string_view n : names) AppendSimpleString(out, n);
}

std::vector<std::string_view> SplitSpaces(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t sp = s.find(' ');
    if (sp != 0) out.push_back(s.substr(0, sp));
    if (sp == std::string_view::npos) break;
    s.remove_prefix(sp + 1);
  }
  return out;
}

// The 10-element COMMAND INFO entry of Redis 7 (key specs and subcommands left empty).
void AppendCommandInfo(std::string* out, const CommandSpec& spec) {
  AppendArrayHeader(out, 10);
  AppendBulk(out, spec.name);
  AppendInteger(out, spec.arity);
  AppendFlags(out, spec.flags);
  AppendInteger(out, spec.first_key);
  AppendInteger(out, spec.last_key);
  AppendInteger(out, spec.key_step);
  std::vector<std::string_view> acl = SplitSpaces(spec.acl_categories);
  AppendArrayHeader(out, static_cast<int64_t>(acl.size()));
  for (std::string_view a : acl) AppendSimpleString(out, a);
  AppendArrayHeader(out, 0);  // tips
  AppendArrayHeader(out, 0);  // key specs
  AppendArrayHeader(out, 0);  // subcommands
}

void AppendCommandDocs(std::string* out, const CommandSpec& spec) {
  AppendBulk(out, spec.name);
  AppendArrayHeader(out, 8);
  AppendBulk(out, "summary");
  AppendBulk(out, spec.summary);
  AppendBulk(out, "since");
  AppendBulk(out, spec.since);
  AppendBulk(out, "group");
  AppendBulk(out, spec.group);
  AppendBulk(out, "complexity");
  AppendBulk(out, spec.first_key == 0 && spec.group == "generic" ? "O(N)" : "O(1)");
}

}  // namespace

const std::vector<CommandSpec>& AllCommands() { return BuildTable(); }

const CommandSpec* FindCommand(std::string_view name) {
  if (name.size() > 32) return nullptr;
  auto it = Index().find(ToLower(name));
  return it == Index().end() ? nullptr : &AllCommands()[it->second];
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

void RecordCommand(GatewayMetrics& m, size_t index, uint64_t latency_us, bool error) {
  m.per_command[index]->Add();
  m.command_latency_us->Observe(latency_us);
  if (error) {
    m.errors_total->Add();
    m.per_command_errors[index]->Add();
  }
}

void ExecuteCommand(ServerState* server, Session* session, const Argv& argv, std::string* out) {
  if (argv.empty()) return;
  GatewayMetrics& m = server->metrics;
  m.commands_total->Add();
  const CommandSpec* spec = FindCommand(argv[0]);
  if (spec == nullptr) {
    m.unknown_commands->Add();
    m.errors_total->Add();
    AppendUnknownCommand(out, argv);
    return;
  }
  const size_t index = static_cast<size_t>(spec - AllCommands().data());
  const size_t before = out->size();
  const int argc = static_cast<int>(std::min<size_t>(argv.size(), 1 << 30));
  const uint64_t start_us = server->clock->NowMonotonicMicros();
  CommandContext ctx{argv, out, session, server};
  if ((spec->arity > 0 && argc != spec->arity) || (spec->arity < 0 && argc < -spec->arity)) {
    ReplyWrongArity(ctx, spec->name);
  } else if (!session->authenticated && !(spec->flags & kCmdNoAuth)) {
    AppendError(out, kErrNoAuth);
  } else {
    spec->handler(ctx);
  }
  RecordCommand(m, index, server->clock->NowMonotonicMicros() - start_us,
                out->size() > before && (*out)[before] == '-');
}

namespace handlers {

void Command(CommandContext& c) {
  const auto& table = AllCommands();
  if (c.argv.size() == 1) {
    AppendArrayHeader(c.out, static_cast<int64_t>(table.size()));
    for (const CommandSpec& spec : table) AppendCommandInfo(c.out, spec);
    return;
  }
  std::string_view sub = c.argv[1];
  if (EqualsIgnoreCase(sub, "count")) {
    if (c.argv.size() != 2) return ReplyWrongArity(c, "command|count");
    AppendInteger(c.out, static_cast<int64_t>(table.size()));
  } else if (EqualsIgnoreCase(sub, "info")) {
    if (c.argv.size() == 2) {
      AppendArrayHeader(c.out, static_cast<int64_t>(table.size()));
      for (const CommandSpec& spec : table) AppendCommandInfo(c.out, spec);
      return;
    }
    AppendArrayHeader(c.out, static_cast<int64_t>(c.argv.size() - 2));
    for (size_t i = 2; i < c.argv.size(); ++i) {
      const CommandSpec* spec = FindCommand(c.argv[i]);
      if (spec == nullptr) {
        AppendNullArray(c.out);
      } else {
        AppendCommandInfo(c.out, *spec);
      }
    }
  } else if (EqualsIgnoreCase(sub, "docs")) {
    std::vector<const CommandSpec*> specs;
    if (c.argv.size() == 2) {
      for (const CommandSpec& spec : table) specs.push_back(&spec);
    } else {
      for (size_t i = 2; i < c.argv.size(); ++i) {
        if (const CommandSpec* spec = FindCommand(c.argv[i])) specs.push_back(spec);
      }
    }
    AppendArrayHeader(c.out, static_cast<int64_t>(specs.size() * 2));
    for (const CommandSpec* spec : specs) AppendCommandDocs(c.out, *spec);
  } else if (EqualsIgnoreCase(sub, "list")) {
    AppendArrayHeader(c.out, static_cast<int64_t>(table.size()));
    for (const CommandSpec& spec : table) AppendBulk(c.out, spec.name);
  } else {
    AppendError(c.out, StrCat("ERR unknown subcommand '", std::string_view(sub).substr(0, 128),
                              "'. Try COMMAND HELP."));
  }
}

}  // namespace handlers
}  // namespace nokv::redis
