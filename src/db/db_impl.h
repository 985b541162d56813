// DBImpl: the embedded engine behind nokv::DB. Call chains in docs/runtime.md.
//
// Threads:
//   - callers: Get/NewIterator read lock-free from a SuperVersion (memtables + Version);
//     writes enqueue into the writer queue; the writer at its front is the leader: it forms a
//     group, appends one WAL record (one fsync when any member asked for sync), applies it to
//     the memtable, publishes the sequence and wakes the members. One leader at a time.
//   - flush thread: turns the oldest immutable memtable into an L0 table.
//   - compaction thread: merges L0 into L1 when L0 reaches its trigger, or on CompactRange.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/lsm/compaction.h"
#include "engine/lsm/compaction_picker.h"
#include "engine/lsm/table_cache.h"
#include "engine/lsm/version_set.h"
#include "engine/memtable/memtable.h"
#include "engine/sst/block_cache.h"
#include "engine/sst/sst_file_writer.h"
#include "engine/wal/wal.h"
#include "nokv/db.h"
#include "src/db/replication.h"
#include "src/db/super_version_cache.h"
#include "src/db/write_controller.h"
#include "src/util/clock.h"
#include "src/util/histogram.h"
#include "src/util/mutex.h"

namespace nokv {

// What a reader needs, captured atomically: the memtables, the Version and the table cache that
// opens its files. A reader (or iterator) holding one needs nothing else from the DB, so Close()
// never pulls state out from under a call in flight.
struct SuperVersion {
  std::shared_ptr<MemTable> mem;
  std::vector<std::shared_ptr<MemTable>> imms;  // newest first
  std::shared_ptr<const Version> version;
  std::shared_ptr<TableCache> table_cache;
};

// SST files no Version references any more, waiting to be deleted. Shared with LiveFile
// destructors, which may run on any thread (an iterator's last reference).
struct ObsoleteFiles {
  Mutex mu;
  std::vector<uint64_t> numbers ABSL_GUARDED_BY(mu);
};

struct EngineStats {
  std::atomic<uint64_t> write_groups{0}, write_bytes{0}, wal_syncs{0}, wal_records{0},
      wal_segments_created{0}, gets{0}, get_hits{0}, flushes{0}, flush_bytes{0}, flush_micros{0},
      compactions{0}, compaction_input_bytes{0}, compaction_output_bytes{0}, compaction_micros{0},
      compaction_trivial_moves{0}, compaction_dropped_entries{0}, compaction_errors{0},
      stall_micros{0}, stall_count{0}, slowdown_count{0}, slowdown_micros{0}, memtable_switches{0},
      recovered_records{0}, recovery_torn_tail_bytes{0}, obsolete_files_deleted{0},
      iterators_created{0}, ingested_files{0}, ingested_bytes{0};
  // Per output level (index), as RocksDB's per-level compaction table: how many compactions
  // wrote into the level, the bytes they read from the level above and from the level itself,
  // and the bytes they wrote. Flushes (flush.bytes) and trivial moves are not counted here.
  struct LevelCompactionStats {
    std::atomic<uint64_t> count{0}, read_upper{0}, read_lower{0}, written{0};
  };
  LevelCompactionStats level_compaction[kNumLevels];
  // Latencies in microseconds, as seen by the caller (queueing and WAL included for writes).
  // Their counts and sums are also the write.requests / write.micros / read.get_micros stats.
  Histogram get_latency_us, write_latency_us;
};

class DBImpl final : public DB {
 public:
  DBImpl(const Options& options, std::string dbdir);
  ~DBImpl() override;

  absl::Status OpenImpl();

  absl::Status Set(const WriteOptions& options, std::string_view key,
                   std::string_view value) override;
  absl::Status SetWithTTL(const WriteOptions& options, std::string_view key, std::string_view value,
                          uint64_t ttl_millis) override;
  absl::Status Delete(const WriteOptions& options, std::string_view key) override;
  absl::Status DeleteRange(const WriteOptions& options, std::string_view begin,
                           std::string_view end) override;
  absl::Status Write(const WriteOptions& options, const WriteBatch& batch) override;
  absl::StatusOr<std::string> Get(const ReadOptions& options, std::string_view key) override;
  absl::StatusOr<ValueWithExpiry> GetWithExpiry(const ReadOptions& options,
                                                std::string_view key) override;
  std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) override;
  const Snapshot* GetSnapshot() override;
  void ReleaseSnapshot(const Snapshot* snapshot) override;
  absl::Status Flush() override;
  absl::Status CompactRange(std::string_view begin, std::string_view end) override;
  absl::Status Resume() override;

  // The replication surface (src/db/replication.h).
  absl::Status IngestExternalFiles(const std::vector<std::string>& paths);
  absl::StatusOr<std::vector<ExternalFileInfo>> ExportRange(const ExportOptions& options);
  absl::StatusOr<RangeStats> ApproximateRangeStats(std::string_view begin, std::string_view end);
  bool GetProperty(std::string_view name, std::string* value) override;
  std::map<std::string, uint64_t> Stats() override;
  absl::Status Close() override;

