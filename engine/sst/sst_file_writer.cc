#include "engine/sst/sst_file_writer.h"

#include "engine/format/dbformat.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv {

absl::StatusOr<std::unique_ptr<SstFileWriter>> SstFileWriter::Create(VFS& vfs, std::string path,
                                                                     const TableOptions& options) {
  std::unique_ptr<SstFileWriter> w(new SstFileWriter(vfs, std::move(path)));
  NOKV_ASSIGN_OR_RETURN(w->file_, vfs.NewWritableFile(w->path_));
  w->builder_ = std::make_unique<TableBuilder>(options, w->file_.get(), w->path_);
  return w;
}

SstFileWriter::~SstFileWriter() {
  if (!finished_ && file_ != nullptr) {
    file_->Close().IgnoreError();
    vfs_.RemoveFile(path_).IgnoreError();
  }
}

absl::Status SstFileWriter::Put(std::string_view key, std::string_view value,
                                uint64_t expires_at_ms) {
  if (key.empty() || value.empty()) {
    return absl::InvalidArgumentError(StrCat(path_, ": empty ", key.empty() ? "key" : "value"));
  }
  if (info_.entries > 0 && key <= last_key_) {
    return absl::InvalidArgumentError(StrCat(path_, ": keys must be strictly increasing"));
  }
  std::string stored;
  AppendStoredValue(&stored, value, expires_at_ms);
  builder_->Add(MakeInternalKey(key, 0, ValueKind::kValue), stored);
  last_key_.assign(key);
  if (info_.entries++ == 0) info_.smallest_key.assign(key);
  info_.largest_key.assign(key);
  return builder_->status();
}

absl::Status SstFileWriter::DeleteRange(std::string_view begin, std::string_view end) {
  if (begin.empty() || (!end.empty() && begin >= end)) {
    return absl::InvalidArgumentError(StrCat(path_, ": DeleteRange needs begin < end"));
  }
  builder_->AddRangeTombstone(RangeTombstone{std::string(begin), std::string(end), 0});
  ++info_.range_tombstones;
  return absl::OkStatus();
}

uint64_t SstFileWriter::FileSize() const { return builder_->FileSize(); }

absl::Status SstFileWriter::Finish(ExternalFileInfo* info) {
  finished_ = true;
  *info = ExternalFileInfo();
  if (info_.entries == 0 && info_.range_tombstones == 0) {
    file_->Close().IgnoreError();
    return vfs_.RemoveFile(path_);
  }
  absl::Status s = builder_->Finish();
  if (s.ok()) s = file_->Sync();
  if (s.ok()) s = file_->Close();
  if (!s.ok()) {
    file_->Close().IgnoreError();
    vfs_.RemoveFile(path_).IgnoreError();
    return s;
  }
  info_.path = path_;
  info_.file_bytes = builder_->FileSize();
  *info = info_;
  return absl::OkStatus();
}

}  // namespace nokv
