// Server commands: COMMAND, CONFIG, INFO, TIME, LASTSAVE, SAVE, BGSAVE.
#include <sys/resource.h>
#include <unistd.h>

#include "src/redis/command.h"
#include "src/redis/command_meta.h"
#include "src/redis/glob.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

// A command or subcommand by its full name ("get", "config|get"), case-insensitive.
const CommandSpec* FindAnyCommand(std::string_view name) {
  const std::string lower = ToLower(name);
  for (const CommandSpec& spec : AllCommands()) {
    if (spec.name == lower) return &spec;
  }
  return nullptr;
}

bool TopLevel(const CommandSpec& spec) { return spec.name.find('|') == std::string_view::npos; }

size_t TopLevelCount() {
  size_t n = 0;
  for (const CommandSpec& spec : AllCommands()) n += TopLevel(spec) ? 1 : 0;
  return n;
}

void AppendCommandInfo(CommandContext& c, const CommandSpec* spec) {
  if (spec == nullptr || spec->meta == nullptr ||
      !AppendResp3(c.out, spec->meta->info, c.protocol())) {
    return AppendNull(c.out, c.protocol());
  }
}

void AppendSection(std::string* info, bool* first, std::string_view title) {
  if (!*first) info->append("\r\n");
  *first = false;
  StrAppend(info, "# ", title, "\r\n");
}

template <typename T>
void AppendField(std::string* info, std::string_view name, const T& value) {
  StrAppend(info, name, ":", value, "\r\n");
}

// Flushes in the background for BGSAVE; false if a background save is already running.
bool StartBackgroundSave(ServerState* server) {
  return server->RunInBackground([server] {
    if (server->store->Flush().ok()) {
      server->last_save_s.store(server->clock->NowUnixMillis() / 1000);
    }
  });
}

}  // namespace

