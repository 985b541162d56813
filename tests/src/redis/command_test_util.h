// A command-layer fixture: ExecuteCommand against a KvStore with a ManualClock, replies as raw
// RESP so tests state the exact bytes Redis would send.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "src/metrics/registry.h"
#include "src/redis/command.h"
#include "src/redis/server_state.h"
#include "src/util/clock.h"
#include "src/util/str_cat.h"

namespace nokv::redis::testing {

inline std::string Ok() { return "+OK\r\n"; }
inline std::string Nil() { return "$-1\r\n"; }
inline std::string Int(int64_t v) { return StrCat(":", v, "\r\n"); }
inline std::string Bulk(std::string_view s) { return StrCat("$", s.size(), "\r\n", s, "\r\n"); }
inline std::string Err(std::string_view s) { return StrCat("-", s, "\r\n"); }
inline std::string Simple(std::string_view s) { return StrCat("+", s, "\r\n"); }
inline std::string Arr(std::initializer_list<std::string> items) {
  std::string out = StrCat("*", items.size(), "\r\n");
  for (const auto& i : items) out += i;
  return out;
}

class CommandHarness {
 public:
  // `store` must use `clock`.
  CommandHarness(KvStore* store, ManualClock* clock, std::string requirepass = "") : clock_(clock) {
    ServerConfig config;
    config.requirepass = std::move(requirepass);
    state_ = std::make_unique<ServerState>(store, clock, config, &registry_);
    session_.id = 7;
    session_.authenticated = !state_->config.requirepass_set();
    session_.info = std::make_shared<ClientInfo>(7, "127.0.0.1:50000", "127.0.0.1:6380", 9,
                                                 clock->NowMonotonicMicros());
    state_->clients.Add(session_.info);
  }

  std::string Run(const Argv& argv) {
    std::string out;
    ExecuteCommand(state_.get(), &session_, argv, &out);
    return out;
  }

  ManualClock* clock() { return clock_; }
  Session* session() { return &session_; }
  ServerState* state() { return state_.get(); }
  metrics::Registry* registry() { return &registry_; }

 private:
  ManualClock* clock_;
  metrics::Registry registry_;
  std::unique_ptr<ServerState> state_;
  Session session_;
};

}  // namespace nokv::redis::testing
