// The Redis command layer: a table of command specs and the dispatcher that runs one command
// against a KvStore and appends its reply.
//
// Dispatch order follows Redis 7: look the command (and a container's subcommand) up (unknown
// -> "ERR unknown command" / "ERR unknown subcommand"), check arity ("ERR wrong number of
// arguments"), then authentication ("NOAUTH"); inside MULTI queue it ("+QUEUED"; a refusal
// above makes EXEC answer EXECABORT), else run it. Handlers never throw and never crash on
// client input; storage errors become "ERR storage: ..." replies.
//
// Arity, key positions and Redis's flags of each command come from Redis's own metadata
// (command_meta.inc, generated from redis-server), which is also what COMMAND INFO / DOCS
// answer; the table below adds the handler and nokv's dispatch flags.
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
  kCmdNoAuth = 1 << 0,  // allowed before AUTH (Redis's no_auth: AUTH, HELLO, QUIT, RESET)
  kCmdWrite = 1 << 1,   // Redis's write flag
  // Cheap and never blocks for long (a point read or no storage at all): the server may run it
  // on its network thread instead of handing it to a worker.
  kCmdInline = 1 << 2,
  // Reads or writes beyond the keys named in its arguments (KEYS, SCAN, DBSIZE, FLUSHDB,
  // SWAPDB, INFO): inside EXEC it makes the transaction whole-keyspace.
  kCmdKeyspace = 1 << 3,
  // Runs at once even inside MULTI (MULTI, EXEC, DISCARD, WATCH, QUIT, RESET).
  kCmdTxnControl = 1 << 4,
  // Refused inside MULTI (Redis's no_multi: SAVE).
  kCmdNoMulti = 1 << 5,
};

// Where a command runs: its arguments, its reply buffer, its connection, the server, and the
// store it reads and writes (the server's, or a transaction's view of it during EXEC).
struct CommandContext {
  const Argv& argv;
  std::string* out;
  Session* session;
  ServerState* server;
  KvStore* store;
  int db() const { return session->db; }
  int protocol() const { return session->protocol; }
};

using CommandHandler = void (*)(CommandContext& ctx);

struct CommandMeta;  // command_meta.h

struct CommandSpec {
  std::string_view name;   // lower case; "container|sub" for a subcommand
  CommandHandler handler;  // nullptr for a container (CLIENT, CONFIG, ...)
  uint32_t flags;
  int arity;  // > 0: exact argc; < 0: at least -arity (a subcommand counts the container)
  int first_key;
  int last_key;  // negative: counted from the end (-1 = the last argument)
  int key_step;
  const CommandMeta* meta;  // Redis's COMMAND INFO / DOCS entry; nullptr if Redis 7.0 has none
  std::vector<const CommandSpec*> subcommands;  // of a container
  size_t index = 0;                             // position in AllCommands()
};

// Every command and subcommand the gateway serves, in a stable order (containers before their
// subcommands). Metrics are indexed by CommandSpec::index.
const std::vector<CommandSpec>& AllCommands();
// Case-insensitive lookup of a top-level command; nullptr if unknown.
const CommandSpec* FindCommand(std::string_view name);
// The spec that runs argv: a top-level command or, for a container, its subcommand. nullptr if
// unknown (a container without a known subcommand included).
const CommandSpec* ResolveCommand(const Argv& argv);
// The user keys argv names, per the spec's key positions (for MULTI's transaction scope).
void CommandKeys(const CommandSpec& spec, const Argv& argv, std::vector<std::string_view>* keys);

// Runs one command for `session` and appends exactly one reply to *out. Sets
// session->close_after_reply for QUIT.
void ExecuteCommand(ServerState* server, Session* session, const Argv& argv, std::string* out);

// Runs one resolved command (past dispatch checks) against `store` and records its metrics.
// ExecuteCommand ends here; EXEC runs its queued commands through it with the transaction's view.
void RunCommand(ServerState* server, Session* session, const CommandSpec& spec, const Argv& argv,
                std::string* out, KvStore* store);

// Ends MULTI (if any) and forgets the WATCHed keys: DISCARD, a refused EXEC, RESET.
void DiscardTransaction(Session* session);

// Counts one executed command (`index` into AllCommands()): its call, its latency (unless
// kNotTimed: the histogram is sampled) and, when its reply is an error, the error. Shared by
// ExecuteCommand, EXEC and the batched runs below; `commands_total` is counted by the caller
// (it includes unknown commands).
inline constexpr uint64_t kNotTimed = ~uint64_t{0};
void RecordCommand(GatewayMetrics& m, size_t index, uint64_t latency_us, bool error);

// Batching (command_batch.cc). Commands ready together, from one connection's pipeline or from
// many connections in one event-loop round, are committed as one store operation when they can
// be: blind writes (plain `SET key value`, MSET) as one Apply, INCR / DECR / INCRBY / DECRBY
// (valid deltas) as one Update whose steps apply in order (a later step sees the earlier ones).
// Replies, metrics and per-connection order are as if each command ran by itself; if the store
// operation fails, every command of the batch gets its error.
enum class BatchKind { kNone, kBlindWrite, kCounter };
// kNone for anything else, and for a session that must AUTH or is inside MULTI.
BatchKind BatchKindOf(const ServerState& server, const Session& session, const Argv& argv);
struct BatchItem {
  Session* session;
  const Argv* argv;
  std::string* out;  // the item's connection's reply buffer
};
// Every item must be of `kind` (not kNone). Appends one reply per item, in item order.
void ExecuteBatch(ServerState* server, BatchKind kind, const std::vector<BatchItem>& items);
// One connection's run: the commands of one kind starting at commands[begin] (at most
// `max_run`, and at least 2, else 0 is returned and nothing runs), as ExecuteBatch.
size_t ExecuteSetRun(ServerState* server, Session* session, const std::vector<Argv>& commands,
                     size_t begin, size_t max_run, std::string* out);
