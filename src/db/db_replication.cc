// The replication surface (src/db/replication.h): SST ingestion, range export, range stats.
#include <algorithm>
#include <cstdio>

#include "engine/format/filenames.h"
#include "src/db/db_impl.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv {
namespace {

DBImpl* Impl(DB* db) { return static_cast<DBImpl*>(db); }

}  // namespace

absl::Status IngestExternalFiles(DB* db, const std::vector<std::string>& paths) {
  return Impl(db)->IngestExternalFiles(paths);
}

absl::StatusOr<std::vector<ExternalFileInfo>> ExportRange(DB* db, const ExportOptions& options) {
  return Impl(db)->ExportRange(options);
}

absl::StatusOr<RangeStats> ApproximateRangeStats(DB* db, std::string_view begin,
                                                 std::string_view end) {
  return Impl(db)->ApproximateRangeStats(begin, end);
}

absl::Status DBImpl::IngestExternalFiles(const std::vector<std::string>& paths) {
  NOKV_RETURN_IF_ERROR(CheckOpen());
  if (paths.empty()) return absl::OkStatus();
  IngestJob job;
  struct PointRange {
    std::string lo, hi;
    const std::string* path;
  };
  std::vector<PointRange> point_ranges;
  for (const std::string& path : paths) {
    NOKV_ASSIGN_OR_RETURN(auto file, vfs_->NewRandomAccessFile(path));
    NOKV_ASSIGN_OR_RETURN(auto table, Table::Open(TableOptions{}, std::move(file), path, 0,
                                                  /*cache=*/nullptr));
    const TableProperties& p = table->properties();
    if (p.largest_seq != 0) {
      return absl::InvalidArgumentError(StrCat(
          "IngestExternalFiles: ", path, " holds sequence numbers (not an SstFileWriter file)"));
    }
    IngestJob::File f;
    f.source = path;
    f.meta.file_size = table->file_size();
    f.meta.num_entries = p.num_entries;
    f.meta.num_deletions = p.num_deletions;
    f.meta.num_range_deletions = p.num_range_deletions;
    bool has_range = false, unbounded = false;
    auto widen = [&](std::string_view lo, std::string_view hi) {
      if (!has_range || lo < f.lo) f.lo.assign(lo);
      if (!has_range || hi > f.hi) f.hi.assign(hi);
      has_range = true;
    };
    if (!p.smallest_point_key.empty()) {
      const std::string lo(ExtractUserKey(p.smallest_point_key));
      const std::string hi(ExtractUserKey(p.largest_point_key));
      widen(lo, hi);
      point_ranges.push_back({lo, hi, &f.source});
    }
    for (const RangeTombstone& t : table->range_tombstones()) {
      unbounded |= t.end.empty();
      widen(t.begin, t.end.empty() ? t.begin : t.end);
    }
    if (!has_range) continue;  // an empty file adds nothing
    if (unbounded) f.hi.clear();
    f.meta.unbounded_right = unbounded;
    job.files.push_back(std::move(f));
  }
  // Every file gets the same sequence, so no user key may be put by two of them.
  std::sort(point_ranges.begin(), point_ranges.end(),
            [](const PointRange& a, const PointRange& b) { return a.lo < b.lo; });
  for (size_t i = 1; i < point_ranges.size(); ++i) {
    if (point_ranges[i].lo <= point_ranges[i - 1].hi) {
      return absl::InvalidArgumentError(StrCat("IngestExternalFiles: ", *point_ranges[i - 1].path,
                                               " and ", *point_ranges[i].path,
                                               " put overlapping keys"));
    }
  }
  if (job.files.empty()) return absl::OkStatus();
  // In the writer queue: nothing commits while the files are installed, so they take the next
  // sequence and appear at once (CommitIngest).
  return SubmitWrite(WriteOptions(), nullptr, &job);
}

