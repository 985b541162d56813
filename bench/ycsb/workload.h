// The six YCSB core workloads (workloads/workload[a-f] in the YCSB distribution).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace nokv::bench {

enum class Operation { kRead, kUpdate, kInsert, kScan, kReadModifyWrite };
inline constexpr int kNumOperations = 5;
const char* OperationName(Operation op);

enum class RequestDistribution { kZipfian, kLatest };

struct WorkloadSpec {
  std::string name;  // "A".."F"
  std::string description;
  double read = 0;
  double update = 0;
  double insert = 0;
  double scan = 0;
  double read_modify_write = 0;
  RequestDistribution distribution = RequestDistribution::kZipfian;
  // Scan length is uniform in [min_scan_length, max_scan_length].
  int min_scan_length = 1;
  int max_scan_length = 100;

  // Picks an operation from a uniform sample u in [0, 1).
  Operation Choose(double u) const;
};

// "A,b,F" -> specs in the given order; rejects unknown names and duplicates.
absl::StatusOr<std::vector<WorkloadSpec>> ParseWorkloads(std::string_view list);

}  // namespace nokv::bench
