#include "src/db/db_impl.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "engine/wal/log_reader.h"
#include "src/db/filenames.h"
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
      options.l0_compaction_trigger < 1 ||
      options.l0_slowdown_trigger < options.l0_compaction_trigger ||
      options.l0_stop_trigger < options.l0_slowdown_trigger) {
    return absl::InvalidArgumentError(
        "Open: inconsistent options (memtable_bytes >= 4096, max_immutable_memtables >= 1, "
        "block_bytes >= 256, restart interval >= 1, l0 compaction <= slowdown <= stop)");
  }
  auto db = std::make_unique<DBImpl>(options, std::string(workdir));
  NOKV_RETURN_IF_ERROR(db->OpenImpl());
  return std::unique_ptr<DB>(std::move(db));
}

absl::Status DestroyDB(const Options& options, std::string_view workdir) {
  VFS* vfs = options.vfs != nullptr ? options.vfs : VFS::Default();
  std::string dir(workdir);
  if (!vfs->FileExists(dir)) return absl::OkStatus();
  NOKV_ASSIGN_OR_RETURN(auto lock, vfs->LockFile(JoinPath(dir, "LOCK")));
  vfs->UnlockFile(std::move(lock)).IgnoreError();
  return RemoveTree(*vfs, dir);
}

DBImpl::DBImpl(const Options& options, std::string dbdir)
    : options_(options),
      vfs_(options.vfs != nullptr ? options.vfs : VFS::Default()),
      clock_(options.clock != nullptr ? options.clock : Clock::Real()),
      dbdir_(std::move(dbdir)),
      wal_dir_(JoinPath(dbdir_, "wal")),
      obsolete_(std::make_shared<ObsoleteFiles>()) {}

DBImpl::~DBImpl() { Close().IgnoreError(); }

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
  NOKV_ASSIGN_OR_RETURN(lock_, vfs_->LockFile(JoinPath(dbdir_, "LOCK")));
  block_cache_ = std::make_unique<BlockCache>(options_.block_cache_bytes);
  table_cache_ =
      std::make_unique<TableCache>(vfs_, dbdir_, MakeTableOptions(options_), block_cache_.get());
  std::shared_ptr<ObsoleteFiles> sink = obsolete_;
  versions_ = std::make_unique<VersionSet>(vfs_, dbdir_, [sink](uint64_t number) {
    std::lock_guard<std::mutex> lock(sink->mu);
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
  compaction_thread_ = std::thread([this] { CompactionLoop(); });
  return absl::OkStatus();
}

absl::Status DBImpl::Recover() {
  std::string current = CurrentFileName(dbdir_);
  if (vfs_->FileExists(current)) {
    if (options_.error_if_exists) {
      return absl::AlreadyExistsError(StrCat("Open: a database already exists in ", dbdir_));
    }
    NOKV_RETURN_IF_ERROR(versions_->Recover());
  } else {
    if (!options_.create_if_missing) {
      return absl::NotFoundError(StrCat("Open: no database in ", dbdir_, " (no CURRENT)"));
    }
    NOKV_RETURN_IF_ERROR(vfs_->CreateDir(wal_dir_));
    NOKV_RETURN_IF_ERROR(vfs_->CreateDir(JoinPath(dbdir_, "sst")));
    NOKV_RETURN_IF_ERROR(vfs_->SyncDir(dbdir_));
    NOKV_RETURN_IF_ERROR(versions_->CreateNew());
  }
  NOKV_RETURN_IF_ERROR(vfs_->CreateDir(wal_dir_));
  NOKV_RETURN_IF_ERROR(vfs_->CreateDir(JoinPath(dbdir_, "sst")));

  // Replay every WAL segment the MANIFEST does not cover, oldest first.
  NOKV_ASSIGN_OR_RETURN(std::vector<std::string> names, vfs_->ListDir(wal_dir_));
  std::vector<uint64_t> segments;
  for (const std::string& name : names) {
    uint64_t number;
    if (ParseNumberedName(name, ".log", &number)) {
      versions_->MarkFileNumberUsed(number);
      if (number >= versions_->log_number()) segments.push_back(number);
    }
  }
  std::sort(segments.begin(), segments.end());
  VersionEdit edit;
  auto mem = std::make_shared<MemTable>();
  SequenceNumber max_seq = versions_->last_sequence();
  for (size_t i = 0; i < segments.size(); ++i) {
    NOKV_RETURN_IF_ERROR(ReplayWalSegment(WalFileName(wal_dir_, segments[i]), segments[i],
                                          i + 1 == segments.size(), &mem, &max_seq, &edit));
  }
  if (!mem->empty()) NOKV_RETURN_IF_ERROR(FlushMemTableAtRecovery(*mem, &edit));

  // Writes continue in a fresh segment; everything replayed is now in SSTs.
  wal_number_ = versions_->NewFileNumber();
  NOKV_ASSIGN_OR_RETURN(wal_, log::Writer::Create(*vfs_, WalFileName(wal_dir_, wal_number_),
                                                  log::FileKind::kWal, wal_number_));
  stats_.wal_segments_created.fetch_add(1);
  mem_log_number_ = wal_number_;
  versions_->SetLastSequence(max_seq);
  edit.SetLogNumber(wal_number_);
  NOKV_RETURN_IF_ERROR(versions_->LogAndApply(&edit));
  visible_seq_.store(max_seq);
  mem_ = std::make_shared<MemTable>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    InstallSuperVersion();
  }
  DeleteObsoleteWalSegments();
  RemoveOrphanFiles();
  return absl::OkStatus();
}

