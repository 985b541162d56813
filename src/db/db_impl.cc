#include "src/db/db_impl.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "engine/format/filenames.h"
#include "engine/wal/wal.h"
#include "src/db/recovery.h"
#include "src/db/write_batch_format.h"
#include "src/util/errors.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv {
namespace {

TableOptions MakeTableOptions(const Options& o) {
  TableOptions t;
  t.block_bytes = o.block_bytes;
  t.restart_interval = o.block_restart_interval;
  t.bloom_bits_per_key = o.bloom_bits_per_key;
  t.compression =
      o.compression == Compression::kZstd ? BlockCompression::kZstd : BlockCompression::kNone;
  t.zstd_level = o.zstd_level;
  return t;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DB>> DB::Open(const Options& options, std::string_view workdir) {
  if (workdir.empty()) return absl::InvalidArgumentError("Open: empty workdir");
  if (options.memtable_bytes < 4096 || options.max_immutable_memtables < 1 ||
      options.block_bytes < 256 || options.block_restart_interval < 1 ||
      options.l0_compaction_trigger < 1 || options.max_bytes_for_level_base < 1 ||
      options.level_size_multiplier < 2 || options.max_background_compactions < 1 ||
      options.max_open_files < 1 || options.ingest_buffer_shards < 1 ||
      options.delayed_write_rate < 1024 ||
      options.l0_slowdown_trigger < options.l0_compaction_trigger ||
      options.l0_stop_trigger < options.l0_slowdown_trigger) {
    return absl::InvalidArgumentError(
        "Open: inconsistent options (memtable_bytes >= 4096, max_immutable_memtables >= 1, "
        "block_bytes >= 256, restart interval >= 1, l0 compaction <= slowdown <= stop, "
        "max_bytes_for_level_base >= 1, level_size_multiplier >= 2, "
        "max_background_compactions >= 1, max_open_files >= 1, ingest_buffer_shards >= 1, "
        "delayed_write_rate >= 1024)");
  }
  auto db = std::make_unique<DBImpl>(options, std::string(workdir));
  NOKV_RETURN_IF_ERROR(db->OpenImpl());
  return std::unique_ptr<DB>(std::move(db));
}

absl::Status DestroyDB(const Options& options, std::string_view workdir) {
  VFS* vfs = options.vfs != nullptr ? options.vfs : VFS::Default();
  std::string dir(workdir);
  if (!vfs->FileExists(dir)) return absl::OkStatus();
  NOKV_ASSIGN_OR_RETURN(auto lock, vfs->LockFile(LockFileName(dir)));
  vfs->UnlockFile(std::move(lock)).IgnoreError();
  return RemoveTree(*vfs, dir);
}

DBImpl::DBImpl(const Options& options, std::string dbdir)
    : options_(options),
      vfs_(options.vfs != nullptr ? options.vfs : VFS::Default()),
      clock_(options.clock != nullptr ? options.clock : Clock::Real()),
      dbdir_(std::move(dbdir)),
      wal_dir_(WalDir(dbdir_)),
      obsolete_(std::make_shared<ObsoleteFiles>()),
      write_controller_(WriteController::Limits{
          options.l0_slowdown_trigger, options.l0_stop_trigger, options.delayed_write_rate}) {}

DBImpl::~DBImpl() { Close().IgnoreError(); }

std::shared_ptr<MemTable> DBImpl::NewMemTable() const {
  return std::make_shared<MemTable>(
      std::clamp<size_t>(options_.memtable_bytes / 8, 512, 256 << 10));
}

absl::Status DBImpl::CheckOpen() const {
  if (closed_.load(std::memory_order_acquire)) {
    return absl::FailedPreconditionError("DB is closed");
  }
  return absl::OkStatus();
}

BuildContext DBImpl::MakeBuildContext() {
  BuildContext ctx;
  ctx.vfs = vfs_;
  ctx.dbdir = dbdir_;
  ctx.table_options = table_cache_->options();
  ctx.target_file_bytes = options_.target_file_bytes;
  ctx.now_millis = clock_->NowUnixMillis();
  VersionSet* versions = versions_.get();
  ctx.new_file_number = [versions]() { return versions->NewFileNumber(); };
  return ctx;
}

absl::Status DBImpl::OpenImpl() {
  if (options_.create_if_missing) {
    NOKV_RETURN_IF_ERROR(vfs_->CreateDir(dbdir_));
  } else if (!vfs_->FileExists(dbdir_)) {
    return absl::NotFoundError(StrCat("Open: ", dbdir_, " does not exist"));
  }
  NOKV_ASSIGN_OR_RETURN(lock_, vfs_->LockFile(LockFileName(dbdir_)));
  block_cache_ = std::make_shared<BlockCache>(options_.block_cache_bytes);
  table_cache_ = std::make_shared<TableCache>(vfs_, dbdir_, MakeTableOptions(options_),
                                              block_cache_, options_.max_open_files);
  std::shared_ptr<ObsoleteFiles> sink = obsolete_;
  versions_ = std::make_unique<VersionSet>(vfs_, dbdir_, [sink](uint64_t number) {
    MutexLock lock(&sink->mu);
    sink->numbers.push_back(number);
  });
  absl::Status s = Recover();
  if (!s.ok()) {
    versions_.reset();
    vfs_->UnlockFile(std::move(lock_)).IgnoreError();
    closed_.store(true);
    return s;
  }
  opened_.store(true);
  flush_thread_ = std::thread([this] { FlushLoop(); });
  for (int i = 0; i < options_.max_background_compactions; ++i) {
    compaction_threads_.emplace_back([this] { CompactionLoop(); });
  }
  return absl::OkStatus();
}

absl::Status DBImpl::Recover() {
  if (!vfs_->FileExists(CurrentFileName(dbdir_))) return CreateNewDatabase();
  if (options_.error_if_exists) {
    return absl::AlreadyExistsError(StrCat("Open: a database already exists in ", dbdir_));
  }
  // Judge the workdir before changing anything (src/db/recovery.h has the rules).
  NOKV_ASSIGN_OR_RETURN(WorkdirState st, InspectWorkdir(*vfs_, dbdir_));
  NOKV_RETURN_IF_ERROR(st.verdict);
  NOKV_RETURN_IF_ERROR(vfs_->CreateDir(wal_dir_));
  NOKV_RETURN_IF_ERROR(vfs_->CreateDir(SstDir(dbdir_)));
  if (st.manifest.torn_tail) {
    StrAppend(&recovery_report_, "MANIFEST ", st.manifest.path,
              " ends in an unreadable record at offset ", st.manifest.torn_offset,
              " (an edit whose write never completed); the WAL still holds everything after the "
              "recovered state\n");
    NOKV_RETURN_IF_ERROR(QuarantineOrphans(st.orphan_ssts));
  }
  // Never hand out a number some file in the workdir (or an unreadable edit) may use.
  versions_->MarkFileNumberUsed(st.max_file_number);
  versions_->Install(std::move(st.manifest));
  // A fresh MANIFEST, so the old one (possibly torn) is never appended to.
  NOKV_RETURN_IF_ERROR(versions_->StartNewManifest());

  // Replay every WAL segment the MANIFEST does not cover, oldest first, into memtables that are
  // flushed to L0 as they fill (and at the end).
  VersionEdit edit;
  auto mem = NewMemTable();
  SequenceNumber max_seq = versions_->last_sequence();
  wal::ReplayOptions replay;
  replay.min_number = versions_->log_number();
  replay.repair_torn_tail = true;
  std::vector<wal::SegmentReport> segments;
  NOKV_RETURN_IF_ERROR(wal::Replay(
      *vfs_, wal_dir_, replay,
      [&](std::string_view record, uint64_t, uint64_t) -> absl::Status {
        SequenceNumber last = 0;
        NOKV_RETURN_IF_ERROR(ApplyGroup(record, mem.get(), &last));
        max_seq = std::max(max_seq, last);
        stats_.recovered_records.fetch_add(1);
        if (mem->ApproximateMemoryUsage() >= options_.memtable_bytes) {
          NOKV_RETURN_IF_ERROR(FlushMemTableAtRecovery(*mem, &edit));
          mem = NewMemTable();
        }
        return absl::OkStatus();
      },
      &segments));
  for (const wal::SegmentReport& seg : segments) {
    if (!seg.torn_tail) continue;
    const uint64_t dropped = seg.file_bytes - seg.valid_end;
    stats_.recovery_torn_tail_bytes.fetch_add(dropped);
    StrAppend(&recovery_report_, "truncated torn tail of ", seg.path, " at offset ", seg.valid_end,
              " (", dropped, " bytes)\n");
  }
  if (!mem->empty()) NOKV_RETURN_IF_ERROR(FlushMemTableAtRecovery(*mem, &edit));

  // Writes continue in a fresh segment; everything replayed is now in SSTs.
  NOKV_ASSIGN_OR_RETURN(wal_,
                        wal::SegmentWriter::Create(*vfs_, wal_dir_, versions_->NewFileNumber()));
  stats_.wal_segments_created.fetch_add(1);
  versions_->SetLastSequence(max_seq);
  edit.SetLogNumber(wal_->number());
  NOKV_RETURN_IF_ERROR(versions_->LogAndApply(&edit));
  FinishOpen(max_seq);
  DeleteObsoleteWalSegments();
  RemoveOrphanFiles();
  return absl::OkStatus();
}

absl::Status DBImpl::CreateNewDatabase() {
  if (!options_.create_if_missing) {
    return absl::NotFoundError(StrCat("Open: no database in ", dbdir_, " (no CURRENT)"));
  }
  NOKV_RETURN_IF_ERROR(vfs_->CreateDir(wal_dir_));
  NOKV_RETURN_IF_ERROR(vfs_->CreateDir(SstDir(dbdir_)));
  NOKV_RETURN_IF_ERROR(vfs_->SyncDir(dbdir_));
  // Leftovers of a creation that crashed before CURRENT was written (nothing was acknowledged):
  // numbers above them, and a first segment the MANIFEST can name.
  NOKV_ASSIGN_OR_RETURN(std::vector<uint64_t> old_segments, wal::ListSegments(*vfs_, wal_dir_));
  if (!old_segments.empty()) versions_->MarkFileNumberUsed(old_segments.back());
  NOKV_ASSIGN_OR_RETURN(wal_,
                        wal::SegmentWriter::Create(*vfs_, wal_dir_, versions_->NewFileNumber()));
  stats_.wal_segments_created.fetch_add(1);
  NOKV_RETURN_IF_ERROR(versions_->CreateNew(wal_->number()));
  FinishOpen(0);
  DeleteObsoleteWalSegments();
  return absl::OkStatus();
}

void DBImpl::FinishOpen(SequenceNumber last_sequence) {
  MutexLock lock(&mu_);
  mem_log_number_ = wal_->number();
  visible_seq_.store(last_sequence);
  mem_ = NewMemTable();
  InstallSuperVersion();
}

absl::Status DBImpl::QuarantineOrphans(const std::vector<uint64_t>& orphans) {
  if (orphans.empty()) return absl::OkStatus();
  // The unreadable edit may name these files: keep them out of the way, never delete them.
  const std::string lost = LostDir(dbdir_);
  NOKV_RETURN_IF_ERROR(vfs_->CreateDir(lost));
  for (uint64_t n : orphans) {
    const std::string from = SstFileName(dbdir_, n);
    NOKV_RETURN_IF_ERROR(vfs_->RenameFile(from, JoinPath(lost, BaseName(from))));
    StrAppend(&recovery_report_, "moved ", from, " (named by no readable edit) to ", lost, "\n");
  }
  NOKV_RETURN_IF_ERROR(vfs_->SyncDir(lost));
  return vfs_->SyncDir(SstDir(dbdir_));
}

absl::Status DBImpl::FlushMemTableAtRecovery(const MemTable& mem, VersionEdit* edit) {
  BuildContext ctx = MakeBuildContext();
  auto iter = mem.NewIterator(nullptr);
  std::vector<FileMetaData> metas;
  BuildStats stats;
  NOKV_RETURN_IF_ERROR(
      BuildFlushTables(ctx, iter.get(), mem.RangeTombstones(), ShardBounds(), &metas, &stats));
  for (const FileMetaData& meta : metas) edit->AddFile(0, meta);
  return absl::OkStatus();
}

void DBImpl::RemoveOrphanFiles() {
  // SSTs no Version names: outputs of a flush/compaction that crashed before its edit. (With an
  // intact MANIFEST no edit names them; next to a torn one they were quarantined above.)
  auto version = versions_->current();
  std::set<uint64_t> live;
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : version->levels[level]) live.insert(f->meta.number);
  }
  const std::string sst_dir = SstDir(dbdir_);
  if (auto names = vfs_->ListDir(sst_dir); names.ok()) {
    for (const std::string& name : *names) {
      uint64_t number;
      if (ParseNumberedName(name, ".sst", &number) && !live.count(number)) {
        vfs_->RemoveFile(JoinPath(sst_dir, name)).IgnoreError();
      }
    }
  }
  if (auto top = vfs_->ListDir(dbdir_); top.ok()) {
    const uint64_t keep = versions_->manifest_number();
    for (const std::string& name : *top) {
      uint64_t number;
      bool stale_manifest = ParseManifestName(name, &number) && number != keep;
      bool stale_tmp = name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0;
      if (stale_manifest || stale_tmp) vfs_->RemoveFile(JoinPath(dbdir_, name)).IgnoreError();
    }
  }
}

