#include "engine/vfs/mem_vfs.h"

#include <algorithm>
#include <cstring>

#include "src/util/str_cat.h"

namespace nokv {

struct MemVFS::Node {
  std::mutex mu;
  std::string data;
  uint64_t synced_size = 0;
};

namespace {

using Node = MemVFS::Node;

class MemWritableFile final : public WritableFile {
 public:
  explicit MemWritableFile(std::shared_ptr<Node> node) : node_(std::move(node)) {
    std::lock_guard<std::mutex> lock(node_->mu);
    size_ = node_->data.size();
  }
  absl::Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(node_->mu);
    node_->data.append(data.data(), data.size());
    size_ += data.size();
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }
  absl::Status Sync() override {
    std::lock_guard<std::mutex> lock(node_->mu);
    node_->synced_size = node_->data.size();
    return absl::OkStatus();
  }
  absl::Status Close() override { return absl::OkStatus(); }
  uint64_t Size() const override { return size_; }

 private:
  std::shared_ptr<Node> node_;
  uint64_t size_ = 0;
};

class MemSequentialFile final : public SequentialFile {
 public:
  explicit MemSequentialFile(std::shared_ptr<Node> node) : node_(std::move(node)) {}
  absl::StatusOr<std::string_view> Read(size_t n, char* scratch) override {
    std::lock_guard<std::mutex> lock(node_->mu);
    if (pos_ >= node_->data.size()) return std::string_view();
    size_t got = std::min<size_t>(n, node_->data.size() - pos_);
    std::memcpy(scratch, node_->data.data() + pos_, got);
    pos_ += got;
    return std::string_view(scratch, got);
  }
  absl::Status Skip(uint64_t n) override {
    pos_ += n;
    return absl::OkStatus();
  }

 private:
  std::shared_ptr<Node> node_;
  uint64_t pos_ = 0;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(std::shared_ptr<Node> node) : node_(std::move(node)) {}
  absl::StatusOr<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const override {
    std::lock_guard<std::mutex> lock(node_->mu);
    if (offset >= node_->data.size()) return std::string_view();
    size_t got = std::min<size_t>(n, node_->data.size() - offset);
    std::memcpy(scratch, node_->data.data() + offset, got);
    return std::string_view(scratch, got);
  }
  uint64_t Size() const override {
    std::lock_guard<std::mutex> lock(node_->mu);
    return node_->data.size();
  }

 private:
  std::shared_ptr<Node> node_;
};

class MemFileLock final : public FileLock {
 public:
  explicit MemFileLock(std::string p) : path(std::move(p)) {}
  std::string path;
};

absl::Status NotFound(std::string_view op, const std::string& path) {
  return absl::NotFoundError(StrCat(op, " ", path, ": No such file or directory"));
}

}  // namespace

MemVFS::MemVFS() { dirs_.insert("/"); }
MemVFS::~MemVFS() = default;

std::string MemVFS::Normalize(const std::string& path) const {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

absl::StatusOr<std::unique_ptr<WritableFile>> MemVFS::NewWritableFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string p = Normalize(path);
  if (!dirs_.count(DirName(p))) return NotFound("create", p);
  auto node = std::make_shared<Node>();
  files_[p] = node;  // a fresh node: an old durable one (if any) stays in durable_files_
  return std::make_unique<MemWritableFile>(node);
}

absl::StatusOr<std::unique_ptr<WritableFile>> MemVFS::NewAppendableFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string p = Normalize(path);
  if (!dirs_.count(DirName(p))) return NotFound("open-append", p);
  auto& node = files_[p];
  if (!node) node = std::make_shared<Node>();
  return std::make_unique<MemWritableFile>(node);
}

absl::StatusOr<std::unique_ptr<SequentialFile>> MemVFS::NewSequentialFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) return NotFound("open", path);
  return std::make_unique<MemSequentialFile>(it->second);
}

absl::StatusOr<std::unique_ptr<RandomAccessFile>> MemVFS::NewRandomAccessFile(
    const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) return NotFound("open", path);
  return std::make_unique<MemRandomAccessFile>(it->second);
}

