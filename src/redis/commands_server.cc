// Connection and server commands: PING, ECHO, QUIT, HELLO, AUTH, SELECT, CLIENT, CONFIG, INFO,
// DBSIZE, FLUSHDB/FLUSHALL, TIME.
#include <unistd.h>

#include "src/redis/command.h"
#include "src/redis/glob.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

// Compares without an early exit so the time taken does not reveal the matching prefix.
bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? a[i] : 0;
    unsigned char y = i < b.size() ? b[i] : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

// The only user is "default"; without requirepass it accepts any password (Redis's nopass).
bool CheckCredentials(const ServerState& server, std::string_view user, std::string_view pass) {
  if (user != "default") return false;
  if (server.config.requirepass.empty()) return true;
  return ConstantTimeEquals(pass, server.config.requirepass);
}

bool ValidClientName(std::string_view name) {
  for (char ch : name) {
    if (ch < '!' || ch > '~') return false;
  }
  return true;
}

constexpr std::string_view kErrBadClientName =
    "ERR Client names cannot contain spaces, newlines or special characters.";

void AppendSection(std::string* info, bool* first, std::string_view title) {
  if (!*first) info->append("\r\n");
  *first = false;
  StrAppend(info, "# ", title, "\r\n");
}

void AppendField(std::string* info, std::string_view name, std::string_view value) {
  StrAppend(info, name, ":", value, "\r\n");
}
template <typename T>
void AppendField(std::string* info, std::string_view name, T value) {
  StrAppend(info, name, ":", value, "\r\n");
}

}  // namespace

