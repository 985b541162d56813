#include "engine/lsm/compaction.h"

#include <algorithm>

#include "engine/format/filenames.h"
#include "engine/lsm/compaction_iterator.h"
#include "engine/lsm/merging_iterator.h"
#include "engine/sst/table.h"
#include "src/util/clock.h"
#include "src/util/status_macros.h"

namespace nokv {
namespace {

// One output file being written.
class OutputFile {
 public:
  static absl::StatusOr<std::unique_ptr<OutputFile>> Create(const BuildContext& ctx) {
    auto out = std::unique_ptr<OutputFile>(new OutputFile());
    out->ctx_ = &ctx;
    out->number_ = ctx.new_file_number();
    out->path_ = SstFileName(ctx.dbdir, out->number_);
    NOKV_ASSIGN_OR_RETURN(out->file_, ctx.vfs->NewWritableFile(out->path_));
    out->builder_ = std::make_unique<TableBuilder>(ctx.table_options, out->file_.get(), out->path_);
    return out;
  }

  TableBuilder* builder() { return builder_.get(); }
  const std::string& path() const { return path_; }

  // Finishes, syncs and closes; fills `meta`.
  absl::Status Finish(FileMetaData* meta) {
    NOKV_RETURN_IF_ERROR(builder_->Finish());
    NOKV_RETURN_IF_ERROR(file_->Sync());
    NOKV_RETURN_IF_ERROR(file_->Close());
    const TableProperties& props = builder_->properties();
    meta->number = number_;
    meta->file_size = builder_->FileSize();
    meta->smallest_seq = props.smallest_seq;
    meta->largest_seq = props.largest_seq;
    meta->num_entries = props.num_entries;
    meta->num_deletions = props.num_deletions;
    meta->num_range_deletions = props.num_range_deletions;
    meta->smallest = props.smallest_point_key;
    meta->largest = props.largest_point_key;
    meta->unbounded_right = false;
    for (const RangeTombstone& t : tombstones_) {
      std::string begin = MakeInternalKey(t.begin, kMaxSequenceNumber, ValueKind::kRangeDeletion);
      if (meta->smallest.empty() || CompareInternalKeys(begin, meta->smallest) < 0) {
        meta->smallest = begin;
      }
      if (t.end.empty()) {
        meta->unbounded_right = true;
        if (meta->largest.empty()) meta->largest = begin;
        continue;
      }
      std::string end = MakeInternalKey(t.end, kMaxSequenceNumber, ValueKind::kRangeDeletion);
      if (meta->largest.empty() || CompareInternalKeys(end, meta->largest) > 0) {
        meta->largest = end;
      }
    }
    return absl::OkStatus();
  }

  void AddTombstone(const RangeTombstone& t) {
    builder_->AddRangeTombstone(t);
    tombstones_.push_back(t);
  }

  void Abandon() {
    file_->Close().IgnoreError();
    ctx_->vfs->RemoveFile(path_).IgnoreError();
  }

