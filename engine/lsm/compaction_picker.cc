#include "engine/lsm/compaction_picker.h"

#include <algorithm>

namespace nokv {
namespace {

constexpr int kBottom = kNumLevels - 1;

bool Busy(const std::set<uint64_t>& busy, const std::vector<LiveFilePtr>& files) {
  for (const auto& f : files) {
    if (busy.count(f->meta.number)) return true;
  }
  return false;
}

// A key range over user keys; `unbounded_*` replace begin/end.
struct Range {
  std::string begin, end;
  bool unbounded_left = false, unbounded_right = false;
  bool end_exclusive = false;  // [begin, end) instead of [begin, end]

  bool Overlaps(const FileMetaData& m) const {
    if (!unbounded_left && m.EndsBefore(begin)) return false;
    if (unbounded_right) return true;
    return end_exclusive ? m.smallest_user_key() < end : m.smallest_user_key() <= end;
  }
  void Widen(const FileMetaData& m) {
    if (!unbounded_left && m.smallest_user_key() < begin) begin = m.smallest_user_key();
    if (m.unbounded_right) {
      unbounded_right = true;
    } else if (!unbounded_right &&
               (m.largest_user_key() > end || (end_exclusive && m.largest_user_key() == end))) {
      end = m.largest_user_key();
      end_exclusive = false;
    }
  }
  static Range Of(const std::vector<LiveFilePtr>& files) {
    Range r;
    r.begin = files.front()->meta.smallest_user_key();
    r.end = files.front()->meta.largest_user_key();
    for (const auto& f : files) r.Widen(f->meta);
    return r;
  }
};

std::vector<LiveFilePtr> Overlapping(const Version& v, int level, const Range& r) {
  std::vector<LiveFilePtr> out;
  for (const auto& f : v.levels[level]) {
    if (r.Overlaps(f->meta)) out.push_back(f);
  }
  return out;
}

uint64_t Bytes(const std::vector<LiveFilePtr>& files) {
  uint64_t n = 0;
  for (const auto& f : files) n += f->meta.file_size;
  return n;
}

// Whether the files' key ranges are pairwise disjoint.
bool Disjoint(std::vector<LiveFilePtr> files) {
  std::sort(files.begin(), files.end(), [](const LiveFilePtr& a, const LiveFilePtr& b) {
    return a->meta.smallest_user_key() < b->meta.smallest_user_key();
  });
  for (size_t i = 1; i < files.size(); ++i) {
    if (!files[i - 1]->meta.EndsBefore(files[i]->meta.smallest_user_key())) return false;
  }
  return true;
}

// Fills the parts every plan needs once its inputs are known.
void Finish(const Version& v, const PickerOptions& options, CompactionPlan* plan) {
  std::vector<LiveFilePtr> all = plan->upper_inputs;
  all.insert(all.end(), plan->lower_inputs.begin(), plan->lower_inputs.end());
  const Range r = Range::Of(all);
  plan->bottommost = true;
  for (int level = plan->output_level + 1; level < kNumLevels; ++level) {
    if (!Overlapping(v, level, r).empty()) plan->bottommost = false;
  }
  if (plan->output_level < kBottom) plan->grandparents = Overlapping(v, plan->output_level + 1, r);
  // Moving files down unchanged is right when nothing at the output overlaps them and they do
  // not overlap each other (several L0 files of a sequential load, say). Not for a bottom-level
  // rewrite, whose point is to rewrite.
  plan->trivial_move = plan->output_level != plan->upper_level && plan->lower_inputs.empty() &&
                       Disjoint(plan->upper_inputs) &&
                       Bytes(plan->grandparents) <= 10 * options.target_file_bytes;
}

// L0 files overlapping `r`, closed under overlap (the range grows as files join).
std::vector<LiveFilePtr> L0Closure(const Version& v, Range r) {
  const auto& l0 = v.levels[0];
  std::vector<bool> taken(l0.size(), false);
  std::vector<LiveFilePtr> out;
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < l0.size(); ++i) {
      if (taken[i] || !r.Overlaps(l0[i]->meta)) continue;
      taken[i] = grew = true;
      out.push_back(l0[i]);
      r.Widen(l0[i]->meta);
    }
  }
  return out;
}

// Shard i of the ingest buffer: [bounds[i-1], bounds[i]).
Range ShardRange(const std::vector<std::string>& bounds, size_t i) {
  Range r;
  r.unbounded_left = i == 0;
  if (i > 0) r.begin = bounds[i - 1];
  r.unbounded_right = i == bounds.size();
  if (i < bounds.size()) r.end = bounds[i];
  r.end_exclusive = true;
  return r;
}

