#include "engine/lsm/version_set.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "engine/wal/log_reader.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv {

std::string ManifestFileName(const std::string& dbdir, uint64_t number) {
  char name[32];
  std::snprintf(name, sizeof(name), "MANIFEST-%06llu", static_cast<unsigned long long>(number));
  return JoinPath(dbdir, name);
}

std::string CurrentFileName(const std::string& dbdir) { return JoinPath(dbdir, "CURRENT"); }

VersionSet::VersionSet(VFS* vfs, std::string dbdir, std::function<void(uint64_t)> obsolete_sink)
    : vfs_(vfs),
      dbdir_(std::move(dbdir)),
      obsolete_sink_(std::move(obsolete_sink)),
      current_(std::make_shared<Version>()) {}

VersionSet::~VersionSet() {
  if (manifest_) manifest_->Close().IgnoreError();
}

std::shared_ptr<const Version> VersionSet::current() const {
  std::lock_guard<std::mutex> lock(current_mu_);
  return current_;
}

void VersionSet::MarkFileNumberUsed(uint64_t number) {
  uint64_t want = number + 1;
  uint64_t cur = next_file_number_.load();
  while (cur < want && !next_file_number_.compare_exchange_weak(cur, want)) {
  }
}

uint64_t VersionSet::manifest_bytes() const { return manifest_ ? manifest_->size() : 0; }

absl::Status VersionSet::ApplyToVersion(const VersionEdit& edit, const Version& base, Version* out,
                                        std::vector<LiveFilePtr>* removed) {
  std::set<std::pair<int, uint64_t>> deleted(edit.deleted_files().begin(),
                                             edit.deleted_files().end());
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : base.levels[level]) {
      if (deleted.erase({level, f->meta.number})) {
        removed->push_back(f);
      } else {
        out->levels[level].push_back(f);
      }
    }
  }
  if (!deleted.empty()) {
    return absl::DataLossError(StrCat("Corruption: version edit deletes unknown file #",
                                      deleted.begin()->second, " at L", deleted.begin()->first));
  }
  for (const auto& [level, meta] : edit.new_files()) {
    auto f = std::make_shared<LiveFile>();
    f->meta = meta;
    out->levels[level].push_back(std::move(f));
  }
  // L0: newest (largest sequence) first. Other levels: by smallest key, and non-overlapping.
  std::sort(
      out->levels[0].begin(), out->levels[0].end(), [](const LiveFilePtr& a, const LiveFilePtr& b) {
        return a->meta.largest_seq > b->meta.largest_seq ||
               (a->meta.largest_seq == b->meta.largest_seq && a->meta.number > b->meta.number);
      });
  for (int level = 1; level < kNumLevels; ++level) {
    auto& files = out->levels[level];
    std::sort(files.begin(), files.end(), [](const LiveFilePtr& a, const LiveFilePtr& b) {
      return CompareInternalKeys(a->meta.smallest, b->meta.smallest) < 0;
    });
    for (size_t i = 1; i < files.size(); ++i) {
      const FileMetaData& prev = files[i - 1]->meta;
      if (prev.unbounded_right || prev.largest_user_key() >= files[i]->meta.smallest_user_key()) {
        return absl::DataLossError(StrCat("Corruption: overlapping files #", prev.number, " and #",
                                          files[i]->meta.number, " in L", level));
      }
    }
  }
  return absl::OkStatus();
}

void VersionSet::AttachObsoleteHook(const std::vector<LiveFilePtr>& removed) {
  for (const auto& f : removed) f->on_obsolete = obsolete_sink_;
}

absl::Status VersionSet::WriteSnapshotManifest() {
  uint64_t number = NewFileNumber();
  std::string path = ManifestFileName(dbdir_, number);
  NOKV_ASSIGN_OR_RETURN(auto writer,
                        log::Writer::Create(*vfs_, path, log::FileKind::kManifest, number));
  VersionEdit snapshot;
  snapshot.SetLogNumber(log_number_.load());
  snapshot.SetNextFileNumber(next_file_number_.load());
  snapshot.SetLastSequence(last_sequence_.load());
  auto version = current();
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : version->levels[level]) snapshot.AddFile(level, f->meta);
  }
  std::string record;
  snapshot.EncodeTo(&record);
  absl::Status s = writer->AddRecord(record);
  if (s.ok()) s = writer->Sync();
  std::string current_contents = BaseName(path) + "\n";
  if (s.ok()) s = WriteFileAtomically(*vfs_, current_contents, CurrentFileName(dbdir_));
  if (!s.ok()) {
    writer->Close().IgnoreError();
    vfs_->RemoveFile(path).IgnoreError();
    return s;
  }
  if (manifest_) {
    manifest_->Close().IgnoreError();
    vfs_->RemoveFile(ManifestFileName(dbdir_, manifest_number_)).IgnoreError();
  }
  manifest_ = std::move(writer);
  manifest_number_ = number;
  return absl::OkStatus();
}

