#include "engine/lsm/version.h"

#include <algorithm>

#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv {

bool FileOverlapsRange(const FileMetaData& f, std::string_view begin, std::string_view end) {
  if (!end.empty() && f.smallest_user_key() > end) return false;
  if (!begin.empty() && f.EndsBefore(begin)) return false;
  return true;
}

uint64_t Version::LevelBytes(int level) const {
  uint64_t total = 0;
  for (const auto& f : levels[level]) total += f->meta.file_size;
  return total;
}

std::vector<LiveFilePtr> Version::OverlappingFiles(int level, std::string_view begin,
                                                   std::string_view end) const {
  std::vector<LiveFilePtr> out;
  for (const auto& f : levels[level]) {
    if (FileOverlapsRange(f->meta, begin, end)) out.push_back(f);
  }
  return out;
}

namespace {

// Looks `user_key` up in one file; updates the running tombstone maximum and the result.
// Returns true when the search can stop (an answer is final).
absl::StatusOr<bool> LookupInFile(TableCache* cache, const FileMetaData& meta,
                                  std::string_view user_key, std::string_view lookup_key,
                                  SequenceNumber snapshot, const TableReadOptions& read,
                                  SequenceNumber* max_tombstone, PointLookupResult* result) {
  NOKV_ASSIGN_OR_RETURN(std::shared_ptr<Table> table, cache->Get(meta));
  if (meta.num_range_deletions > 0) {
    for (const RangeTombstone& t : table->range_tombstones()) {
      if (t.sequence <= snapshot && t.sequence > *max_tombstone && t.Covers(user_key)) {
        *max_tombstone = t.sequence;
      }
    }
  }
  TableGetResult got;
  NOKV_RETURN_IF_ERROR(table->Get(lookup_key, &got, read.fill_cache, read.verify_checksums));
  if (got.found) {
    result->found = true;
    result->sequence = got.sequence;
    result->deleted = got.kind == ValueKind::kDeletion || *max_tombstone > got.sequence;
    if (!result->deleted) result->stored_value = std::move(got.value);
    return true;
  }
  // A covering tombstone in this file hides every older entry in later files.
  return *max_tombstone > 0;
}

}  // namespace

absl::Status Version::Get(TableCache* cache, std::string_view user_key, SequenceNumber snapshot,
                          const TableReadOptions& read, PointLookupResult* result) const {
  std::string lookup_key = MakeInternalKey(user_key, snapshot, kValueKindForSeek);
  SequenceNumber max_tombstone = 0;
  *result = PointLookupResult();
  auto finish_deleted = [&]() {
    result->found = false;
    result->deleted = true;
    return absl::OkStatus();
  };
  for (const auto& f : levels[0]) {  // newest first
    const FileMetaData& m = f->meta;
    if (!FileOverlapsRange(m, user_key, user_key)) continue;
    NOKV_ASSIGN_OR_RETURN(bool done, LookupInFile(cache, m, user_key, lookup_key, snapshot, read,
                                                  &max_tombstone, result));
    if (done) return result->found ? absl::OkStatus() : finish_deleted();
  }
  for (int level = 1; level < kNumLevels; ++level) {
    const auto& files = levels[level];
    if (files.empty()) continue;
    // First file that does not end before user_key.
    auto it = std::lower_bound(
        files.begin(), files.end(), user_key,
        [](const LiveFilePtr& f, std::string_view k) { return f->meta.EndsBefore(k); });
    if (it == files.end() || (*it)->meta.smallest_user_key() > user_key) continue;
    NOKV_ASSIGN_OR_RETURN(bool done, LookupInFile(cache, (*it)->meta, user_key, lookup_key,
                                                  snapshot, read, &max_tombstone, result));
    if (done) return result->found ? absl::OkStatus() : finish_deleted();
  }
  return absl::OkStatus();
}

absl::Status Version::CollectRangeTombstones(TableCache* cache,
                                             std::vector<RangeTombstone>* out) const {
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : levels[level]) {
      if (f->meta.num_range_deletions == 0) continue;
      NOKV_ASSIGN_OR_RETURN(std::shared_ptr<Table> table, cache->Get(f->meta));
      const auto& ts = table->range_tombstones();
      out->insert(out->end(), ts.begin(), ts.end());
    }
  }
  return absl::OkStatus();
}