std::optional<CompactionPlan> PickL0(const Version& v, const PickerOptions& options,
                                     const LevelLayout& layout, const Range* range,
                                     const std::set<uint64_t>& busy);

// Automatic L0 work: the deepest due shard whose inputs are free; shards drain independently,
// so several can compact at once.
std::optional<CompactionPlan> PickL0Shard(const Version& v, const PickerOptions& options,
                                          const LevelLayout& layout,
                                          const std::set<uint64_t>& busy) {
  std::vector<std::pair<int, size_t>> by_depth;  // (files, shard)
  for (size_t i = 0; i < layout.shards.size(); ++i) {
    if (layout.shards[i].due) by_depth.emplace_back(layout.shards[i].depth, i);
  }
  std::sort(by_depth.rbegin(), by_depth.rend());
  for (const auto& [n, i] : by_depth) {
    const Range r = ShardRange(layout.shard_bounds, i);
    auto plan = PickL0(v, options, layout, &r, busy);
    if (plan) {
      plan->reason = "L0 shard depth";
      return plan;
    }
  }
  return std::nullopt;
}

std::optional<CompactionPlan> PickL0(const Version& v, const PickerOptions& options,
                                     const LevelLayout& layout, const Range* range,
                                     const std::set<uint64_t>& busy) {
  if (v.levels[0].empty()) return std::nullopt;
  Range r;
  if (range != nullptr) {
    r = *range;
  } else {
    r = Range::Of(v.levels[0]);
  }
  CompactionPlan plan;
  plan.upper_level = 0;
  plan.output_level = layout.base_level;
  plan.upper_inputs = L0Closure(v, r);
  if (plan.upper_inputs.empty()) return std::nullopt;
  plan.lower_inputs = Overlapping(v, plan.output_level, Range::Of(plan.upper_inputs));
  if (Busy(busy, plan.upper_inputs) || Busy(busy, plan.lower_inputs)) return std::nullopt;
  plan.reason = range != nullptr ? "manual" : "L0 files";
  plan.score = layout.score[0];
  plan.cut_points = layout.shard_bounds;
  Finish(v, options, &plan);
  return plan;
}

// LevelDB's "expanded0": takes every other free file of the upper level that lies inside the
// range the lower inputs already cover, as long as the lower inputs stay the same and the job
// stays under 25 target files. Upper files are often smaller than lower ones (L0 merges cut
// them at shard bounds), and merging one small file into a large lower file rewrites the
// lower file for a fraction of its range: the neighbours sharing it come along for free.
void ExpandUpperInputs(const Version& v, const PickerOptions& options,
                       const std::set<uint64_t>& busy, CompactionPlan* plan) {
  if (plan->lower_inputs.empty()) return;
  std::vector<LiveFilePtr> all = plan->upper_inputs;
  all.insert(all.end(), plan->lower_inputs.begin(), plan->lower_inputs.end());
  const Range covered = Range::Of(all);
  std::vector<LiveFilePtr> expanded = Overlapping(v, plan->upper_level, covered);
  if (expanded.size() <= plan->upper_inputs.size() || Busy(busy, expanded)) return;
  if (Bytes(expanded) + Bytes(plan->lower_inputs) > 25 * options.target_file_bytes) return;
  if (Overlapping(v, plan->output_level, Range::Of(expanded)).size() != plan->lower_inputs.size()) {
    return;
  }
  plan->upper_inputs = std::move(expanded);
}

// Ln -> Ln+1 for one seed file: the one with the least overlap in Ln+1 per byte.
std::optional<CompactionPlan> PickLevel(const Version& v, const PickerOptions& options,
                                        const LevelLayout& layout, int level,
                                        const std::set<uint64_t>& busy) {
  std::optional<CompactionPlan> best;
  double best_ratio = 0;
  for (const auto& f : v.levels[level]) {
    if (busy.count(f->meta.number)) continue;
    CompactionPlan plan;
    plan.upper_level = level;
    plan.output_level = level + 1;
    plan.upper_inputs = {f};
    plan.lower_inputs = Overlapping(v, level + 1, Range::Of(plan.upper_inputs));
    if (Busy(busy, plan.lower_inputs)) continue;
    const double ratio = static_cast<double>(Bytes(plan.lower_inputs)) /
                         static_cast<double>(std::max<uint64_t>(1, f->meta.file_size));
    if (!best || ratio < best_ratio) {
      best_ratio = ratio;
      best = std::move(plan);
    }
  }
  if (best) {
    ExpandUpperInputs(v, options, busy, &*best);
    best->reason = "level size";
    best->score = layout.score[level];
    Finish(v, options, &*best);
  }
  return best;
}

