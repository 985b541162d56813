// Background work: memtable flush and compaction, and how their failures are retried
// (docs/runtime.md "Background work", docs/notes/2026-11-29-durability-contract.md).
#include <algorithm>
#include <optional>

#include "engine/format/filenames.h"
#include "engine/lsm/compaction_picker.h"
#include "src/db/db_impl.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"
#include "src/util/sync_point.h"

namespace nokv {
namespace {

// Retry backoff for failed background work: 50 ms doubling up to 2 s. Short enough that writes
// resume soon after space is freed, long enough not to spin on a full disk.
constexpr uint64_t kRetryBaseMicros = 50'000;
constexpr uint64_t kRetryMaxMicros = 2'000'000;
// The backoff is measured on the DB's clock (tests inject one); a waiting thread re-reads it at
// least this often, since advancing an injected clock wakes nobody.
constexpr std::chrono::milliseconds kRetryPoll(50);

bool IsRetryable(const absl::Status& s) {
  // A corrupt input stays corrupt; everything else (I/O errors, a full disk) may clear.
  return !absl::IsDataLoss(s);
}

}  // namespace

absl::Status DBImpl::BackgroundError() const {
  if (!fatal_error_.ok()) return fatal_error_;
  for (const RetryState& r : retry_) {
    if (!r.error.ok()) return r.error;
  }
  return absl::OkStatus();
}

void DBImpl::SetFatalError(const absl::Status& s) {
  if (fatal_error_.ok()) {
    fatal_error_ = absl::Status(
        s.code(), StrCat("background error, writes stopped until reopen: ", s.message()));
  }
  bg_cv_.SignalAll();
}

void DBImpl::SetRetryableError(BgWork work, const absl::Status& s) {
  if (!IsRetryable(s)) {
    SetFatalError(s);
    return;
  }
  RetryState& r = retry_[static_cast<int>(work)];
  r.error = absl::Status(
      s.code(),
      StrCat(work == BgWork::kFlush ? "flush" : "compaction",
             " failed, writes refused until a retry succeeds (automatic, or DB::Resume): ",
             s.message()));
  ++r.failures;
  const uint64_t backoff =
      std::min(kRetryMaxMicros, kRetryBaseMicros << std::min(r.failures - 1, 10));
  r.retry_at_us = clock_->NowMonotonicMicros() + backoff;
  bg_cv_.SignalAll();
}

void DBImpl::ClearRetryableError(BgWork work) {
  RetryState& r = retry_[static_cast<int>(work)];
  if (!r.error.ok()) bg_cv_.SignalAll();
  r = RetryState();
}

bool DBImpl::RetryDue(BgWork work, std::chrono::microseconds* wait) const {
  const RetryState& r = retry_[static_cast<int>(work)];
  if (r.error.ok()) return true;
  const uint64_t now = clock_->NowMonotonicMicros();
  if (now >= r.retry_at_us) return true;
  *wait = std::chrono::microseconds(r.retry_at_us - now);
  return false;
}

void DBImpl::WaitForBackgroundWork(std::chrono::microseconds retry_in) {
  if (retry_in.count() > 0) {
    bg_cv_.WaitFor(&mu_, std::min<std::chrono::microseconds>(retry_in, kRetryPoll));
  } else {
    bg_cv_.Wait(&mu_);
  }
}

void DBImpl::FlushLoop() {
  mu_.Lock();
  uint64_t seen_resumes = resume_requests_;
  while (!closing_) {
    std::chrono::microseconds wait(0);
    const bool resume = resume_requests_ != seen_resumes;
    const bool ready =
        !imm_.empty() && fatal_error_.ok() && (resume || RetryDue(BgWork::kFlush, &wait));
    if (!ready) {
      if (imm_.empty()) ClearRetryableError(BgWork::kFlush);  // nothing left that failed
      WaitForBackgroundWork(wait);
      continue;
    }
    seen_resumes = resume_requests_;
    mu_.Unlock();
    absl::Status s = FlushOldestImmutable();
    DeleteObsoleteFiles();
    mu_.Lock();
    if (s.ok()) {
      ClearRetryableError(BgWork::kFlush);
    } else {
      SetRetryableError(BgWork::kFlush, s);
    }
    bg_cv_.SignalAll();
  }
  mu_.Unlock();
}

absl::Status DBImpl::FlushOldestImmutable() {
  Immutable imm;
  {
    MutexLock lock(&mu_);
    imm = imm_.front();
  }
  NOKV_SYNC_POINT("DB::Flush:Start");
  BuildContext ctx = MakeBuildContext();
  auto iter = imm.mem->NewIterator(imm.mem);
  std::vector<FileMetaData> metas;
  BuildStats build;
  NOKV_RETURN_IF_ERROR(
      BuildFlushTables(ctx, iter.get(), imm.mem->RangeTombstones(), ShardBounds(), &metas, &build));
  VersionEdit edit;
  for (const FileMetaData& meta : metas) edit.AddFile(0, meta);
  {
    // Every segment older than the next unflushed memtable's first segment is obsolete.
    MutexLock lock(&mu_);
    edit.SetLogNumber(imm_.size() > 1 ? imm_[1].log_number : mem_log_number_);
  }
  NOKV_SYNC_POINT("DB::Flush:BeforeManifest");
  // On failure the new file is left in place: the edit may have reached the MANIFEST even
  // though the call failed. An unreferenced file is removed as an orphan at the next open.
  NOKV_RETURN_IF_ERROR(versions_->LogAndApply(&edit));
  {
    MutexLock lock(&mu_);
    imm_.pop_front();
    InstallSuperVersion();
  }
  stats_.flushes.fetch_add(1);
  stats_.flush_bytes.fetch_add(build.output_bytes);
  stats_.flush_micros.fetch_add(build.micros);
  DeleteObsoleteWalSegments();
  return absl::OkStatus();
}

std::vector<std::string> DBImpl::ShardBounds() const {
  return ComputeLevelLayout(*versions_->current(), MakePickerOptions()).shard_bounds;
}

PickerOptions DBImpl::MakePickerOptions() const {
  PickerOptions picker;
  picker.ingest_shards = options_.ingest_buffer_shards;
  picker.l0_compaction_trigger = options_.l0_compaction_trigger;
  picker.base_level_bytes = options_.max_bytes_for_level_base;
  picker.level_multiplier = options_.level_size_multiplier;
  picker.target_file_bytes = options_.target_file_bytes;
  return picker;
}

void DBImpl::MarkCompacting(const CompactionPlan& plan, bool busy) {
  for (const auto* group : {&plan.upper_inputs, &plan.lower_inputs}) {
    for (const auto& f : *group) {
      if (busy) {
        compacting_.insert(f->meta.number);
      } else {
        compacting_.erase(f->meta.number);
      }
    }
  }
}

void DBImpl::CompactionLoop() {
  mu_.Lock();
  uint64_t seen_resumes = resume_requests_;
  const PickerOptions picker = MakePickerOptions();
  while (!closing_) {
    // A CompactRange request no other thread is serving comes first.
    ManualCompaction* manual = nullptr;
    for (ManualCompaction* m : manual_compactions_) {
      if (!m->running) {
        manual = m;
        break;
      }
    }
    if (manual != nullptr) {
      manual->running = true;
      // A manual compaction's failure is the caller's to see; it does not stop writes.
      manual->status = RunManualCompaction(*manual);
      manual->done = true;
      manual_compactions_.erase(
          std::find(manual_compactions_.begin(), manual_compactions_.end(), manual));
      bg_cv_.SignalAll();
      continue;
    }
    std::chrono::microseconds wait(0);
    const bool resume = resume_requests_ != seen_resumes;
    std::optional<CompactionPlan> plan;
    if (fatal_error_.ok() && (resume || RetryDue(BgWork::kCompaction, &wait))) {
      plan = PickCompaction(*versions_->current(), picker, nullptr, compacting_);
    }
    if (!plan) {
      if (!NeedsCompaction(*versions_->current(), picker)) {
        ClearRetryableError(BgWork::kCompaction);  // nothing left that failed
      }
      WaitForBackgroundWork(wait);
      continue;
    }
    seen_resumes = resume_requests_;
    MarkCompacting(*plan, true);
    mu_.Unlock();
    absl::Status s = RunCompactionJob(*plan);
    DeleteObsoleteFiles();
    mu_.Lock();
    MarkCompacting(*plan, false);
    if (s.ok()) {
      ClearRetryableError(BgWork::kCompaction);
    } else {
      stats_.compaction_errors.fetch_add(1);
      SetRetryableError(BgWork::kCompaction, s);
    }
    bg_cv_.SignalAll();
  }
  // Answer waiting CompactRange calls instead of leaving them blocked.
  for (ManualCompaction* m : manual_compactions_) {
    if (m->running) continue;  // its thread answers it
    m->status = absl::FailedPreconditionError("CompactRange: DB is closing");
    m->done = true;
  }
  manual_compactions_.erase(std::remove_if(manual_compactions_.begin(), manual_compactions_.end(),
                                           [](const ManualCompaction* m) { return m->done; }),
                            manual_compactions_.end());
  bg_cv_.SignalAll();
  mu_.Unlock();
}

absl::Status DBImpl::RunManualCompaction(const ManualCompaction& manual) {
  const PickerOptions picker = MakePickerOptions();
  for (int level = 0; level < kNumLevels; ++level) {
    CompactionRequest step{level, manual.begin, manual.end};
    while (true) {
      if (closing_) return absl::FailedPreconditionError("CompactRange: DB is closing");
      // Picked without regard to other compactions; if it collides with one, wait for it.
      std::optional<CompactionPlan> plan =
          PickCompaction(*versions_->current(), picker, &step, /*busy=*/{});
      if (!plan) break;  // nothing of the range at this level
      bool collides = false;
      for (const auto* group : {&plan->upper_inputs, &plan->lower_inputs}) {
        for (const auto& f : *group) collides |= compacting_.count(f->meta.number) > 0;
      }
      if (collides) {
        bg_cv_.Wait(&mu_);
        continue;
      }
      MarkCompacting(*plan, true);
      mu_.Unlock();
      absl::Status s = RunCompactionJob(*plan);
      DeleteObsoleteFiles();
      mu_.Lock();
      MarkCompacting(*plan, false);
      bg_cv_.SignalAll();
      NOKV_RETURN_IF_ERROR(s);
      break;
    }
  }
  return absl::OkStatus();
}

absl::Status DBImpl::RunCompactionJob(const CompactionPlan& plan) {
  NOKV_SYNC_POINT("DB::Compaction:Start");
  VersionEdit edit;
  BuildStats build;
  if (plan.trivial_move) {
    MoveFiles(plan, &edit);
    NOKV_RETURN_IF_ERROR(versions_->LogAndApply(&edit));
    stats_.compaction_trivial_moves.fetch_add(plan.upper_inputs.size());
  } else {
    BuildContext ctx = MakeBuildContext();
    ctx.snapshots = LiveSnapshots();
    NOKV_RETURN_IF_ERROR(RunCompaction(ctx, table_cache_.get(), plan, &edit, &build));
    NOKV_RETURN_IF_ERROR(versions_->LogAndApply(&edit));  // outputs kept on failure (see flush)
    stats_.compactions.fetch_add(1);
    stats_.compaction_input_bytes.fetch_add(build.input_bytes);
    stats_.compaction_output_bytes.fetch_add(build.output_bytes);
    stats_.compaction_micros.fetch_add(build.micros);
    stats_.compaction_dropped_entries.fetch_add(build.dropped_entries);
  }
  MutexLock lock(&mu_);
  InstallSuperVersion();
  return absl::OkStatus();
}

void DBImpl::DeleteObsoleteFiles() {
  std::vector<uint64_t> numbers;
  {
    MutexLock lock(&obsolete_->mu);
    numbers.swap(obsolete_->numbers);
  }
  for (uint64_t n : numbers) {
    table_cache_->Evict(n);
    if (vfs_->RemoveFile(SstFileName(dbdir_, n)).ok()) stats_.obsolete_files_deleted.fetch_add(1);
  }
}

absl::Status DBImpl::Flush() {
  NOKV_RETURN_IF_ERROR(CheckOpen());
  // Freeze the memtable through the writer queue (only a write leader touches mem_), then wait
  // until every frozen memtable up to that point is on disk.
  NOKV_RETURN_IF_ERROR(SubmitWrite(WriteOptions(), nullptr));
  MutexLock lock(&mu_);
  while (!imm_.empty() && BackgroundError().ok() && !closing_) bg_cv_.Wait(&mu_);
  NOKV_RETURN_IF_ERROR(BackgroundError());
  if (!imm_.empty()) return absl::FailedPreconditionError("Flush: DB is closing");
  return absl::OkStatus();
}

absl::Status DBImpl::CompactRange(std::string_view begin, std::string_view end) {
  if (!begin.empty() && !end.empty() && end < begin) {
    return absl::InvalidArgumentError("CompactRange: end < begin");
  }
  NOKV_RETURN_IF_ERROR(Flush());
  ManualCompaction request;
  request.begin.assign(begin);
  request.end.assign(end);
  MutexLock lock(&mu_);
  if (closing_) return absl::FailedPreconditionError("CompactRange: DB is closing");
  manual_compactions_.push_back(&request);
  bg_cv_.SignalAll();
  while (!request.done) bg_cv_.Wait(&mu_);
  return request.status;
}

absl::Status DBImpl::Resume() {
  NOKV_RETURN_IF_ERROR(CheckOpen());
  MutexLock lock(&mu_);
  if (!fatal_error_.ok()) {
    return absl::FailedPreconditionError(
        StrCat("Resume: the error is fatal for this instance; reopen the DB (",
               fatal_error_.message(), ")"));
  }
  // Wait for one retry of each failed piece of work (or for it to stop being needed).
  const uint64_t flush_failures = retry_[static_cast<int>(BgWork::kFlush)].failures;
  const uint64_t compaction_failures = retry_[static_cast<int>(BgWork::kCompaction)].failures;
  ++resume_requests_;
  bg_cv_.SignalAll();
  auto settled = [](const RetryState& r, uint64_t failures_before) {
    return r.error.ok() || static_cast<uint64_t>(r.failures) > failures_before;
  };
  while (!closing_ && fatal_error_.ok() &&
         !(settled(retry_[static_cast<int>(BgWork::kFlush)], flush_failures) &&
           settled(retry_[static_cast<int>(BgWork::kCompaction)], compaction_failures))) {
    bg_cv_.Wait(&mu_);
  }
  if (closing_) return absl::FailedPreconditionError("Resume: DB is closing");
  return BackgroundError();
}

}  // namespace nokv
