// The engine surface raftstore drives (ARCHITECTURE.md §10), designed once here. Internal: not
// part of include/nokv; an embedded user sees none of it.
//
// What replication needs, and where it is:
//   - Raft apply state written atomically with the data it applies: a WriteBatch is one WAL
//     record, applied whole or not at all (put the applied index in the same batch);
//   - snapshot install: IngestExternalFiles (files from SstFileWriter, engine/sst);
//   - snapshot send: ExportRange from a pinned snapshot;
//   - split decisions: ApproximateRangeStats.
// Key prefixes (region data, Raft log and state, region meta) are raftstore's (raftstore/keys.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/sst/sst_file_writer.h"
#include "nokv/db.h"

namespace nokv {

// Makes the files (written by SstFileWriter, sequence 0) part of `db`, atomically: one MANIFEST
// edit adds them to L0 with the next sequence number (their range tombstones one below it), so
// they are above everything they overlap, and a snapshot taken before sees none of them.
// Memtable data overlapping them is flushed first (reads consult memtables first). The files
// are moved into the workdir (renamed: same file system as the workdir); on failure they stay
// where they were. Writes wait while the ingest installs (a MANIFEST append, no data copy).
// Errors: InvalidArgument for files that overlap each other's keys or were not written by
// SstFileWriter; I/O errors from the move or the MANIFEST.
absl::Status IngestExternalFiles(DB* db, const std::vector<std::string>& paths);

struct ExportOptions {
  // Read as of this snapshot (nullptr: the latest state).
  const Snapshot* snapshot = nullptr;
  // The key range [begin, end); empty = unbounded on that side.
  std::string begin, end;
  // Directory for the files (created if missing): export-NNNNNN.sst.
  std::string dir;
  // Cut a file once it reaches this size.
  uint64_t target_file_bytes = 64 << 20;
  // The first file also carries a tombstone over [begin, end), so ingesting the files replaces
  // whatever the receiver held in the range (a Raft snapshot install).
  bool clear_range = true;
};

// Writes the visible entries of a key range (values with their expiry; deleted and expired
// keys left out) as SST files ready for IngestExternalFiles. Each file is fsynced.
absl::StatusOr<std::vector<ExternalFileInfo>> ExportRange(DB* db, const ExportOptions& options);

struct RangeStats {
  uint64_t bytes = 0;  // approximate on-disk bytes, plus memtable bytes
  uint64_t keys = 0;   // approximate entries (versions and deletions included)
};

// Approximate size and entry count of [begin, end) (empty = unbounded), from file metadata and
// the index blocks of the files that straddle a bound; no data block is read.
absl::StatusOr<RangeStats> ApproximateRangeStats(DB* db, std::string_view begin,
                                                 std::string_view end);

}  // namespace nokv
