// Reads framed records back. A reader distinguishes three endings:
//   - clean end of file;
//   - a torn tail: the last record is incomplete or fails its checksum and nothing valid
//     follows it (what a crash during an append leaves behind);
//   - corruption: a bad record followed by valid ones, a bad header, or bad framing.
// Callers decide what a torn tail means (allowed only in the newest WAL segment).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/vfs/vfs.h"
#include "engine/wal/log_format.h"

namespace nokv::log {

class Reader {
 public:
  // Opens the file, loads it and validates the header (DataLoss naming the file otherwise).
  // A file shorter than a header, or whose header is damaged with no valid record after it, is
  // reported as a torn tail at offset 0 (a crash inside creation, before the header was
  // synced), not as corruption.
  static absl::StatusOr<std::unique_ptr<Reader>> Open(VFS& vfs, const std::string& path,
                                                      FileKind expected_kind);

  // Next record's payload (valid until the next call). Returns false at the end; then check
  // status() and torn_tail().
  bool ReadRecord(std::string_view* payload);

  absl::Status status() const { return status_; }
  // True if reading stopped at a torn tail; valid_end() is where the good prefix ends.
  bool torn_tail() const { return torn_tail_; }
  uint64_t valid_end() const { return valid_end_; }
  uint64_t file_number() const { return file_number_; }
  uint64_t file_size() const { return data_.size(); }
  // Offset of the record last returned by ReadRecord.
  uint64_t last_record_offset() const { return last_record_offset_; }

 private:
  Reader(std::string path, std::string data) : path_(std::move(path)), data_(std::move(data)) {}
  // Whether a well-formed record with a valid checksum starts at `offset`.
  bool ValidRecordAt(size_t offset, size_t* next) const;

  std::string path_;
  std::string data_;
  size_t pos_ = 0;
  uint64_t file_number_ = 0;
  uint64_t valid_end_ = 0;
  uint64_t last_record_offset_ = 0;
  bool torn_tail_ = false;
  absl::Status status_;
};

}  // namespace nokv::log
