// The one seam between NoKV and the file system. Every byte NoKV reads or writes goes through a
// VFS, so tests can swap in MemVFS (fast, with a power-cut model) or FaultFS (fails any
// operation on demand).
//
// Durability contract (POSIX-pessimistic, what MemVFS models and the engine relies on):
//   - WritableFile::Append() data survives a process crash only after Flush() (or Sync()).
//   - Data survives a power cut only after Sync().
//   - A newly created, renamed or removed directory entry survives a power cut only after
//     SyncDir() on its parent directory.
//   - RenameFile() atomically replaces the destination.
// Thread-safety: a VFS may be used from any thread. A WritableFile/SequentialFile is used by one
// thread at a time; RandomAccessFile::Read may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace nokv {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual absl::Status Append(std::string_view data) = 0;
  // Hands buffered bytes to the OS (survives process crash, not power loss).
  virtual absl::Status Flush() = 0;
  // Makes every appended byte durable (fdatasync).
  virtual absl::Status Sync() = 0;
  virtual absl::Status Close() = 0;
  // Bytes appended so far, including the file's size when it was opened.
  virtual uint64_t Size() const = 0;
};

class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into scratch; the result may point into scratch. Empty at end of file.
  virtual absl::StatusOr<std::string_view> Read(size_t n, char* scratch) = 0;
};

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset; short only at end of file. May point into scratch.
  virtual absl::StatusOr<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const = 0;
  virtual uint64_t Size() const = 0;
};

// Held while a process owns a workdir; released by VFS::UnlockFile.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class VFS {
 public:
  virtual ~VFS() = default;

  // Creates `path`, truncating any existing file.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(
      const std::string& path) = 0;
  // Opens `path` for appending, creating it if missing.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& path) = 0;
  virtual absl::StatusOr<std::unique_ptr<SequentialFile>> NewSequentialFile(
      const std::string& path) = 0;
  virtual absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;

  virtual bool FileExists(const std::string& path) = 0;
  virtual absl::StatusOr<uint64_t> GetFileSize(const std::string& path) = 0;
  // Names (not paths) of the entries in `dir`, unsorted, without "." and "..".
  virtual absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) = 0;
  // Creates `dir` and missing parents; OK if it exists.
  virtual absl::Status CreateDir(const std::string& dir) = 0;
  virtual absl::Status RemoveDir(const std::string& dir) = 0;
  virtual absl::Status RemoveFile(const std::string& path) = 0;
  virtual absl::Status RenameFile(const std::string& from, const std::string& to) = 0;
  virtual absl::Status Truncate(const std::string& path, uint64_t size) = 0;
  virtual absl::Status SyncDir(const std::string& dir) = 0;
  // Exclusive advisory lock; Unavailable if another holder has it.
  virtual absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) = 0;
  virtual absl::Status UnlockFile(std::unique_ptr<FileLock> lock) = 0;

  // The process-wide POSIX file system.
  static VFS* Default();
};

// Helpers built only on the interface above.
std::string JoinPath(std::string_view dir, std::string_view name);
std::string DirName(std::string_view path);
std::string BaseName(std::string_view path);
absl::Status ReadFileToString(VFS& vfs, const std::string& path, std::string* out);
// Writes `data` to `path` (truncating); with sync, fsyncs the file (not the directory).
absl::Status WriteStringToFile(VFS& vfs, std::string_view data, const std::string& path, bool sync);
// Crash-safe replace: write tmp, fsync, rename over `path`, fsync the directory. When it fails,
// `*renamed` (if given) says whether the rename was attempted: then `path` may hold either the
// old or the new contents, now or after a power cut.
absl::Status WriteFileAtomically(VFS& vfs, std::string_view data, const std::string& path,
                                 bool* renamed = nullptr);
// Removes a directory tree (files and subdirectories).
absl::Status RemoveTree(VFS& vfs, const std::string& dir);

}  // namespace nokv
