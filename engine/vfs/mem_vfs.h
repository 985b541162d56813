// An in-memory VFS for fast tests, with a power-cut model: SimulatePowerCut() rolls every file
// back to its last Sync() and every directory back to its last SyncDir(), exactly the
// pessimistic POSIX contract stated in vfs.h.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "engine/vfs/vfs.h"

namespace nokv {

class MemVFS final : public VFS {
 public:
  MemVFS();
  ~MemVFS() override;

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  absl::StatusOr<std::unique_ptr<SequentialFile>> NewSequentialFile(
      const std::string& path) override;
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) override;
  bool FileExists(const std::string& path) override;
  absl::StatusOr<uint64_t> GetFileSize(const std::string& path) override;
  absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir) override;
  absl::Status CreateDir(const std::string& dir) override;
  absl::Status RemoveDir(const std::string& dir) override;
  absl::Status RemoveFile(const std::string& path) override;
  absl::Status RenameFile(const std::string& from, const std::string& to) override;
  absl::Status Truncate(const std::string& path, uint64_t size) override;
  absl::Status SyncDir(const std::string& dir) override;
  absl::StatusOr<std::unique_ptr<FileLock>> LockFile(const std::string& path) override;
  absl::Status UnlockFile(std::unique_ptr<FileLock> lock) override;

  // Power cut: unsynced file bytes and unsynced directory entries are lost. Open handles keep
  // working on the surviving state (as a process that did not notice would see after reboot,
  // they should simply be discarded by the caller). Directories themselves are kept.
  void SimulatePowerCut();
  // Total bytes held (for tests that check space reclamation).
  uint64_t TotalFileBytes();

  struct Node;

 private:
  std::string Normalize(const std::string& path) const;

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Node>> files_;          // live namespace
  std::map<std::string, std::shared_ptr<Node>> durable_files_;  // namespace as of SyncDir
  std::set<std::string> dirs_;
  std::set<std::string> locks_;
};

}  // namespace nokv
