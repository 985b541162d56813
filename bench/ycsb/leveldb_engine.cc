// LevelDB adapter. LevelDB keeps exactly one frozen memtable (max_memtables is fixed at 2),
// holds index and filter blocks outside the block cache (in its table cache, bounded by
// max_open_files) and sizes its levels from a fixed 10 MB L1, so its 2 MB default file size
// is kept rather than EngineConfig::target_file_bytes (see bench/README.md).
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "bench/ycsb/kv_engine.h"
#include "leveldb/cache.h"
#include "leveldb/db.h"
#include "leveldb/filter_policy.h"
#include "leveldb/iterator.h"
#include "leveldb/options.h"
#include "src/util/str_cat.h"

namespace nokv::bench {
namespace {

leveldb::Slice ToSlice(std::string_view s) { return leveldb::Slice(s.data(), s.size()); }

absl::Status FromLevel(const leveldb::Status& s, std::string_view op) {
  return EngineStatus(s.ok(), s.IsNotFound(), "leveldb", op, s.ToString());
}

class LevelDbEngine final : public KvEngine {
 public:
  ~LevelDbEngine() override { Close().IgnoreError(); }

  std::string_view name() const override { return "leveldb"; }

  absl::Status Open(const EngineConfig& config, const std::string& dir) override {
    cache_.reset(leveldb::NewLRUCache(config.block_cache_bytes));
    filter_.reset(leveldb::NewBloomFilterPolicy(config.bloom_bits_per_key));
    leveldb::Options options;
    options.create_if_missing = true;
    options.error_if_exists = true;
    options.write_buffer_size = config.memtable_bytes;
    options.block_cache = cache_.get();
    options.block_size = config.block_bytes;
    options.filter_policy = filter_.get();
    options.compression = leveldb::kNoCompression;

    write_options_.sync = config.sync;
    // LevelDB verifies block checksums only when asked; ask, so that every engine checks what
    // it reads from a file.
    read_options_.verify_checksums = true;

    settings_ =
        StrCat("write_buffer_size=", options.write_buffer_size,
               " memtables=2(fixed) block_cache=", config.block_cache_bytes,
               " block_size=", options.block_size, " bloom_bits=", config.bloom_bits_per_key,
               " max_file_size=", options.max_file_size,
               " compression=none max_open_files=", options.max_open_files,
               " l0_triggers=4/8/12(fixed) sync=", config.sync ? 1 : 0);

    leveldb::DB* db = nullptr;
    leveldb::Status s = leveldb::DB::Open(options, dir, &db);
    if (!s.ok()) return FromLevel(s, "Open");
    db_.reset(db);
    return absl::OkStatus();
  }

  absl::Status Put(std::string_view key, std::string_view value) override {
    return FromLevel(db_->Put(write_options_, ToSlice(key), ToSlice(value)), "Put");
  }

  absl::Status Get(std::string_view key, std::string* value) override {
    return FromLevel(db_->Get(read_options_, ToSlice(key), value), "Get");
  }

  absl::Status Scan(std::string_view start, int count, std::vector<KeyValue>* out) override {
    std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(read_options_));
    size_t n = 0;
    for (it->Seek(ToSlice(start)); it->Valid() && n < static_cast<size_t>(count); it->Next()) {
      if (out->size() <= n) out->emplace_back();
      (*out)[n].key.assign(it->key().data(), it->key().size());
      (*out)[n].value.assign(it->value().data(), it->value().size());
      ++n;
    }
    out->resize(n);
    return FromLevel(it->status(), "Scan");
  }

  absl::Status Close() override {
    db_.reset();  // LevelDB's destructor waits for the background compaction
    filter_.reset();
    cache_.reset();
    return absl::OkStatus();
  }

  std::string DebugStats() override {
    std::string text;
    if (db_ == nullptr || !db_->GetProperty("leveldb.stats", &text)) return "";
    return text;
  }

  LsmShape Shape() override {
    LsmShape shape;
    if (db_ == nullptr) return shape;
    std::string text;
    for (int level = 0; level < 7; ++level) {
      if (!db_->GetProperty(StrCat("leveldb.num-files-at-level", level), &text)) return shape;
      shape.files_per_level.push_back(std::atoi(text.c_str()));
    }
    shape.l0_read_amp = shape.files_per_level[0];
    // "leveldb.stats": a row "level files size(MB) time(sec) read(MB) write(MB)" per level;
    // flushes count in the level they were placed in.
    if (db_->GetProperty("leveldb.stats", &text)) {
      size_t pos = 0;
      double total_mb = 0;
      while ((pos = text.find('\n', pos)) != std::string::npos) {
        ++pos;
        int level = 0, files = 0;
        double size = 0, secs = 0, read = 0, write = 0;
        if (std::sscanf(text.c_str() + pos, "%d %d %lf %lf %lf %lf", &level, &files, &size, &secs,
                        &read, &write) == 6) {
          total_mb += write;
        }
      }
      shape.table_write_bytes = static_cast<uint64_t>(total_mb * 1048576);
    }
    shape.available = true;
    return shape;
  }

  std::string DescribeSettings() const override { return settings_; }

 private:
  // Declared before db_ so they outlive it.
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::DB> db_;
  leveldb::WriteOptions write_options_;
  leveldb::ReadOptions read_options_;
  std::string settings_;
};

}  // namespace

std::unique_ptr<KvEngine> NewLevelDbEngine() { return std::make_unique<LevelDbEngine>(); }

}  // namespace nokv::bench
