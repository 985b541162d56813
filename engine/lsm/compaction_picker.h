// What to compact (RocksDB's LevelCompactionPicker, Pebble's compactionPicker); the job that
// writes the outputs is compaction.cc, the drop rules compaction_iterator.h.
//
// Leveled compaction (docs/notes/2026-11-29-leveled-compaction.md, 2026-11-29-lsm-shape.md):
//   - static targets (the default): L0 compacts into L1, whose target is `base_level_bytes`;
//     each level below holds `level_multiplier` times the one above. A growing database fills
//     the levels from the top, and a file that overlaps nothing below moves down unrewritten;
//   - dynamic targets (RocksDB's level_compaction_dynamic_level_bytes): the bottom level is L6;
//     its target is its own size (at least `base_level_bytes`), and each level above has a
//     tenth (`level_multiplier`) of the one below; the base level (where L0 compacts to) is the
//     highest level whose target still fits in `base_level_bytes`, and never below the first
//     non-empty level, so a small database compacts L0 straight into L6;
//   - score: L0 = depth of the deepest due shard / l0_compaction_trigger (ShardDue); levels
//     from the base down = bytes / target. The highest score >= 1 is compacted; ties go to the
//     higher level;
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
#include <vector>

#include "engine/lsm/compaction.h"
#include "engine/lsm/version.h"

namespace nokv {

struct PickerOptions {
  // A shard of the ingest buffer compacts at this depth when its bytes are worth a merge
  // (`l0_batch_depth`), and at `l0_batch_depth` in any case.
  int l0_compaction_trigger = 4;
  int l0_batch_depth = 12;
  // Dynamic level targets (sized from the bottom up) or static ones (L1 = base_level_bytes, each
  // level below `level_multiplier` times the one above; L0 always compacts into L1).
  bool dynamic_levels = true;
  uint64_t base_level_bytes = 256 << 20;
  int level_multiplier = 10;
  uint64_t target_file_bytes = 64 << 20;
  // Key-range shards of the ingest buffer (L0): flushes cut files at the shard bounds, and L0
  // compacts one shard at a time (docs/notes/2026-11-29-ingest-buffer.md). 1 = unsharded.
  int ingest_shards = 8;
  // The bounds in force (NextShardBounds); unset = derive them from the version.
  std::optional<std::vector<std::string>> shard_bounds;
};

// The shape the tree should have now.
struct LevelLayout {
  int base_level = kNumLevels - 1;
  uint64_t target_bytes[kNumLevels] = {};  // 0 above the base level
  double score[kNumLevels] = {};           // >= 1: needs compaction
  // The ingest buffer: shard bounds (sorted user keys; shard i is [bounds[i-1], bounds[i])),
  // and its depth: the most L0 files any shard overlaps, i.e. the files a point read there may
  // probe. Writes slow down by depth.
  std::vector<std::string> shard_bounds;
  int l0_depth = 0;
  // Per shard: its depth, the bytes of its L0 files and of the base-level files under it, and
  // whether it is due (see ShardDue). L0's score is the highest depth / l0_compaction_trigger
  // of a due shard, and below 1 (depth / l0_batch_depth) while none is.
  struct Shard {
    int depth = 0;
    uint64_t l0_bytes = 0;
    uint64_t base_bytes = 0;
    bool due = false;
  };
  std::vector<Shard> shards;
};

// When a shard of the ingest buffer is worth draining: at `l0_compaction_trigger` files if its
// L0 bytes are at least the base-level bytes they would be merged with (so a merge rewrites at
// most one base byte per byte it brings down), and at `l0_batch_depth` files regardless.
// Waiting lets more flushes share one rewrite of the base-level files: a merge of d memtables
// into B bytes writes about (d*M + B)/(d*M) bytes per byte, so depth buys write amplification,
// and the batch depth bounds what it costs reads (docs/notes/2026-11-29-lsm-shape.md).
bool ShardDue(const LevelLayout::Shard& shard, const PickerOptions& options);

LevelLayout ComputeLevelLayout(const Version& version, const PickerOptions& options);

// The shard bounds to use after `version` was installed, given the ones in force. Bounds are
// sticky: a flush cuts its files at the bounds of its time, and a file that straddles a later
// bound joins the merges of both shards (with everything they overlap), so moving bounds while
// L0 holds files costs wide merges. They move to the freshly derived ones only when L0 is
// empty, when the tree grew enough for twice the shards, or when one shard holds more than
// half of the base level.
std::vector<std::string> NextShardBounds(const Version& version, const PickerOptions& options,
                                         const std::vector<std::string>& current);

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
