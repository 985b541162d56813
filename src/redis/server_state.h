// State shared by every command: configuration, counters, SCAN cursors; and the per-connection
// Session.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "src/metrics/registry.h"
#include "src/redis/client_registry.h"
#include "src/redis/config.h"
#include "src/redis/kv_store.h"
#include "src/redis/resp.h"
#include "src/util/clock.h"

namespace nokv::redis {

inline constexpr std::string_view kRedisCompatVersion = "7.0.0";
inline constexpr std::string_view kNoKVVersion = "0.1.0";

// A key WATCHed by a connection: its version, and its deadline then (a watched key that expires
// before EXEC aborts the transaction, as in Redis).
struct WatchedEntry {
  WatchedKey key;
  uint64_t expires_at_ms = 0;
};

// The most a MULTI block may queue (argument bytes): Redis's client-query-buffer-limit.
inline constexpr size_t kMaxQueuedBytes = size_t{1} << 30;

// One client connection's state, touched only by the thread currently running its commands.
// What other connections may see of it (CLIENT LIST) is published in `info`.
struct Session {
  uint64_t id = 0;
  bool authenticated = true;
  bool close_after_reply = false;
  int db = 0;        // SELECT
  int protocol = 2;  // HELLO 2 / HELLO 3
  // MULTI: commands queued until EXEC; `multi_error` = a command was refused while queueing,
  // so EXEC answers EXECABORT.
  bool in_multi = false;
  bool multi_error = false;
  std::vector<Argv> queued;
  size_t queued_bytes = 0;  // bounded by kMaxQueuedBytes
  std::vector<WatchedEntry> watched;
  // Never null; the server replaces it with the registered info of the connection.
  std::shared_ptr<ClientInfo> info = std::make_shared<ClientInfo>(0, "", "", -1, 0);
};

// SCAN cursors are opaque integers; each maps to the key to resume from. Redis cursors are
// positions in a hash table and any integer is accepted; here an unknown cursor (never issued
// or evicted after `capacity` newer cursors) is rejected with "ERR invalid cursor" rather than
// silently restarting or ending the iteration.
class CursorTable {
 public:
  explicit CursorTable(size_t capacity = 65536) : capacity_(capacity) {}
  // Returns a fresh non-zero cursor for `resume_key`.
  uint64_t Issue(std::string resume_key);
  // The resume key of `cursor`, or nullopt if unknown. Cursors stay valid until evicted, so a
  // client may retry a SCAN call with the same cursor.
  std::optional<std::string> Lookup(uint64_t cursor);
  void Clear();

 private:
  const size_t capacity_;
  std::mutex mu_;
  uint64_t next_ = 0;
  std::list<uint64_t> order_;  // oldest first
  std::unordered_map<uint64_t, std::string> keys_;
};

// Gateway counters. Metric objects live in the registry; these are cached pointers.
struct GatewayMetrics {
  explicit GatewayMetrics(metrics::Registry* registry);
  metrics::Counter* commands_total;
  metrics::Counter* errors_total;
  metrics::Counter* connections_accepted;
  metrics::Counter* connections_rejected;
  metrics::Counter* protocol_errors;
  metrics::Gauge* connections_active;
  metrics::Counter* bytes_read;
  metrics::Counter* bytes_written;
  metrics::Histogram* command_latency_us;
  std::vector<metrics::Counter*> per_command;  // indexed like AllCommands()
  std::vector<metrics::Counter*> per_command_errors;
  metrics::Counter* unknown_commands;
  metrics::Counter* write_groups;
};

struct ServerState {
  ServerState(KvStore* store, Clock* clock, ServerConfig config, metrics::Registry* registry);
  ~ServerState();  // waits for a background task

  KvStore* const store;
  Clock* const clock;
  RuntimeConfig config;
  metrics::Registry* const registry;
  GatewayMetrics metrics;
  CursorTable cursors;
  ClientRegistry clients;
  const uint64_t start_ms;
  std::atomic<int> bound_port{0};  // set by RedisServer::Start
  std::atomic<uint64_t> next_client_id{1};
  std::atomic<uint64_t> random_state;
  std::atomic<uint64_t> keyspace_hits{0};
  std::atomic<uint64_t> keyspace_misses{0};
  // SAVE / BGSAVE: Unix seconds of the last successful flush (LASTSAVE), starting at startup.
  std::atomic<uint64_t> last_save_s;
  // INFO stats counters as of the last CONFIG RESETSTAT (the metrics counters stay monotonic).
  struct StatsBaseline {
    uint64_t commands = 0, connections = 0, net_input = 0, net_output = 0, rejected = 0, errors = 0,
             unknown = 0, protocol_errors = 0;
  };
  StatsBaseline StatsSinceReset() const;
  void ResetStats();

  // True when `session` must AUTH before running commands: it has not authenticated and a
  // password is set (clearing requirepass frees every connection, as in Redis).
  bool AuthRequired(const Session& session) const {
    return !session.authenticated && config.requirepass_set();
  }

  uint64_t NextRandom();

  // Runs `task` on a background thread (BGSAVE); false, running nothing, if one still runs.
  bool RunInBackground(std::function<void()> task);
  bool BackgroundTaskRunning() const { return background_running_.load(); }

 private:
  std::mutex background_mu_;
  std::thread background_;  // guarded by background_mu_
  std::atomic<bool> background_running_{false};
  StatsBaseline CurrentStats() const;
  mutable std::mutex baseline_mu_;
  StatsBaseline baseline_;  // guarded by baseline_mu_
};

}  // namespace nokv::redis
