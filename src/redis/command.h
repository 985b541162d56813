// The Redis command layer: a table of command specs and the dispatcher that runs one command
// against a KvStore and appends its RESP reply.
//
// Dispatch order follows Redis: look the command up (unknown -> "ERR unknown command"), check
// arity ("ERR wrong number of arguments"), then authentication ("NOAUTH"), then run. Handlers
// never throw and never crash on client input; storage errors become "ERR" replies.
//
// Thread-safety: ExecuteCommand may run on many threads at once for different sessions; one
// session is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "src/redis/resp.h"
#include "src/redis/server_state.h"

namespace nokv::redis {

enum CommandFlag : uint32_t {
  kCmdWrite = 1 << 0,
  kCmdReadOnly = 1 << 1,
  kCmdFast = 1 << 2,
  kCmdAdmin = 1 << 3,
  kCmdNoAuth = 1 << 4,  // allowed before AUTH (AUTH, HELLO, QUIT)
  kCmdLoading = 1 << 5,
  kCmdStale = 1 << 6,
  // Cheap and never blocks for long (a point read or no storage at all): the server may run it
  // on its network thread instead of handing it to a worker.
  kCmdInline = 1 << 7,
};

struct CommandContext {
  const Argv& argv;
  std::string* out;
  Session* session;
  ServerState* server;
  KvStore* store() const { return server->store; }
};

using CommandHandler = void (*)(CommandContext& ctx);

struct CommandSpec {
  std::string_view name;  // lower case
  int arity;              // > 0: exact argc; < 0: at least -arity
  uint32_t flags;
  int first_key;
  int last_key;
  int key_step;
  std::string_view group;  // "string", "generic", "server", "connection"
  std::string_view summary;
  std::string_view since;
  std::string_view acl_categories;  // space separated, e.g. "@write @string @slow"
  CommandHandler handler;
};

// Every command the gateway serves, in a stable order. `index` of a spec = its position.
const std::vector<CommandSpec>& AllCommands();
// Case-insensitive lookup; nullptr if unknown.
const CommandSpec* FindCommand(std::string_view name);

// Runs one command for `session` and appends exactly one reply to *out. Sets
// session->close_after_reply for QUIT.
void ExecuteCommand(ServerState* server, Session* session, const Argv& argv, std::string* out);

// Counts one executed command (`index` into AllCommands()): its call, latency and, when its
// reply is an error, the error. Shared by ExecuteCommand and the batched runs below;
// `commands_total` is counted by the caller (it includes unknown commands).
void RecordCommand(GatewayMetrics& m, size_t index, uint64_t latency_us, bool error);

// Pipelined blind writes: runs the plain `SET key value` commands that start at
// commands[begin] (at most `max_run`) as one atomic store write instead of one write each, and
// appends one reply per command, exactly as ExecuteCommand would. Returns how many it ran; 0
// when commands[begin] is not a plain SET or the session is not authenticated (run it with
// ExecuteCommand then).
size_t ExecuteSetRun(ServerState* server, Session* session, const std::vector<Argv>& commands,
                     size_t begin, size_t max_run, std::string* out);
// The same for a run of INCR / DECR / INCRBY / DECRBY (valid deltas): one Update over the run's
// keys applies them in order (a later step sees the earlier ones), one reply each.
size_t ExecuteCounterRun(ServerState* server, Session* session, const std::vector<Argv>& commands,
                         size_t begin, size_t max_run, std::string* out);

// Handler families (commands_*.cc). Listed here so the table can reference them.
namespace handlers {
// connection / server
void Ping(CommandContext& c);
void Echo(CommandContext& c);
void Quit(CommandContext& c);
void Hello(CommandContext& c);
void Auth(CommandContext& c);
void Select(CommandContext& c);
void Client(CommandContext& c);
void Command(CommandContext& c);
void Config(CommandContext& c);
void Info(CommandContext& c);
void DbSize(CommandContext& c);
void FlushDb(CommandContext& c);
void Time(CommandContext& c);
// strings
void Get(CommandContext& c);
void Set(CommandContext& c);
void SetNx(CommandContext& c);
void SetEx(CommandContext& c);
void PSetEx(CommandContext& c);
void GetSet(CommandContext& c);
void GetDel(CommandContext& c);
void GetEx(CommandContext& c);
void MGet(CommandContext& c);
void MSet(CommandContext& c);
void MSetNx(CommandContext& c);
void Append(CommandContext& c);
void StrLen(CommandContext& c);
void GetRange(CommandContext& c);
void SetRange(CommandContext& c);
void Incr(CommandContext& c);
void Decr(CommandContext& c);
void IncrBy(CommandContext& c);
void DecrBy(CommandContext& c);
void IncrByFloat(CommandContext& c);
// keys
void Del(CommandContext& c);
void Exists(CommandContext& c);
void Type(CommandContext& c);
void Expire(CommandContext& c);
void PExpire(CommandContext& c);
void ExpireAt(CommandContext& c);
void PExpireAt(CommandContext& c);
void Ttl(CommandContext& c);
void PTtl(CommandContext& c);
void Persist(CommandContext& c);
void Rename(CommandContext& c);
void RenameNx(CommandContext& c);
void Keys(CommandContext& c);
void Scan(CommandContext& c);
void RandomKey(CommandContext& c);
}  // namespace handlers

// Shared reply helpers (command_util.cc).
inline constexpr std::string_view kErrSyntax = "ERR syntax error";
inline constexpr std::string_view kErrNotInteger = "ERR value is not an integer or out of range";
inline constexpr std::string_view kErrNotFloat = "ERR value is not a valid float";
inline constexpr std::string_view kErrOverflow = "ERR increment or decrement would overflow";
inline constexpr std::string_view kErrNoAuth = "NOAUTH Authentication required.";
inline constexpr std::string_view kErrWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
inline constexpr std::string_view kErrNoSuchKey = "ERR no such key";
inline constexpr std::string_view kErrStringTooLong =
    "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

void ReplyWrongArity(CommandContext& c, std::string_view full_name);
// Maps a storage failure to an error reply ("ERR storage: <message>").
void ReplyStoreError(CommandContext& c, const absl::Status& status);
// Case-insensitive ASCII comparison.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);

// Parses an expiry argument the way Redis's SET/GETEX/SETEX do. `relative` adds `now_ms`.
// On failure appends the error reply and returns false.
enum class TimeUnit { kSeconds, kMillis };
bool ParseExpireArg(CommandContext& c, std::string_view arg, TimeUnit unit, bool relative,
                    uint64_t now_ms, std::string_view command, uint64_t* deadline_ms);

}  // namespace nokv::redis