  using DB::Delete;
  using DB::DeleteRange;
  using DB::Get;
  using DB::Set;
  using DB::SetWithTTL;
  using DB::Write;

 private:
  // One queued write (or a memtable-switch request when batch == nullptr).
  // Files IngestExternalFiles is installing (validated, still at their source paths).
  struct IngestJob {
    struct File {
      std::string source;
      FileMetaData meta;   // number, key range, counters; global_seq set in the leader's turn
      std::string lo, hi;  // user-key range of its puts and tombstones (hi empty: unbounded)
    };
    std::vector<File> files;
  };

  // One queued write, or (batch == nullptr) a Flush() marker or an ingest (ingest != nullptr).
  struct WriteRequest {
    const WriteBatch* batch = nullptr;
    IngestJob* ingest = nullptr;
    bool sync = false;
    absl::Status status;
    // kQueued -> kLeader (now at the front: commit a group) or kDone (committed by a leader).
    // kBlocked marks a waiter asleep on `cv`; only then does the signaller take `mu`, so a
    // waiter that saw its new state while spinning may return (and free this) at once.
    enum State : int { kQueued, kBlocked, kLeader, kDone };
    std::atomic<int> state{kQueued};
    std::mutex mu;
    std::condition_variable cv;
  };

  // A CompactRange call waiting for a compaction thread.
  struct ManualCompaction {
    std::string begin, end;  // inclusive; empty = unbounded
    bool running = false;    // a thread is working through its levels
    bool done = false;
    absl::Status status;
  };
  // Background work that failed and is retried (flush, compaction), or failed for good (WAL).
  enum class BgWork { kFlush, kCompaction };

  // --- open / recovery (db_impl.cc)
  absl::Status Recover();
  absl::Status CreateNewDatabase();
  // The live state after recovery or creation: an empty memtable on the WAL segment wal_.
  void FinishOpen(SequenceNumber last_sequence);
  absl::Status QuarantineOrphans(const std::vector<uint64_t>& orphans);
  absl::Status FlushMemTableAtRecovery(const MemTable& mem, VersionEdit* edit);
  void RemoveOrphanFiles();
  BuildContext MakeBuildContext();

