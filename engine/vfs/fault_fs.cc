#include "engine/vfs/fault_fs.h"

#include <fnmatch.h>

#include "src/util/errors.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv {

const char* FaultOpName(FaultOp op) {
  static const char* const kNames[] = {"create",   "open-append", "open-sequential", "open-random",
                                       "read",     "pread",       "append",          "flush",
                                       "sync",     "close",       "exists",          "stat",
                                       "list-dir", "mkdir",       "remove-dir",      "remove",
                                       "rename",   "truncate",    "sync-dir",        "lock",
                                       "unlock",   "any"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == kNumFaultOps + 1);
  return kNames[static_cast<int>(op)];
}

// Every operation runs inside a Gate: it fails at once after Halt(), otherwise it holds the
// halt lock (shared) until the operation is over, so Halt() can wait for in-flight ones.
class FaultFS::Gate {
 public:
  Gate(FaultFS* fs, FaultOp op, const std::string& path) {
    if (!fs->halted_.load(std::memory_order_acquire)) {
      lock_ = std::shared_lock<std::shared_mutex>(fs->halt_mu_);
      if (!fs->halted_.load(std::memory_order_acquire)) {
        status_ = fs->MaybeFail(op, path);
        return;
      }
    }
    status_ = ErrnoError(StrCat("power cut: ", FaultOpName(op), " ", path), EIO);
  }
  const absl::Status& status() const { return status_; }

 private:
  std::shared_lock<std::shared_mutex> lock_;
  absl::Status status_;
};

namespace {

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultFS* fs, std::string path, std::unique_ptr<WritableFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}

  absl::Status Append(std::string_view data) override {
    FaultFS::Gate gate(fs_, FaultOp::kAppend, path_);
    absl::Status s = gate.status();
    if (!s.ok()) {
      if (fs_->ShortWriteArmed(path_) && data.size() > 1) {
        // A torn write: the first half reaches the file, the caller sees an error.
        base_->Append(data.substr(0, data.size() / 2)).IgnoreError();
        base_->Flush().IgnoreError();
        fs_->NoteAppend(path_);
      }
      return s;
    }
    NOKV_RETURN_IF_ERROR(base_->Append(data));
    fs_->NoteAppend(path_);
    return absl::OkStatus();
  }
  absl::Status Flush() override {
    FaultFS::Gate gate(fs_, FaultOp::kFlush, path_);
    NOKV_RETURN_IF_ERROR(gate.status());
    return base_->Flush();
  }
  absl::Status Sync() override {
    FaultFS::Gate gate(fs_, FaultOp::kSync, path_);
    NOKV_RETURN_IF_ERROR(gate.status());
    if (fs_->SyncIsNoop(path_)) return base_->Flush();  // claims durability it does not give
    NOKV_RETURN_IF_ERROR(base_->Sync());
    fs_->NoteSync(path_, base_->Size());
    return absl::OkStatus();
  }
  absl::Status Close() override {
    FaultFS::Gate gate(fs_, FaultOp::kClose, path_);
    NOKV_RETURN_IF_ERROR(gate.status());
    return base_->Close();
  }
  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultFS* fs_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
};

class FaultSequentialFile final : public SequentialFile {
 public:
  FaultSequentialFile(FaultFS* fs, std::string path, std::unique_ptr<SequentialFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}
  absl::StatusOr<std::string_view> Read(size_t n, char* scratch) override {
    FaultFS::Gate gate(fs_, FaultOp::kRead, path_);
    NOKV_RETURN_IF_ERROR(gate.status());
    return base_->Read(n, scratch);
  }

 private:
  FaultFS* fs_;
  std::string path_;
  std::unique_ptr<SequentialFile> base_;
};

class FaultRandomAccessFile final : public RandomAccessFile {
 public:
  FaultRandomAccessFile(FaultFS* fs, std::string path, std::unique_ptr<RandomAccessFile> base)
      : fs_(fs), path_(std::move(path)), base_(std::move(base)) {}
  absl::StatusOr<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const override {
    FaultFS::Gate gate(fs_, FaultOp::kPread, path_);
    NOKV_RETURN_IF_ERROR(gate.status());
    return base_->Read(offset, n, scratch);
  }
  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultFS* fs_;
  std::string path_;
  std::unique_ptr<RandomAccessFile> base_;
};

}  // namespace

FaultFS::FaultFS(VFS* base) : base_(base) {}
FaultFS::~FaultFS() = default;

int FaultFS::AddRule(const FaultRule& rule) {
  std::lock_guard<std::mutex> lock(mu_);
  ActiveRule active;
  active.rule = rule;
  active.rng = Random(rule.seed);
  rules_.push_back(active);
  return static_cast<int>(rules_.size()) - 1;
}

void FaultFS::ClearRules() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
  short_write_pending_ = false;
}

