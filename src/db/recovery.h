// What recovery finds in a workdir before it changes anything, and whether it may proceed.
// DB::Open acts on it; `nokv check`, `nokv manifest`, `nokv stats` and `nokv wal` print it. One
// code path, so the CLI and Open always agree on what a workdir holds and whether it opens.
//
// The rules (docs/notes/2026-11-29-durability-contract.md):
//   - every SST the MANIFEST names must be present;
//   - the WAL segment the MANIFEST's log number names must be present (it is only removed after
//     an edit moves the log number past it), unless the log number is 0 (a new database);
//   - a torn MANIFEST tail is benign only when both rules above hold: then everything the lost
//     edit described is still in the WAL and in the files it was computed from. Otherwise an
//     acknowledged edit was lost with the data it protected, and Open refuses with DataLoss
//     naming the MANIFEST and the offset;
//   - nothing a torn edit may name is deleted: orphan SSTs found next to a torn tail are moved to
//     lost/, and file numbers are reserved above every file present.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/lsm/version_set.h"
#include "engine/vfs/vfs.h"

namespace nokv {

struct WorkdirState {
  ManifestState manifest;
  std::vector<uint64_t> wal_segments;  // every segment present, ascending
  std::vector<uint64_t> sst_files;     // every SST present in sst/, ascending
  std::vector<uint64_t> orphan_ssts;   // present, but named by no live file
  std::vector<uint64_t> missing_ssts;  // live, but not present
  // Highest number of any numbered file present (segments, SSTs, MANIFESTs, lost/).
  uint64_t max_file_number = 0;
  // OK when the workdir can be opened without losing acknowledged data; otherwise DataLoss
  // saying what is missing and where.
  absl::Status verdict;
};

// Reads CURRENT, the MANIFEST (through ReadManifest, `on_edit` sees each edit) and the file
// lists, and judges them by the rules above. Errors: the MANIFEST cannot be read (DataLoss
// naming file and offset), or a directory cannot be listed. Reads only; changes nothing.
absl::StatusOr<WorkdirState> InspectWorkdir(VFS& vfs, const std::string& dbdir,
                                            const ManifestEditFn& on_edit = nullptr);

}  // namespace nokv