namespace handlers {

void Ping(CommandContext& c) {
  if (c.argv.size() > 2) return ReplyWrongArity(c, "ping");
  if (c.argv.size() == 2) return AppendBulk(c.out, c.argv[1]);
  AppendSimpleString(c.out, "PONG");
}

void Echo(CommandContext& c) { AppendBulk(c.out, c.argv[1]); }

void Quit(CommandContext& c) {
  c.session->close_after_reply = true;
  AppendOk(c.out);
}

void Auth(CommandContext& c) {
  if (c.argv.size() > 3) return AppendError(c.out, kErrSyntax);
  if (c.argv.size() == 2 && c.server->config.requirepass.empty()) {
    return AppendError(c.out,
                       "ERR AUTH <password> called without any password configured for the "
                       "default user. Are you sure your configuration is correct?");
  }
  std::string_view user = c.argv.size() == 3 ? std::string_view(c.argv[1]) : "default";
  std::string_view pass = c.argv.back();
  if (!CheckCredentials(*c.server, user, pass)) return AppendError(c.out, kErrWrongPass);
  c.session->authenticated = true;
  AppendOk(c.out);
}

void Hello(CommandContext& c) {
  size_t j = 1;
  if (c.argv.size() >= 2) {
    int64_t version = 0;
    if (!ParseInt64Strict(c.argv[1], &version)) {
      return AppendError(c.out, "ERR Protocol version is not an integer or out of range");
    }
    // Only RESP2 is spoken; clients asking for 3 fall back to 2 on NOPROTO.
    if (version != 2) return AppendError(c.out, "NOPROTO unsupported protocol version");
    j = 2;
  }
  std::optional<std::string_view> user, pass, name;
  for (; j < c.argv.size(); ++j) {
    size_t more = c.argv.size() - 1 - j;
    std::string_view opt = c.argv[j];
    if (EqualsIgnoreCase(opt, "auth") && more >= 2) {
      user = c.argv[j + 1];
      pass = c.argv[j + 2];
      j += 2;
    } else if (EqualsIgnoreCase(opt, "setname") && more >= 1) {
      name = c.argv[j + 1];
      ++j;
    } else {
      return AppendError(c.out, StrCat("ERR Syntax error in HELLO option '", opt, "'"));
    }
  }
  if (user.has_value()) {
    if (!CheckCredentials(*c.server, *user, *pass)) return AppendError(c.out, kErrWrongPass);
    c.session->authenticated = true;
  }
  if (!c.session->authenticated) {
    return AppendError(c.out,
                       "NOAUTH HELLO must be called with the client already authenticated, "
                       "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
                       "authenticate the client and select the RESP protocol version at the same "
                       "time");
  }
  if (name.has_value()) {
    if (!ValidClientName(*name)) return AppendError(c.out, kErrBadClientName);
    c.session->name = std::string(*name);
  }
  AppendArrayHeader(c.out, 14);
  AppendBulk(c.out, "server");
  AppendBulk(c.out, "redis");
  AppendBulk(c.out, "version");
  AppendBulk(c.out, kRedisCompatVersion);
  AppendBulk(c.out, "proto");
  AppendInteger(c.out, 2);
  AppendBulk(c.out, "id");
  AppendInteger(c.out, static_cast<int64_t>(c.session->id));
  AppendBulk(c.out, "mode");
  AppendBulk(c.out, "standalone");
  AppendBulk(c.out, "role");
  AppendBulk(c.out, "master");
  AppendBulk(c.out, "modules");
  AppendArrayHeader(c.out, 0);
}

void Select(CommandContext& c) {
  int64_t index = 0;
  if (!ParseInt64Strict(c.argv[1], &index) || index < INT32_MIN || index > INT32_MAX) {
    return AppendError(c.out, kErrNotInteger);
  }
  if (index != 0) return AppendError(c.out, "ERR DB index is out of range");
  AppendOk(c.out);
}

void Client(CommandContext& c) {
  std::string_view sub = c.argv[1];
  const size_t argc = c.argv.size();
  if (EqualsIgnoreCase(sub, "id")) {
    if (argc != 2) return ReplyWrongArity(c, "client|id");
    AppendInteger(c.out, static_cast<int64_t>(c.session->id));
  } else if (EqualsIgnoreCase(sub, "setname")) {
    if (argc != 3) return ReplyWrongArity(c, "client|setname");
    if (!ValidClientName(c.argv[2])) return AppendError(c.out, kErrBadClientName);
    c.session->name = c.argv[2];
    AppendOk(c.out);
  } else if (EqualsIgnoreCase(sub, "getname")) {
    if (argc != 2) return ReplyWrongArity(c, "client|getname");
    if (c.session->name.empty()) return AppendNullBulk(c.out);
    AppendBulk(c.out, c.session->name);
  } else if (EqualsIgnoreCase(sub, "setinfo")) {
    // Sent by newer client libraries on connect; accepted and ignored.
    if (argc != 4) return ReplyWrongArity(c, "client|setinfo");
    if (!EqualsIgnoreCase(c.argv[2], "lib-name") && !EqualsIgnoreCase(c.argv[2], "lib-ver")) {
      return AppendError(c.out, StrCat("ERR Unrecognized option '", c.argv[2], "'"));
    }
    AppendOk(c.out);
  } else {
    AppendError(c.out, StrCat("ERR unknown subcommand '", std::string_view(sub).substr(0, 128),
                              "'. Try CLIENT HELP."));
  }
}

void Config(CommandContext& c) {
  std::string_view sub = c.argv[1];
  if (!EqualsIgnoreCase(sub, "get")) {
    return AppendError(c.out, StrCat("ERR unknown subcommand '",
                                     std::string_view(sub).substr(0, 128), "'. Try CONFIG HELP."));
  }
  if (c.argv.size() < 3) return ReplyWrongArity(c, "config|get");
  const ServerConfig& cfg = c.server->config;
  const std::vector<std::pair<std::string, std::string>> params = {
      {"appendonly", "no"},
      {"appendfsync", cfg.sync ? "always" : "no"},
      {"bind", cfg.bind_addr},
      {"databases", "1"},
      {"dir", cfg.workdir},
      {"maxmemory", "0"},
      {"port", StrCat(c.server->bound_port.load())},
      {"proto-max-bulk-len", StrCat(cfg.proto_max_bulk_len)},
      {"save", ""},
      {"timeout", "0"},
  };
  std::vector<const std::pair<std::string, std::string>*> hits;
  for (const auto& p : params) {
    for (size_t i = 2; i < c.argv.size(); ++i) {
      if (GlobMatch(ToLower(c.argv[i]), p.first)) {
        hits.push_back(&p);
        break;
      }
    }
  }
  AppendArrayHeader(c.out, static_cast<int64_t>(hits.size() * 2));
  for (const auto* p : hits) {
    AppendBulk(c.out, p->first);
    AppendBulk(c.out, p->second);
  }
}

void Info(CommandContext& c) {
  bool all = c.argv.size() == 1;
  auto wants = [&](std::string_view section) {
    if (all) return true;
    for (size_t i = 1; i < c.argv.size(); ++i) {
      if (EqualsIgnoreCase(c.argv[i], section) || EqualsIgnoreCase(c.argv[i], "all") ||
          EqualsIgnoreCase(c.argv[i], "everything") || EqualsIgnoreCase(c.argv[i], "default")) {
        return true;
      }
    }
    return false;
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
    AppendField(&info, "blocked_clients", 0);
  }
  if (wants("persistence")) {
    AppendSection(&info, &first, "Persistence");
    AppendField(&info, "loading", 0);
    AppendField(&info, "async_loading", 0);
    AppendField(&info, "rdb_changes_since_last_save", 0);
    AppendField(&info, "rdb_bgsave_in_progress", 0);
    AppendField(&info, "rdb_last_bgsave_status", "ok");
    AppendField(&info, "aof_enabled", 0);
    AppendField(&info, "aof_rewrite_in_progress", 0);
    AppendField(&info, "nokv_storage", "nokv-wal-lsm");
    AppendField(&info, "nokv_sync_writes", s.config.sync ? 1 : 0);
    AppendField(&info, "nokv_workdir", s.config.workdir);
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
    AppendField(&info, "total_connections_received", m.connections_accepted->value());
    AppendField(&info, "total_commands_processed", m.commands_total->value());
    AppendField(&info, "total_net_input_bytes", m.bytes_read->value());
    AppendField(&info, "total_net_output_bytes", m.bytes_written->value());
    AppendField(&info, "rejected_connections", m.connections_rejected->value());
    AppendField(&info, "keyspace_hits", s.keyspace_hits.load());
    AppendField(&info, "keyspace_misses", s.keyspace_misses.load());
    AppendField(&info, "total_error_replies", m.errors_total->value());
    AppendField(&info, "unknown_commands", m.unknown_commands->value());
    AppendField(&info, "protocol_errors", m.protocol_errors->value());
  }
  if (wants("keyspace")) {
    AppendSection(&info, &first, "Keyspace");
    uint64_t keys = 0, expires = 0;
    absl::Status st = s.store->Count(&keys, &expires);
    if (!st.ok()) return ReplyStoreError(c, st);
    if (keys > 0) {
      StrAppend(&info, "db0:keys=", keys, ",expires=", expires, ",avg_ttl=0\r\n");
    }
  }
  AppendBulk(c.out, info);
}

void DbSize(CommandContext& c) {
  uint64_t keys = 0, expires = 0;
  absl::Status s = c.store()->Count(&keys, &expires);
  if (!s.ok()) return ReplyStoreError(c, s);
  AppendInteger(c.out, static_cast<int64_t>(keys));
}

void FlushDb(CommandContext& c) {
  if (c.argv.size() > 2 || (c.argv.size() == 2 && !EqualsIgnoreCase(c.argv[1], "sync") &&
                            !EqualsIgnoreCase(c.argv[1], "async"))) {
    return AppendError(c.out, kErrSyntax);
  }
  absl::Status s = c.store()->Clear();
  if (!s.ok()) return ReplyStoreError(c, s);
  c.server->cursors.Clear();
  AppendOk(c.out);
}

void Time(CommandContext& c) {
  uint64_t ms = c.server->clock->NowUnixMillis();
  AppendArrayHeader(c.out, 2);
  AppendBulk(c.out, StrCat(ms / 1000));
  AppendBulk(c.out, StrCat((ms % 1000) * 1000));
}

}  // namespace handlers
}  // namespace nokv::redis
