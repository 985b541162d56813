// NoKV adapter, through the public API only (include/nokv/). Settings not listed keep NoKV's
// defaults (Options in include/nokv/options.h).
#include <map>
#include <memory>

#include "bench/ycsb/kv_engine.h"
#include "nokv/db.h"
#include "nokv/iterator.h"
#include "nokv/options.h"
#include "src/util/str_cat.h"

namespace nokv::bench {
namespace {

absl::Status Annotate(const absl::Status& s, std::string_view op) {
  if (s.ok()) return s;
  return absl::Status(s.code(), StrCat("nokv ", op, ": ", std::string(s.message())));
}

class NoKVEngine final : public KvEngine {
 public:
  ~NoKVEngine() override { Close().IgnoreError(); }

  std::string_view name() const override { return "nokv"; }

  absl::Status Open(const EngineConfig& config, const std::string& dir) override {
    nokv::Options options;
    options.create_if_missing = true;
    options.error_if_exists = true;
    options.memtable_bytes = config.memtable_bytes;
    options.max_immutable_memtables = config.max_memtables > 1 ? config.max_memtables - 1 : 1;
    options.block_cache_bytes = config.block_cache_bytes;
    options.block_bytes = config.block_bytes;
    options.bloom_bits_per_key = config.bloom_bits_per_key;
    options.target_file_bytes = config.target_file_bytes;
    options.compression = nokv::Compression::kNone;
    write_options_.sync = config.sync;

    settings_ =
        StrCat("memtable_bytes=", options.memtable_bytes,
               " max_immutable_memtables=", options.max_immutable_memtables,
               " block_cache_bytes=", options.block_cache_bytes,
               " block_bytes=", options.block_bytes, " bloom_bits=", options.bloom_bits_per_key,
               " target_file_bytes=", options.target_file_bytes,
               " compression=none l0_triggers=", options.l0_compaction_trigger, "/",
               options.l0_slowdown_trigger, "/", options.l0_stop_trigger,
               " max_write_batch_group_bytes=", options.max_write_batch_group_bytes,
               " sync=", config.sync ? 1 : 0);

    auto db = nokv::DB::Open(options, dir);
    if (!db.ok()) return Annotate(db.status(), "Open");
    db_ = *std::move(db);
    return absl::OkStatus();
  }

  absl::Status Put(std::string_view key, std::string_view value) override {
    return Annotate(db_->Set(write_options_, key, value), "Set");
  }

  absl::Status Get(std::string_view key, std::string* value) override {
    absl::StatusOr<std::string> got = db_->Get(read_options_, key);
    if (!got.ok()) return Annotate(got.status(), "Get");
    *value = *std::move(got);
    return absl::OkStatus();
  }

  absl::Status Scan(std::string_view start, int count, std::vector<KeyValue>* out) override {
    std::unique_ptr<nokv::Iterator> it = db_->NewIterator(read_options_);
    size_t n = 0;
    for (it->Seek(start); it->Valid() && n < static_cast<size_t>(count); it->Next()) {
      if (out->size() <= n) out->emplace_back();
      (*out)[n].key.assign(it->key());
      (*out)[n].value.assign(it->value());
      ++n;
    }
    out->resize(n);
    return Annotate(it->status(), "Scan");
  }

  absl::Status Close() override {
    if (db_ == nullptr) return absl::OkStatus();
    absl::Status s = db_->Close();
    db_.reset();
    return Annotate(s, "Close");
  }

  StallStats Stalls() override {
    StallStats stats;
    if (db_ == nullptr) return stats;
    const std::map<std::string, uint64_t> counters = db_->Stats();
    auto micros = counters.find("stall.micros");
    auto count = counters.find("stall.count");
    if (micros == counters.end() || count == counters.end()) return stats;
    stats.available = true;
    stats.micros = micros->second;
    stats.count = count->second;
    return stats;
  }

  LsmShape Shape() override {
    LsmShape shape;
    if (db_ == nullptr) return shape;
    const std::map<std::string, uint64_t> stats = db_->Stats();
    auto get = [&](const std::string& name) {
      auto it = stats.find(name);
      return it == stats.end() ? 0 : it->second;
    };
    for (int level = 0; stats.count(StrCat("lsm.level", level, ".files")) != 0; ++level) {
      shape.files_per_level.push_back(static_cast<int>(get(StrCat("lsm.level", level, ".files"))));
    }
    shape.l0_read_amp = static_cast<int>(get("lsm.l0_depth"));
    shape.table_write_bytes = get("flush.bytes") + get("compaction.output_bytes");
    shape.available = !shape.files_per_level.empty();
    return shape;
  }

  // Idle = no memtable waits for a flush and no level (L0's depth included) is over its target,
  // which is exactly when the picker has nothing left to do.
  absl::StatusOr<bool> Idle() override {
    if (db_ == nullptr) return true;
    const std::map<std::string, uint64_t> stats = db_->Stats();
    auto it = stats.find("flush.pending_memtables");
    if (it == stats.end()) return absl::UnimplementedError("no flush.pending_memtables");
    if (it->second != 0) return false;
    for (int level = 0;; ++level) {
      auto score = stats.find(StrCat("lsm.level", level, ".score_x100"));
      if (score == stats.end()) break;
      if (score->second >= 100) return false;
    }
    return true;
  }

  std::string DebugStats() override {
    if (db_ == nullptr) return "";
    std::string out;
    for (const auto& [name, value] : db_->Stats()) {
      if (name.rfind("compaction.", 0) == 0 || name.rfind("flush.", 0) == 0 ||
          name.rfind("lsm.", 0) == 0 || name.rfind("stall.", 0) == 0) {
        out += StrCat(name, " ", value, "\n");
      }
    }
    return out;
  }

  std::string DescribeSettings() const override { return settings_; }

 private:
  std::unique_ptr<nokv::DB> db_;
  nokv::WriteOptions write_options_;
  nokv::ReadOptions read_options_;
  std::string settings_;
};

}  // namespace

std::unique_ptr<KvEngine> NewNoKVEngine() { return std::make_unique<NoKVEngine>(); }

}  // namespace nokv::bench
