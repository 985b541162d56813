// The segmented write-ahead log: numbered segment files in one directory, each a log file of
// framed records (log_format.h). The DB appends one record per write group; recovery replays
// the segments oldest first; segments are removed once what they protect is durable elsewhere.
// The value log and meta/ reuse the same lifecycle.
//
// Durability order (docs/notes/2026-11-29-durability-contract.md):
//   - a new segment's header and its directory entry are fsynced before any record goes in;
//   - a segment is fsynced before the next one is created (Rotate), so whenever segment N+1
//     exists on disk, segment N is complete: only the newest segment may end in a torn record;
//   - a torn tail is truncated at recovery and the truncation fsynced before anything is
//     written after it;
//   - any failed append or fsync is sticky (log::Writer::status()): the segment is never
//     written or synced again, and its owner must treat the log as failed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/vfs/vfs.h"
#include "engine/wal/log_writer.h"

namespace nokv::wal {

// Numbers of the segments ("NNNNNN.log") in `dir`, ascending. Other names are ignored.
absl::StatusOr<std::vector<uint64_t>> ListSegments(VFS& vfs, const std::string& dir);

// What replay found in one segment.
struct SegmentReport {
  uint64_t number = 0;
  std::string path;
  uint64_t file_bytes = 0;
  uint64_t records = 0;
  uint64_t payload_bytes = 0;
  bool torn_tail = false;    // ended in an incomplete or corrupt record with nothing valid after
  uint64_t valid_end = 0;    // end of the last good record
  bool repaired = false;     // the torn tail was truncated (and the truncation fsynced)
  absl::Status status;       // corruption (naming file and offset), or OK
};

struct ReplayOptions {
  // Segments numbered below this hold nothing the caller needs and are skipped.
  uint64_t min_number = 0;
  // Truncate a torn tail of the newest segment at its last good record and fsync the
  // truncation. Off for read-only inspection (`nokv wal`, `nokv check`).
  bool repair_torn_tail = false;
  // Keep reading the remaining segments after a corrupt one (inspection); recovery stops.
  bool continue_after_corruption = false;
};

// Called for each record, oldest first: the payload (valid during the call), the segment
// number and the record's offset in it. A non-OK return stops the replay with that status.
using RecordFn =
    std::function<absl::Status(std::string_view payload, uint64_t segment, uint64_t offset)>;

// Replays the segments of `dir` numbered >= options.min_number. A torn tail is accepted only in
// the newest segment; anywhere else, and any corruption, is DataLoss naming the segment and the
// offset. `reports` (may be null) receives one entry per segment visited.
absl::Status Replay(VFS& vfs, const std::string& dir, const ReplayOptions& options,
                    const RecordFn& on_record, std::vector<SegmentReport>* reports);

// The live end of the log. Not thread-safe (one writer: the DB's write leader, or the memtable
// switch, which runs in the leader's turn).
class SegmentWriter {
 public:
  // Creates segment `number` in `dir` (header and directory entry fsynced).
  static absl::StatusOr<std::unique_ptr<SegmentWriter>> Create(VFS& vfs, std::string dir,
                                                               uint64_t number);

  // Appends one record to the current segment (handed to the OS: survives a process crash).
  absl::Status AddRecord(std::string_view payload) { return writer_->AddRecord(payload); }
  // Makes every record appended so far durable.
  absl::Status Sync() { return writer_->Sync(); }
  // Fsyncs the current segment, then creates segment `number` and switches to it. On error the
  // current segment stays in place (and, if the fsync failed, is failed for good).
  absl::Status Rotate(uint64_t number);
  // Closes the current segment without syncing it.
  absl::Status Close() { return writer_->Close(); }

  uint64_t number() const { return number_; }
  uint64_t segment_bytes() const { return writer_->size(); }
  // First failure of the current segment (sticky), see log::Writer::status().
  const absl::Status& status() const { return writer_->status(); }

 private:
  SegmentWriter(VFS& vfs, std::string dir) : vfs_(vfs), dir_(std::move(dir)) {}
  VFS& vfs_;
  std::string dir_;
  uint64_t number_ = 0;
  std::unique_ptr<log::Writer> writer_;
};

// Removes the segments of `dir` numbered below `below`. Best effort: a segment left behind is
// skipped by the next replay (min_number) and removed then. Returns how many were removed.
uint64_t RemoveSegmentsBelow(VFS& vfs, const std::string& dir, uint64_t below);

}  // namespace nokv::wal
