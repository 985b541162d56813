// The gateway's configuration: the startup values (flags) and the runtime view behind CONFIG
// GET / CONFIG SET.
//
// CONFIG GET knows the parameters that mean something here, with Redis's names and value
// formats; parameters this server cannot change answer CONFIG SET with Redis's "can't set
// immutable config" error, so a client learns at once that its setting did not take. Errors
// are Redis 7.0's strings.
//
// Thread-safety: every RuntimeConfig method is safe from any thread. Hot values (used per
// command or per connection) are atomics; the rest sit under a mutex.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nokv::redis {

// Startup configuration (nokv-redis flags).
struct ServerConfig {
  std::string requirepass;  // empty = no AUTH required
  int64_t proto_max_bulk_len = 512LL << 20;
  bool sync = false;  // fsync before each acknowledged write (CONFIG GET appendfsync = always)
  std::string bind_addr;
  std::string workdir;
  int64_t maxclients = 10000;
  int64_t timeout_seconds = 0;  // close clients idle this long; 0 = never
};

class RuntimeConfig {
 public:
  explicit RuntimeConfig(const ServerConfig& startup);

  int64_t proto_max_bulk_len() const { return proto_max_bulk_len_.load(std::memory_order_relaxed); }
  int64_t maxclients() const { return maxclients_.load(std::memory_order_relaxed); }
  int64_t timeout_seconds() const { return timeout_seconds_.load(std::memory_order_relaxed); }
  bool sync() const { return sync_.load(std::memory_order_relaxed); }
  bool requirepass_set() const { return requirepass_set_.load(std::memory_order_relaxed); }
  // Compares in constant time (the time taken does not reveal a matching prefix).
  bool CheckPassword(std::string_view password) const;
  const std::string& workdir() const { return workdir_; }

  // Reported by CONFIG GET port once the listener is bound.
  void set_port(int port);
  // Called with the new setting when CONFIG SET appendfsync changes it (the store's fsync mode).
  void set_sync_hook(std::function<void(bool)> hook);

  // CONFIG GET: every (name, value) whose name matches one of the glob patterns
  // (case-insensitive), each once, in name order.
  std::vector<std::pair<std::string, std::string>> Get(
      const std::vector<std::string_view>& patterns) const;
  // CONFIG SET: validates every pair, then applies all of them or none. nullopt on success,
  // else Redis's error reply text.
  std::optional<std::string> Set(
      const std::vector<std::pair<std::string_view, std::string_view>>& params);

 private:
  enum class Kind { kImmutable, kInt, kMemory, kString, kFsync, kSave };
  struct Param {
    Kind kind;
    int64_t min = 0;
    int64_t max = 0;
    std::string value;  // as CONFIG GET prints it
    // Non-empty for a parameter Redis itself refuses to set: its error text.
    std::string redis_immutable;
  };
  // Checks `value` for `param`; on success stores the canonical form in *canonical.
  std::optional<std::string> Validate(std::string_view name, const Param& param,
                                      std::string_view value, std::string* canonical) const;
  void ApplyLocked(const std::string& name, const std::string& value);

  const std::string workdir_;
  std::atomic<int64_t> proto_max_bulk_len_;
  std::atomic<int64_t> maxclients_;
  std::atomic<int64_t> timeout_seconds_;
  std::atomic<bool> sync_;
  std::atomic<bool> requirepass_set_;

  mutable std::mutex mu_;
  std::map<std::string, Param> params_;  // guarded by mu_
  std::string requirepass_;              // guarded by mu_
  std::function<void(bool)> sync_hook_;  // guarded by mu_
};

}  // namespace nokv::redis
