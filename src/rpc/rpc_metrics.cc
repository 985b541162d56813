#include "src/rpc/rpc_metrics.h"

namespace nokv::rpc {

RpcMetrics::RpcMetrics(metrics::Registry* registry, std::string service, Clock* clock)
    : registry_(registry), service_(std::move(service)), clock_(clock) {}

RpcMetrics::Method* RpcMetrics::GetMethod(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = methods_.find(name);
  if (it != methods_.end()) return &it->second;
  const char* kHelp = "gRPC requests served, by outcome";
  auto labels = [&](const char* outcome) {
    return metrics::Labels{{"service", service_}, {"method", name}, {"outcome", outcome}};
  };
  Method m;
  m.ok = registry_->GetCounter("nokv_rpc_requests_total", kHelp, labels("ok"));
  m.error = registry_->GetCounter("nokv_rpc_requests_total", kHelp, labels("error"));
  m.redirect = registry_->GetCounter("nokv_rpc_requests_total", kHelp, labels("redirect"));
  m.latency = registry_->GetHistogram("nokv_rpc_latency_micros", "gRPC handler latency",
                                      {{"service", service_}, {"method", name}});
  return &methods_.emplace(name, m).first->second;
}

CallTimer::~CallTimer() {
  method_->latency->Observe(clock_->NowMonotonicMicros() - start_);
  switch (outcome_) {
    case CallOutcome::kOk:
      method_->ok->Add();
      break;
    case CallOutcome::kError:
      method_->error->Add();
      break;
    case CallOutcome::kRedirect:
      method_->redirect->Add();
      break;
  }
}

}  // namespace nokv::rpc