absl::Status DBImpl::ReplayWalSegment(const std::string& path, uint64_t number, bool is_last,
                                      std::shared_ptr<MemTable>* mem, SequenceNumber* max_seq,
                                      VersionEdit* edit) {
  NOKV_ASSIGN_OR_RETURN(auto reader, log::Reader::Open(*vfs_, path, log::FileKind::kWal));
  std::string_view record;
  while (reader->ReadRecord(&record)) {
    SequenceNumber last = 0;
    absl::Status s = ApplyGroup(record, mem->get(), &last);
    if (!s.ok()) {
      return absl::DataLossError(StrCat("Corruption: ", path, " offset ",
                                        reader->last_record_offset(), ": ", s.message()));
    }
    *max_seq = std::max(*max_seq, last);
    stats_.recovered_records.fetch_add(1);
    if ((*mem)->ApproximateMemoryUsage() >= options_.memtable_bytes) {
      NOKV_RETURN_IF_ERROR(FlushMemTableAtRecovery(**mem, edit));
      *mem = std::make_shared<MemTable>();
    }
  }
  NOKV_RETURN_IF_ERROR(reader->status());
  if (reader->torn_tail()) {
    uint64_t dropped = reader->file_size() - reader->valid_end();
    if (!is_last) {
      return CorruptionError(path, reader->valid_end(),
                             "incomplete or corrupt record in a WAL segment that is not the "
                             "newest (only the newest may have a torn tail)");
    }
    // A crash during an append: the torn record was never acknowledged. Cut it off so the
    // segment is clean, and say so.
    NOKV_RETURN_IF_ERROR(vfs_->Truncate(path, reader->valid_end()));
    stats_.recovery_torn_tail_bytes.fetch_add(dropped);
    StrAppend(&recovery_report_, "truncated torn tail of ", path, " at offset ",
              reader->valid_end(), " (", dropped, " bytes)\n");
  }
  return absl::OkStatus();
}

absl::Status DBImpl::FlushMemTableAtRecovery(const MemTable& mem, VersionEdit* edit) {
  BuildContext ctx = MakeBuildContext();
  auto iter = mem.NewIterator(nullptr);
  FileMetaData meta;
  BuildStats stats;
  NOKV_RETURN_IF_ERROR(BuildFlushTable(ctx, iter.get(), mem.RangeTombstones(), &meta, &stats));
  if (meta.number != 0) edit->AddFile(0, meta);
  return absl::OkStatus();
}