bool MemVFS::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string p = Normalize(path);
  return files_.count(p) > 0 || dirs_.count(p) > 0;
}

absl::StatusOr<uint64_t> MemVFS::GetFileSize(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) return NotFound("stat", path);
  std::lock_guard<std::mutex> node_lock(it->second->mu);
  return static_cast<uint64_t>(it->second->data.size());
}

absl::StatusOr<std::vector<std::string>> MemVFS::ListDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string d = Normalize(dir);
  if (!dirs_.count(d)) return NotFound("opendir", d);
  std::vector<std::string> names;
  for (const auto& [path, node] : files_) {
    if (DirName(path) == d) names.push_back(BaseName(path));
  }
  for (const auto& sub : dirs_) {
    if (sub != d && DirName(sub) == d) names.push_back(BaseName(sub));
  }
  return names;
}

absl::Status MemVFS::CreateDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string d = Normalize(dir);
  while (!d.empty() && d != "/" && d != ".") {
    if (files_.count(d)) {
      return absl::FailedPreconditionError(StrCat("mkdir ", d, ": not a directory"));
    }
    dirs_.insert(d);
    d = DirName(d);
  }
  return absl::OkStatus();
}

absl::Status MemVFS::RemoveDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string d = Normalize(dir);
  if (!dirs_.count(d)) return NotFound("rmdir", d);
  for (const auto& [path, node] : files_) {
    if (DirName(path) == d) {
      return absl::FailedPreconditionError(StrCat("rmdir ", d, ": Directory not empty"));
    }
  }
  dirs_.erase(d);
  return absl::OkStatus();
}

absl::Status MemVFS::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.erase(Normalize(path)) == 0) return NotFound("unlink", path);
  return absl::OkStatus();
}

absl::Status MemVFS::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(Normalize(from));
  if (it == files_.end()) return NotFound("rename", from);
  if (!dirs_.count(DirName(Normalize(to)))) return NotFound("rename", to);
  auto node = it->second;
  files_.erase(it);
  files_[Normalize(to)] = node;
  return absl::OkStatus();
}

absl::Status MemVFS::Truncate(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) return NotFound("truncate", path);
  std::lock_guard<std::mutex> node_lock(it->second->mu);
  it->second->data.resize(size, '\0');
  // Truncation is treated as durable only up to what was already synced.
  it->second->synced_size = std::min<uint64_t>(it->second->synced_size, size);
  return absl::OkStatus();
}

absl::Status MemVFS::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string d = Normalize(dir);
  if (!dirs_.count(d)) return NotFound("fsync-dir", d);
  for (auto it = durable_files_.begin(); it != durable_files_.end();) {
    it = DirName(it->first) == d ? durable_files_.erase(it) : std::next(it);
  }
  for (const auto& [path, node] : files_) {
    if (DirName(path) == d) durable_files_[path] = node;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<FileLock>> MemVFS::LockFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string p = Normalize(path);
  if (!dirs_.count(DirName(p))) return NotFound("open-lock", p);
  if (!locks_.insert(p).second) {
    return absl::UnavailableError(StrCat("lock ", p, ": held by another process"));
  }
  if (!files_.count(p)) files_[p] = std::make_shared<Node>();
  return std::make_unique<MemFileLock>(p);
}

absl::Status MemVFS::UnlockFile(std::unique_ptr<FileLock> lock) {
  std::lock_guard<std::mutex> guard(mu_);
  locks_.erase(static_cast<MemFileLock*>(lock.get())->path);
  return absl::OkStatus();
}

void MemVFS::SimulatePowerCut() {
  std::lock_guard<std::mutex> lock(mu_);
  files_ = durable_files_;
  for (auto& [path, node] : files_) {
    std::lock_guard<std::mutex> node_lock(node->mu);
    node->data.resize(node->synced_size);
  }
  locks_.clear();  // the process holding them is gone
}

uint64_t MemVFS::TotalFileBytes() {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t total = 0;
  for (auto& [path, node] : files_) {
    std::lock_guard<std::mutex> node_lock(node->mu);
    total += node->data.size();
  }
  return total;
}

}  // namespace nokv