namespace handlers {

void CommandAll(CommandContext& c) {
  AppendArrayHeader(c.out, static_cast<int64_t>(TopLevelCount()));
  for (const CommandSpec& spec : AllCommands()) {
    if (TopLevel(spec)) AppendCommandInfo(c, &spec);
  }
}

void CommandCount(CommandContext& c) {
  AppendInteger(c.out, static_cast<int64_t>(TopLevelCount()));
}

void CommandInfo(CommandContext& c) {
  if (c.argv.size() == 2) return CommandAll(c);
  AppendArrayHeader(c.out, static_cast<int64_t>(c.argv.size() - 2));
  for (size_t i = 2; i < c.argv.size(); ++i) AppendCommandInfo(c, FindAnyCommand(c.argv[i]));
}

void CommandDocs(CommandContext& c) {
  std::vector<const CommandSpec*> specs;
  if (c.argv.size() == 2) {
    for (const CommandSpec& spec : AllCommands()) {
      if (TopLevel(spec) && spec.meta != nullptr) specs.push_back(&spec);
    }
  } else {
    for (size_t i = 2; i < c.argv.size(); ++i) {
      const CommandSpec* spec = FindAnyCommand(c.argv[i]);
      if (spec != nullptr && spec->meta != nullptr) specs.push_back(spec);
    }
  }
  std::string body;
  int64_t n = 0;
  for (const CommandSpec* spec : specs) {
    const size_t before = body.size();
    AppendBulk(&body, spec->name);
    if (AppendResp3(&body, spec->meta->docs, c.protocol())) {
      ++n;
    } else {
      body.resize(before);
    }
  }
  AppendMapHeader(c.out, n, c.protocol());
  c.out->append(body);
}

void CommandList(CommandContext& c) {
  std::optional<std::string_view> pattern;
  if (c.argv.size() == 5 && EqualsIgnoreCase(c.argv[2], "filterby") &&
      EqualsIgnoreCase(c.argv[3], "pattern")) {
    pattern = c.argv[4];
  } else if (c.argv.size() == 5 && EqualsIgnoreCase(c.argv[2], "filterby") &&
             (EqualsIgnoreCase(c.argv[3], "module") || EqualsIgnoreCase(c.argv[3], "aclcat"))) {
    // No modules; ACL categories are not indexed here, so no command matches either filter.
    return AppendArrayHeader(c.out, 0);
  } else if (c.argv.size() != 2) {
    return AppendError(c.out, kErrSyntax);
  }
  std::vector<std::string_view> names;
  for (const CommandSpec& spec : AllCommands()) {
    if (!TopLevel(spec)) continue;
    if (pattern.has_value() && !GlobMatch(ToLower(*pattern), spec.name)) continue;
    names.push_back(spec.name);
  }
  AppendArrayHeader(c.out, static_cast<int64_t>(names.size()));
  for (std::string_view n : names) AppendBulk(c.out, n);
}

void CommandHelp(CommandContext& c) {
  ReplyHelp(c, "COMMAND",
            {"(no subcommand)", "    Return details about all commands.", "COUNT",
             "    Return the total number of commands in this server.", "LIST",
             "    Return a list of all commands in this server.", "INFO [<command-name> ...]",
             "    Return details about multiple commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.", "DOCS [<command-name> ...]",
             "    Return documentation details about multiple commands.",
             "    If no command names are given, documentation details for all",
             "    commands are returned.", "HELP", "    Print this help."});
}

void ConfigGet(CommandContext& c) {
  std::vector<std::string_view> patterns(c.argv.begin() + 2, c.argv.end());
  auto params = c.server->config.Get(patterns);
  AppendMapHeader(c.out, static_cast<int64_t>(params.size()), c.protocol());
  for (const auto& [name, value] : params) {
    AppendBulk(c.out, name);
    AppendBulk(c.out, value);
  }
}

void ConfigSet(CommandContext& c) {
  if (c.argv.size() % 2 != 0) return AppendError(c.out, kErrSyntax);
  std::vector<std::pair<std::string_view, std::string_view>> params;
  for (size_t i = 2; i + 1 < c.argv.size(); i += 2) params.emplace_back(c.argv[i], c.argv[i + 1]);
  if (auto error = c.server->config.Set(params)) return AppendError(c.out, *error);
  AppendOk(c.out);
}

void ConfigResetStat(CommandContext& c) {
  c.server->ResetStats();
  AppendOk(c.out);
}

void ConfigRewrite(CommandContext& c) {
  AppendError(c.out, "ERR The server is running without a config file");
}

void ConfigHelp(CommandContext& c) {
  ReplyHelp(
      c, "CONFIG",
      {"GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
       "SET <directive> <value>", "    Set the configuration <directive> to <value>.", "RESETSTAT",
       "    Reset statistics reported by the INFO command.", "REWRITE",
       "    Rewrite the configuration file.", "HELP", "    Print this help."});
}

void Info(CommandContext& c) {
  const bool no_args = c.argv.size() == 1;
  auto requested = [&](std::string_view section) {
    for (size_t i = 1; i < c.argv.size(); ++i) {
      if (EqualsIgnoreCase(c.argv[i], section)) return true;
    }
    return false;
  };
  const bool everything = requested("all") || requested("everything");
  // Redis's default sections are everything but commandstats.
  auto wants = [&](std::string_view section, bool in_default = true) {
    return everything || requested(section) || (in_default && (no_args || requested("default")));
  };
  ServerState& s = *c.server;
  const GatewayMetrics& m = s.metrics;
  const uint64_t now = s.clock->NowUnixMillis();
  std::string info;
  bool first = true;
  if (wants("server")) {
    AppendSection(&info, &first, "Server");
    AppendField(&info, "redis_version", kRedisCompatVersion);
    AppendField(&info, "nokv_version", kNoKVVersion);
    AppendField(&info, "redis_mode", "standalone");
    AppendField(&info, "arch_bits", 64);
    AppendField(&info, "multiplexing_api", "epoll");
    AppendField(&info, "process_id", static_cast<int64_t>(getpid()));
    AppendField(&info, "tcp_port", s.bound_port.load());
    AppendField(&info, "server_time_usec", now * 1000);
    AppendField(&info, "uptime_in_seconds", (now - s.start_ms) / 1000);
    AppendField(&info, "uptime_in_days", (now - s.start_ms) / 86400000);
    AppendField(&info, "executable", "nokv-redis");
    AppendField(&info, "config_file", "");
  }
  if (wants("clients")) {
    AppendSection(&info, &first, "Clients");
    AppendField(&info, "connected_clients", m.connections_active->value());
    AppendField(&info, "maxclients", s.config.maxclients());
    AppendField(&info, "blocked_clients", 0);
  }
  if (wants("memory")) {
    AppendSection(&info, &first, "Memory");
    AppendField(&info, "maxmemory", 0);
    AppendField(&info, "maxmemory_policy", "noeviction");
  }
  const ServerState::StatsBaseline stats = s.StatsSinceReset();
  if (wants("persistence")) {
    AppendSection(&info, &first, "Persistence");
    AppendField(&info, "loading", 0);
    AppendField(&info, "async_loading", 0);
    AppendField(&info, "rdb_changes_since_last_save", 0);
    AppendField(&info, "rdb_bgsave_in_progress", s.BackgroundTaskRunning() ? 1 : 0);
    AppendField(&info, "rdb_last_save_time", s.last_save_s.load());
    AppendField(&info, "rdb_last_bgsave_status", "ok");
    AppendField(&info, "aof_enabled", 1);
    AppendField(&info, "aof_rewrite_in_progress", 0);
    AppendField(&info, "nokv_storage", "nokv-wal-lsm");
    AppendField(&info, "nokv_sync_writes", s.config.sync() ? 1 : 0);
    AppendField(&info, "nokv_workdir", s.config.workdir());
    for (const auto& [name, value] : s.store->Stats()) {
      std::string field = StrCat("nokv_", name);
      for (char& ch : field) {
        if (ch == ':' || ch == '\r' || ch == '\n' || ch == ' ') ch = '_';
      }
      AppendField(&info, field, value);
    }
  }
  if (wants("stats")) {
    AppendSection(&info, &first, "Stats");
    AppendField(&info, "total_connections_received", stats.connections);
    AppendField(&info, "total_commands_processed", stats.commands);
    AppendField(&info, "total_net_input_bytes", stats.net_input);
    AppendField(&info, "total_net_output_bytes", stats.net_output);
    AppendField(&info, "rejected_connections", stats.rejected);
    AppendField(&info, "keyspace_hits", s.keyspace_hits.load());
    AppendField(&info, "keyspace_misses", s.keyspace_misses.load());
    AppendField(&info, "total_error_replies", stats.errors);
    AppendField(&info, "unknown_commands", stats.unknown);
    AppendField(&info, "protocol_errors", stats.protocol_errors);
  }
  if (wants("replication")) {
    AppendSection(&info, &first, "Replication");
    AppendField(&info, "role", "master");
    AppendField(&info, "connected_slaves", 0);
  }
  if (wants("cpu")) {
    AppendSection(&info, &first, "CPU");
    rusage self{};
    getrusage(RUSAGE_SELF, &self);
    auto secs = [](const timeval& tv) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "%ld.%06ld", static_cast<long>(tv.tv_sec),
                    static_cast<long>(tv.tv_usec));
      return std::string(buf);
    };
    AppendField(&info, "used_cpu_sys", secs(self.ru_stime));
    AppendField(&info, "used_cpu_user", secs(self.ru_utime));
  }
  if (wants("cluster")) {
    AppendSection(&info, &first, "Cluster");
    AppendField(&info, "cluster_enabled", 0);
  }
  if (wants("commandstats", /*in_default=*/false)) {
    AppendSection(&info, &first, "Commandstats");
    for (const CommandSpec& spec : AllCommands()) {
      const uint64_t calls = m.per_command[spec.index]->value();
      if (calls == 0 || spec.handler == nullptr) continue;
      StrAppend(&info, "cmdstat_", spec.name, ":calls=", calls,
                ",rejected_calls=0,failed_calls=", m.per_command_errors[spec.index]->value(),
                "\r\n");
    }
  }
  if (wants("keyspace")) {
    AppendSection(&info, &first, "Keyspace");
    for (int db = 0; db < kDatabases; ++db) {
      uint64_t keys = 0, expires = 0;
      absl::Status st = c.store->Count(db, &keys, &expires);
      if (!st.ok()) return ReplyStoreError(c, st);
      if (keys > 0)
        StrAppend(&info, "db", db, ":keys=", keys, ",expires=", expires, ",avg_ttl=0\r\n");
    }
  }
  AppendVerbatim(c.out, info, c.protocol());
}