absl::Status VersionSet::CreateNew() {
  std::lock_guard<std::mutex> lock(manifest_mu_);
  return WriteSnapshotManifest();
}

absl::Status VersionSet::Recover() {
  std::lock_guard<std::mutex> lock(manifest_mu_);
  std::string current_name;
  NOKV_RETURN_IF_ERROR(ReadFileToString(*vfs_, CurrentFileName(dbdir_), &current_name));
  if (current_name.empty() || current_name.back() != '\n' ||
      current_name.find('/') != std::string::npos) {
    return absl::DataLossError(
        StrCat("Corruption: ", CurrentFileName(dbdir_), " offset 0: malformed CURRENT"));
  }
  current_name.pop_back();
  std::string manifest_path = JoinPath(dbdir_, current_name);
  NOKV_ASSIGN_OR_RETURN(auto reader,
                        log::Reader::Open(*vfs_, manifest_path, log::FileKind::kManifest));
  Version version;
  std::string_view record;
  uint64_t next_file = 2, log_number = 0;
  SequenceNumber last_seq = 0;
  while (reader->ReadRecord(&record)) {
    VersionEdit edit;
    NOKV_RETURN_IF_ERROR(
        edit.DecodeFrom(record, StrCat(manifest_path, " offset ", reader->last_record_offset())));
    Version next;
    std::vector<LiveFilePtr> removed;
    NOKV_RETURN_IF_ERROR(ApplyToVersion(edit, version, &next, &removed));
    version = std::move(next);
    if (edit.log_number()) log_number = *edit.log_number();
    if (edit.next_file_number()) next_file = *edit.next_file_number();
    if (edit.last_sequence()) last_seq = *edit.last_sequence();
  }
  NOKV_RETURN_IF_ERROR(reader->status());
  // A torn last record is an edit whose LogAndApply never returned: it was not acknowledged,
  // and the files it named are cleaned up as orphans.
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : version.levels[level]) MarkFileNumberUsed(f->meta.number);
  }
  MarkFileNumberUsed(next_file - 1);
  MarkFileNumberUsed(reader->file_number());
  log_number_.store(log_number);
  last_sequence_.store(last_seq);
  manifest_number_ = reader->file_number();
  {
    std::lock_guard<std::mutex> cur_lock(current_mu_);
    current_ = std::make_shared<Version>(std::move(version));
  }
  // Start a fresh MANIFEST so a torn tail in the old one is never appended to.
  return WriteSnapshotManifest();
}

absl::Status VersionSet::LogAndApply(VersionEdit* edit) {
  std::lock_guard<std::mutex> lock(manifest_mu_);
  if (edit->log_number()) {
    // never move backwards
    if (*edit->log_number() < log_number_.load()) edit->SetLogNumber(log_number_.load());
  } else {
    edit->SetLogNumber(log_number_.load());
  }
  edit->SetNextFileNumber(next_file_number_.load());
  edit->SetLastSequence(last_sequence_.load());
  auto base = current();
  auto next = std::make_shared<Version>();
  std::vector<LiveFilePtr> removed;
  NOKV_RETURN_IF_ERROR(ApplyToVersion(*edit, *base, next.get(), &removed));
  if (manifest_broken_) {
    // An earlier append may have left a partial record; never append after it.
    NOKV_RETURN_IF_ERROR(WriteSnapshotManifest());
    manifest_broken_ = false;
  }
  std::string record;
  edit->EncodeTo(&record);
  absl::Status s = manifest_->AddRecord(record);
  if (s.ok()) s = manifest_->Sync();
  if (!s.ok()) {
    manifest_broken_ = true;
    return s;
  }
  log_number_.store(*edit->log_number());
  AttachObsoleteHook(removed);
  {
    std::lock_guard<std::mutex> cur_lock(current_mu_);
    current_ = std::move(next);
  }
  return absl::OkStatus();
}

}  // namespace nokv