size_t ExecuteCounterRun(ServerState* server, Session* session, const std::vector<Argv>& commands,
                         size_t begin, size_t max_run, std::string* out);

// INCR-family arithmetic on a key's current entry: the new value, or Redis's error text.
std::string_view StepCounter(const std::optional<Entry>& current, int64_t delta, int64_t* result);
// A Put of `value` expiring at `deadline_ms`, or a Delete if that deadline is not after now_ms.
Mutation PutAt(int db, std::string_view key, std::string value, uint64_t deadline_ms,
               uint64_t now_ms);

// Handler families (commands_*.cc). Listed here so the table can reference them.
namespace handlers {
// connection (commands_connection.cc)
void Ping(CommandContext& c);
void Echo(CommandContext& c);
void Quit(CommandContext& c);
void Hello(CommandContext& c);
void Auth(CommandContext& c);
void Reset(CommandContext& c);
void ClientId(CommandContext& c);
void ClientSetName(CommandContext& c);
void ClientGetName(CommandContext& c);
void ClientSetInfo(CommandContext& c);
void ClientList(CommandContext& c);
void ClientInfo(CommandContext& c);
void ClientKill(CommandContext& c);
void ClientNoEvict(CommandContext& c);
void ClientHelp(CommandContext& c);
// server (commands_server.cc)
void CommandAll(CommandContext& c);
void CommandCount(CommandContext& c);
void CommandInfo(CommandContext& c);
void CommandDocs(CommandContext& c);
void CommandList(CommandContext& c);
void CommandHelp(CommandContext& c);
void ConfigGet(CommandContext& c);
void ConfigSet(CommandContext& c);
void ConfigResetStat(CommandContext& c);
void ConfigRewrite(CommandContext& c);
void ConfigHelp(CommandContext& c);
void Info(CommandContext& c);
void Time(CommandContext& c);
void LastSave(CommandContext& c);
void Save(CommandContext& c);
void BgSave(CommandContext& c);
// databases (commands_db.cc)
void Select(CommandContext& c);
void SwapDb(CommandContext& c);
void Move(CommandContext& c);
void Copy(CommandContext& c);
void DbSize(CommandContext& c);
void FlushDb(CommandContext& c);
void FlushAll(CommandContext& c);
// transactions (commands_txn.cc)
void Multi(CommandContext& c);
void Exec(CommandContext& c);
void Discard(CommandContext& c);
void Watch(CommandContext& c);
void Unwatch(CommandContext& c);
// strings (commands_string.cc)
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
void Lcs(CommandContext& c);
// keys (commands_keys.cc)
void Del(CommandContext& c);
void Exists(CommandContext& c);
void Type(CommandContext& c);
void Expire(CommandContext& c);
void PExpire(CommandContext& c);
void ExpireAt(CommandContext& c);
void PExpireAt(CommandContext& c);
void ExpireTime(CommandContext& c);
void PExpireTime(CommandContext& c);
void Ttl(CommandContext& c);
void PTtl(CommandContext& c);
void Persist(CommandContext& c);
void Rename(CommandContext& c);
void RenameNx(CommandContext& c);
void Keys(CommandContext& c);
void Scan(CommandContext& c);
void RandomKey(CommandContext& c);
void ObjectEncoding(CommandContext& c);
void ObjectFreq(CommandContext& c);
void ObjectIdleTime(CommandContext& c);
void ObjectRefCount(CommandContext& c);
void ObjectHelp(CommandContext& c);
}  // namespace handlers

// Shared reply helpers (command_table.cc).
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
inline constexpr std::string_view kErrDbRange = "ERR DB index is out of range";
inline constexpr std::string_view kErrSameObject =
    "ERR source and destination objects are the same";

void ReplyWrongArity(CommandContext& c, std::string_view full_name);
// Maps a storage failure to an error reply ("ERR storage: <message>").
void ReplyStoreError(CommandContext& c, const absl::Status& status);
// The command's store calls: on a storage failure they append the error reply and return false.
// RunUpdate is an Update of keys of the current database.
bool RunUpdate(CommandContext& c, const std::vector<std::string_view>& keys,
               const UpdateBody& body);
bool RunApply(CommandContext& c, std::vector<Mutation> mutations);
// A missing value: "$-1" (RESP2) or "_" (RESP3).
void ReplyNull(CommandContext& c);
// A value that may be missing.
void ReplyOptionalBulk(CommandContext& c, const std::optional<std::string>& value);
// Redis's HELP reply: "<NAME> <subcommand> [<arg> ...]. Subcommands are:" then the lines.
void ReplyHelp(CommandContext& c, std::string_view container,
               const std::vector<std::string_view>& lines);
// Case-insensitive ASCII comparison.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
std::string ToLower(std::string_view s);
// Parses a database index (SELECT, MOVE, COPY DB): replies the error and returns false when it
// is not an integer or out of range.
bool ParseDbIndex(CommandContext& c, std::string_view arg, int* db);

// Parses an expiry argument the way Redis's SET/GETEX/SETEX do. `relative` adds `now_ms`.
// On failure appends the error reply and returns false.
enum class TimeUnit { kSeconds, kMillis };
bool ParseExpireArg(CommandContext& c, std::string_view arg, TimeUnit unit, bool relative,
                    uint64_t now_ms, std::string_view command, uint64_t* deadline_ms);

}  // namespace nokv::redis