void Time(CommandContext& c) {
  uint64_t ms = c.server->clock->NowUnixMillis();
  AppendArrayHeader(c.out, 2);
  AppendBulk(c.out, StrCat(ms / 1000));
  AppendBulk(c.out, StrCat((ms % 1000) * 1000));
}

void LastSave(CommandContext& c) {
  AppendInteger(c.out, static_cast<int64_t>(c.server->last_save_s.load()));
}

void Save(CommandContext& c) {
  if (c.server->BackgroundTaskRunning()) {
    return AppendError(c.out, "ERR Background save already in progress");
  }
  absl::Status s = c.server->store->Flush();
  if (!s.ok()) return ReplyStoreError(c, s);
  c.server->last_save_s.store(c.server->clock->NowUnixMillis() / 1000);
  AppendOk(c.out);
}

void BgSave(CommandContext& c) {
  const bool schedule = c.argv.size() == 2 && EqualsIgnoreCase(c.argv[1], "schedule");
  if (c.argv.size() > 2 || (c.argv.size() == 2 && !schedule)) {
    return AppendError(c.out, kErrSyntax);
  }
  if (!StartBackgroundSave(c.server)) {
    return AppendError(c.out, "ERR Background save already in progress");
  }
  // Inside EXEC Redis only schedules the save; here it starts at once either way.
  AppendSimpleString(c.out, c.store != c.server->store ? "Background saving scheduled"
                                                       : "Background saving started");
}

}  // namespace handlers
}  // namespace nokv::redis
