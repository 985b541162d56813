// What to compact (RocksDB's CompactionPicker, Pebble's compactionPicker); the job that writes
// the outputs is compaction.cc, the drop rules compaction_iterator.h.
//
// Policy today (docs/notes/2026-11-24-engine-v1.md): L0 -> L1, L1 the bottom level. An automatic
// compaction starts when L0 holds `l0_compaction_trigger` files and takes every L0 file plus the
// L1 files their range overlaps. A manual request (CompactRange) takes the L0 files overlapping
// its range, closed under overlap (a newer L0 file may not move below an older overlapping one
// that stays), and every L1 file overlapping the grown range.
#pragma once

#include <optional>
#include <string>

#include "engine/lsm/compaction.h"
#include "engine/lsm/version.h"

namespace nokv {

struct PickerOptions {
  int l0_compaction_trigger = 4;
};

// A CompactRange call: [begin, end], inclusive; empty = unbounded on that side.
struct CompactionRequest {
  std::string begin, end;
};

// Whether an automatic compaction is due.
bool NeedsCompaction(const Version& version, const PickerOptions& options);

// The compaction to run: `manual`'s, or an automatic one; nullopt when there is nothing to do.
std::optional<CompactionPlan> PickCompaction(const Version& version, const PickerOptions& options,
                                             const CompactionRequest* manual);

}  // namespace nokv
