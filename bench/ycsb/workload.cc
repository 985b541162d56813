#include "bench/ycsb/workload.h"

#include <cctype>

#include "src/util/str_cat.h"

namespace nokv::bench {
namespace {

WorkloadSpec Make(const char* name, const char* description, double read, double update,
                  double insert, double scan, double rmw, RequestDistribution distribution) {
  WorkloadSpec spec;
  spec.name = name;
  spec.description = description;
  spec.read = read;
  spec.update = update;
  spec.insert = insert;
  spec.scan = scan;
  spec.read_modify_write = rmw;
  spec.distribution = distribution;
  return spec;
}

absl::StatusOr<WorkloadSpec> Lookup(char name) {
  constexpr auto kZipf = RequestDistribution::kZipfian;
  switch (std::toupper(static_cast<unsigned char>(name))) {
    case 'A':
      return Make("A", "update heavy: 50% read, 50% update, zipfian", 0.5, 0.5, 0, 0, 0, kZipf);
    case 'B':
      return Make("B", "read mostly: 95% read, 5% update, zipfian", 0.95, 0.05, 0, 0, 0, kZipf);
    case 'C':
      return Make("C", "read only: 100% read, zipfian", 1.0, 0, 0, 0, 0, kZipf);
    case 'D':
      return Make("D", "read latest: 95% read, 5% insert, latest", 0.95, 0, 0.05, 0, 0,
                  RequestDistribution::kLatest);
    case 'E':
      return Make("E", "short ranges: 95% scan (1-100 records), 5% insert, zipfian", 0, 0, 0.05,
                  0.95, 0, kZipf);
    case 'F':
      return Make("F", "read-modify-write: 50% read, 50% read-modify-write, zipfian", 0.5, 0, 0, 0,
                  0.5, kZipf);
    default:
      return absl::InvalidArgumentError(StrCat("unknown workload '", name, "' (want A-F)"));
  }
}

}  // namespace

const char* OperationName(Operation op) {
  switch (op) {
    case Operation::kRead:
      return "read";
    case Operation::kUpdate:
      return "update";
    case Operation::kInsert:
      return "insert";
    case Operation::kScan:
      return "scan";
    case Operation::kReadModifyWrite:
      return "rmw";
  }
  return "?";
}

Operation WorkloadSpec::Choose(double u) const {
  // Same order as YCSB's DiscreteGenerator setup in CoreWorkload.
  if ((u -= read) < 0) return Operation::kRead;
  if ((u -= update) < 0) return Operation::kUpdate;
  if ((u -= insert) < 0) return Operation::kInsert;
  if ((u -= scan) < 0) return Operation::kScan;
  if (read_modify_write > 0) return Operation::kReadModifyWrite;
  // Rounding left u just above the sum: take the last operation with a non-zero share.
  if (scan > 0) return Operation::kScan;
  if (insert > 0) return Operation::kInsert;
  if (update > 0) return Operation::kUpdate;
  return Operation::kRead;
}

absl::StatusOr<std::vector<WorkloadSpec>> ParseWorkloads(std::string_view list) {
  std::vector<WorkloadSpec> specs;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.size() != 1) {
      return absl::InvalidArgumentError(
          StrCat("bad workload '", item, "' in --workloads (want letters A-F, comma separated)"));
    }
    auto spec = Lookup(item[0]);
    if (!spec.ok()) return spec.status();
    for (const WorkloadSpec& seen : specs) {
      if (seen.name == spec->name) {
        return absl::InvalidArgumentError(StrCat("workload ", seen.name, " listed twice"));
      }
    }
    specs.push_back(*std::move(spec));
    start = end + 1;
  }
  return specs;
}

}  // namespace nokv::bench