void DBImpl::DeleteObsoleteWalSegments() {
  wal::RemoveSegmentsBelow(*vfs_, wal_dir_, versions_->log_number());
}

absl::Status DBImpl::Close() {
  if (!opened_.load() || closed_.exchange(true)) return absl::OkStatus();
  {
    MutexLock lock(&mu_);
    closing_ = true;  // a leader stalled in MakeRoomForWrite gives up with "DB is closing"
    bg_cv_.SignalAll();
  }
  {
    // closed_ stops new writers; wait for the ones already queued to be answered.
    MutexLock lock(&queue_mu_);
    while (!queue_.empty()) queue_drained_cv_.Wait(&queue_mu_);
  }
  if (flush_thread_.joinable()) flush_thread_.join();
  for (std::thread& t : compaction_threads_) {
    if (t.joinable()) t.join();
  }
  absl::Status s;
  {
    MutexLock lock(&mu_);
    if (wal_) {
      // Make writes acknowledged with sync=false durable too: closing is a clean shutdown.
      s = wal_->Sync();
      absl::Status c = wal_->Close();
      if (s.ok()) s = c;
      wal_.reset();
    }
  }
  // The memtables, Versions and caches stay until the destructor: a Get, iterator or Stats call
  // racing with Close() may still be reading them (they hold a SuperVersion). Idle threads'
  // cached SuperVersions go now, so the files only they kept are deleted below.
  sv_cache_.Invalidate();
  DeleteObsoleteFiles();
  if (lock_) {
    absl::Status u = vfs_->UnlockFile(std::move(lock_));
    if (s.ok()) s = u;
  }
  return s;
}

