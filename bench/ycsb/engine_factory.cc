#include <cstdio>

#include "bench/ycsb/kv_engine.h"
#include "src/util/str_cat.h"

namespace nokv::bench {

absl::Status EngineStatus(bool ok, bool not_found, std::string_view engine, std::string_view op,
                          std::string_view message) {
  if (ok) return absl::OkStatus();
  if (not_found) return absl::NotFoundError(StrCat(engine, " ", op, ": ", message));
  return absl::InternalError(StrCat(engine, " ", op, ": ", message));
}

std::string FormatShape(const LsmShape& shape) {
  if (!shape.available) return "";
  std::string out;
  for (size_t level = 0; level < shape.files_per_level.size(); ++level) {
    const int files = shape.files_per_level[level];
    if (files == 0 && level != 0) continue;
    if (!out.empty()) out += " ";
    out += StrCat("L", level, " ", files);
    if (level == 0) out += StrCat(" (probe ", shape.l0_read_amp, ")");
  }
  char written[32];
  std::snprintf(written, sizeof(written), "%.0f", shape.table_write_bytes / 1048576.0);
  return StrCat(out, " | tables written ", written, " MiB");
}

std::vector<std::string> AvailableEngines() {
  std::vector<std::string> names;
#ifdef NOKV_BENCH_WITH_NOKV
  names.push_back("nokv");
#endif
#ifdef NOKV_BENCH_WITH_ROCKSDB
  names.push_back("rocksdb");
#endif
#ifdef NOKV_BENCH_WITH_LEVELDB
  names.push_back("leveldb");
#endif
  return names;
}

absl::StatusOr<std::unique_ptr<KvEngine>> MakeEngine(std::string_view name) {
  if (name == "nokv") {
#ifdef NOKV_BENCH_WITH_NOKV
    return NewNoKVEngine();
#endif
  } else if (name == "rocksdb") {
#ifdef NOKV_BENCH_WITH_ROCKSDB
    return NewRocksDbEngine();
#endif
  } else if (name == "leveldb") {
#ifdef NOKV_BENCH_WITH_LEVELDB
    return NewLevelDbEngine();
#endif
  } else {
    return absl::InvalidArgumentError(
        StrCat("unknown engine '", name, "' (known: nokv, rocksdb, leveldb)"));
  }
  return absl::UnimplementedError(StrCat("engine '", name, "' is not compiled into this binary"));
}

}  // namespace nokv::bench
