// The files of a meta directory (docs/meta.md "On-disk format"): event segments and
// checkpoints, both in the engine's log framing. Used by LocalMetaStore; the replicated backend
// keeps its Raft log and snapshots in the same framing (meta/raft_log_file.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/vfs/vfs.h"
#include "engine/wal/log_format.h"
#include "meta/state.h"

namespace nokv::meta {

// File kinds in the log header. The engine's enum names WAL (1) and MANIFEST (2); meta's kinds
// live well above them so the two never collide.
inline constexpr log::FileKind kSegmentKind = static_cast<log::FileKind>(0x4d01);
inline constexpr log::FileKind kCheckpointKind = static_cast<log::FileKind>(0x4d02);
inline constexpr log::FileKind kRaftLogKind = static_cast<log::FileKind>(0x4d03);

std::string SegmentName(uint64_t number);
std::string CheckpointName(uint64_t number);
// The replicated backend's Raft log files (RaftLogRecord records).
std::string RaftLogName(uint64_t number);

struct MetaDirListing {
  std::vector<uint64_t> segments;     // ascending
  std::vector<uint64_t> checkpoints;  // descending
  std::vector<uint64_t> raft_logs;    // ascending
  uint64_t max_number = 0;            // over every kind
};
absl::StatusOr<MetaDirListing> ListMetaDir(VFS& vfs, const std::string& dir);

struct LoadedCheckpoint {
  MetaState state;              // empty if there is no checkpoint
  bool discarded_torn = false;  // a newer, incomplete checkpoint was skipped
};
// The newest complete checkpoint. An incomplete one (a crash while writing it) is skipped;
// a damaged one is DataLoss naming the file.
absl::StatusOr<LoadedCheckpoint> LoadNewestCheckpoint(VFS& vfs, const std::string& dir,
                                                      const MetaDirListing& listing);

// Replays the batches of one segment past state->revision() into *state. Returns whether the
// segment ended in a torn tail, which only the newest segment (`last`) may have.
absl::StatusOr<bool> ReplaySegment(VFS& vfs, const std::string& path, bool last, MetaState* state);

// Writes checkpoint-<number>.meta holding `state`, synced with its directory entry.
absl::Status WriteCheckpoint(VFS& vfs, const std::string& dir, uint64_t number,
                             const MetaState& state);
// Deletes files of every kind numbered below `keep_from`, then syncs the directory.
absl::Status RemoveOlderFiles(VFS& vfs, const std::string& dir, uint64_t keep_from);

}  // namespace nokv::meta
