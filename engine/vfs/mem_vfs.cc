#include "engine/vfs/mem_vfs.h"

#include <algorithm>
#include <cstring>

#include "src/util/random.h"
#include "src/util/str_cat.h"

namespace nokv {

struct MemVFS::Node {
  std::mutex mu;
  std::string data;
  // data[0, synced_size) is durable, unless a truncation below synced_size happened since the
  // last sync: then durable_copy holds the durable content and size_after_truncate the length
  // the file had right after the truncation.
  uint64_t synced_size = 0;
  bool diverged = false;
  std::string durable_copy;
  uint64_t size_after_truncate = 0;

  void MarkSynced() {
    synced_size = data.size();
    diverged = false;
    durable_copy.clear();
  }
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
    node_->MarkSynced();
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
  LogDirOp(DirOp{DirOp::kSet, p, node});
  return std::make_unique<MemWritableFile>(node);
}

absl::StatusOr<std::unique_ptr<WritableFile>> MemVFS::NewAppendableFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string p = Normalize(path);
  if (!dirs_.count(DirName(p))) return NotFound("open-append", p);
  auto& node = files_[p];
  if (!node) {
    node = std::make_shared<Node>();
    LogDirOp(DirOp{DirOp::kSet, p, node});
  }
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
  std::string p = Normalize(path);
  if (files_.erase(p) == 0) return NotFound("unlink", path);
  LogDirOp(DirOp{DirOp::kErase, p, nullptr});
  return absl::OkStatus();
}

absl::Status MemVFS::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(Normalize(from));
  if (it == files_.end()) return NotFound("rename", from);
  if (!dirs_.count(DirName(Normalize(to)))) return NotFound("rename", to);
  auto node = it->second;
  std::string source = it->first;
  files_.erase(it);
  files_[Normalize(to)] = node;
  // Logged as two changes; within one directory they are kept or lost independently, which is
  // more pessimistic than a journaled rename (both names, or neither, may survive).
  LogDirOp(DirOp{DirOp::kErase, source, nullptr});
  LogDirOp(DirOp{DirOp::kSet, Normalize(to), node});
  return absl::OkStatus();
}

absl::Status MemVFS::Truncate(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) return NotFound("truncate", path);
  Node& node = *it->second;
  std::lock_guard<std::mutex> node_lock(node.mu);
  if (!node.diverged && size < node.synced_size) {
    // The truncation is not durable until the next Sync: a power cut may undo it.
    node.diverged = true;
    node.durable_copy = node.data.substr(0, node.synced_size);
  }
  node.data.resize(size, '\0');
  node.size_after_truncate = size;
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
  dir_ops_.erase(d);
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

void MemVFS::LogDirOp(DirOp op) {
  std::string dir = DirName(op.path);
  dir_ops_[dir].push_back(std::move(op));
}

namespace {

// The content of `node` that survives a power cut.
std::string SurvivingContent(const Node& node, PowerCutMode mode, Random* rng) {
  if (mode == PowerCutMode::kPessimistic) {
    return node.diverged ? node.durable_copy : node.data.substr(0, node.synced_size);
  }
  if (node.diverged) {
    if (rng->OneIn(2)) return node.durable_copy;  // the truncation never reached the disk
    const uint64_t base = std::min<uint64_t>(node.size_after_truncate, node.data.size());
    return node.data.substr(0, base + rng->Uniform(node.data.size() - base + 1));
  }
  const uint64_t base = node.synced_size;
  const uint64_t keep = base + rng->Uniform(node.data.size() - base + 1);
  std::string content = node.data.substr(0, keep);
  if (keep > base && rng->OneIn(4)) {
    // The file size was persisted before (some of) the data blocks: the tail reads as zeros.
    const uint64_t zero_from = base + rng->Uniform(keep - base);
    std::fill(content.begin() + zero_from, content.end(), '\0');
  }
  return content;
}

}  // namespace

void MemVFS::SimulatePowerCut(PowerCutMode mode, uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  Random rng(seed);
  std::map<std::string, std::shared_ptr<Node>> image = durable_files_;
  if (mode == PowerCutMode::kPartial) {
    for (const auto& [dir, ops] : dir_ops_) {
      for (const DirOp& op : ops) {
        if (!rng.OneIn(2)) continue;
        if (op.kind == DirOp::kSet) {
          image[op.path] = op.node;
        } else {
          image.erase(op.path);
        }
      }
    }
  }
  // Fresh nodes: handles opened before the cut stay attached to the old ones, so a process that
  // did not notice the cut can no longer change what the next one reads.
  std::map<const Node*, std::shared_ptr<Node>> fresh;
  files_.clear();
  for (const auto& [path, node] : image) {
    std::shared_ptr<Node>& copy = fresh[node.get()];
    if (!copy) {
      copy = std::make_shared<Node>();
      std::lock_guard<std::mutex> node_lock(node->mu);
      copy->data = SurvivingContent(*node, mode, &rng);
      copy->MarkSynced();
    }
    files_[path] = copy;
  }
  durable_files_ = files_;
  dir_ops_.clear();
  locks_.clear();  // the process holding them is gone
}

absl::Status MemVFS::CorruptForTest(const std::string& path, uint64_t offset,
                                    std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) return NotFound("corrupt", path);
  Node& node = *it->second;
  std::lock_guard<std::mutex> node_lock(node.mu);
  if (offset + bytes.size() > node.data.size()) {
    return absl::OutOfRangeError(StrCat("corrupt ", path, ": offset past the end"));
  }
  node.data.replace(offset, bytes.size(), bytes);
  // Damage to the medium is durable: it is in the crash image too.
  if (node.diverged && offset + bytes.size() <= node.durable_copy.size()) {
    node.durable_copy.replace(offset, bytes.size(), bytes);
  }
  return absl::OkStatus();
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
