#include "engine/lsm/version_set.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "engine/format/filenames.h"
#include "engine/wal/log_reader.h"
#include "src/util/errors.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"
#include "src/util/sync_point.h"

namespace nokv {

absl::Status ApplyEditToVersion(const VersionEdit& edit, const Version& base, Version* out,
                                std::vector<LiveFilePtr>* removed) {
  std::set<std::pair<int, uint64_t>> deleted(edit.deleted_files().begin(),
                                             edit.deleted_files().end());
  std::set<uint64_t> added;
  for (const auto& [level, meta] : edit.new_files()) added.insert(meta.number);
  // A file deleted and added by the same edit moved levels (a trivial move): it keeps its
  // LiveFile, which must not be reported obsolete (that would delete a live file).
  std::map<uint64_t, LiveFilePtr> moved;
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : base.levels[level]) {
      if (deleted.erase({level, f->meta.number})) {
        if (added.count(f->meta.number)) {
          moved[f->meta.number] = f;
        } else {
          removed->push_back(f);
        }
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
    auto it = moved.find(meta.number);
    if (it != moved.end()) {
      out->levels[level].push_back(it->second);
      continue;
    }
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
      if (!prev.EndsBefore(files[i]->meta.smallest_user_key())) {
        return absl::DataLossError(StrCat("Corruption: overlapping files #", prev.number, " and #",
                                          files[i]->meta.number, " in L", level));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ManifestState> ReadManifest(VFS& vfs, const std::string& dbdir,
                                           const ManifestEditFn& on_edit) {
  const std::string current_path = CurrentFileName(dbdir);
  std::string current_name;
  NOKV_RETURN_IF_ERROR(ReadFileToString(vfs, current_path, &current_name));
  uint64_t number = 0;
  if (current_name.empty() || current_name.back() != '\n' ||
      !ParseManifestName(std::string_view(current_name).substr(0, current_name.size() - 1),
                         &number)) {
    return CorruptionError(current_path, 0, "malformed CURRENT (expected \"MANIFEST-NNNNNN\\n\")");
  }
  current_name.pop_back();
  ManifestState state;
  state.path = JoinPath(dbdir, current_name);
  state.number = number;
  NOKV_ASSIGN_OR_RETURN(auto reader, log::Reader::Open(vfs, state.path, log::FileKind::kManifest));
  std::string_view record;
  while (reader->ReadRecord(&record)) {
    const uint64_t offset = reader->last_record_offset();
    VersionEdit edit;
    NOKV_RETURN_IF_ERROR(edit.DecodeFrom(record, StrCat(state.path, " offset ", offset)));
    Version next;
    std::vector<LiveFilePtr> removed;
    NOKV_RETURN_IF_ERROR(WithCorruptionContext(
        ApplyEditToVersion(edit, state.version, &next, &removed), state.path, offset));
    state.version = std::move(next);
    if (edit.log_number()) state.log_number = *edit.log_number();
    if (edit.next_file_number()) state.next_file_number = *edit.next_file_number();
    if (edit.last_sequence()) state.last_sequence = *edit.last_sequence();
    ++state.edits;
    if (on_edit) on_edit(edit, offset);
  }
  NOKV_RETURN_IF_ERROR(reader->status());
  if (reader->file_number() != 0 && reader->file_number() != number) {
    return CorruptionError(
        state.path, 16,
        StrCat("header names file number ", reader->file_number(), ", CURRENT ", number));
  }
  state.torn_tail = reader->torn_tail();
  state.torn_offset = reader->valid_end();
  if (state.edits == 0) {
    // Every MANIFEST starts with a snapshot of the whole state, synced before CURRENT names it.
    return CorruptionError(state.path, state.torn_offset,
                           "no readable version edit (the snapshot that starts a MANIFEST is "
                           "missing or damaged)");
  }
  return state;
}

VersionSet::VersionSet(VFS* vfs, std::string dbdir, std::function<void(uint64_t)> obsolete_sink)
    : vfs_(vfs),
      dbdir_(std::move(dbdir)),
      obsolete_sink_(std::move(obsolete_sink)),
      current_(std::make_shared<Version>()) {}

VersionSet::~VersionSet() {
  MutexLock lock(&manifest_mu_);
  if (manifest_) manifest_->Close().IgnoreError();
}

std::shared_ptr<const Version> VersionSet::current() const {
  MutexLock lock(&current_mu_);
  return current_;
}

void VersionSet::MarkFileNumberUsed(uint64_t number) {
  uint64_t want = number + 1;
  uint64_t cur = next_file_number_.load();
  while (cur < want && !next_file_number_.compare_exchange_weak(cur, want)) {
  }
}

uint64_t VersionSet::manifest_number() const {
  MutexLock lock(&manifest_mu_);
  return manifest_number_;
}

uint64_t VersionSet::manifest_bytes() const {
  MutexLock lock(&manifest_mu_);
  return manifest_ ? manifest_->size() : 0;
}

void VersionSet::AttachObsoleteHook(const std::vector<LiveFilePtr>& removed) {
  for (const auto& f : removed) f->on_obsolete = obsolete_sink_;
}

absl::Status VersionSet::StartNewManifest() {
  MutexLock lock(&manifest_mu_);
  return StartNewManifestLocked();
}

absl::Status VersionSet::StartNewManifestLocked() {
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
  bool renamed = false;
  if (s.ok()) {
    NOKV_SYNC_POINT("VersionSet::StartNewManifest:BeforeCurrentSwap");
    s = WriteFileAtomically(*vfs_, BaseName(path) + "\n", CurrentFileName(dbdir_), &renamed);
  }
  if (!s.ok()) {
    writer->Close().IgnoreError();
    if (renamed) {
      // CURRENT may already name the new MANIFEST (the rename happened, its directory fsync
      // failed): deleting it could leave CURRENT naming nothing. Keep both; a later successful
      // swap removes it.
      unconfirmed_manifests_.push_back(number);
    } else {
      vfs_->RemoveFile(path).IgnoreError();
    }
    return s;
  }
  // CURRENT durably names the new MANIFEST: every older one is garbage now.
  if (manifest_) {
    manifest_->Close().IgnoreError();
    vfs_->RemoveFile(ManifestFileName(dbdir_, manifest_number_)).IgnoreError();
  }
  for (uint64_t stale : unconfirmed_manifests_) {
    vfs_->RemoveFile(ManifestFileName(dbdir_, stale)).IgnoreError();
  }
  unconfirmed_manifests_.clear();
  manifest_ = std::move(writer);
  manifest_number_ = number;
  manifest_broken_ = false;
  return absl::OkStatus();
}

absl::Status VersionSet::CreateNew(uint64_t log_number) {
  MutexLock lock(&manifest_mu_);
  log_number_.store(log_number);
  return StartNewManifestLocked();
}

void VersionSet::Install(ManifestState state) {
  MutexLock lock(&manifest_mu_);
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : state.version.levels[level]) MarkFileNumberUsed(f->meta.number);
  }
  MarkFileNumberUsed(state.next_file_number - 1);
  MarkFileNumberUsed(state.number);
  log_number_.store(state.log_number);
  last_sequence_.store(state.last_sequence);
  manifest_number_ = state.number;
  manifest_.reset();
  // The recovered MANIFEST may end in a torn record: it is never appended to.
  manifest_broken_ = true;
  MutexLock cur_lock(&current_mu_);
  current_ = std::make_shared<Version>(std::move(state.version));
}

absl::Status VersionSet::LogAndApply(VersionEdit* edit) {
  MutexLock lock(&manifest_mu_);
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
  NOKV_RETURN_IF_ERROR(ApplyEditToVersion(*edit, *base, next.get(), &removed));
  if (manifest_broken_ || !manifest_) {
    // An earlier append may have left a partial record, or its fsync failed: never append to
    // that file again.
    NOKV_RETURN_IF_ERROR(StartNewManifestLocked());
  }
  std::string record;
  edit->EncodeTo(&record);
  NOKV_SYNC_POINT("VersionSet::LogAndApply:BeforeAppend");
  absl::Status s = manifest_->AddRecord(record);
  if (s.ok()) s = manifest_->Sync();
  if (!s.ok()) {
    manifest_broken_ = true;
    return s;
  }
  log_number_.store(*edit->log_number());
  AttachObsoleteHook(removed);
  {
    MutexLock cur_lock(&current_mu_);
    current_ = std::move(next);
  }
  return absl::OkStatus();
}

}  // namespace nokv
