// Timing of the coordinator's tenure and allocator windows. Defaults suit a LAN; tests shorten
// them through the cluster config's "timing" section (src/config/cluster_config.proto).
#pragma once

#include <cstdint>

#include "src/config/cluster_config.pb.h"

namespace nokv::coordinator {

struct CoordinatorOptions {
  // Tenure length; the holder renews every renew_interval_ms.
  uint64_t lease_ms = 3000;
  uint64_t renew_interval_ms = 1000;
  // Bound on the clock difference between any two processes (coordinators and clients). The
  // holder stops serving drift before its lease ends; others seal only drift after it ended;
  // clients refuse allocator replies that arrive within drift of the lease end.
  uint64_t max_clock_drift_ms = 250;
  // A TSO window reaches this far (physical milliseconds) past the next timestamp; a new fence is
  // written when less than half of it remains.
  uint64_t tso_window_ms = 3000;
  // IDs per ID-allocator window.
  uint64_t id_window = 10000;
  // How often the duty loop looks at meta and the windows.
  uint64_t duty_tick_ms = 20;
  // A region heartbeat older than this no longer names the region's leader.
  uint64_t heartbeat_stale_ms = 10000;
  // Leader-transfer hints start once this share of regions has reported (cold start guard).
  double hint_min_coverage = 0.9;
  // At most one leader-transfer hint per region in this period.
  uint64_t hint_interval_ms = 10000;

  // Non-zero fields of `timing` override the defaults.
  static CoordinatorOptions FromTiming(const configpb::CoordinatorTiming& timing) {
    CoordinatorOptions o;
    if (timing.lease_ms() != 0) o.lease_ms = timing.lease_ms();
    if (timing.renew_interval_ms() != 0) o.renew_interval_ms = timing.renew_interval_ms();
    if (timing.max_clock_drift_ms() != 0) o.max_clock_drift_ms = timing.max_clock_drift_ms();
    if (timing.tso_window_ms() != 0) o.tso_window_ms = timing.tso_window_ms();
    if (timing.id_window() != 0) o.id_window = timing.id_window();
    return o;
  }
};

}  // namespace nokv::coordinator
