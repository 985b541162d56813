#include "engine/lsm/compaction_picker.h"

namespace nokv {

bool NeedsCompaction(const Version& version, const PickerOptions& options) {
  return version.NumFiles(0) >= options.l0_compaction_trigger;
}

std::optional<CompactionPlan> PickCompaction(const Version& version, const PickerOptions& options,
                                             const CompactionRequest* manual) {
  if (manual == nullptr && !NeedsCompaction(version, options)) return std::nullopt;
  CompactionPlan plan;
  plan.upper_level = 0;
  plan.output_level = 1;
  plan.bottommost = true;  // only L0 and L1 are used so far
  // The key range to merge: a manual request's, or the union of L0's ranges.
  std::string begin, end;
  bool unbounded_left = false, unbounded_right = false;
  if (manual != nullptr) {
    begin = manual->begin;
    end = manual->end;
    unbounded_left = begin.empty();
    unbounded_right = end.empty();
  } else {
    begin = version.levels[0].front()->meta.smallest_user_key();
    end = version.levels[0].front()->meta.largest_user_key();
  }
  auto overlaps = [&](const FileMetaData& m) {
    return (unbounded_left || !m.EndsBefore(begin)) &&
           (unbounded_right || m.smallest_user_key() <= end);
  };
  // L0 files may overlap each other and are ordered by age: taking a newer one into L1 while an
  // older overlapping one stays above would let the older shadow the newer. So the L0 inputs
  // are closed under overlap: grow the range until no more L0 files join.
  const auto& l0 = version.levels[0];
  std::vector<bool> taken(l0.size(), false);
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < l0.size(); ++i) {
      const FileMetaData& m = l0[i]->meta;
      if (taken[i] || !overlaps(m)) continue;
      taken[i] = grew = true;
      plan.upper_inputs.push_back(l0[i]);
      if (!unbounded_left && m.smallest_user_key() < begin) begin = m.smallest_user_key();
      if (m.unbounded_right) {
        unbounded_right = true;
      } else if (!unbounded_right && m.largest_user_key() > end) {
        end = m.largest_user_key();
      }
    }
  }
  for (const auto& f : version.levels[1]) {
    // A manual request merges its range of L1 too (to drop what no snapshot sees); automatic
    // work only takes the L1 files the L0 inputs overlap.
    if (overlaps(f->meta) && (manual != nullptr || !plan.upper_inputs.empty())) {
      plan.lower_inputs.push_back(f);
    }
  }
  if (plan.upper_inputs.empty() && plan.lower_inputs.empty()) return std::nullopt;
  return plan;
}

}  // namespace nokv
