// The write pipeline: leader-based group commit (docs/runtime.md "Write path").
#include <algorithm>
#include <thread>

#include "engine/wal/log_format.h"
#include "src/db/db_impl.h"
#include "src/db/write_batch_format.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"
#include "src/util/sync_point.h"

namespace nokv {
namespace {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

}  // namespace

absl::Status DBImpl::Set(const WriteOptions& options, std::string_view key,
                         std::string_view value) {
  WriteBatch batch;
  batch.Set(key, value);
  return Write(options, batch);
}

absl::Status DBImpl::SetWithTTL(const WriteOptions& options, std::string_view key,
                                std::string_view value, uint64_t ttl_millis) {
  WriteBatch batch;
  batch.SetWithTTL(key, value, ttl_millis);
  return Write(options, batch);
}

absl::Status DBImpl::Delete(const WriteOptions& options, std::string_view key) {
  WriteBatch batch;
  batch.Delete(key);
  return Write(options, batch);
}

absl::Status DBImpl::DeleteRange(const WriteOptions& options, std::string_view begin,
                                 std::string_view end) {
  WriteBatch batch;
  batch.DeleteRange(begin, end);
  return Write(options, batch);
}

// One batch is one WAL record (a group of batches too, see TakeWriteGroup).
static_assert(WriteBatch::kMaxByteSize <= log::kMaxRecordSize);

absl::Status DBImpl::Write(const WriteOptions& options, const WriteBatch& batch) {
  NOKV_RETURN_IF_ERROR(batch.Validity());
  if (batch.ByteSize() > WriteBatch::kMaxByteSize) {
    // Checked before the batch joins the queue, so it cannot fail (or stop) anyone else's write.
    return absl::InvalidArgumentError(StrCat("Write: batch of ", batch.ByteSize(),
                                             " bytes exceeds the limit of ",
                                             WriteBatch::kMaxByteSize, " bytes"));
  }
  if (batch.Count() == 0) return CheckOpen();
  return SubmitWrite(options, &batch);
}

// Leader-based group commit (the LevelDB/RocksDB writer queue): every writer enqueues itself;
// the writer at the front is the leader and commits a group taken from the front of the queue
// on its own thread, then wakes the members and hands leadership to the next front. A lone
// writer never waits for another thread (no handoff, no context switch); under contention the
// writers that queued while a leader was busy are committed together in one WAL record.
absl::Status DBImpl::SubmitWrite(const WriteOptions& options, const WriteBatch* batch,
                                 IngestJob* ingest) {
  NOKV_RETURN_IF_ERROR(CheckOpen());
  const uint64_t start = clock_->NowMonotonicMicros();
  WriteRequest request;
  request.batch = batch;
  request.ingest = ingest;
  request.sync = options.sync;
  bool leader;
  {
    MutexLock lock(&queue_mu_);
    if (closed_.load()) return absl::FailedPreconditionError("DB is closed");
    queue_.push_back(&request);
    queue_bytes_ += batch ? batch->ByteSize() : 0;
    leader = queue_.size() == 1;
  }
  if (leader || AwaitWriteTurn(&request) == WriteRequest::kLeader) {
    std::vector<WriteRequest*> group;
    {
      MutexLock lock(&queue_mu_);
      group = TakeWriteGroup();
    }
    CommitGroup(group);
    WriteRequest* next_leader = nullptr;
    {
      // The group stays at the front of the queue until it is committed, so writers arriving
      // meanwhile queue behind it and the next leader starts only after this group is visible.
      MutexLock lock(&queue_mu_);
      for (WriteRequest* member : group) {
        queue_bytes_ -= member->batch ? member->batch->ByteSize() : 0;
        queue_.pop_front();
      }
      if (!queue_.empty()) {
        next_leader = queue_.front();
      } else {
        queue_drained_cv_.SignalAll();
      }
    }
    for (WriteRequest* member : group) {
      if (member != &request) SignalWriter(member, WriteRequest::kDone);
    }
    if (next_leader != nullptr) SignalWriter(next_leader, WriteRequest::kLeader);
  }
  if (batch != nullptr) {  // a null batch is Flush()'s marker, not a user write
    stats_.write_latency_us.Observe(clock_->NowMonotonicMicros() - start);
  }
  return request.status;
}

int DBImpl::AwaitWriteTurn(WriteRequest* r) {
  // A group commit without fsync takes microseconds: spinning briefly, then yielding (which lets
  // the leader run when threads outnumber cores), saves the sleep/wake pair (two syscalls and
  // a context switch) when the leader is quick. On 2 cores the yields doubled 2- and 4-writer
  // throughput (docs/notes/2026-11-24-writer-queue.md).
  for (int i = 0; i < 64; ++i) {
    const int state = r->state.load(std::memory_order_acquire);
    if (state != WriteRequest::kQueued) return state;
    CpuRelax();
  }
  for (int i = 0; i < 32; ++i) {
    std::this_thread::yield();
    const int state = r->state.load(std::memory_order_acquire);
    if (state != WriteRequest::kQueued) return state;
  }
  std::unique_lock<std::mutex> lock(r->mu);
  int expected = WriteRequest::kQueued;
  if (r->state.compare_exchange_strong(expected, WriteRequest::kBlocked,
                                       std::memory_order_acq_rel)) {
    r->cv.wait(lock,
               [r] { return r->state.load(std::memory_order_acquire) >= WriteRequest::kLeader; });
  }
  return r->state.load(std::memory_order_acquire);
}

void DBImpl::SignalWriter(WriteRequest* r, int state) {
  int expected = WriteRequest::kQueued;
  if (r->state.compare_exchange_strong(expected, state, std::memory_order_acq_rel)) return;
  // The waiter is asleep (kBlocked); it can only return after we release its mutex.
  std::lock_guard<std::mutex> lock(r->mu);
  r->state.store(state, std::memory_order_release);
  r->cv.notify_one();
}

std::vector<DBImpl::WriteRequest*> DBImpl::TakeWriteGroup() {
  // Adaptive group size: the byte limit grows with the backlog (up to 4x), so a deep queue is
  // drained in fewer, larger WAL writes while a lone writer is never delayed. A Flush() marker
  // (null batch) is never grouped with writes.
  const size_t base = options_.max_write_batch_group_bytes;
  // A group is one WAL record: never above the record limit, whatever the options say.
  const size_t limit =
      std::min<size_t>(base * std::clamp<size_t>(queue_bytes_ / std::max<size_t>(base, 1), 1, 4),
                       log::kMaxRecordSize);
  const bool switch_request = queue_.front()->batch == nullptr;
  std::vector<WriteRequest*> group;
  size_t bytes = 0;
  for (WriteRequest* r : queue_) {
    if (switch_request != (r->batch == nullptr)) break;
    const size_t size = r->batch ? r->batch->ByteSize() : 0;
    if (!group.empty() && bytes + size > limit) break;
    group.push_back(r);
    bytes += size;
    if (switch_request) break;
  }
  return group;
}

void DBImpl::CommitGroup(const std::vector<WriteRequest*>& group) {
  absl::Status s;
  if (group.front()->ingest != nullptr) {
    s = CommitIngest(group.front()->ingest);
  } else if (group.front()->batch == nullptr) {
    // Flush() asked for the memtable to be frozen.
    s = MakeRoomForWrite(/*force_switch=*/true);
  } else {
    uint64_t bytes = 0;
    for (const WriteRequest* r : group) bytes += r->batch->ByteSize();
    s = MakeRoomForWrite(/*force_switch=*/false, bytes);
  }
  if (s.ok() && group.front()->batch != nullptr) {
    SequenceNumber first = visible_seq_.load(std::memory_order_relaxed) + 1;
    uint32_t count = 0;
    bool sync = false;
    group_buffer_.assign(batch::kHeaderSize, '\0');
    uint64_t now = clock_->NowUnixMillis();
    for (WriteRequest* r : group) {
      count += r->batch->Count();
      sync |= r->sync;
      if (s.ok()) s = batch::AppendRecordsForWal(r->batch->Rep(), now, &group_buffer_);
    }
    EncodeFixed64(group_buffer_.data(), first);
    EncodeFixed32(group_buffer_.data() + 8, count);
    if (s.ok()) {
      NOKV_SYNC_POINT("DB::CommitGroup:BeforeWalAppend");
      s = wal_->AddRecord(group_buffer_);
      if (s.ok() && sync) {
        s = wal_->Sync();
        stats_.wal_syncs.fetch_add(1, std::memory_order_relaxed);
      }
      if (!s.ok()) {
        // The WAL may now end in a partial record (appending after it would turn a torn tail
        // into mid-log corruption), or a failed fsync may have dropped pages the kernel still
        // reports clean. Nothing is acknowledged after this: writes stop until reopen.
        MutexLock lock(&mu_);
        SetFatalError(s);
      }
    }
    if (s.ok()) {
      SequenceNumber last = 0;
      s = ApplyGroup(group_buffer_, mem_.get(), &last);
      versions_->SetLastSequence(last);
      visible_seq_.store(last, std::memory_order_release);
      stats_.wal_records.fetch_add(1, std::memory_order_relaxed);
      stats_.write_groups.fetch_add(1, std::memory_order_relaxed);
      stats_.write_bytes.fetch_add(group_buffer_.size(), std::memory_order_relaxed);
    }
  }
  for (WriteRequest* r : group) r->status = s;
}

absl::Status DBImpl::ApplyGroup(std::string_view group, MemTable* mem, SequenceNumber* last) {
  if (group.size() < batch::kHeaderSize) {
    return absl::DataLossError("write group shorter than its header");
  }
  SequenceNumber seq = DecodeFixed64(group.data());
  NOKV_RETURN_IF_ERROR(batch::ForEachRecord(group, [&](const batch::Record& r) {
    switch (r.kind) {
      case static_cast<uint8_t>(ValueKind::kValue):
        mem->Add(seq, ValueKind::kValue, r.key, r.value);
        break;
      case static_cast<uint8_t>(ValueKind::kDeletion):
        mem->Add(seq, ValueKind::kDeletion, r.key, {});
        break;
      case static_cast<uint8_t>(ValueKind::kRangeDeletion):
        mem->AddRangeTombstone(seq, r.key, r.value);
        break;
      default:
        return absl::DataLossError(StrCat("unexpected record kind ", int{r.kind}, " in WAL"));
    }
    ++seq;
    return absl::OkStatus();
  }));
  *last = seq - 1;
  return absl::OkStatus();
}

absl::Status DBImpl::MakeRoomForWrite(bool force_switch, uint64_t bytes) {
  MutexLock lock(&mu_);
  return MakeRoomForWriteLocked(force_switch, bytes);
}

absl::Status DBImpl::MakeRoomForWriteLocked(bool force_switch, uint64_t bytes) {
  bool slowed_down = false;
  while (true) {
    NOKV_RETURN_IF_ERROR(BackgroundError());
    if (closing_) return absl::FailedPreconditionError("DB is closing");
    const int l0_files = l0_depth_.load(std::memory_order_relaxed);
    if (l0_files >= options_.l0_stop_trigger) {
      uint64_t start = clock_->NowMonotonicMicros();
      stats_.stall_count.fetch_add(1, std::memory_order_relaxed);
      bg_cv_.SignalAll();
      bg_cv_.Wait(&mu_);
      stats_.stall_micros.fetch_add(clock_->NowMonotonicMicros() - start);
      continue;
    }
    if (!slowed_down) {
      // Pay for the group's bytes at a rate that follows the backlog, long before any stop.
      slowed_down = true;
      const bool last_memtable = static_cast<int>(imm_.size()) >= options_.max_immutable_memtables;
      const uint64_t delay = write_controller_.DelayMicros(bytes, l0_files, last_memtable,
                                                           clock_->NowMonotonicMicros());
      if (delay > 0) {
        stats_.slowdown_count.fetch_add(1, std::memory_order_relaxed);
        stats_.slowdown_micros.fetch_add(delay, std::memory_order_relaxed);
        bg_cv_.SignalAll();  // make sure background work is running
        mu_.Unlock();
        clock_->SleepForMicros(delay);
        mu_.Lock();
        continue;
      }
    }
    // A memtable and its WAL segment rotate together: the segment can be deleted as soon as
    // the memtable is flushed.
    bool full = mem_->ApproximateMemoryUsage() >= options_.memtable_bytes ||
                wal_->segment_bytes() >= options_.wal_segment_bytes;
    if (!full && !(force_switch && !mem_->empty())) return absl::OkStatus();
    if (static_cast<int>(imm_.size()) >= options_.max_immutable_memtables) {
      uint64_t start = clock_->NowMonotonicMicros();
      stats_.stall_count.fetch_add(1, std::memory_order_relaxed);
      bg_cv_.Wait(&mu_);
      stats_.stall_micros.fetch_add(clock_->NowMonotonicMicros() - start);
      continue;
    }
    return SwitchMemTable();
  }
}

absl::Status DBImpl::SwitchMemTable() {
  uint64_t number = versions_->NewFileNumber();
  NOKV_SYNC_POINT("DB::SwitchMemTable:BeforeNewSegment");
  // Rotate fsyncs the finished segment before the next one exists (engine/wal/wal.h).
  absl::Status s = wal_->Rotate(number);
  if (!s.ok()) {
    // A failed fsync fails the segment for good (sticky): fatal, as in CommitGroup. A failure
    // to create the next segment leaves the current one intact: only this group fails.
    if (!wal_->status().ok()) SetFatalError(s);
    return s;
  }
  stats_.wal_segments_created.fetch_add(1, std::memory_order_relaxed);
  if (!mem_->empty()) {
    imm_.push_back(Immutable{mem_, mem_log_number_});
    mem_ = NewMemTable();
    mem_log_number_ = number;
    stats_.memtable_switches.fetch_add(1, std::memory_order_relaxed);
    InstallSuperVersion();
    bg_cv_.SignalAll();
  }
  return absl::OkStatus();
}

}  // namespace nokv
