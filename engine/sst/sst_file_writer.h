// SstFileWriter: builds a table for DB ingestion (a Raft snapshot being installed, a bulk load):
// user keys in strictly increasing order with their values (and expiry), plus range tombstones,
// all at sequence 0. The ingest gives the whole file one sequence (FileMetaData::global_seq):
// its tombstones apply before its puts, so a tombstone over the file's own range clears that
// range and the puts fill it, atomically. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/format/range_tombstone.h"
#include "engine/sst/table.h"
#include "engine/vfs/vfs.h"

namespace nokv {

struct ExternalFileInfo {
  std::string path;
  std::string smallest_key, largest_key;  // of the puts; empty when there are none
  uint64_t entries = 0;
  uint64_t range_tombstones = 0;
  uint64_t file_bytes = 0;
};

class SstFileWriter {
 public:
  static absl::StatusOr<std::unique_ptr<SstFileWriter>> Create(VFS& vfs, std::string path,
                                                               const TableOptions& options);
  ~SstFileWriter();

  // Keys strictly increasing and non-empty, values non-empty (InvalidArgument otherwise).
  // `expires_at_ms`: absolute Unix ms, 0 = never.
  absl::Status Put(std::string_view key, std::string_view value, uint64_t expires_at_ms = 0);
  // Deletes [begin, end) (empty end = unbounded) before this file's puts apply.
  absl::Status DeleteRange(std::string_view begin, std::string_view end);
  // Bytes written so far (for cutting files by size).
  uint64_t FileSize() const;
  // Writes the rest, fsyncs and closes the file. A file with neither puts nor tombstones is
  // removed and `info->path` left empty.
  absl::Status Finish(ExternalFileInfo* info);

 private:
  SstFileWriter(VFS& vfs, std::string path) : vfs_(vfs), path_(std::move(path)) {}
  VFS& vfs_;
  std::string path_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<TableBuilder> builder_;
  std::string last_key_;
  ExternalFileInfo info_;
  bool finished_ = false;
};

}  // namespace nokv
