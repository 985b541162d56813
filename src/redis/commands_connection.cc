// Connection commands: PING, ECHO, QUIT, AUTH, HELLO, RESET and CLIENT.
#include "src/redis/command.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

// The only user is "default"; without requirepass it accepts any password (Redis's nopass).
bool CheckCredentials(const ServerState& server, std::string_view user, std::string_view pass) {
  if (user != "default") return false;
  if (!server.config.requirepass_set()) return true;
  return server.config.CheckPassword(pass);
}

bool ValidClientName(std::string_view name) {
  for (char ch : name) {
    if (ch < '!' || ch > '~') return false;
  }
  return true;
}

constexpr std::string_view kErrBadClientName =
    "ERR Client names cannot contain spaces, newlines or special characters.";

// Redis's client types: ours are all "normal"; the others exist so filters parse as in Redis.
bool ParseClientType(std::string_view name, bool* normal) {
  *normal = EqualsIgnoreCase(name, "normal");
  return *normal || EqualsIgnoreCase(name, "master") || EqualsIgnoreCase(name, "slave") ||
         EqualsIgnoreCase(name, "replica") || EqualsIgnoreCase(name, "pubsub");
}

// One CLIENT LIST line, in Redis 7.0's field order. Buffer and memory figures are not tracked
// per connection here and read 0.
void AppendClientLine(std::string* out, const redis::ClientInfo& info, uint64_t now_us) {
  const int multi = info.multi.load(std::memory_order_relaxed);
  const bool no_evict = info.no_evict.load(std::memory_order_relaxed);
  const std::string_view flags = multi >= 0 ? (no_evict ? "xe" : "x") : (no_evict ? "e" : "N");
  const int cmd = info.last_command.load(std::memory_order_relaxed);
  const uint64_t last = info.last_interaction_us.load(std::memory_order_relaxed);
  StrAppend(out, "id=", info.id, " addr=", info.addr, " laddr=", info.laddr, " fd=", info.fd,
            " name=", info.name(), " age=", (now_us - std::min(now_us, info.created_us)) / 1000000,
            " idle=", (now_us - std::min(now_us, last)) / 1000000, " flags=", flags,
            " db=", info.db.load(std::memory_order_relaxed), " sub=0 psub=0 ssub=0 multi=", multi,
            " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0"
            " tot-mem=0 events=r cmd=",
            cmd < 0 ? std::string_view("NULL") : AllCommands()[static_cast<size_t>(cmd)].name,
            " user=default redir=-1 resp=", info.resp.load(std::memory_order_relaxed), "\n");
}

void SetSessionName(Session* session, std::string_view name) {
  session->info->set_name(std::string(name));
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
  if (c.argv.size() == 2 && !c.server->config.requirepass_set()) {
    return AppendError(c.out,
                       "ERR AUTH <password> called without any password configured for the "
                       "default user. Are you sure your configuration is correct?");
  }
  std::string_view user = c.argv.size() == 3 ? std::string_view(c.argv[1]) : "default";
  if (!CheckCredentials(*c.server, user, c.argv.back())) return AppendError(c.out, kErrWrongPass);
  c.session->authenticated = true;
  AppendOk(c.out);
}