void Version::AddIterators(TableCache* cache, const TableReadOptions& read,
                           std::vector<std::unique_ptr<InternalIterator>>* out) const {
  for (const auto& f : levels[0]) {
    auto table = cache->Get(f->meta);
    if (!table.ok()) {
      out->push_back(std::make_unique<EmptyIterator>(table.status()));
      continue;
    }
    out->push_back((*table)->NewIterator(read.fill_cache, read.verify_checksums));
  }
  for (int level = 1; level < kNumLevels; ++level) {
    if (!levels[level].empty()) {
      out->push_back(NewLevelIterator(cache, levels[level], read));
    }
  }
}

std::string Version::DebugString() const {
  std::string out;
  for (int level = 0; level < kNumLevels; ++level) {
    if (levels[level].empty()) continue;
    StrAppend(&out, "L", level, ": ", levels[level].size(), " files, ", LevelBytes(level),
              " bytes\n");
  }
  return out;
}

namespace {

class LevelIterator final : public InternalIterator {
 public:
  LevelIterator(TableCache* cache, std::vector<LiveFilePtr> files, const TableReadOptions& read)
      : cache_(cache), files_(std::move(files)), read_(read) {}

  bool Valid() const override { return current_ != nullptr && current_->Valid(); }
  void SeekToFirst() override {
    OpenFile(0);
    if (current_) current_->SeekToFirst();
    SkipForward();
  }
  void SeekToLast() override {
    OpenFile(files_.size() - 1);
    if (current_) current_->SeekToLast();
    SkipBackward();
  }
  void Seek(std::string_view target) override {
    // First file whose largest key >= target.
    size_t i = std::lower_bound(files_.begin(), files_.end(), target,
                                [](const LiveFilePtr& f, std::string_view t) {
                                  return CompareInternalKeys(f->meta.largest, t) < 0;
                                }) -
               files_.begin();
    if (i == files_.size()) {
      Close();
      return;
    }
    OpenFile(i);
    if (current_) current_->Seek(target);
    SkipForward();
  }
  void SeekForPrev(std::string_view target) override {
    // Last file whose smallest key <= target.
    size_t i = std::upper_bound(files_.begin(), files_.end(), target,
                                [](std::string_view t, const LiveFilePtr& f) {
                                  return CompareInternalKeys(t, f->meta.smallest) < 0;
                                }) -
               files_.begin();
    if (i == 0) {
      Close();
      return;
    }
    OpenFile(i - 1);
    if (current_) current_->SeekForPrev(target);
    SkipBackward();
  }
  void Next() override {
    current_->Next();
    SkipForward();
  }
  void Prev() override {
    current_->Prev();
    SkipBackward();
  }
  std::string_view key() const override { return current_->key(); }
  std::string_view value() const override { return current_->value(); }
  absl::Status status() const override {
    if (!status_.ok()) return status_;
    return current_ ? current_->status() : absl::OkStatus();
  }

 private:
  void Close() {
    current_.reset();
    index_ = files_.size();
  }
  void OpenFile(size_t i) {
    current_.reset();
    index_ = i;
    if (i >= files_.size()) return;
    auto table = cache_->Get(files_[i]->meta);
    if (!table.ok()) {
      status_ = table.status();
      return;
    }
    current_ = (*table)->NewIterator(read_.fill_cache, read_.verify_checksums);
  }
  void SkipForward() {
    while (current_ && !current_->Valid() && current_->status().ok()) {
      if (index_ + 1 >= files_.size()) {
        Close();
        return;
      }
      OpenFile(index_ + 1);
      if (current_) current_->SeekToFirst();
    }
  }
  void SkipBackward() {
    while (current_ && !current_->Valid() && current_->status().ok()) {
      if (index_ == 0) {
        Close();
        return;
      }
      OpenFile(index_ - 1);
      if (current_) current_->SeekToLast();
    }
  }

  TableCache* cache_;
  std::vector<LiveFilePtr> files_;
  TableReadOptions read_;
  size_t index_ = 0;
  std::unique_ptr<InternalIterator> current_;
  absl::Status status_;
};

}  // namespace

std::unique_ptr<InternalIterator> NewLevelIterator(TableCache* cache,
                                                   std::vector<LiveFilePtr> files,
                                                   const TableReadOptions& read) {
  return std::make_unique<LevelIterator>(cache, std::move(files), read);
}

}  // namespace nokv
