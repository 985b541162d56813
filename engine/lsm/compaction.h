// Building SST files: flush (memtable -> one L0 file) and compaction (merge input files into
// new files of the output level, dropping what no reader can see).
//
// What compaction drops (docs/notes/2026-11-24-version-gc.md):
//   - versions shadowed by a newer version of the same key with no live snapshot between them;
//   - point entries covered by a newer range tombstone with no snapshot between them;
//   - at the bottommost level, deletions (and expired values) older than every snapshot, and
//     range tombstones older than every snapshot;
//   - expired values elsewhere become deletions (smaller, same meaning).
// Any error while building output aborts the whole job: outputs are deleted, inputs kept.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/format/internal_iterator.h"
#include "engine/lsm/table_cache.h"
#include "engine/lsm/version.h"
#include "engine/manifest/version_edit.h"
#include "engine/vfs/vfs.h"

namespace nokv {

struct BuildContext {
  VFS* vfs = nullptr;
  std::string dbdir;
  TableOptions table_options;
  uint64_t target_file_bytes = 64 << 20;
  // Live snapshot sequences, ascending. The latest state is always kept in addition.
  std::vector<SequenceNumber> snapshots;
  uint64_t now_millis = 0;
  std::function<uint64_t()> new_file_number;
};

struct BuildStats {
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
  uint64_t input_entries = 0;
  uint64_t output_entries = 0;
  uint64_t dropped_entries = 0;
  uint64_t micros = 0;
};

// Writes every entry of `iter` and `tombstones` into new L0 files (no dropping: a memtable
// flush keeps every version), one per ingest-buffer shard the keys fall in: a new file starts at
// each of `shard_bounds` (sorted user keys; empty = one file), so each file stays inside one
// shard (docs/notes/2026-11-29-ingest-buffer.md). A flush with range tombstones is not split.
// The files and the sst directory are fsynced before returning. With no entries and no
// tombstones, `metas` is empty and no file is left behind.
absl::Status BuildFlushTables(const BuildContext& ctx, InternalIterator* iter,
                              const std::vector<RangeTombstone>& tombstones,
                              const std::vector<std::string>& shard_bounds,
                              std::vector<FileMetaData>* metas, BuildStats* stats);

struct CompactionPlan {
  int upper_level = 0;
  int output_level = 1;                   // == upper_level for a bottom-level rewrite
  std::vector<LiveFilePtr> upper_inputs;  // from upper_level
  std::vector<LiveFilePtr> lower_inputs;  // from output_level (empty when it equals upper_level)
  // Files of output_level + 1 overlapping the inputs: outputs are cut where they would overlap
  // too much of them, so a later compaction of one output stays small.
  std::vector<LiveFilePtr> grandparents;
  // No level below output_level holds data in the inputs' key range: deletions and tombstones
  // older than every snapshot can go, and tombstones are clipped to the points written.
  bool bottommost = true;
  // Move the upper inputs to output_level without rewriting them (nothing there overlaps).
  bool trivial_move = false;
  const char* reason = "";
  double score = 0;
};

// Merges the plan's inputs; fills `edit` with deletions of the inputs and additions of the
// outputs (fsynced, with their directory). The caller applies the edit. Outputs never split a
// user key; they are cut at ctx.target_file_bytes or where they would overlap more than ten
// target files of grandparents. Above the bottom, every range tombstone is kept, split among
// the outputs so that their key ranges tile the inputs' (each output ends, exclusively, where
// the next begins): the tombstones still delete data in lower levels.
absl::Status RunCompaction(const BuildContext& ctx, TableCache* cache, const CompactionPlan& plan,
                           VersionEdit* edit, BuildStats* stats);

// A trivial move: the upper inputs leave upper_level and join output_level unchanged.
void MoveFiles(const CompactionPlan& plan, VersionEdit* edit);

}  // namespace nokv
