// Appends framed records to one log file. Not thread-safe (one writer: the write leader for
// the WAL, the version-set lock holder for the MANIFEST).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/vfs/vfs.h"
#include "engine/wal/log_format.h"

namespace nokv::log {

class Writer {
 public:
  // Creates `path` (truncating), writes the header, syncs the file and its directory so the
  // new file survives a power cut before any record relies on it.
  static absl::StatusOr<std::unique_ptr<Writer>> Create(VFS& vfs, const std::string& path,
                                                        FileKind kind, uint64_t file_number);

  // Appends one record and hands it to the OS (Flush): it survives a process crash.
  absl::Status AddRecord(std::string_view payload);
  // Makes every record appended so far durable.
  absl::Status Sync();
  absl::Status Close();
  uint64_t size() const { return file_->Size(); }
  const std::string& path() const { return path_; }

  // The first failed append, flush or sync, if any. Errors are sticky: after one, every call
  // returns it. A failed append may have left a partial record (appending after it would turn a
  // torn tail into mid-log corruption), and after a failed fsync the kernel may have dropped the
  // dirty pages while marking them clean, so a later fsync could succeed without making them
  // durable ("fsyncgate", PostgreSQL 2018). Such a file is never written or trusted again.
  const absl::Status& status() const { return status_; }

 private:
  Writer(std::string path, std::unique_ptr<WritableFile> file)
      : path_(std::move(path)), file_(std::move(file)) {}
  absl::Status Fail(absl::Status s);

  std::string path_;
  std::unique_ptr<WritableFile> file_;
  std::string scratch_;
  absl::Status status_;
};

}  // namespace nokv::log