std::optional<CompactionPlan> PickManual(const Version& v, const PickerOptions& options,
                                         const LevelLayout& layout, const CompactionRequest& m,
                                         const std::set<uint64_t>& busy) {
  Range r;
  r.begin = m.begin;
  r.end = m.end;
  r.unbounded_left = m.begin.empty();
  r.unbounded_right = m.end.empty();
  if (m.level == 0) return PickL0(v, options, layout, &r, busy);
  CompactionPlan plan;
  plan.upper_level = m.level;
  plan.upper_inputs = Overlapping(v, m.level, r);
  if (plan.upper_inputs.empty()) return std::nullopt;
  if (m.level == kBottom) {
    plan.output_level = kBottom;  // rewrite in place: drops what no snapshot sees
  } else {
    plan.output_level = m.level + 1;
    plan.lower_inputs = Overlapping(v, plan.output_level, Range::Of(plan.upper_inputs));
  }
  if (Busy(busy, plan.upper_inputs) || Busy(busy, plan.lower_inputs)) return std::nullopt;
  plan.reason = "manual";
  Finish(v, options, &plan);
  return plan;
}

}  // namespace

bool ShardDue(const LevelLayout::Shard& shard, const PickerOptions& options) {
  const int trigger = std::max(1, options.l0_compaction_trigger);
  if (shard.depth < trigger) return false;
  return shard.depth >= std::max(trigger, options.l0_batch_depth) ||
         shard.l0_bytes >= shard.base_bytes;
}

namespace {

// Static targets: L1 = base_bytes, x multiplier per level down; L0 always goes to L1.
void StaticTargets(uint64_t base_bytes, uint64_t multiplier, LevelLayout* layout) {
  layout->base_level = 1;
  uint64_t target = base_bytes;
  for (int level = 1; level < kNumLevels; ++level) {
    layout->target_bytes[level] = target;
    target = target > UINT64_MAX / multiplier ? UINT64_MAX : target * multiplier;
  }
}

// Dynamic targets, sized from the bottom level up.
void DynamicTargets(const Version& version, uint64_t base_bytes, uint64_t multiplier,
                    LevelLayout* layout) {
  uint64_t target[kNumLevels] = {};
  target[kBottom] = std::max(version.LevelBytes(kBottom), base_bytes);
  for (int level = kBottom - 1; level >= 1; --level) target[level] = target[level + 1] / multiplier;
  int base = kBottom;
  while (base > 1 && target[base] > base_bytes) --base;
  // Never below the first non-empty level: L0 data is newer than anything in the levels, and
  // must not land under data of a level above its destination.
  for (int level = 1; level < base; ++level) {
    if (version.NumFiles(level) > 0) {
      base = level;
      break;
    }
  }
  layout->base_level = base;
  for (int level = base; level < kNumLevels; ++level) {
    layout->target_bytes[level] = std::max<uint64_t>(1, target[level]);
  }
}

// The base level (or, while it is empty, the first non-empty level below it) split into
// ingest_shards runs of about equal bytes, at file boundaries, so each shard's L0 files drain
// into their own base-level files.
std::vector<std::string> ProposeShardBounds(const Version& version, int base,
                                            const PickerOptions& options) {
  std::vector<std::string> bounds;
  const std::vector<LiveFilePtr>* guide = &version.levels[base];
  for (int level = base; guide->empty() && level < kNumLevels; ++level) {
    guide = &version.levels[level];
  }
  const int shards = std::max(1, options.ingest_shards);
  if (shards <= 1 || guide->size() < 2) return bounds;
  const uint64_t total = std::max<uint64_t>(1, Bytes(*guide));
  uint64_t acc = 0;
  int next = 1;
  for (size_t i = 0; i + 1 < guide->size() && next < shards; ++i) {
    acc += (*guide)[i]->meta.file_size;
    if (acc * shards >= total * next) {
      const std::string bound((*guide)[i + 1]->meta.smallest_user_key());
      if (bounds.empty() || bound > bounds.back()) bounds.push_back(bound);
      while (acc * shards >= total * next) ++next;
    }
  }
  return bounds;
}

}  // namespace

