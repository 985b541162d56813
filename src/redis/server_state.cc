#include "src/redis/server_state.h"

#include "src/redis/command.h"

namespace nokv::redis {

uint64_t CursorTable::Issue(std::string resume_key) {
  std::lock_guard<std::mutex> lock(mu_);
  // Cursors look random (like Redis's reversed-bit cursors) but are unique: a counter mixed by
  // an invertible function, with 0 (= "iteration finished") skipped.
  uint64_t cursor;
  do {
    uint64_t z = ++next_ * 0x9e3779b97f4a7c15ULL;
    z ^= z >> 29;
    cursor = z & 0x7fffffffffffffffULL;  // stay within int64 for clients that parse signed
  } while (cursor == 0 || keys_.count(cursor) != 0);
  keys_.emplace(cursor, std::move(resume_key));
  order_.push_back(cursor);
  while (order_.size() > capacity_) {
    keys_.erase(order_.front());
    order_.pop_front();
  }
  return cursor;
}

std::optional<std::string> CursorTable::Lookup(uint64_t cursor) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = keys_.find(cursor);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

void CursorTable::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  keys_.clear();
  order_.clear();
}

GatewayMetrics::GatewayMetrics(metrics::Registry* r)
    : commands_total(r->GetCounter("nokv_redis_commands_total", "Commands executed")),
      errors_total(r->GetCounter("nokv_redis_errors_total", "Commands answered with an error")),
      connections_accepted(
          r->GetCounter("nokv_redis_connections_accepted_total", "Client connections accepted")),
      connections_rejected(r->GetCounter("nokv_redis_connections_rejected_total",
                                         "Client connections refused (maxclients)")),
      protocol_errors(r->GetCounter("nokv_redis_protocol_errors_total",
                                    "Connections closed after a RESP protocol error")),
      connections_active(r->GetGauge("nokv_redis_connections_active", "Open client connections")),
      bytes_read(r->GetCounter("nokv_redis_net_input_bytes_total", "Bytes read from clients")),
      bytes_written(r->GetCounter("nokv_redis_net_output_bytes_total", "Bytes written to clients")),
      command_latency_us(r->GetHistogram("nokv_redis_command_latency_us",
                                         "Command execution time in microseconds")),
      unknown_commands(r->GetCounter("nokv_redis_unknown_commands_total",
                                     "Requests naming a command the gateway does not serve")),
      write_groups(r->GetCounter(
          "nokv_redis_write_groups_total",
          "Groups of writes from one event-loop round committed as one store operation")) {
  for (const CommandSpec& spec : AllCommands()) {
    metrics::Labels labels = {{"command", std::string(spec.name)}};
    per_command.push_back(r->GetCounter("nokv_redis_command_calls_total",
                                        "Calls per command (including failed ones)", labels));
    per_command_errors.push_back(
        r->GetCounter("nokv_redis_command_errors_total", "Error replies per command", labels));
  }
}

ServerState::ServerState(KvStore* store_in, Clock* clock_in, ServerConfig config_in,
                         metrics::Registry* registry_in)
    : store(store_in),
      clock(clock_in),
      config(config_in),
      registry(registry_in),
      metrics(registry_in),
      start_ms(clock_in->NowUnixMillis()),
      random_state(clock_in->NowMonotonicMicros() ^ 0x2545f4914f6cdd1dULL),
      last_save_s(start_ms / 1000) {}

ServerState::~ServerState() {
  std::lock_guard<std::mutex> lock(background_mu_);
  if (background_.joinable()) background_.join();
}

bool ServerState::RunInBackground(std::function<void()> task) {
  std::lock_guard<std::mutex> lock(background_mu_);
  if (background_running_.load()) return false;
  if (background_.joinable()) background_.join();
  background_running_.store(true);
  background_ = std::thread([this, task = std::move(task)] {
    task();
    background_running_.store(false);
  });
  return true;
}

ServerState::StatsBaseline ServerState::CurrentStats() const {
  StatsBaseline now;
  now.commands = metrics.commands_total->value();
  now.connections = metrics.connections_accepted->value();
  now.net_input = metrics.bytes_read->value();
  now.net_output = metrics.bytes_written->value();
  now.rejected = metrics.connections_rejected->value();
  now.errors = metrics.errors_total->value();
  now.unknown = metrics.unknown_commands->value();
  now.protocol_errors = metrics.protocol_errors->value();
  return now;
}

ServerState::StatsBaseline ServerState::StatsSinceReset() const {
  const StatsBaseline now = CurrentStats();
  std::lock_guard<std::mutex> lock(baseline_mu_);
  auto since = [](uint64_t v, uint64_t base) { return v >= base ? v - base : 0; };
  return StatsBaseline{since(now.commands, baseline_.commands),
                       since(now.connections, baseline_.connections),
                       since(now.net_input, baseline_.net_input),
                       since(now.net_output, baseline_.net_output),
                       since(now.rejected, baseline_.rejected),
                       since(now.errors, baseline_.errors),
                       since(now.unknown, baseline_.unknown),
                       since(now.protocol_errors, baseline_.protocol_errors)};
}

void ServerState::ResetStats() {
  const StatsBaseline now = CurrentStats();
  std::lock_guard<std::mutex> lock(baseline_mu_);
  baseline_ = now;
  keyspace_hits.store(0);
  keyspace_misses.store(0);
}

uint64_t ServerState::NextRandom() {
  uint64_t z = random_state.fetch_add(0x9e3779b97f4a7c15ULL, std::memory_order_relaxed) +
               0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace nokv::redis