std::map<std::string, uint64_t> DBImpl::Stats() {
  std::map<std::string, uint64_t> m;
  auto put = [&](const char* name, const std::atomic<uint64_t>& v) { m[name] = v.load(); };
  put("write.groups", stats_.write_groups);
  put("write.bytes", stats_.write_bytes);
  put("wal.syncs", stats_.wal_syncs);
  put("wal.records", stats_.wal_records);
  put("wal.segments_created", stats_.wal_segments_created);
  put("read.gets", stats_.gets);
  put("read.get_hits", stats_.get_hits);
  put("read.iterators_created", stats_.iterators_created);
  put("flush.count", stats_.flushes);
  put("flush.bytes", stats_.flush_bytes);
  put("flush.micros", stats_.flush_micros);
  put("compaction.count", stats_.compactions);
  put("compaction.input_bytes", stats_.compaction_input_bytes);
  put("compaction.output_bytes", stats_.compaction_output_bytes);
  put("compaction.micros", stats_.compaction_micros);
  put("compaction.trivial_moves", stats_.compaction_trivial_moves);
  put("compaction.dropped_entries", stats_.compaction_dropped_entries);
  put("compaction.errors", stats_.compaction_errors);
  for (int level = 0; level < kNumLevels; ++level) {
    const EngineStats::LevelCompactionStats& c = stats_.level_compaction[level];
    if (c.count.load() == 0) continue;
    const std::string prefix = StrCat("compaction.level", level);
    m[prefix + ".count"] = c.count.load();
    m[prefix + ".read_upper_bytes"] = c.read_upper.load();
    m[prefix + ".read_lower_bytes"] = c.read_lower.load();
    m[prefix + ".written_bytes"] = c.written.load();
  }
  put("stall.micros", stats_.stall_micros);
  put("stall.count", stats_.stall_count);
  put("stall.slowdowns", stats_.slowdown_count);
  put("stall.slowdown_micros", stats_.slowdown_micros);
  put("memtable.switches", stats_.memtable_switches);
  put("recovery.records", stats_.recovered_records);
  put("recovery.torn_tail_bytes", stats_.recovery_torn_tail_bytes);
  put("files.obsolete_deleted", stats_.obsolete_files_deleted);
  put("ingest.files", stats_.ingested_files);
  put("ingest.bytes", stats_.ingested_bytes);
  const Histogram::Snapshot writes = stats_.write_latency_us.Take();
  const Histogram::Snapshot gets = stats_.get_latency_us.Take();
  m["write.requests"] = writes.count;
  m["write.micros"] = writes.sum;
  m["read.get_micros"] = gets.sum;
  auto put_latency = [&](const std::string& prefix, const Histogram::Snapshot& snap) {
    m[prefix + ".count"] = snap.count;
    m[prefix + ".p50"] = snap.Quantile(0.5);
    m[prefix + ".p99"] = snap.Quantile(0.99);
    m[prefix + ".p999"] = snap.Quantile(0.999);
    m[prefix + ".max"] = snap.Quantile(1.0);
  };
  put_latency("read.get_latency_us", gets);
  put_latency("write.latency_us", writes);
  if (closed_.load()) return m;
  auto sv = GetSuperVersion();
  if (sv) {
    uint64_t mem_bytes = sv->mem->ApproximateMemoryUsage();
    for (const auto& imm : sv->imms) mem_bytes += imm->ApproximateMemoryUsage();
    m["memtable.bytes"] = mem_bytes;
    m["memtable.immutable_count"] = sv->imms.size();
    m["flush.pending_memtables"] = sv->imms.size();
    uint64_t total = 0;
    const LevelLayout layout = ComputeLevelLayout(*sv->version, MakePickerOptions());
    for (int level = 0; level < kNumLevels; ++level) {
      m[StrCat("lsm.level", level, ".files")] = sv->version->NumFiles(level);
      m[StrCat("lsm.level", level, ".bytes")] = sv->version->LevelBytes(level);
      m[StrCat("lsm.level", level, ".target_bytes")] = layout.target_bytes[level];
      m[StrCat("lsm.level", level, ".score_x100")] =
          static_cast<uint64_t>(layout.score[level] * 100);
      total += sv->version->LevelBytes(level);
    }
    m["lsm.base_level"] = layout.base_level;
    m["lsm.l0_depth"] = layout.l0_depth;
    m["lsm.total_bytes"] = total;
  }
  m["block_cache.hits"] = block_cache_->hits();
  m["block_cache.misses"] = block_cache_->misses();
  m["block_cache.usage_bytes"] = block_cache_->usage();
  m["block_cache.capacity_bytes"] = block_cache_->capacity();
  m["table_cache.open_tables"] = table_cache_->open_tables();
  m["table_cache.opens"] = table_cache_->opens();
  m["sequence.last"] = visible_seq_.load();
  // Segments still on disk: one listing per call, which is what a metrics scrape can afford.
  if (auto names = vfs_->ListDir(wal_dir_); names.ok()) {
    uint64_t segments = 0, number = 0;
    for (const std::string& name : *names) segments += ParseNumberedName(name, ".log", &number);
    m["wal.segments_live"] = segments;
  }
  {
    MutexLock lock(&snapshots_mu_);
    m["snapshots.live"] = snapshots_.size();
  }
  return m;
}

bool DBImpl::GetProperty(std::string_view name, std::string* value) {
  value->clear();
  if (closed_.load()) return false;
  constexpr std::string_view kFilesAtLevel = "nokv.num-files-at-level";
  if (name.substr(0, kFilesAtLevel.size()) == kFilesAtLevel) {
    int level = std::atoi(std::string(name.substr(kFilesAtLevel.size())).c_str());
    if (level < 0 || level >= kNumLevels) return false;
    *value = std::to_string(GetSuperVersion()->version->NumFiles(level));
    return true;
  }
  if (name == "nokv.sstables") {
    *value = GetSuperVersion()->version->DebugString();
    return true;
  }
  if (name == "nokv.recovery") {
    *value = recovery_report_;
    return true;
  }
  if (name == "nokv.stats") {
    for (const auto& [k, v] : Stats()) StrAppend(value, k, " ", v, "\n");
    return true;
  }
  return false;
}

}  // namespace nokv
