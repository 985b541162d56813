// State shared by every command: configuration, counters, SCAN cursors; and the per-connection
// Session.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/metrics/registry.h"
#include "src/redis/kv_store.h"
#include "src/util/clock.h"

namespace nokv::redis {

inline constexpr std::string_view kRedisCompatVersion = "7.0.0";
inline constexpr std::string_view kNoKVVersion = "0.1.0";

// One client connection's state, touched only by the thread currently running its commands.
struct Session {
  uint64_t id = 0;
  std::string name;
  std::string peer;  // "ip:port"
  bool authenticated = true;
  bool close_after_reply = false;
  uint64_t created_ms = 0;
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
  metrics::Counter* inline_batches;
};

struct ServerConfig {
  std::string requirepass;  // empty = no AUTH required
  int64_t proto_max_bulk_len = 512LL << 20;
  bool sync = false;  // reported by INFO persistence / CONFIG GET appendfsync
  std::string bind_addr;
  std::string workdir;
};

struct ServerState {
  ServerState(KvStore* store, Clock* clock, ServerConfig config, metrics::Registry* registry);

  KvStore* const store;
  Clock* const clock;
  const ServerConfig config;
  metrics::Registry* const registry;
  GatewayMetrics metrics;
  CursorTable cursors;
  const uint64_t start_ms;
  std::atomic<int> bound_port{0};  // set by RedisServer::Start
  std::atomic<uint64_t> next_client_id{1};
  std::atomic<uint64_t> random_state;
  std::atomic<uint64_t> keyspace_hits{0};
  std::atomic<uint64_t> keyspace_misses{0};
  std::atomic<uint64_t> expired_keys_seen{0};

  uint64_t NextRandom();
};

}  // namespace nokv::redis