absl::Status FaultFS::InjectedError(FaultOp op, FaultKind kind, const std::string& path) {
  std::string context = StrCat("injected fault: ", FaultOpName(op), " ", path);
  return ErrnoError(context, kind == FaultKind::kNoSpace ? ENOSPC : EIO);
}

absl::Status FaultFS::MaybeFail(FaultOp op, const std::string& path) {
  ops_.fetch_add(1, std::memory_order_relaxed);
  op_counts_[static_cast<int>(op)].fetch_add(1, std::memory_order_relaxed);
  std::lock_guard<std::mutex> lock(mu_);
  for (ActiveRule& active : rules_) {
    const FaultRule& r = active.rule;
    if (r.op != FaultOp::kAny && r.op != op) continue;
    if (fnmatch(r.path_glob.c_str(), path.c_str(), 0) != 0) continue;
    if (r.max_failures >= 0 && active.failures >= r.max_failures) continue;
    ++active.matches;
    bool fire;
    if (r.nth > 0) {
      fire = active.matches == r.nth;
    } else if (r.every_nth > 0) {
      fire = active.matches % r.every_nth == 0;
    } else if (r.probability > 0) {
      fire = active.rng.NextDouble() < r.probability;
    } else {
      fire = true;
    }
    if (!fire) continue;
    ++active.failures;
    injected_.fetch_add(1);
    injected_counts_[static_cast<int>(op)].fetch_add(1);
    if (r.kind == FaultKind::kHalt) {
      halted_.store(true, std::memory_order_release);  // the caller's Halt() drains the rest
      return ErrnoError(StrCat("power cut: ", FaultOpName(op), " ", path), EIO);
    }
    if (r.kind == FaultKind::kShortWrite && op == FaultOp::kAppend) {
      short_write_pending_ = true;
      short_write_path_ = path;
    }
    return InjectedError(op, r.kind == FaultKind::kShortWrite ? FaultKind::kIOError : r.kind, path);
  }
  return absl::OkStatus();
}

void FaultFS::Halt() {
  halted_.store(true, std::memory_order_release);
  std::unique_lock<std::shared_mutex> drain(halt_mu_);  // waits for operations in flight
}

void FaultFS::SetSyncIsNoop(bool files, bool dirs, std::string path_glob) {
  std::lock_guard<std::mutex> lock(mu_);
  sync_noop_glob_ = std::move(path_glob);
  sync_files_noop_.store(files);
  sync_dirs_noop_.store(dirs);
}

bool FaultFS::SyncIsNoop(const std::string& path) {
  if (!sync_files_noop_.load()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  return fnmatch(sync_noop_glob_.c_str(), path.c_str(), 0) == 0;
}

bool FaultFS::ShortWriteArmed(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  bool armed = short_write_pending_ && short_write_path_ == path;
  short_write_pending_ = false;
  return armed;
}

void FaultFS::NoteAppend(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  files_.try_emplace(path);
}

void FaultFS::NoteSync(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[path].synced_size = size;
}

absl::Status FaultFS::DropUnsyncedData() {
  std::map<std::string, FileState> files;
  {
    std::lock_guard<std::mutex> lock(mu_);
    files.swap(files_);
  }
  for (const auto& [path, state] : files) {
    if (!base_->FileExists(path)) continue;
    if (state.created_unsynced_dir) {
      NOKV_RETURN_IF_ERROR(base_->RemoveFile(path));
      continue;
    }
    NOKV_ASSIGN_OR_RETURN(uint64_t size, base_->GetFileSize(path));
    if (size > state.synced_size) NOKV_RETURN_IF_ERROR(base_->Truncate(path, state.synced_size));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultFS::NewWritableFile(const std::string& path) {
  Gate gate(this, FaultOp::kCreate, path);
  NOKV_RETURN_IF_ERROR(gate.status());
  bool existed = base_->FileExists(path);
  NOKV_ASSIGN_OR_RETURN(auto file, base_->NewWritableFile(path));
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(path);
    // The directory entry is durable if the file was there before and was not itself a fresh,
    // not yet dir-synced creation.
    bool entry_durable = existed && (it == files_.end() || !it->second.created_unsynced_dir);
    FileState state;
    state.created_unsynced_dir = !entry_durable;
    files_[path] = state;
  }
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, path, std::move(file)));
}

absl::StatusOr<std::unique_ptr<WritableFile>> FaultFS::NewAppendableFile(const std::string& path) {
  Gate gate(this, FaultOp::kOpenAppend, path);
  NOKV_RETURN_IF_ERROR(gate.status());
  bool existed = base_->FileExists(path);
  NOKV_ASSIGN_OR_RETURN(auto file, base_->NewAppendableFile(path));
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!files_.count(path)) {
      FileState state;
      state.synced_size = file->Size();  // what was there before is taken as durable
      state.created_unsynced_dir = !existed;
      files_[path] = state;
    }
  }
  return std::unique_ptr<WritableFile>(new FaultWritableFile(this, path, std::move(file)));
}