  // --- write pipeline (db_write.cc)
  absl::Status SubmitWrite(const WriteOptions& options, const WriteBatch* batch,
                           IngestJob* ingest = nullptr);
  // Waits (a short spin, then asleep) until `r` leaves kQueued; returns its new state.
  static int AwaitWriteTurn(WriteRequest* r);
  // Moves `r` to `state` (kLeader or kDone) and wakes it. Does not touch `r` afterwards.
  static void SignalWriter(WriteRequest* r, int state);
  // Requires a non-empty queue; the group starts at the front.
  std::vector<WriteRequest*> TakeWriteGroup() ABSL_EXCLUSIVE_LOCKS_REQUIRED(queue_mu_);
  void CommitGroup(const std::vector<WriteRequest*>& group) ABSL_LOCKS_EXCLUDED(mu_);
  // Installs an ingest in the leader's turn: no write is committed meanwhile, so the files get
  // the next sequence and become visible at once (db_replication.cc).
  absl::Status CommitIngest(IngestJob* job) ABSL_LOCKS_EXCLUDED(mu_);
  // Whether a memtable holds a point or range tombstone in [lo, hi] (hi empty: unbounded).
  bool MemtablesOverlap(std::string_view lo, std::string_view hi) const;
  // Waits until the memtable has room (or a switch is due and done): stalls and slowdowns.
  // `bytes`: the group's size, paid for at the write controller's rate under pressure.
  absl::Status MakeRoomForWrite(bool force_switch, uint64_t bytes = 0) ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status MakeRoomForWriteLocked(bool force_switch, uint64_t bytes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status SwitchMemTable() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static absl::Status ApplyGroup(std::string_view group, MemTable* mem, SequenceNumber* last);

  // --- reads (db_read.cc)
  std::shared_ptr<const SuperVersion> GetSuperVersion() const ABSL_LOCKS_EXCLUDED(sv_mu_);
  void InstallSuperVersion() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  SequenceNumber ReadSequence(const ReadOptions& options) const;
  absl::StatusOr<ValueWithExpiry> GetImpl(const ReadOptions& options, std::string_view key);

  // --- background (db_background.cc)
  void FlushLoop() ABSL_LOCKS_EXCLUDED(mu_);
  void CompactionLoop() ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status FlushOldestImmutable() ABSL_LOCKS_EXCLUDED(mu_);
  // Runs a picked compaction (or trivial move) whose inputs are marked busy.
  absl::Status RunCompactionJob(const CompactionPlan& plan) ABSL_LOCKS_EXCLUDED(mu_);
  // Compacts the manual request's range level by level down to the bottom. Called with mu_
  // held; releases it while compactions run.
  absl::Status RunManualCompaction(const ManualCompaction& manual)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  PickerOptions MakePickerOptions() const;
  // The ingest buffer's shard bounds for the current Version (flushes cut files there).
  std::vector<std::string> ShardBounds() const;
  void MarkCompacting(const CompactionPlan& plan, bool busy) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DeleteObsoleteFiles();
  void DeleteObsoleteWalSegments();
  // A failure the open instance cannot recover from (the WAL may be torn or its pages lost):
  // writes stop until the DB is reopened.
  void SetFatalError(const absl::Status& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A flush or compaction failure: writes are refused until a retry of that work succeeds
  // (automatic, with backoff, or through Resume()).
  void SetRetryableError(BgWork work, const absl::Status& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ClearRetryableError(BgWork work) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The error writes see (fatal first), or OK.
  absl::Status BackgroundError() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether `work`, having failed, may be retried now; else how long to wait.
  bool RetryDue(BgWork work, std::chrono::microseconds* wait) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sleeps on bg_cv_ until notified, or (retry_in > 0) until a retry may be due.
  void WaitForBackgroundWork(std::chrono::microseconds retry_in) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<SequenceNumber> LiveSnapshots() ABSL_LOCKS_EXCLUDED(snapshots_mu_);

  absl::Status CheckOpen() const;
  // An empty memtable whose arena blocks are an eighth of the memtable budget (512 B to
  // 256 KiB): the arena reports whole blocks, so a block as large as the budget would make
  // every memtable full at birth.
  std::shared_ptr<MemTable> NewMemTable() const;

  const Options options_;
  VFS* const vfs_;
  Clock* const clock_;
  const std::string dbdir_;
  const std::string wal_dir_;

  std::unique_ptr<FileLock> lock_;
  std::shared_ptr<BlockCache> block_cache_;
  std::shared_ptr<TableCache> table_cache_;
  std::shared_ptr<ObsoleteFiles> obsolete_;
  std::unique_ptr<VersionSet> versions_;

  // mu_ guards the immutable memtable list, the memtable/WAL switch, background state and the
  // background errors.
  Mutex mu_;
  CondVar bg_cv_;  // background work available / finished
  // The active memtable and the WAL writer belong to the write leader: it appends to them
  // without mu_ (one leader at a time, the writer queue's protocol), and swaps them
  // (SwitchMemTable) holding mu_ during its turn. Open sets them before any writer exists, Close
  // after the queue drained. Readers never touch them: they read the SuperVersion.
  std::shared_ptr<MemTable> mem_;
  std::unique_ptr<wal::SegmentWriter> wal_;
  uint64_t mem_log_number_ ABSL_GUARDED_BY(mu_) = 0;  // first WAL segment holding mem_'s writes
  struct Immutable {
    std::shared_ptr<MemTable> mem;
    uint64_t log_number;
  };
  std::deque<Immutable> imm_ ABSL_GUARDED_BY(mu_);  // oldest first
  absl::Status fatal_error_ ABSL_GUARDED_BY(mu_);
  struct RetryState {
    absl::Status error;
    int failures = 0;          // consecutive
    uint64_t retry_at_us = 0;  // monotonic; no retry before
  };
  RetryState retry_[2] ABSL_GUARDED_BY(mu_);  // indexed by BgWork
  WriteController write_controller_ ABSL_GUARDED_BY(mu_);
  uint64_t resume_requests_ ABSL_GUARDED_BY(mu_) = 0;  // bumped by Resume(): retry at once
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<ManualCompaction*> manual_compactions_ ABSL_GUARDED_BY(mu_);
  // Files some compaction thread is working on: never picked twice.
  std::set<uint64_t> compacting_ ABSL_GUARDED_BY(mu_);

  mutable Mutex sv_mu_;
  std::shared_ptr<const SuperVersion> super_version_ ABSL_GUARDED_BY(sv_mu_);
  // Gets read the SuperVersion through each thread's cached reference (no shared reference
  // count or mutex per lookup); InstallSuperVersion invalidates them.
  SuperVersionCache sv_cache_{[this] { return GetSuperVersion(); }};

  std::atomic<SequenceNumber> visible_seq_{0};
  // Depth of the ingest buffer (LevelLayout::l0_depth) of the installed Version: what write
  // slowdowns and stops follow.
  std::atomic<int> l0_depth_{0};
  // The ingest buffer's shard bounds in force (NextShardBounds, updated with each installed
  // Version): flushes cut their files there and the picker drains shard by shard. Not
  // persisted: derived again at open.
  mutable Mutex bounds_mu_;
  std::vector<std::string> shard_bounds_ ABSL_GUARDED_BY(bounds_mu_);
  std::atomic<bool> closed_{false};
  std::atomic<bool> opened_{false};

  // Writer queue: every writer enqueues itself; the front one is the leader and commits.
  Mutex queue_mu_;
  CondVar queue_drained_cv_;  // Close() waits for the queue to empty
  std::deque<WriteRequest*> queue_ ABSL_GUARDED_BY(queue_mu_);
  size_t queue_bytes_ ABSL_GUARDED_BY(queue_mu_) = 0;
  std::string group_buffer_;  // the current leader's only

  Mutex snapshots_mu_;
  std::multiset<SequenceNumber> snapshots_ ABSL_GUARDED_BY(snapshots_mu_);

  std::thread flush_thread_;
  std::vector<std::thread> compaction_threads_;

  std::string recovery_report_;
  EngineStats stats_;
};

}  // namespace nokv
