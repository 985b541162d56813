// An in-memory VFS for fast tests, with a power-cut model.
//
// Durable state is tracked separately from what a running process sees:
//   - a file's durable content is what its last Sync() covered (a Truncate below that point is
//     itself not durable until the next Sync());
//   - a directory's durable entries are those as of its last SyncDir(); every create, rename and
//     remove since then is logged per directory.
// SimulatePowerCut() replaces the visible state with a crash image:
//   - kPessimistic: exactly the durable state (every unsynced byte and entry is lost);
//   - kPartial: what ext4/xfs may legally leave (the LazyFS / ALICE model): each file keeps its
//     durable content plus a random prefix of its unsynced appends, sometimes with the tail of
//     that prefix zero-filled (the size reached the disk before the data); an unsynced
//     truncation is kept or undone at random; each directory keeps its durable entries plus a
//     random subset of its unsynced creates, renames and removes, applied in order.
// After a cut, handles opened before it are detached: their writes reach no file.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/vfs/vfs.h"

namespace nokv {

enum class PowerCutMode {
  kPessimistic,  // only synced data and dir-synced entries survive
  kPartial,      // a random legal mix of synced and unsynced state survives
};

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

  // Power cut (see the file comment). `seed` drives the random choices of kPartial. Locks are
  // released (the process holding them is gone). Directories themselves are kept.
  void SimulatePowerCut(PowerCutMode mode = PowerCutMode::kPessimistic, uint64_t seed = 0);
  // Total bytes held (for tests that check space reclamation).
  uint64_t TotalFileBytes();
  // Overwrites `path`'s visible bytes at `offset` (for corruption tests); the change is durable.
  absl::Status CorruptForTest(const std::string& path, uint64_t offset, std::string_view bytes);

  struct Node;

 private:
  // One logged directory change since the directory's last SyncDir.
  struct DirOp {
    enum Kind { kSet, kErase } kind;
    std::string path;
    std::shared_ptr<Node> node;  // for kSet
  };

  std::string Normalize(const std::string& path) const;
  void LogDirOp(DirOp op);  // requires mu_

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Node>> files_;          // live namespace
  std::map<std::string, std::shared_ptr<Node>> durable_files_;  // namespace as of SyncDir
  std::map<std::string, std::vector<DirOp>> dir_ops_;           // dir -> changes since SyncDir
  std::set<std::string> dirs_;
  std::set<std::string> locks_;
};

}  // namespace nokv
