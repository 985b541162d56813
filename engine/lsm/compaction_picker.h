// What to compact (RocksDB's LevelCompactionPicker, Pebble's compactionPicker); the job that
// writes the outputs is compaction.cc, the drop rules compaction_iterator.h.
//
// Leveled compaction with dynamic level targets (RocksDB's level_compaction_dynamic_level_bytes;
// docs/notes/2026-11-29-leveled-compaction.md):
//   - the bottom level is L6; its target is its own size (at least `base_level_bytes`), and each
//     level above has a tenth (`level_multiplier`) of the one below;
//   - the base level (where L0 compacts to) is the highest level whose target still fits in
//     `base_level_bytes`, and never below the first non-empty level, so a small database
//     compacts L0 straight into L6 and grows upward one level at a time;
//   - score: L0 = files / l0_compaction_trigger; base level and below = bytes / target. The
//     highest score >= 1 is compacted; ties go to the higher level;
//   - L0 -> base: every L0 file overlapping the chosen ones (closed under overlap, so an older
//     overlapping file never stays above newer data), plus the base-level files they overlap;
//   - Ln -> Ln+1: the file whose overlap with Ln+1 is smallest relative to its size (the
//     cheapest write amplification), plus the Ln+1 files it overlaps;
//   - a trivial move (no rewrite) when nothing in the output level overlaps the inputs and the
//     inputs do not overlap each other;
//   - files another compaction is working on are never picked.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "engine/lsm/compaction.h"
#include "engine/lsm/version.h"

namespace nokv {

struct PickerOptions {
  int l0_compaction_trigger = 4;
  uint64_t base_level_bytes = 256 << 20;
  int level_multiplier = 10;
  uint64_t target_file_bytes = 64 << 20;
  // Key-range shards of the ingest buffer (L0): flushes cut files at the shard bounds, and L0
  // compacts one shard at a time (docs/notes/2026-11-29-ingest-buffer.md). 1 = unsharded.
  int ingest_shards = 8;
};

// The shape the tree should have now.
struct LevelLayout {
  int base_level = kNumLevels - 1;
  uint64_t target_bytes[kNumLevels] = {};  // 0 above the base level
  double score[kNumLevels] = {};           // >= 1: needs compaction
  // The ingest buffer: shard bounds (sorted user keys; shard i is [bounds[i-1], bounds[i])),
  // and its depth: the most L0 files any shard overlaps, i.e. the files a point read there may
  // probe. L0's score is depth / l0_compaction_trigger, and writes slow down by depth.
  std::vector<std::string> shard_bounds;
  int l0_depth = 0;
};

LevelLayout ComputeLevelLayout(const Version& version, const PickerOptions& options);

// A CompactRange step: compact `level`'s files overlapping [begin, end] (inclusive; empty =
// unbounded) into the next level (L0 into the base level). At the bottom level the files are
// rewritten in place, which applies the bottom-level drop rules.
struct CompactionRequest {
  int level = 0;
  std::string begin, end;
};

// Whether an automatic compaction is due (some score >= 1).
bool NeedsCompaction(const Version& version, const PickerOptions& options);

// The compaction to run: `manual`'s step, or the most needed automatic one; nullopt when there
// is nothing to do (or everything needed is busy). `busy` holds the numbers of files other
// compactions are working on.
std::optional<CompactionPlan> PickCompaction(const Version& version, const PickerOptions& options,
                                             const CompactionRequest* manual,
                                             const std::set<uint64_t>& busy);

}  // namespace nokv
