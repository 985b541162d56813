// Background work: memtable flush and compaction (docs/runtime.md "Background work").
#include "src/db/db_impl.h"
#include "src/util/status_macros.h"
#include "src/util/sync_point.h"

namespace nokv {

void DBImpl::FlushLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    bg_cv_.wait(lock, [&] { return closing_ || (!imm_.empty() && bg_error_.ok()); });
    if (closing_) return;
    lock.unlock();
    absl::Status s = FlushOldestImmutable();
    DeleteObsoleteFiles();
    lock.lock();
    if (!s.ok()) SetBackgroundError(s);
    bg_cv_.notify_all();
  }
}

absl::Status DBImpl::FlushOldestImmutable() {
  Immutable imm;
  {
    std::lock_guard<std::mutex> lock(mu_);
    imm = imm_.front();
  }
  NOKV_SYNC_POINT("DB::Flush:Start");
  BuildContext ctx = MakeBuildContext();
  auto iter = imm.mem->NewIterator(imm.mem);
  FileMetaData meta;
  BuildStats build;
  NOKV_RETURN_IF_ERROR(BuildFlushTable(ctx, iter.get(), imm.mem->RangeTombstones(), &meta, &build));
  VersionEdit edit;
  if (meta.number != 0) edit.AddFile(0, meta);
  {
    // Every segment older than the next unflushed memtable's first segment is obsolete.
    std::lock_guard<std::mutex> lock(mu_);
    edit.SetLogNumber(imm_.size() > 1 ? imm_[1].log_number : mem_log_number_);
  }
  NOKV_SYNC_POINT("DB::Flush:BeforeManifest");
  // On failure the new file is left in place: the edit may have reached the MANIFEST even
  // though the call failed. An unreferenced file is removed as an orphan at the next open.
  NOKV_RETURN_IF_ERROR(versions_->LogAndApply(&edit));
  {
    std::lock_guard<std::mutex> lock(mu_);
    imm_.pop_front();
    InstallSuperVersion();
  }
  stats_.flushes.fetch_add(1);
  stats_.flush_bytes.fetch_add(meta.file_size);
  stats_.flush_micros.fetch_add(build.micros);
  DeleteObsoleteWalSegments();
  return absl::OkStatus();
}

void DBImpl::CompactionLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    bg_cv_.wait(lock, [&] {
      return closing_ || (bg_error_.ok() &&
                          (manual_compaction_requested_ ||
                           versions_->current()->NumFiles(0) >= options_.l0_compaction_trigger));
    });
    if (closing_) return;
    bool manual = manual_compaction_requested_;
    lock.unlock();
    absl::Status s = RunOneCompaction(manual);
    DeleteObsoleteFiles();
    lock.lock();
    if (manual) {
      manual_compaction_requested_ = false;
      ++manual_compactions_done_;
    }
    if (s.ok()) {
      consecutive_compaction_failures_ = 0;
    } else {
      stats_.compaction_errors.fetch_add(1);
      // A failed compaction keeps its inputs; retry, but stop writes if it keeps failing so
      // writers see the error instead of stalling forever on L0.
      if (++consecutive_compaction_failures_ >= 3) SetBackgroundError(s);
      if (!closing_) bg_cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
    bg_cv_.notify_all();
  }
}

absl::Status DBImpl::RunOneCompaction(bool manual) {
  auto version = versions_->current();
  CompactionPlan plan;
  plan.upper_level = 0;
  plan.output_level = 1;
  plan.bottommost = true;  // only L0 and L1 are used so far (docs/notes: compaction v1)
  plan.upper_inputs = version->levels[0];
  if (plan.upper_inputs.empty()) {
    if (!manual || version->levels[1].empty()) return absl::OkStatus();
  }
  if (manual) {
    plan.lower_inputs = version->levels[1];
  } else {
    std::string begin, end;
    bool unbounded = false, first = true;
    for (const auto& f : plan.upper_inputs) {
      if (first || f->meta.smallest_user_key() < begin) begin = f->meta.smallest_user_key();
      if (first || f->meta.largest_user_key() > end) end = f->meta.largest_user_key();
      unbounded |= f->meta.unbounded_right;
      first = false;
    }
    // Keys may be empty strings only as "unbounded" markers here; real keys are non-empty.
    for (const auto& f : version->levels[1]) {
      if (FileOverlapsRange(f->meta, begin,
                            unbounded ? std::string_view() : std::string_view(end))) {
        plan.lower_inputs.push_back(f);
      }
    }
  }
  NOKV_SYNC_POINT("DB::Compaction:Start");
  BuildContext ctx = MakeBuildContext();
  ctx.snapshots = LiveSnapshots();
  VersionEdit edit;
  BuildStats build;
  NOKV_RETURN_IF_ERROR(RunCompaction(ctx, table_cache_.get(), plan, &edit, &build));
  NOKV_RETURN_IF_ERROR(versions_->LogAndApply(&edit));  // outputs kept on failure (see flush)
  {
    std::lock_guard<std::mutex> lock(mu_);
    InstallSuperVersion();
  }
  stats_.compactions.fetch_add(1);
  stats_.compaction_input_bytes.fetch_add(build.input_bytes);
  stats_.compaction_output_bytes.fetch_add(build.output_bytes);
  stats_.compaction_micros.fetch_add(build.micros);
  stats_.compaction_dropped_entries.fetch_add(build.dropped_entries);
  return absl::OkStatus();
}

void DBImpl::DeleteObsoleteFiles() {
  std::vector<uint64_t> numbers;
  {
    std::lock_guard<std::mutex> lock(obsolete_->mu);
    numbers.swap(obsolete_->numbers);
  }
  for (uint64_t n : numbers) {
    if (table_cache_) table_cache_->Evict(n);
    if (vfs_->RemoveFile(SstFileName(dbdir_, n)).ok()) stats_.obsolete_files_deleted.fetch_add(1);
  }
}

absl::Status DBImpl::Flush() {
  NOKV_RETURN_IF_ERROR(CheckOpen());
  // Freeze the memtable through the writer queue (only a write leader touches mem_), then wait
  // until every frozen memtable up to that point is on disk.
  NOKV_RETURN_IF_ERROR(SubmitWrite(WriteOptions(), nullptr));
  std::unique_lock<std::mutex> lock(mu_);
  bg_cv_.wait(lock, [&] { return imm_.empty() || !bg_error_.ok() || closing_; });
  return bg_error_;
}

absl::Status DBImpl::CompactRange(std::string_view begin, std::string_view end) {
  NOKV_RETURN_IF_ERROR(Flush());
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t target = manual_compactions_done_ + 1;
  manual_compaction_requested_ = true;
  bg_cv_.notify_all();
  bg_cv_.wait(lock,
              [&] { return manual_compactions_done_ >= target || !bg_error_.ok() || closing_; });
  if (consecutive_compaction_failures_ > 0 && bg_error_.ok()) {
    return absl::InternalError("CompactRange: compaction failed (see compaction.errors)");
  }
  return bg_error_;
}

}  // namespace nokv
