#include "engine/vfs/vfs.h"

#include "src/util/status_macros.h"

namespace nokv {

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

std::string DirName(std::string_view path) {
  size_t pos = path.rfind('/');
  if (pos == std::string_view::npos) return ".";
  if (pos == 0) return "/";
  return std::string(path.substr(0, pos));
}

std::string BaseName(std::string_view path) {
  size_t pos = path.rfind('/');
  return std::string(pos == std::string_view::npos ? path : path.substr(pos + 1));
}

absl::Status ReadFileToString(VFS& vfs, const std::string& path, std::string* out) {
  out->clear();
  NOKV_ASSIGN_OR_RETURN(auto file, vfs.NewSequentialFile(path));
  constexpr size_t kChunk = 64 << 10;
  std::string scratch(kChunk, '\0');
  while (true) {
    NOKV_ASSIGN_OR_RETURN(std::string_view piece, file->Read(kChunk, scratch.data()));
    if (piece.empty()) break;
    out->append(piece.data(), piece.size());
  }
  return absl::OkStatus();
}

absl::Status WriteStringToFile(VFS& vfs, std::string_view data, const std::string& path,
                               bool sync) {
  NOKV_ASSIGN_OR_RETURN(auto file, vfs.NewWritableFile(path));
  absl::Status s = file->Append(data);
  if (s.ok() && sync) s = file->Sync();
  absl::Status close = file->Close();
  if (s.ok()) s = close;
  if (!s.ok()) vfs.RemoveFile(path).IgnoreError();
  return s;
}

absl::Status WriteFileAtomically(VFS& vfs, std::string_view data, const std::string& path,
                                 bool* renamed) {
  if (renamed != nullptr) *renamed = false;
  std::string tmp = path + ".tmp";
  NOKV_RETURN_IF_ERROR(WriteStringToFile(vfs, data, tmp, /*sync=*/true));
  if (renamed != nullptr) *renamed = true;
  absl::Status s = vfs.RenameFile(tmp, path);
  if (!s.ok()) {
    vfs.RemoveFile(tmp).IgnoreError();
    return s;
  }
  return vfs.SyncDir(DirName(path));
}

absl::Status RemoveTree(VFS& vfs, const std::string& dir) {
  auto children = vfs.ListDir(dir);
  if (!children.ok()) {
    return absl::IsNotFound(children.status()) ? absl::OkStatus() : children.status();
  }
  for (const std::string& name : *children) {
    std::string path = JoinPath(dir, name);
    if (!vfs.RemoveFile(path).ok()) NOKV_RETURN_IF_ERROR(RemoveTree(vfs, path));
  }
  return vfs.RemoveDir(dir);
}

}  // namespace nokv
