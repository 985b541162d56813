// nokv sst: one table's properties, range tombstones, entries (--dump) and checksums (--verify).
#include <cstdio>

#include "engine/format/dbformat.h"
#include "engine/format/filenames.h"
#include "engine/sst/table.h"
#include "src/util/str_cat.h"
#include "tools/nokv/cli.h"

namespace nokv::cli {
namespace {

absl::StatusOr<std::shared_ptr<Table>> OpenTable(VFS& vfs, const std::string& path) {
  uint64_t number = 0;  // names the file in cache keys only; 0 for a foreign name
  ParseNumberedName(BaseName(path), ".sst", &number);
  auto file = vfs.NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  return Table::Open(TableOptions{}, std::move(*file), path, number, nullptr);
}

}  // namespace

int CmdSst(VFS& vfs, const Args& args) {
  const std::string path = args.file;
  std::vector<Problem> problems;
  auto table = OpenTable(vfs, path);
  const bool json = args.json;
  if (!table.ok()) {
    problems.push_back({path, table.status().ToString()});
    if (json) {
      std::printf("{\"file\":%s,\"problems\":%s}\n", JsonEscape(path).c_str(),
                  ProblemsJson(problems).c_str());
    } else {
      PrintProblems(problems);
    }
    return kExitCorruption;
  }
  const Table& t = **table;
  const TableProperties& p = t.properties();
  std::string out;
  if (json) {
    out = StrCat("{\"file\":", JsonEscape(path), ",\"file_size\":", U(t.file_size()),
                 ",\"properties\":{\"num_entries\":", U(p.num_entries),
                 ",\"num_deletions\":", U(p.num_deletions),
                 ",\"num_range_deletions\":", U(p.num_range_deletions),
                 ",\"num_data_blocks\":", U(p.num_data_blocks),
                 ",\"raw_key_bytes\":", U(p.raw_key_bytes),
                 ",\"raw_value_bytes\":", U(p.raw_value_bytes), ",\"data_bytes\":", U(p.data_bytes),
                 ",\"index_bytes\":", U(p.index_bytes), ",\"filter_bytes\":", U(p.filter_bytes),
                 "},\"range_tombstones\":[");
    for (size_t i = 0; i < t.range_tombstones().size(); ++i) {
      const auto& rt = t.range_tombstones()[i];
      if (i > 0) out += ",";
      out += StrCat("{\"begin\":", JsonEscape(rt.begin), ",\"end\":", JsonEscape(rt.end),
                    ",\"seq\":", U(rt.sequence), "}");
    }
    out += "]";
  } else {
    std::printf("file:                %s\n", path.c_str());
    std::printf("file size:           %llu\n", static_cast<unsigned long long>(t.file_size()));
    std::printf("entries:             %llu\n", static_cast<unsigned long long>(p.num_entries));
    std::printf("deletions:           %llu\n", static_cast<unsigned long long>(p.num_deletions));
    std::printf("range deletions:     %llu\n",
                static_cast<unsigned long long>(p.num_range_deletions));
    std::printf("data blocks:         %llu\n", static_cast<unsigned long long>(p.num_data_blocks));
    std::printf("raw key bytes:       %llu\n", static_cast<unsigned long long>(p.raw_key_bytes));
    std::printf("raw value bytes:     %llu\n", static_cast<unsigned long long>(p.raw_value_bytes));
    std::printf("data bytes:          %llu\n", static_cast<unsigned long long>(p.data_bytes));
    std::printf("index bytes:         %llu\n", static_cast<unsigned long long>(p.index_bytes));
    std::printf("filter bytes:        %llu\n", static_cast<unsigned long long>(p.filter_bytes));
    std::printf("range tombstones:    %zu\n", t.range_tombstones().size());
    for (const auto& rt : t.range_tombstones()) {
      std::printf("  [%s, %s) seq=%llu\n", Printable(rt.begin).c_str(),
                  rt.end.empty() ? "+inf" : Printable(rt.end).c_str(),
                  static_cast<unsigned long long>(rt.sequence));
    }
  }
  if (args.dump) {
    auto it = t.NewIterator(false);
    if (json) out += ",\"entries\":[";
    bool first = true;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ParsedInternalKey pk;
      if (!ParseInternalKey(it->key(), &pk)) {
        problems.push_back({path, "unparsable internal key"});
        break;
      }
      const std::string kind = KindName(static_cast<uint8_t>(pk.kind));
      uint64_t value_size = 0;
      if (pk.kind == ValueKind::kValue) {
        StoredValue sv;
        if (DecodeStoredValue(it->value(), &sv)) value_size = sv.value.size();
      }
      if (json) {
        if (!first) out += ",";
        out += StrCat("{\"key\":", JsonEscape(pk.user_key), ",\"seq\":", U(pk.sequence),
                      ",\"kind\":\"", kind, "\",\"value_size\":", U(value_size), "}");
      } else {
        std::printf("%s @%llu %s %llu\n", Printable(pk.user_key).c_str(),
                    static_cast<unsigned long long>(pk.sequence), kind.c_str(),
                    static_cast<unsigned long long>(value_size));
      }
      first = false;
    }
    if (!it->status().ok()) problems.push_back({path, it->status().ToString()});
    if (json) out += "]";
  }
  if (args.verify) {
    absl::Status s = t.VerifyChecksums();
    if (!s.ok()) problems.push_back({path, s.ToString()});
    if (json) {
      out += StrCat(",\"verify\":", s.ok() ? "\"ok\"" : "\"failed\"");
    } else {
      std::printf("verify:              %s\n", s.ok() ? "ok" : "FAILED");
    }
  }
  if (json) {
    out += StrCat(",\"problems\":", ProblemsJson(problems), "}");
    std::printf("%s\n", out.c_str());
  } else {
    PrintProblems(problems);
  }
  return problems.empty() ? kExitOk : kExitCorruption;
}

}  // namespace nokv::cli
