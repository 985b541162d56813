// FaultFS wraps any VFS and fails chosen operations on demand (Pebble's errorfs, RocksDB's
// FaultInjectionTestFS). Rules are composable injectors: which operation, which path (glob),
// when (the Nth matching call, every Nth call, or with a seeded probability), how often, and
// how (EIO, ENOSPC, or a short write that persists a prefix and then fails).
//
// It also models a power cut on a real VFS: it remembers how much of each file it wrote was
// synced, and which files were created since their directory was last synced;
// DropUnsyncedData() truncates / deletes accordingly. (MemVFS has the finer model, with partial
// persistence; power-cut tests use it. Halt() is what a power cut looks like to the process.)
//
// Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "engine/vfs/vfs.h"
#include "src/util/random.h"

namespace nokv {

// Every operation FaultFS can fail. Keep in step with FaultOpName() and docs/vfs.md.
enum class FaultOp : int {
  kCreate = 0,      // NewWritableFile
  kOpenAppend,      // NewAppendableFile
  kOpenSequential,  // NewSequentialFile
  kOpenRandom,      // NewRandomAccessFile
  kRead,            // SequentialFile::Read
  kPread,           // RandomAccessFile::Read
  kAppend,          // WritableFile::Append
  kFlush,           // WritableFile::Flush
  kSync,            // WritableFile::Sync (fdatasync)
  kClose,           // WritableFile::Close
  kExists,          // FileExists (a failure reads as "does not exist")
  kStat,            // GetFileSize
  kListDir,         // ListDir
  kMkdir,           // CreateDir
  kRemoveDir,       // RemoveDir
  kRemove,          // RemoveFile
  kRename,          // RenameFile
  kTruncate,        // Truncate
  kSyncDir,         // SyncDir
  kLock,            // LockFile
  kUnlock,          // UnlockFile
  kAny,             // matches every operation above
};
inline constexpr int kNumFaultOps = static_cast<int>(FaultOp::kAny);
const char* FaultOpName(FaultOp op);

enum class FaultKind {
  kIOError,     // EIO
  kNoSpace,     // ENOSPC
  kShortWrite,  // Append persists the first half of the data, then reports EIO
  kHalt,        // power cut right before this operation: it and every later one fail (Halt())
};

struct FaultRule {
  FaultOp op = FaultOp::kAny;
  std::string path_glob = "*";  // fnmatch pattern against the full path
  // Trigger: fail the `nth` matching call (1-based). 0 = do not use.
  uint64_t nth = 0;
  // Or: fail every `every_nth` matching call. 0 = do not use.
  uint64_t every_nth = 0;
  // Or: fail with this probability (seeded). 0 = do not use. If none of the three is set, every
  // matching call fails.
  double probability = 0;
  uint64_t seed = 1;
  // Stop after this many injected failures (-1 = unlimited).
  int64_t max_failures = -1;
  FaultKind kind = FaultKind::kIOError;
};

class FaultFS final : public VFS {
 public:
  explicit FaultFS(VFS* base);
  ~FaultFS() override;

  // Adds a rule; returns its id.
  int AddRule(const FaultRule& rule);
  void ClearRules();
  // Number of faults injected so far, and operations seen (all kinds) since construction.
  uint64_t InjectedCount() const { return injected_.load(); }
  uint64_t InjectedCount(FaultOp op) const { return injected_counts_[static_cast<int>(op)].load(); }
  uint64_t OpCount() const { return ops_.load(); }
  uint64_t OpCount(FaultOp op) const { return op_counts_[static_cast<int>(op)].load(); }

  // The process "loses power": every operation from now on fails with EIO, and when Halt()
  // returns no operation is in flight any more (so the caller may take a crash image of the
  // wrapped VFS while the engine's threads are still running).
  void Halt();
  bool halted() const { return halted_.load(); }

  // Broken-storage modes for proving that tests catch missing fsyncs: Sync() of files matching
  // `path_glob` (and/or every SyncDir()) reports success without making anything durable.
  void SetSyncIsNoop(bool files, bool dirs, std::string path_glob = "*");

  // Power cut on the wrapped VFS: truncate every file written through FaultFS to its synced
  // size and delete files created since their directory was last synced. Call with no file
  // handles in use.
  absl::Status DropUnsyncedData();

  // Called by wrapped files; public for them only.
  absl::Status MaybeFail(FaultOp op, const std::string& path);
  bool ShortWriteArmed(const std::string& path);
  void NoteAppend(const std::string& path);
  void NoteSync(const std::string& path, uint64_t size);

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

 private:
  struct ActiveRule {
    FaultRule rule;
    uint64_t matches = 0;
    int64_t failures = 0;
    Random rng{1};
  };
  struct FileState {
    uint64_t synced_size = 0;
    bool created_unsynced_dir = false;  // entry not yet made durable by SyncDir
  };

  absl::Status InjectedError(FaultOp op, FaultKind kind, const std::string& path);

 public:
  // Held (shared) for the whole of every operation, so Halt() can wait for in-flight ones.
  // Public for the wrapped files only.
  class Gate;
  bool SyncIsNoop(const std::string& path);

 private:
  VFS* base_;
  std::atomic<uint64_t> injected_{0};
  std::atomic<uint64_t> ops_{0};
  std::atomic<uint64_t> op_counts_[kNumFaultOps + 1] = {};
  std::atomic<uint64_t> injected_counts_[kNumFaultOps + 1] = {};
  std::atomic<bool> halted_{false};
  std::atomic<bool> sync_files_noop_{false};
  std::string sync_noop_glob_;  // guarded by mu_
  std::atomic<bool> sync_dirs_noop_{false};
  std::shared_mutex halt_mu_;
  std::mutex mu_;
  std::vector<ActiveRule> rules_;
  std::map<std::string, FileState> files_;
  bool short_write_pending_ = false;
  std::string short_write_path_;
};

}  // namespace nokv