std::vector<std::string> NextShardBounds(const Version& version, const PickerOptions& options,
                                         const std::vector<std::string>& current) {
  PickerOptions derived = options;
  derived.shard_bounds.reset();
  const LevelLayout fresh = ComputeLevelLayout(version, derived);
  const std::vector<std::string>& proposed = fresh.shard_bounds;
  if (proposed == current || version.levels[0].empty()) return proposed;
  // Room for at least twice the shards: the tree grew since the bounds were set.
  if (2 * (current.size() + 1) <= proposed.size() + 1) return proposed;
  // One shard holds more than half of the base level (and there are at least 4 shards): the
  // data moved away from the bounds, and that shard's merges rewrite too much at once.
  const uint64_t total = version.LevelBytes(fresh.base_level);
  if (current.size() + 1 >= 4 && total > 0) {
    for (size_t i = 0; i <= current.size(); ++i) {
      if (Bytes(Overlapping(version, fresh.base_level, ShardRange(current, i))) * 2 > total) {
        return proposed;
      }
    }
  }
  return current;
}

LevelLayout ComputeLevelLayout(const Version& version, const PickerOptions& options) {
  LevelLayout layout;
  const uint64_t base_bytes = std::max<uint64_t>(1, options.base_level_bytes);
  const uint64_t multiplier = std::max(2, options.level_multiplier);
  if (options.dynamic_levels) {
    DynamicTargets(version, base_bytes, multiplier, &layout);
  } else {
    StaticTargets(base_bytes, multiplier, &layout);
  }
  const int base = layout.base_level;
  layout.shard_bounds = options.shard_bounds.has_value()
                            ? *options.shard_bounds
                            : ProposeShardBounds(version, base, options);
  double due_score = 0, waiting_score = 0;
  for (size_t i = 0; i <= layout.shard_bounds.size(); ++i) {
    const Range r = ShardRange(layout.shard_bounds, i);
    LevelLayout::Shard shard;
    for (const auto& f : version.levels[0]) {
      if (!r.Overlaps(f->meta)) continue;
      ++shard.depth;
      shard.l0_bytes += f->meta.file_size;
    }
    shard.base_bytes = Bytes(Overlapping(version, base, r));
    shard.due = ShardDue(shard, options);
    layout.l0_depth = std::max(layout.l0_depth, shard.depth);
    if (shard.due) {
      due_score = std::max(
          due_score, static_cast<double>(shard.depth) / std::max(1, options.l0_compaction_trigger));
    } else {
      // Below the trigger: how close it is; waiting for bytes: how close the batch depth is.
      const int trigger = std::max(1, options.l0_compaction_trigger);
      const int scale = shard.depth < trigger
                            ? trigger
                            : std::max({trigger, options.l0_batch_depth, shard.depth + 1});
      waiting_score = std::max(waiting_score, static_cast<double>(shard.depth) / scale);
    }
    layout.shards.push_back(shard);
  }
  layout.score[0] = due_score > 0 ? due_score : waiting_score;
  for (int level = base; level < kBottom; ++level) {
    layout.score[level] = static_cast<double>(version.LevelBytes(level)) /
                          static_cast<double>(layout.target_bytes[level]);
  }
  return layout;
}

bool NeedsCompaction(const Version& version, const PickerOptions& options) {
  const LevelLayout layout = ComputeLevelLayout(version, options);
  for (int level = 0; level < kBottom; ++level) {
    if (layout.score[level] >= 1) return true;
  }
  return false;
}

std::optional<CompactionPlan> PickCompaction(const Version& version, const PickerOptions& options,
                                             const CompactionRequest* manual,
                                             const std::set<uint64_t>& busy) {
  const LevelLayout layout = ComputeLevelLayout(version, options);
  if (manual != nullptr) return PickManual(version, options, layout, *manual, busy);
  // A level over its target that can send a file down unrewritten does so first, whatever the
  // scores: a move costs one MANIFEST record, and left waiting behind a busy ingest buffer (whose
  // shards are always due during a heavy load) the level grows, and every merge into it then
  // rewrites more.
  for (int level = kBottom - 1; level >= layout.base_level && level >= 1; --level) {
    if (layout.score[level] < 1) continue;
    std::optional<CompactionPlan> plan = PickLevel(version, options, layout, level, busy);
    if (plan && plan->trivial_move) return plan;
  }
  // Levels by score, highest first (ties: the higher level, whose data is newer).
  std::vector<int> order;
  for (int level = 0; level < kBottom; ++level) {
    if (layout.score[level] >= 1) order.push_back(level);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return layout.score[a] > layout.score[b]; });
  for (int level : order) {
    std::optional<CompactionPlan> plan = level == 0
                                             ? PickL0Shard(version, options, layout, busy)
                                             : PickLevel(version, options, layout, level, busy);
    if (plan) return plan;
  }
  return std::nullopt;
}

}  // namespace nokv