bool DBImpl::MemtablesOverlap(std::string_view lo, std::string_view hi) const {
  auto sv = GetSuperVersion();
  auto overlaps = [&](const std::shared_ptr<MemTable>& mem) {
    auto it = mem->NewIterator(mem);
    it->Seek(MakeInternalKey(lo, kMaxSequenceNumber, kValueKindForSeek));
    if (it->Valid() && (hi.empty() || ExtractUserKey(it->key()) <= hi)) return true;
    for (const RangeTombstone& t : mem->RangeTombstones()) {
      if ((t.end.empty() || t.end > lo) && (hi.empty() || t.begin <= hi)) return true;
    }
    return false;
  };
  if (overlaps(sv->mem)) return true;
  for (const auto& imm : sv->imms) {
    if (overlaps(imm)) return true;
  }
  return false;
}

absl::Status DBImpl::CommitIngest(IngestJob* job) {
  std::string lo = job->files.front().lo, hi = job->files.front().hi;
  bool unbounded = false;
  for (const IngestJob::File& f : job->files) {
    lo = std::min(lo, f.lo);
    if (f.hi.empty()) unbounded = true;
    hi = std::max(hi, f.hi);
  }
  if (unbounded) hi.clear();
  // Reads consult memtables before any SST: memtable data in the range would shadow the
  // ingested files. Flush it first (rare: raftstore writes nothing into a range it is
  // installing a snapshot into), holding the writers back meanwhile.
  if (MemtablesOverlap(lo, hi)) {
    NOKV_RETURN_IF_ERROR(MakeRoomForWrite(/*force_switch=*/true));
    MutexLock lock(&mu_);
    while (!imm_.empty() && BackgroundError().ok() && !closing_) bg_cv_.Wait(&mu_);
    NOKV_RETURN_IF_ERROR(BackgroundError());
    if (!imm_.empty()) return absl::FailedPreconditionError("IngestExternalFiles: DB is closing");
  }
  // The leader's turn: nothing else commits, so visible + 1 (tombstones) and visible + 2 (puts)
  // are free, and everything the files overlap is older.
  const SequenceNumber seq = visible_seq_.load(std::memory_order_relaxed) + 2;
  VersionEdit edit;
  std::vector<std::pair<std::string, std::string>> moved;  // source, destination
  absl::Status s;
  for (IngestJob::File& f : job->files) {
    f.meta.number = versions_->NewFileNumber();
    const std::string dest = SstFileName(dbdir_, f.meta.number);
    s = vfs_->RenameFile(f.source, dest);
    if (!s.ok()) break;
    moved.emplace_back(f.source, dest);
    FileMetaData& m = f.meta;
    m.global_seq = seq;
    m.largest_seq = seq;
    m.smallest_seq = m.num_range_deletions > 0 ? seq - 1 : seq;
    // The range as internal keys: tombstone bounds are sentinels (begin inclusive, end
    // exclusive, FileMetaData::EndsBefore); puts read at `seq`.
    m.smallest = MakeInternalKey(f.lo, kMaxSequenceNumber, ValueKind::kRangeDeletion);
    m.largest = m.unbounded_right
                    ? MakeInternalKey(f.lo, kMaxSequenceNumber, ValueKind::kRangeDeletion)
                    : MakeInternalKey(f.hi, 0, ValueKind::kDeletion);
    edit.AddFile(0, m);
  }
  if (s.ok()) s = vfs_->SyncDir(SstDir(dbdir_));
  if (!s.ok()) {
    // Nothing names the files yet: put them back where the caller had them.
    for (const auto& [source, dest] : moved) vfs_->RenameFile(dest, source).IgnoreError();
    return s;
  }
  versions_->SetLastSequence(seq);
  // On failure the files stay in sst/: the edit may be durable even though the append failed
  // (LogAndApply's contract); if it is not, the next Open removes them as orphans.
  NOKV_RETURN_IF_ERROR(versions_->LogAndApply(&edit));
  {
    MutexLock lock(&mu_);
    InstallSuperVersion();
  }
  visible_seq_.store(seq, std::memory_order_release);
  for (const IngestJob::File& f : job->files) {
    stats_.ingested_files.fetch_add(1, std::memory_order_relaxed);
    stats_.ingested_bytes.fetch_add(f.meta.file_size, std::memory_order_relaxed);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<ExternalFileInfo>> DBImpl::ExportRange(const ExportOptions& options) {
  NOKV_RETURN_IF_ERROR(CheckOpen());
  if (!options.begin.empty() && !options.end.empty() && options.end <= options.begin) {
    return absl::InvalidArgumentError("ExportRange: begin must be < end");
  }
  NOKV_RETURN_IF_ERROR(vfs_->CreateDir(options.dir));
  ReadOptions ro;
  ro.snapshot = options.snapshot;
  ro.lower_bound = options.begin;
  ro.upper_bound = options.end;
  ro.fill_cache = false;
  auto it = NewIterator(ro);
  std::vector<ExternalFileInfo> files;
  std::unique_ptr<SstFileWriter> writer;
  int n = 0;
  auto open_next = [&]() -> absl::Status {
    char name[32];
    std::snprintf(name, sizeof(name), "export-%06d.sst", n++);
    NOKV_ASSIGN_OR_RETURN(
        writer, SstFileWriter::Create(*vfs_, JoinPath(options.dir, name), table_cache_->options()));
    return absl::OkStatus();
  };
  auto finish = [&]() -> absl::Status {
    ExternalFileInfo info;
    NOKV_RETURN_IF_ERROR(writer->Finish(&info));
    writer.reset();
    if (!info.path.empty()) files.push_back(std::move(info));
    return absl::OkStatus();
  };
  NOKV_RETURN_IF_ERROR(open_next());
  if (options.clear_range) {
    // Keys are never empty, so "\0" is the smallest there is.
    NOKV_RETURN_IF_ERROR(writer->DeleteRange(
        options.begin.empty() ? std::string(1, '\0') : options.begin, options.end));
  }
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (writer == nullptr) NOKV_RETURN_IF_ERROR(open_next());
    NOKV_RETURN_IF_ERROR(writer->Put(it->key(), it->value(), it->expires_at_millis()));
    if (writer->FileSize() >= options.target_file_bytes) NOKV_RETURN_IF_ERROR(finish());
  }
  NOKV_RETURN_IF_ERROR(it->status());
  if (writer != nullptr) NOKV_RETURN_IF_ERROR(finish());
  return files;
}

absl::StatusOr<RangeStats> DBImpl::ApproximateRangeStats(std::string_view begin,
                                                         std::string_view end) {
  NOKV_RETURN_IF_ERROR(CheckOpen());
  auto sv = GetSuperVersion();
  RangeStats stats;
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : sv->version->levels[level]) {
      const FileMetaData& m = f->meta;
      if (!FileOverlapsRange(m, begin, end)) continue;
      if (!end.empty() && m.smallest_user_key() >= end) continue;  // end is exclusive here
      const bool inside =
          (begin.empty() || m.smallest_user_key() >= begin) && (end.empty() || m.EndsBefore(end));
      if (inside || m.file_size == 0) {
        stats.bytes += m.file_size;
        stats.keys += m.num_entries;
        continue;
      }
      NOKV_ASSIGN_OR_RETURN(auto table, sv->table_cache->Get(m));
      const uint64_t lo = begin.empty() ? 0 : table->ApproximateOffsetOf(begin);
      const uint64_t hi = end.empty() ? m.file_size : table->ApproximateOffsetOf(end);
      const uint64_t bytes = hi > lo ? hi - lo : 0;
      stats.bytes += bytes;
      stats.keys += m.num_entries * bytes / m.file_size;
    }
  }
  auto count = [&](const std::shared_ptr<MemTable>& mem) {
    auto it = mem->NewIterator(mem);
    if (begin.empty()) {
      it->SeekToFirst();
    } else {
      it->Seek(MakeInternalKey(begin, kMaxSequenceNumber, kValueKindForSeek));
    }
    for (; it->Valid(); it->Next()) {
      if (!end.empty() && ExtractUserKey(it->key()) >= end) break;
      stats.bytes += it->key().size() + it->value().size();
      ++stats.keys;
    }
  };
  count(sv->mem);
  for (const auto& imm : sv->imms) count(imm);
  return stats;
}

}  // namespace nokv
