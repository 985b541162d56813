// A tiny metrics registry: counters, gauges and latency histograms, rendered as expvar-style
// JSON (/debug/vars) and Prometheus text (/metrics).
//
// Metrics are created once (GetCounter & co. return the same object for the same name and
// labels) and live as long as the registry; callers cache the returned pointers. Updating a
// metric is a relaxed atomic operation, safe from any thread and cheap enough for the command
// path. Sources add externally owned name -> value maps (e.g. DB::Stats()) at render time.
//
// Names follow Prometheus rules ([a-zA-Z_:][a-zA-Z0-9_:]*); label values are arbitrary bytes
// and are escaped when rendered.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "src/util/histogram.h"

namespace nokv::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Histograms are the shared lock-free power-of-two histogram (src/util/histogram.h).
using Histogram = nokv::Histogram;

class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter* GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge* GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  Histogram* GetHistogram(const std::string& name, const std::string& help,
                          const Labels& labels = {});

  // Adds a source polled at render time: each entry becomes a gauge named
  // `prefix` + sanitized(entry name) in Prometheus, and `json_key`.{entry name} in JSON. The
  // function must be thread-safe and must not call back into the registry.
  void AddSource(const std::string& json_key, const std::string& prefix,
                 std::function<std::map<std::string, uint64_t>()> source);

  std::string RenderPrometheus() const;
  std::string RenderJson() const;

  // "a.b-c" -> "a_b_c": what Prometheus accepts in a metric name.
  static std::string SanitizeName(const std::string& name);

 private:
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    // Labeled children in creation order.
    std::vector<std::pair<Labels, std::unique_ptr<Counter>>> counters;
    std::vector<std::pair<Labels, std::unique_ptr<Gauge>>> gauges;
    std::vector<std::pair<Labels, std::unique_ptr<Histogram>>> histograms;
  };
  struct Source {
    std::string json_key;
    std::string prefix;
    std::function<std::map<std::string, uint64_t>()> fn;
  };

  Family* FamilyFor(const std::string& name, const std::string& help, Kind kind);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::vector<Source> sources_;
};

}  // namespace nokv::metrics