 private:
  OutputFile() = default;
  const BuildContext* ctx_ = nullptr;
  uint64_t number_ = 0;
  std::string path_;
  std::unique_ptr<WritableFile> file_;
  std::unique_ptr<TableBuilder> builder_;
  std::vector<RangeTombstone> tombstones_;
};

}  // namespace

absl::Status BuildFlushTables(const BuildContext& ctx, InternalIterator* iter,
                              const std::vector<RangeTombstone>& tombstones,
                              const std::vector<std::string>& shard_bounds,
                              std::vector<FileMetaData>* metas, BuildStats* stats) {
  uint64_t start = Clock::Real()->NowMonotonicMicros();
  metas->clear();
  iter->SeekToFirst();
  if (!iter->Valid() && tombstones.empty()) return iter->status();
  // A range tombstone may span shards that hold no point of this memtable; splitting would
  // need tombstone-only files for them. Such flushes (rare) stay whole.
  const bool split = tombstones.empty() && !shard_bounds.empty();
  std::vector<std::unique_ptr<OutputFile>> outputs;
  size_t next_bound = 0;  // index of the first bound above the current output's keys
  absl::Status s;
  for (; iter->Valid(); iter->Next()) {
    const std::string_view user_key = ExtractUserKey(iter->key());
    bool cut = false;
    while (split && next_bound < shard_bounds.size() && user_key >= shard_bounds[next_bound]) {
      ++next_bound;
      cut = true;
    }
    if (outputs.empty() || cut) {
      auto created = OutputFile::Create(ctx);
      if (!created.ok()) {
        s = created.status();
        break;
      }
      outputs.push_back(std::move(*created));
    }
    outputs.back()->builder()->Add(iter->key(), iter->value());
    ++stats->input_entries;
  }
  if (s.ok()) s = iter->status();
  if (s.ok() && outputs.empty()) {  // tombstones only
    auto created = OutputFile::Create(ctx);
    if (created.ok()) {
      outputs.push_back(std::move(*created));
    } else {
      s = created.status();
    }
  }
  if (s.ok()) {
    for (const RangeTombstone& t : tombstones) outputs.front()->AddTombstone(t);
  }
  for (auto& out : outputs) {
    if (!s.ok()) break;
    FileMetaData meta;
    s = out->Finish(&meta);
    if (s.ok()) metas->push_back(meta);
  }
  if (s.ok()) s = ctx.vfs->SyncDir(DirName(outputs.front()->path()));
  if (!s.ok()) {
    for (auto& out : outputs) out->Abandon();
    metas->clear();
    return s;
  }
  for (const FileMetaData& meta : *metas) {
    stats->output_bytes += meta.file_size;
    stats->output_entries += meta.num_entries;
  }
  stats->micros += Clock::Real()->NowMonotonicMicros() - start;
  return absl::OkStatus();
}

absl::Status RunCompaction(const BuildContext& ctx, TableCache* cache, const CompactionPlan& plan,
                           VersionEdit* edit, BuildStats* stats) {
  uint64_t start = Clock::Real()->NowMonotonicMicros();
  std::vector<std::unique_ptr<InternalIterator>> children;
  std::vector<RangeTombstone> tombstones;
  std::vector<const std::vector<LiveFilePtr>*> groups = {&plan.upper_inputs, &plan.lower_inputs};
  for (const auto* group : groups) {
    for (const auto& f : *group) {
      NOKV_ASSIGN_OR_RETURN(std::shared_ptr<Table> table, cache->Get(f->meta));
      children.push_back(table->NewIterator(/*fill_cache=*/false));
      const auto& ts = table->range_tombstones();
      tombstones.insert(tombstones.end(), ts.begin(), ts.end());
      stats->input_bytes += f->meta.file_size;
    }
  }
  auto input = NewMergingIterator(std::move(children));
  CompactionIterator::Options drop_rules;
  drop_rules.snapshots = ctx.snapshots;
  drop_rules.now_millis = ctx.now_millis;
  drop_rules.bottommost = plan.bottommost;
  CompactionIterator iter(input.get(), tombstones, std::move(drop_rules));

  std::vector<std::unique_ptr<OutputFile>> finished;
  std::vector<FileMetaData> metas;
  std::unique_ptr<OutputFile> out;
  std::string out_first_user_key, out_last_user_key;
  // Above the bottom the outputs tile the key space: output i holds the tombstones of
  // [partition_lo, the next output's first key).
  std::string partition_lo;
  auto finish_output = [&](std::string_view next_first_key) -> absl::Status {
    std::vector<RangeTombstone> kept;
    if (plan.bottommost) {
      std::string clip_end = out_last_user_key;
      clip_end.push_back('\0');
      kept = iter.KeptTombstones(out_first_user_key, clip_end);
    } else {
      kept = iter.KeptTombstones(partition_lo, next_first_key);
      partition_lo.assign(next_first_key);
    }
    for (const RangeTombstone& t : kept) out->AddTombstone(t);
    FileMetaData meta;
    NOKV_RETURN_IF_ERROR(out->Finish(&meta));
    metas.push_back(meta);
    finished.push_back(std::move(out));
    return absl::OkStatus();
  };
  // Grandparent overlap (LevelDB's ShouldStopBefore): cut before an output would overlap more
  // than ten target files of the level below its own.
  const uint64_t max_grandparent_overlap = 10 * ctx.target_file_bytes;
  size_t grandparent_index = 0;
  uint64_t grandparent_overlap = 0;
  bool seen_key = false;
  auto overlaps_too_much = [&](std::string_view user_key) {
    while (grandparent_index < plan.grandparents.size() &&
           plan.grandparents[grandparent_index]->meta.EndsBefore(user_key)) {
      if (seen_key) grandparent_overlap += plan.grandparents[grandparent_index]->meta.file_size;
      ++grandparent_index;
    }
    seen_key = true;
    if (grandparent_overlap > max_grandparent_overlap) {
      grandparent_overlap = 0;
      return true;
    }
    return false;
  };

  absl::Status s;
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
    // Cut only between user keys, so a key's versions never straddle files.
    if (iter.starts_user_key()) {
      const bool crowded = overlaps_too_much(iter.user_key());
      if (out && (crowded || out->builder()->FileSize() >= ctx.target_file_bytes)) {
        s = finish_output(iter.user_key());
        if (!s.ok()) break;
      }
    }
    if (!out) {
      auto created = OutputFile::Create(ctx);
      if (!created.ok()) {
        s = created.status();
        break;
      }
      out = std::move(*created);
      out_first_user_key.assign(iter.user_key());
    }
    out->builder()->Add(iter.key(), iter.value());
    out_last_user_key.assign(iter.user_key());
    ++stats->output_entries;
  }
  if (s.ok()) s = iter.status();
  if (s.ok() && !out && finished.empty() && !plan.bottommost && iter.HasKeptTombstones()) {
    // Every point went, but the tombstones still delete data below: keep them in a file.
    auto created = OutputFile::Create(ctx);
    if (created.ok()) {
      out = std::move(*created);
    } else {
      s = created.status();
    }
  }
  if (s.ok() && out) s = finish_output("");
  if (s.ok() && !finished.empty()) {
    s = ctx.vfs->SyncDir(DirName(finished.front()->path()));
  }
  stats->input_entries += iter.input_entries();
  stats->dropped_entries += iter.dropped_entries();
  if (!s.ok()) {
    if (out) out->Abandon();
    for (auto& f : finished) ctx.vfs->RemoveFile(f->path()).IgnoreError();
    return s;
  }
  for (const auto& f : plan.upper_inputs) edit->DeleteFile(plan.upper_level, f->meta.number);
  for (const auto& f : plan.lower_inputs) edit->DeleteFile(plan.output_level, f->meta.number);
  for (const FileMetaData& meta : metas) {
    edit->AddFile(plan.output_level, meta);
    stats->output_bytes += meta.file_size;
  }
  stats->micros += Clock::Real()->NowMonotonicMicros() - start;
  return absl::OkStatus();
}

void MoveFiles(const CompactionPlan& plan, VersionEdit* edit) {
  for (const auto& f : plan.upper_inputs) {
    edit->DeleteFile(plan.upper_level, f->meta.number);
    edit->AddFile(plan.output_level, f->meta);
  }
}

}  // namespace nokv
