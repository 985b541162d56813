// RocksDB adapter. Settings mirror EngineConfig; everything not listed keeps RocksDB's
// defaults (leveled compaction, 2 background jobs, L0 triggers 4/20/36).
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "bench/ycsb/kv_engine.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "src/util/str_cat.h"

namespace nokv::bench {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

absl::Status FromRocks(const rocksdb::Status& s, std::string_view op) {
  return EngineStatus(s.ok(), s.IsNotFound(), "rocksdb", op, s.ToString());
}

class RocksDbEngine final : public KvEngine {
 public:
  ~RocksDbEngine() override { Close().IgnoreError(); }

  std::string_view name() const override { return "rocksdb"; }

  absl::Status Open(const EngineConfig& config, const std::string& dir) override {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.error_if_exists = true;
    options.write_buffer_size = config.memtable_bytes;
    options.max_write_buffer_number = config.max_memtables;
    options.target_file_size_base = config.target_file_bytes;
    options.compression = rocksdb::kNoCompression;
    options.bottommost_compression = rocksdb::kNoCompression;

    rocksdb::BlockBasedTableOptions table;
    cache_ = rocksdb::NewLRUCache(config.block_cache_bytes);
    table.block_cache = cache_;
    table.block_size = config.block_bytes;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(config.bloom_bits_per_key));
    // Index and filter blocks are charged to the same cache budget, as NoKV does.
    table.cache_index_and_filter_blocks = true;
    table.pin_l0_filter_and_index_blocks_in_cache = true;
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

    write_options_.sync = config.sync;
    // Checksums are verified when a block is read from the file (the default), as in NoKV.
    read_options_.verify_checksums = true;

    settings_ = StrCat("write_buffer_size=", options.write_buffer_size,
                       " max_write_buffer_number=", options.max_write_buffer_number,
                       " block_cache=", config.block_cache_bytes, " block_size=", table.block_size,
                       " bloom_bits=", config.bloom_bits_per_key,
                       " target_file_size_base=", options.target_file_size_base,
                       " compression=none cache_index_and_filter_blocks=1",
                       " max_background_jobs=", options.max_background_jobs,
                       " l0_triggers=", options.level0_file_num_compaction_trigger, "/",
                       options.level0_slowdown_writes_trigger, "/",
                       options.level0_stop_writes_trigger, " sync=", config.sync ? 1 : 0);

    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
    if (!s.ok()) return FromRocks(s, "Open");
    db_.reset(db);
    return absl::OkStatus();
  }

  absl::Status Put(std::string_view key, std::string_view value) override {
    return FromRocks(db_->Put(write_options_, ToSlice(key), ToSlice(value)), "Put");
  }

  absl::Status Get(std::string_view key, std::string* value) override {
    return FromRocks(db_->Get(read_options_, ToSlice(key), value), "Get");
  }

  absl::Status Scan(std::string_view start, int count, std::vector<KeyValue>* out) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options_));
    size_t n = 0;
    for (it->Seek(ToSlice(start)); it->Valid() && n < static_cast<size_t>(count); it->Next()) {
      if (out->size() <= n) out->emplace_back();
      (*out)[n].key.assign(it->key().data(), it->key().size());
      (*out)[n].value.assign(it->value().data(), it->value().size());
      ++n;
    }
    out->resize(n);
    return FromRocks(it->status(), "Scan");
  }

  absl::Status Close() override {
    if (db_ == nullptr) return absl::OkStatus();
    rocksdb::Status s = db_->Close();
    db_.reset();
    cache_.reset();
    return FromRocks(s, "Close");
  }

  LsmShape Shape() override {
    LsmShape shape;
    if (db_ == nullptr) return shape;
    std::string text;
    for (int level = 0; level < 7; ++level) {
      if (!db_->GetProperty(StrCat("rocksdb.num-files-at-level", level), &text)) return shape;
      shape.files_per_level.push_back(std::atoi(text.c_str()));
    }
    shape.l0_read_amp = shape.files_per_level[0];
    // "Cumulative compaction: 1.23 GB write, ...": flushes count as level-0 compaction output.
    double gb = 0;
    if (db_->GetProperty("rocksdb.cfstats-no-file-histogram", &text)) {
      const size_t at = text.find("Cumulative compaction: ");
      if (at != std::string::npos &&
          std::sscanf(text.c_str() + at, "Cumulative compaction: %lf GB write", &gb) == 1) {
        shape.table_write_bytes = static_cast<uint64_t>(gb * (1ull << 30));
      }
    }
    shape.available = true;
    return shape;
  }

  absl::StatusOr<bool> Idle() override {
    if (db_ == nullptr) return true;
    for (const char* property :
         {"rocksdb.mem-table-flush-pending", "rocksdb.compaction-pending",
          "rocksdb.num-running-flushes", "rocksdb.num-running-compactions"}) {
      uint64_t value = 0;
      if (!db_->GetIntProperty(property, &value)) {
        return absl::InternalError(StrCat("rocksdb property ", property, " unavailable"));
      }
      if (value != 0) return false;
    }
    return true;
  }

  std::string DebugStats() override {
    std::string text;
    if (db_ == nullptr || !db_->GetProperty("rocksdb.stats", &text)) return "";
    return text;
  }

  // From the "rocksdb.dbstats" and "rocksdb.cfstats-no-file-histogram" properties (no
  // Statistics object, which would cost on every operation).
  StallStats Stalls() override {
    StallStats stats;
    if (db_ == nullptr) return stats;
    std::string text;
    if (!db_->GetProperty("rocksdb.dbstats", &text)) return stats;
    const size_t at = text.find("Cumulative stall: ");
    int hours = 0, minutes = 0;
    double seconds = 0;
    if (at == std::string::npos || std::sscanf(text.c_str() + at, "Cumulative stall: %d:%d:%lf",
                                               &hours, &minutes, &seconds) != 3) {
      return stats;
    }
    stats.micros = static_cast<uint64_t>(((hours * 60.0 + minutes) * 60.0 + seconds) * 1e6);
    if (!db_->GetProperty("rocksdb.cfstats-no-file-histogram", &text)) return stats;
    // "Stalls(count): 18 level0_slowdown, 18 level0_slowdown_with_compaction, ... interval 25
    // total count": cumulative counts per cause; *_with_compaction are subsets, "interval" is
    // not cumulative.
    const size_t line = text.find("Stalls(count): ");
    if (line == std::string::npos) return stats;
    const size_t end = text.find('\n', line);
    std::string_view rest(text.data() + line + 15,
                          (end == std::string::npos ? text.size() : end) - line - 15);
    while (!rest.empty()) {
      const size_t comma = rest.find(", ");
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
      const size_t space = item.find(' ');
      if (space == std::string_view::npos) continue;
      const std::string_view cause = item.substr(space + 1);
      if (cause.find("with_compaction") != std::string_view::npos) continue;
      uint64_t n = 0;
      if (std::sscanf(std::string(item.substr(0, space)).c_str(), "%lu", &n) == 1) {
        stats.count += n;
      }
    }
    stats.available = true;
    return stats;
  }

  std::string DescribeSettings() const override { return settings_; }

 private:
  std::shared_ptr<rocksdb::Cache> cache_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_options_;
  rocksdb::ReadOptions read_options_;
  std::string settings_;
};

}  // namespace

std::unique_ptr<KvEngine> NewRocksDbEngine() { return std::make_unique<RocksDbEngine>(); }

}  // namespace nokv::bench
