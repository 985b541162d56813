// Per-method request metrics of a gRPC service, in the process registry:
//   nokv_rpc_requests_total{service,method,outcome}   outcome = ok | error | redirect
//   nokv_rpc_latency_micros{service,method}            histogram
// Handlers take a Method* once (at construction) and record each call with a CallTimer.
//
// Thread-safety: recording is relaxed atomics; Method() may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "src/metrics/registry.h"
#include "src/util/clock.h"

namespace nokv::rpc {

enum class CallOutcome { kOk, kError, kRedirect };

class RpcMetrics {
 public:
  struct Method {
    metrics::Counter* ok;
    metrics::Counter* error;
    metrics::Counter* redirect;
    metrics::Histogram* latency;
  };

  // `registry` and `clock` are not owned and must outlive this object.
  RpcMetrics(metrics::Registry* registry, std::string service, Clock* clock);
  Method* GetMethod(const std::string& name);
  Clock* clock() const { return clock_; }

 private:
  metrics::Registry* registry_;
  std::string service_;
  Clock* clock_;
  std::mutex mu_;
  std::map<std::string, Method> methods_;
};

// Records one call when it goes out of scope (outcome kError unless set otherwise).
class CallTimer {
 public:
  CallTimer(RpcMetrics* metrics, RpcMetrics::Method* method)
      : clock_(metrics->clock()), method_(method), start_(clock_->NowMonotonicMicros()) {}
  ~CallTimer();
  void set_outcome(CallOutcome outcome) { outcome_ = outcome; }

 private:
  Clock* clock_;
  RpcMetrics::Method* method_;
  uint64_t start_;
  CallOutcome outcome_ = CallOutcome::kError;
};

}  // namespace nokv::rpc
