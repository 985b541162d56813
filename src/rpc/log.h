// Structured logs for daemons: one JSON object per line on stderr (or a given FILE), e.g.
//   {"ts_ms":1764400000123,"level":"info","component":"coordinator","event":"tenure_issued",
//    "era":3,"holder":2}
// so scripts and tests can grep or parse them. Values are numbers, booleans or strings (escaped
// with AppendJsonString).
//
// Thread-safe: each line is written with one fwrite under a mutex.
#pragma once

#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>

#include "src/util/clock.h"

namespace nokv::rpc {

class LogField {
 public:
  LogField(std::string_view key, std::string_view value);
  LogField(std::string_view key, const std::string& value)
      : LogField(key, std::string_view(value)) {}
  LogField(std::string_view key, const char* value) : LogField(key, std::string_view(value)) {}
  LogField(std::string_view key, bool value);
  template <typename T, typename = std::enable_if_t<std::is_integral_v<T>>>
  LogField(std::string_view key, T value) : key_(key), json_(std::to_string(value)) {}

  std::string_view key() const { return key_; }
  const std::string& json() const { return json_; }

 private:
  std::string_view key_;
  std::string json_;  // the value, already rendered as JSON
};

class Logger {
 public:
  // `clock` is not owned (null = Clock::Real()); `out` is not owned (null = stderr).
  explicit Logger(std::string component, Clock* clock = nullptr, FILE* out = nullptr);

  void Info(std::string_view event, std::initializer_list<LogField> fields = {}) {
    Write("info", event, fields);
  }
  void Warn(std::string_view event, std::initializer_list<LogField> fields = {}) {
    Write("warn", event, fields);
  }
  void Error(std::string_view event, std::initializer_list<LogField> fields = {}) {
    Write("error", event, fields);
  }
  void Write(std::string_view level, std::string_view event,
             std::initializer_list<LogField> fields);
  // Drops every line (tests and benchmarks that do not want the noise).
  void set_enabled(bool enabled) { enabled_ = enabled; }

 private:
  std::string component_;
  Clock* clock_;
  FILE* out_;
  bool enabled_ = true;
  std::mutex mu_;
};

}  // namespace nokv::rpc