void Hello(CommandContext& c) {
  int64_t version = 0;
  size_t j = 1;
  if (c.argv.size() >= 2) {
    if (!ParseInt64Strict(c.argv[1], &version)) {
      return AppendError(c.out, "ERR Protocol version is not an integer or out of range");
    }
    if (version < 2 || version > 3) {
      return AppendError(c.out, "NOPROTO unsupported protocol version");
    }
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
  if (c.server->AuthRequired(*c.session)) {
    return AppendError(c.out,
                       "NOAUTH HELLO must be called with the client already authenticated, "
                       "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
                       "authenticate the client and select the RESP protocol version at the same "
                       "time");
  }
  if (name.has_value()) {
    if (!ValidClientName(*name)) return AppendError(c.out, kErrBadClientName);
    SetSessionName(c.session, *name);
  }
  if (version != 0) {
    c.session->protocol = static_cast<int>(version);
    c.session->info->resp.store(c.session->protocol, std::memory_order_relaxed);
  }
  AppendMapHeader(c.out, 7, c.protocol());
  AppendBulk(c.out, "server");
  AppendBulk(c.out, "redis");
  AppendBulk(c.out, "version");
  AppendBulk(c.out, kRedisCompatVersion);
  AppendBulk(c.out, "proto");
  AppendInteger(c.out, c.protocol());
  AppendBulk(c.out, "id");
  AppendInteger(c.out, static_cast<int64_t>(c.session->id));
  AppendBulk(c.out, "mode");
  AppendBulk(c.out, "standalone");
  AppendBulk(c.out, "role");
  AppendBulk(c.out, "master");
  AppendBulk(c.out, "modules");
  AppendArrayHeader(c.out, 0);
}

void Reset(CommandContext& c) {
  Session& s = *c.session;
  DiscardTransaction(&s);
  s.db = 0;
  s.protocol = 2;
  // As Redis's clientSetDefaultAuth: authenticated only if the default user needs no password.
  s.authenticated = !c.server->config.requirepass_set();
  s.info->db.store(0, std::memory_order_relaxed);
  s.info->resp.store(2, std::memory_order_relaxed);
  s.info->no_evict.store(false, std::memory_order_relaxed);
  SetSessionName(&s, "");
  AppendSimpleString(c.out, "RESET");
}

void ClientId(CommandContext& c) { AppendInteger(c.out, static_cast<int64_t>(c.session->id)); }

void ClientSetName(CommandContext& c) {
  if (!ValidClientName(c.argv[2])) return AppendError(c.out, kErrBadClientName);
  SetSessionName(c.session, c.argv[2]);
  AppendOk(c.out);
}

void ClientGetName(CommandContext& c) {
  std::string name = c.session->info->name();
  if (name.empty()) return ReplyNull(c);
  AppendBulk(c.out, name);
}

void ClientSetInfo(CommandContext& c) {
  // Redis 7.2's; newer client libraries send it on connect. Accepted and not recorded.
  std::string_view attr = c.argv[2];
  if (!EqualsIgnoreCase(attr, "lib-name") && !EqualsIgnoreCase(attr, "lib-ver")) {
    return AppendError(c.out, StrCat("ERR Unrecognized option '", attr, "'"));
  }
  if (!ValidClientName(c.argv[3])) {
    return AppendError(c.out, StrCat("ERR ", ToLower(attr),
                                     " cannot contain spaces, newlines or special characters."));
  }
  AppendOk(c.out);
}

void ClientList(CommandContext& c) {
  std::optional<std::vector<uint64_t>> ids;
  bool all_types = true;
  if (c.argv.size() == 4 && EqualsIgnoreCase(c.argv[2], "type")) {
    if (!ParseClientType(c.argv[3], &all_types)) {
      return AppendError(c.out, StrCat("ERR Unknown client type '", c.argv[3], "'"));
    }
  } else if (c.argv.size() > 3 && EqualsIgnoreCase(c.argv[2], "id")) {
    ids.emplace();
    for (size_t i = 3; i < c.argv.size(); ++i) {
      int64_t id = 0;
      if (!ParseInt64Strict(c.argv[i], &id)) return AppendError(c.out, "ERR Invalid client ID");
      ids->push_back(static_cast<uint64_t>(id));
    }
  } else if (c.argv.size() != 2) {
    return AppendError(c.out, kErrSyntax);
  }
  const uint64_t now = c.server->clock->NowMonotonicMicros();
  std::string text;
  if (ids.has_value()) {
    for (uint64_t id : *ids) {
      if (auto info = c.server->clients.Find(id)) AppendClientLine(&text, *info, now);
    }
  } else if (all_types) {
    for (const auto& info : c.server->clients.List()) {
      AppendClientLine(&text, *info, now);
    }
  }
  AppendVerbatim(c.out, text, c.protocol());
}

void ClientInfo(CommandContext& c) {
  std::string text;
  AppendClientLine(&text, *c.session->info, c.server->clock->NowMonotonicMicros());
  AppendVerbatim(c.out, text, c.protocol());
}

void ClientKill(CommandContext& c) {
  std::optional<std::string_view> addr, laddr;
  uint64_t id = 0;
  bool normal = true;
  bool skipme = true;
  const bool old_style = c.argv.size() == 3;  // CLIENT KILL ip:port
  if (old_style) {
    addr = c.argv[2];
    skipme = false;  // the old form may kill the caller
  } else {
    for (size_t i = 2; i < c.argv.size(); i += 2) {
      std::string_view opt = c.argv[i];
      const bool more = i + 1 < c.argv.size();
      if (more && EqualsIgnoreCase(opt, "id")) {
        int64_t v = 0;
        if (!ParseInt64Strict(c.argv[i + 1], &v) || v < 1) {
          return AppendError(c.out, "ERR client-id should be greater than 0");
        }
        id = static_cast<uint64_t>(v);
      } else if (more && EqualsIgnoreCase(opt, "type")) {
        if (!ParseClientType(c.argv[i + 1], &normal)) {
          return AppendError(c.out, StrCat("ERR Unknown client type '", c.argv[i + 1], "'"));
        }
      } else if (more && EqualsIgnoreCase(opt, "addr")) {
        addr = c.argv[i + 1];
      } else if (more && EqualsIgnoreCase(opt, "laddr")) {
        laddr = c.argv[i + 1];
      } else if (more && EqualsIgnoreCase(opt, "user")) {
        if (c.argv[i + 1] != "default") {
          return AppendError(c.out, StrCat("ERR No such user '", c.argv[i + 1], "'"));
        }
      } else if (more && EqualsIgnoreCase(opt, "skipme")) {
        if (EqualsIgnoreCase(c.argv[i + 1], "yes")) {
          skipme = true;
        } else if (EqualsIgnoreCase(c.argv[i + 1], "no")) {
          skipme = false;
        } else {
          return AppendError(c.out, kErrSyntax);
        }
      } else {
        return AppendError(c.out, kErrSyntax);
      }
    }
  }
  int64_t killed = 0;
  for (const auto& info : c.server->clients.List()) {
    if (!normal) break;
    if (addr.has_value() && info->addr != *addr) continue;
    if (laddr.has_value() && info->laddr != *laddr) continue;
    if (id != 0 && info->id != id) continue;
    const bool self = info->id == c.session->id;
    if (self && skipme) continue;
    if (self) {
      c.session->close_after_reply = true;  // after this reply, as Redis does
    } else {
      c.server->clients.RequestClose(info->id);
    }
    ++killed;
  }
  if (!old_style) return AppendInteger(c.out, killed);
  if (killed == 0) return AppendError(c.out, "ERR No such client");
  AppendOk(c.out);
}

void ClientNoEvict(CommandContext& c) {
  std::string_view v = c.argv[2];
  if (!EqualsIgnoreCase(v, "on") && !EqualsIgnoreCase(v, "off")) {
    return AppendError(c.out, kErrSyntax);
  }
  // Nothing is ever evicted here; the flag is kept so CLIENT LIST shows it.
  c.session->info->no_evict.store(EqualsIgnoreCase(v, "on"), std::memory_order_relaxed);
  AppendOk(c.out);
}

void ClientHelp(CommandContext& c) {
  ReplyHelp(c, "CLIENT",
            {"GETNAME",
             "    Return the name of the current connection.",
             "ID",
             "    Return the ID of the current connection.",
             "INFO",
             "    Return information about the current client connection.",
             "KILL <ip:port>",
             "    Kill connection made from <ip:port>.",
             "KILL <option> <value> [<option> <value> [...]]",
             "    Kill connections. Options are: ID, TYPE, USER, ADDR, LADDR, SKIPME.",
             "LIST [TYPE <type>] [ID <id> [<id> ...]]",
             "    Return information about client connections.",
             "NO-EVICT (ON|OFF)",
             "    Accepted for compatibility (nothing is evicted).",
             "SETNAME <name>",
             "    Assign the name <name> to the current connection.",
             "SETINFO <LIB-NAME|LIB-VER> <value>",
             "    Accepted for compatibility.",
             "HELP",
             "    Print this help."});
}

}  // namespace handlers
}  // namespace nokv::redis