absl::StatusOr<std::unique_ptr<SequentialFile>> FaultFS::NewSequentialFile(
    const std::string& path) {
  Gate gate(this, FaultOp::kOpenSequential, path);
  NOKV_RETURN_IF_ERROR(gate.status());
  NOKV_ASSIGN_OR_RETURN(auto file, base_->NewSequentialFile(path));
  return std::unique_ptr<SequentialFile>(new FaultSequentialFile(this, path, std::move(file)));
}

absl::StatusOr<std::unique_ptr<RandomAccessFile>> FaultFS::NewRandomAccessFile(
    const std::string& path) {
  Gate gate(this, FaultOp::kOpenRandom, path);
  NOKV_RETURN_IF_ERROR(gate.status());
  NOKV_ASSIGN_OR_RETURN(auto file, base_->NewRandomAccessFile(path));
  return std::unique_ptr<RandomAccessFile>(new FaultRandomAccessFile(this, path, std::move(file)));
}

bool FaultFS::FileExists(const std::string& path) {
  Gate gate(this, FaultOp::kExists, path);
  if (!gate.status().ok()) return false;
  return base_->FileExists(path);
}

absl::StatusOr<uint64_t> FaultFS::GetFileSize(const std::string& path) {
  Gate gate(this, FaultOp::kStat, path);
  NOKV_RETURN_IF_ERROR(gate.status());
  return base_->GetFileSize(path);
}

absl::StatusOr<std::vector<std::string>> FaultFS::ListDir(const std::string& dir) {
  Gate gate(this, FaultOp::kListDir, dir);
  NOKV_RETURN_IF_ERROR(gate.status());
  return base_->ListDir(dir);
}

absl::Status FaultFS::CreateDir(const std::string& dir) {
  Gate gate(this, FaultOp::kMkdir, dir);
  NOKV_RETURN_IF_ERROR(gate.status());
  return base_->CreateDir(dir);
}

absl::Status FaultFS::RemoveDir(const std::string& dir) {
  Gate gate(this, FaultOp::kRemoveDir, dir);
  NOKV_RETURN_IF_ERROR(gate.status());
  return base_->RemoveDir(dir);
}

absl::Status FaultFS::RemoveFile(const std::string& path) {
  Gate gate(this, FaultOp::kRemove, path);
  NOKV_RETURN_IF_ERROR(gate.status());
  NOKV_RETURN_IF_ERROR(base_->RemoveFile(path));
  std::lock_guard<std::mutex> lock(mu_);
  files_.erase(path);
  return absl::OkStatus();
}

absl::Status FaultFS::RenameFile(const std::string& from, const std::string& to) {
  Gate gate(this, FaultOp::kRename, from);
  NOKV_RETURN_IF_ERROR(gate.status());
  NOKV_RETURN_IF_ERROR(base_->RenameFile(from, to));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(from);
  if (it != files_.end()) {
    FileState state = it->second;
    // A rename is not durable until the directory is synced; modelled as "new entry".
    state.created_unsynced_dir = true;
    files_.erase(it);
    files_[to] = state;
  }
  return absl::OkStatus();
}

absl::Status FaultFS::Truncate(const std::string& path, uint64_t size) {
  Gate gate(this, FaultOp::kTruncate, path);
  NOKV_RETURN_IF_ERROR(gate.status());
  NOKV_RETURN_IF_ERROR(base_->Truncate(path, size));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it != files_.end() && it->second.synced_size > size) it->second.synced_size = size;
  return absl::OkStatus();
}

absl::Status FaultFS::SyncDir(const std::string& dir) {
  Gate gate(this, FaultOp::kSyncDir, dir);
  NOKV_RETURN_IF_ERROR(gate.status());
  if (sync_dirs_noop_.load()) return absl::OkStatus();
  NOKV_RETURN_IF_ERROR(base_->SyncDir(dir));
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [path, state] : files_) {
    if (DirName(path) == dir) state.created_unsynced_dir = false;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FileLock>> FaultFS::LockFile(const std::string& path) {
  Gate gate(this, FaultOp::kLock, path);
  NOKV_RETURN_IF_ERROR(gate.status());
  return base_->LockFile(path);
}

absl::Status FaultFS::UnlockFile(std::unique_ptr<FileLock> lock) {
  absl::Status s;
  {
    Gate gate(this, FaultOp::kUnlock, "");
    s = gate.status();
  }
  absl::Status unlocked = base_->UnlockFile(std::move(lock));  // never leak the lock
  return s.ok() ? unlocked : s;
}

}  // namespace nokv
