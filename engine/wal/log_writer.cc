#include "engine/wal/log_writer.h"

#include "src/util/coding.h"
#include "src/util/hash.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv::log {

absl::StatusOr<std::unique_ptr<Writer>> Writer::Create(VFS& vfs, const std::string& path,
                                                       FileKind kind, uint64_t file_number) {
  NOKV_ASSIGN_OR_RETURN(auto file, vfs.NewWritableFile(path));
  std::string header(kMagic, sizeof(kMagic));
  PutFixed32(&header, kFormatVersion);
  PutFixed32(&header, static_cast<uint32_t>(kind));
  PutFixed64(&header, file_number);
  PutFixed64(&header, Checksum64(header));
  absl::Status s = file->Append(header);
  if (s.ok()) s = file->Sync();
  if (s.ok()) s = vfs.SyncDir(DirName(path));
  if (!s.ok()) {
    file->Close().IgnoreError();
    vfs.RemoveFile(path).IgnoreError();
    return s;
  }
  return std::unique_ptr<Writer>(new Writer(path, std::move(file)));
}

absl::Status Writer::Fail(absl::Status s) {
  if (status_.ok()) status_ = std::move(s);
  return status_;
}

absl::Status Writer::AddRecord(std::string_view payload) {
  NOKV_RETURN_IF_ERROR(status_);
  if (payload.size() > kMaxRecordSize) {
    return absl::InvalidArgumentError(
        StrCat("log record of ", payload.size(), " bytes exceeds the limit of ", kMaxRecordSize));
  }
  scratch_.clear();
  scratch_.resize(8);
  PutFixed32(&scratch_, static_cast<uint32_t>(payload.size()));
  scratch_.push_back(static_cast<char>(RecordType::kFull));
  ChecksumBuilder checksum;
  checksum.Update(std::string_view(scratch_).substr(8));
  checksum.Update(payload);
  EncodeFixed64(scratch_.data(), checksum.Digest());
  absl::Status s = file_->Append(scratch_);
  if (s.ok()) s = file_->Append(payload);
  if (s.ok()) s = file_->Flush();
  return s.ok() ? s : Fail(std::move(s));
}

absl::Status Writer::Sync() {
  NOKV_RETURN_IF_ERROR(status_);
  absl::Status s = file_->Sync();
  return s.ok() ? s : Fail(std::move(s));
}

absl::Status Writer::Close() { return file_->Close(); }

}  // namespace nokv::log