void DBImpl::RemoveOrphanFiles() {
  // SSTs no Version names: outputs of a flush/compaction that crashed before its edit.
  auto version = versions_->current();
  std::set<uint64_t> live;
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : version->levels[level]) live.insert(f->meta.number);
  }
  std::string sst_dir = JoinPath(dbdir_, "sst");
  auto names = vfs_->ListDir(sst_dir);
  if (names.ok()) {
    for (const std::string& name : *names) {
      uint64_t number;
      if (ParseNumberedName(name, ".sst", &number) && !live.count(number)) {
        vfs_->RemoveFile(JoinPath(sst_dir, name)).IgnoreError();
      }
    }
  }
  auto top = vfs_->ListDir(dbdir_);
  if (top.ok()) {
    std::string keep = BaseName(ManifestFileName(dbdir_, versions_->manifest_number()));
    for (const std::string& name : *top) {
      bool stale_manifest = name.rfind("MANIFEST-", 0) == 0 && name != keep;
      bool stale_tmp = name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0;
      if (stale_manifest || stale_tmp) vfs_->RemoveFile(JoinPath(dbdir_, name)).IgnoreError();
    }
  }
}

void DBImpl::DeleteObsoleteWalSegments() {
  uint64_t min_live = versions_->log_number();
  auto names = vfs_->ListDir(wal_dir_);
  if (!names.ok()) return;
  for (const std::string& name : *names) {
    uint64_t number;
    if (ParseNumberedName(name, ".log", &number) && number < min_live) {
      vfs_->RemoveFile(JoinPath(wal_dir_, name)).IgnoreError();
    }
  }
}

absl::Status DBImpl::Close() {
  if (!opened_.load() || closed_.exchange(true)) return absl::OkStatus();
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;  // a leader stalled in MakeRoomForWrite gives up with "DB is closing"
    bg_cv_.notify_all();
  }
  {
    // closed_ stops new writers; wait for the ones already queued to be answered.
    std::unique_lock<std::mutex> lock(queue_mu_);
    queue_drained_cv_.wait(lock, [&] { return queue_.empty(); });
  }
  if (flush_thread_.joinable()) flush_thread_.join();
  if (compaction_thread_.joinable()) compaction_thread_.join();
  absl::Status s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (wal_) {
      // Make writes acknowledged with sync=false durable too: closing is a clean shutdown.
      s = wal_->Sync();
      absl::Status c = wal_->Close();
      if (s.ok()) s = c;
      wal_.reset();
    }
    super_version_.reset();
    mem_.reset();
    imm_.clear();
  }
  DeleteObsoleteFiles();
  versions_.reset();
  table_cache_.reset();
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
  put("compaction.dropped_entries", stats_.compaction_dropped_entries);
  put("compaction.errors", stats_.compaction_errors);
  put("stall.micros", stats_.stall_micros);
  put("stall.count", stats_.stall_count);
  put("stall.slowdowns", stats_.slowdown_count);
  put("memtable.switches", stats_.memtable_switches);
  put("recovery.records", stats_.recovered_records);
  put("recovery.torn_tail_bytes", stats_.recovery_torn_tail_bytes);
  put("files.obsolete_deleted", stats_.obsolete_files_deleted);
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
    for (int level = 0; level < kNumLevels; ++level) {
      m[StrCat("lsm.level", level, ".files")] = sv->version->NumFiles(level);
      m[StrCat("lsm.level", level, ".bytes")] = sv->version->LevelBytes(level);
      total += sv->version->LevelBytes(level);
    }
    m["lsm.total_bytes"] = total;
  }
  m["block_cache.hits"] = block_cache_->hits();
  m["block_cache.misses"] = block_cache_->misses();
  m["block_cache.usage_bytes"] = block_cache_->usage();
  m["block_cache.capacity_bytes"] = block_cache_->capacity();
  m["sequence.last"] = visible_seq_.load();
  // Segments still on disk: one listing per call, which is what a metrics scrape can afford.
  if (auto names = vfs_->ListDir(wal_dir_); names.ok()) {
    uint64_t segments = 0, number = 0;
    for (const std::string& name : *names) segments += ParseNumberedName(name, ".log", &number);
    m["wal.segments_live"] = segments;
  }
  {
    std::lock_guard<std::mutex> lock(snapshots_mu_);
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
