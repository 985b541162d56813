// nokv: offline inspection of a stopped NoKV workdir (see docs/cli.md).
//
//   nokv stats    --workdir DIR [--json]
//   nokv manifest --workdir DIR [--json]
//   nokv sst      --file F [--dump] [--verify] [--json]
//   nokv wal      --workdir DIR [--json]
//   nokv check    --workdir DIR [--json]
//
// Exit codes: 0 ok, 1 corruption found, 2 usage error.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "engine/format/dbformat.h"
#include "engine/manifest/version_edit.h"
#include "engine/sst/table.h"
#include "engine/vfs/vfs.h"
#include "engine/wal/log_format.h"
#include "engine/wal/log_reader.h"
#include "src/db/write_batch_format.h"
#include "src/util/coding.h"
#include "src/util/str_cat.h"

namespace nokv::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitCorruption = 1;
constexpr int kExitUsage = 2;

struct Args {
  std::string command;
  std::map<std::string, std::string> flags;
  bool Has(const std::string& name) const { return flags.count(name) > 0; }
  std::string Get(const std::string& name) const {
    auto it = flags.find(name);
    return it == flags.end() ? std::string() : it->second;
  }
};

// --- output helpers -------------------------------------------------------------------------

std::string JsonEscape(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

// Printable form of a user key: printable ASCII as is, other bytes as \xNN.
std::string Printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

std::string U(uint64_t v) { return std::to_string(v); }

struct Problem {
  std::string file;
  std::string message;
};

std::string ProblemsJson(const std::vector<Problem>& problems) {
  std::string out = "[";
  for (size_t i = 0; i < problems.size(); ++i) {
    if (i > 0) out += ",";
    out += StrCat("{\"file\":", JsonEscape(problems[i].file),
                  ",\"message\":", JsonEscape(problems[i].message), "}");
  }
  return out + "]";
}

void PrintProblems(const std::vector<Problem>& problems) {
  for (const auto& p : problems) std::printf("PROBLEM %s: %s\n", p.file.c_str(), p.message.c_str());
}

std::string KindName(uint8_t kind) {
  switch (kind) {
    case static_cast<uint8_t>(ValueKind::kDeletion):
      return "del";
    case static_cast<uint8_t>(ValueKind::kValue):
      return "value";
    case static_cast<uint8_t>(ValueKind::kRangeDeletion):
      return "range-del";
    default:
      return StrCat("kind", U(kind));
  }
}

// --- MANIFEST replay ------------------------------------------------------------------------

struct ManifestState {
  std::string manifest_path;
  std::vector<std::string> edits;                         // DebugString of each edit
  std::map<uint64_t, std::pair<int, FileMetaData>> live;  // number -> (level, meta)
  uint64_t log_number = 0;
  uint64_t next_file_number = 0;
  uint64_t last_sequence = 0;
  std::vector<Problem> problems;
};

ManifestState ReplayManifest(VFS& vfs, const std::string& workdir) {
  ManifestState st;
  const std::string current_path = StrCat(workdir, "/CURRENT");
  std::string current;
  absl::Status s = ReadFileToString(vfs, current_path, &current);
  if (!s.ok()) {
    st.problems.push_back({current_path, s.ToString()});
    return st;
  }
  if (current.empty() || current.back() != '\n' || current.rfind("MANIFEST-", 0) != 0) {
    st.problems.push_back({current_path, "offset 0: malformed CURRENT contents"});
    return st;
  }
  current.pop_back();
  st.manifest_path = StrCat(workdir, "/", current);
  auto reader = log::Reader::Open(vfs, st.manifest_path, log::FileKind::kManifest);
  if (!reader.ok()) {
    st.problems.push_back({st.manifest_path, reader.status().ToString()});
    return st;
  }
  std::string_view record;
  while ((*reader)->ReadRecord(&record)) {
    VersionEdit edit;
    const uint64_t offset = (*reader)->last_record_offset();
    s = edit.DecodeFrom(record, StrCat(st.manifest_path, " offset ", U(offset)));
    if (!s.ok()) {
      st.problems.push_back({st.manifest_path, s.ToString()});
      break;
    }
    st.edits.push_back(edit.DebugString());
    if (edit.log_number()) st.log_number = *edit.log_number();
    if (edit.next_file_number()) st.next_file_number = *edit.next_file_number();
    if (edit.last_sequence()) st.last_sequence = *edit.last_sequence();
    for (const auto& [level, number] : edit.deleted_files()) st.live.erase(number);
    for (const auto& [level, meta] : edit.new_files()) st.live[meta.number] = {level, meta};
  }
  if (!(*reader)->status().ok()) {
    st.problems.push_back({st.manifest_path, (*reader)->status().ToString()});
  } else if ((*reader)->torn_tail()) {
    st.problems.push_back(
        {st.manifest_path, StrCat("torn tail at offset ", U((*reader)->valid_end()))});
  }
  return st;
}

struct LevelSummary {
  uint64_t files = 0, bytes = 0, entries = 0, deletions = 0;
};

std::map<int, LevelSummary> Summarize(const ManifestState& st) {
  std::map<int, LevelSummary> levels;
  for (int l = 0; l < kNumLevels; ++l) levels[l];
  for (const auto& [number, lm] : st.live) {
    LevelSummary& ls = levels[lm.first];
    ls.files++;
    ls.bytes += lm.second.file_size;
    ls.entries += lm.second.num_entries;
    ls.deletions += lm.second.num_deletions;
  }
  return levels;
}

std::string SstPath(const std::string& workdir, uint64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%06llu.sst", static_cast<unsigned long long>(number));
  return StrCat(workdir, "/sst/", buf);
}

// --- WAL scan -------------------------------------------------------------------------------

struct WalSegment {
  std::string path;
  uint64_t file_bytes = 0;
  uint64_t records = 0;
  uint64_t payload_bytes = 0;
  uint64_t ops = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  bool torn_tail = false;
  uint64_t valid_end = 0;
  std::string error;  // corruption, empty if none
};

std::vector<WalSegment> ScanWal(VFS& vfs, const std::string& workdir,
                                std::vector<Problem>* problems) {
  std::vector<WalSegment> segments;
  const std::string dir = StrCat(workdir, "/wal");
  auto names = vfs.ListDir(dir);
  if (!names.ok()) {
    problems->push_back({dir, names.status().ToString()});
    return segments;
  }
  std::vector<std::string> logs;
  for (const auto& n : *names) {
    if (n.size() > 4 && n.compare(n.size() - 4, 4, ".log") == 0) logs.push_back(n);
  }
  std::sort(logs.begin(), logs.end());
  for (size_t i = 0; i < logs.size(); ++i) {
    WalSegment seg;
    seg.path = StrCat(dir, "/", logs[i]);
    auto size = vfs.GetFileSize(seg.path);
    if (size.ok()) seg.file_bytes = *size;
    auto reader = log::Reader::Open(vfs, seg.path, log::FileKind::kWal);
    if (!reader.ok()) {
      seg.error = reader.status().ToString();
    } else {
      std::string_view record;
      while ((*reader)->ReadRecord(&record)) {
        const uint64_t offset = (*reader)->last_record_offset();
        seg.records++;
        seg.payload_bytes += record.size();
        if (record.size() < batch::kHeaderSize) {
          seg.error = StrCat(seg.path, " offset ", U(offset), ": short batch header");
          break;
        }
        const uint64_t first = DecodeFixed64(record.data());
        const uint32_t count = DecodeFixed32(record.data() + 8);
        uint64_t ops = 0;
        absl::Status s = batch::ForEachRecord(record, [&](const batch::Record&) {
          ops++;
          return absl::OkStatus();
        });
        if (!s.ok()) {
          seg.error = StrCat(seg.path, " offset ", U(offset), ": ", s.ToString());
          break;
        }
        seg.ops += ops;
        if (count > 0) {
          if (seg.first_seq == 0) seg.first_seq = first;
          seg.last_seq = first + count - 1;
        }
      }
      if (seg.error.empty() && !(*reader)->status().ok()) {
        seg.error = (*reader)->status().ToString();
      }
      seg.torn_tail = (*reader)->torn_tail();
      seg.valid_end = (*reader)->valid_end();
    }
    const bool newest = i + 1 == logs.size();
    if (!seg.error.empty()) {
      problems->push_back({seg.path, seg.error});
    } else if (seg.torn_tail && !newest) {
      problems->push_back(
          {seg.path, StrCat("torn tail at offset ", U(seg.valid_end), " in a non-newest segment")});
    }
    segments.push_back(std::move(seg));
  }
  return segments;
}

std::string SegmentStatus(const WalSegment& seg) {
  if (!seg.error.empty()) return "corrupt";
  if (seg.torn_tail) return StrCat("torn-tail@", U(seg.valid_end));
  return "ok";
}

// --- SST --------------------------------------------------------------------------------------

absl::StatusOr<std::shared_ptr<Table>> OpenTable(VFS& vfs, const std::string& path,
                                                 uint64_t number) {
  auto file = vfs.NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  return Table::Open(TableOptions{}, std::move(*file), path, number, nullptr);
}

uint64_t NumberFromName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return std::strtoull(base.c_str(), nullptr, 10);
}

// Verifies checksums and iterates every entry; returns the number of point entries.
absl::Status FullCheckTable(const Table& table, uint64_t* entries) {
  absl::Status s = table.VerifyChecksums();
  if (!s.ok()) return s;
  auto it = table.NewIterator(false);
  *entries = 0;
  std::string prev;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ParsedInternalKey pk;
    if (!ParseInternalKey(it->key(), &pk)) {
      return absl::DataLossError(
          StrCat(table.file_name(), ": unparsable internal key #", U(*entries)));
    }
    (*entries)++;
  }
  return it->status();
}

// --- commands ---------------------------------------------------------------------------------

int CmdStats(VFS& vfs, const Args& args) {
  const std::string workdir = args.Get("workdir");
  ManifestState st = ReplayManifest(vfs, workdir);
  std::vector<Problem> problems = st.problems;
  std::vector<WalSegment> wal = ScanWal(vfs, workdir, &problems);
  uint64_t wal_bytes = 0;
  for (const auto& seg : wal) wal_bytes += seg.file_bytes;
  auto levels = Summarize(st);
  if (args.Has("json")) {
    std::string out = "{\"levels\":[";
    bool first = true;
    for (const auto& [l, ls] : levels) {
      if (!first) out += ",";
      first = false;
      out += StrCat("{\"level\":", U(l), ",\"files\":", U(ls.files), ",\"bytes\":", U(ls.bytes),
                    ",\"entries\":", U(ls.entries), ",\"deletions\":", U(ls.deletions), "}");
    }
    out +=
        StrCat("],\"live_files\":", U(st.live.size()), ",\"wal_segments\":", U(wal.size()),
               ",\"wal_bytes\":", U(wal_bytes), ",\"last_sequence\":", U(st.last_sequence),
               ",\"next_file_number\":", U(st.next_file_number),
               ",\"log_number\":", U(st.log_number), ",\"problems\":", ProblemsJson(problems), "}");
    std::printf("%s\n", out.c_str());
  } else {
    std::printf("%-6s %8s %14s %12s %12s\n", "level", "files", "bytes", "entries", "deletions");
    for (const auto& [l, ls] : levels) {
      std::printf(
          "L%-5d %8llu %14llu %12llu %12llu\n", l, static_cast<unsigned long long>(ls.files),
          static_cast<unsigned long long>(ls.bytes), static_cast<unsigned long long>(ls.entries),
          static_cast<unsigned long long>(ls.deletions));
    }
    std::printf("live files:       %zu\n", st.live.size());
    std::printf("wal segments:     %zu (%llu bytes)\n", wal.size(),
                static_cast<unsigned long long>(wal_bytes));
    std::printf("last sequence:    %llu\n", static_cast<unsigned long long>(st.last_sequence));
    std::printf("next file number: %llu\n", static_cast<unsigned long long>(st.next_file_number));
    std::printf("log number:       %llu\n", static_cast<unsigned long long>(st.log_number));
    PrintProblems(problems);
  }
  return problems.empty() ? kExitOk : kExitCorruption;
}

int CmdManifest(VFS& vfs, const Args& args) {
  ManifestState st = ReplayManifest(vfs, args.Get("workdir"));
  if (args.Has("json")) {
    std::string out = StrCat("{\"manifest\":", JsonEscape(st.manifest_path), ",\"edits\":[");
    for (size_t i = 0; i < st.edits.size(); ++i) {
      if (i > 0) out += ",";
      out += JsonEscape(st.edits[i]);
    }
    out += "],\"live_files\":[";
    bool first = true;
    for (const auto& [number, lm] : st.live) {
      if (!first) out += ",";
      first = false;
      out += StrCat("{\"level\":", U(lm.first), ",\"number\":", U(number),
                    ",\"size\":", U(lm.second.file_size), ",\"entries\":", U(lm.second.num_entries),
                    ",\"smallest\":", JsonEscape(lm.second.smallest_user_key()),
                    ",\"largest\":", JsonEscape(lm.second.largest_user_key()), "}");
    }
    out += StrCat("],\"problems\":", ProblemsJson(st.problems), "}");
    std::printf("%s\n", out.c_str());
  } else {
    std::printf("manifest: %s\n", st.manifest_path.c_str());
    for (size_t i = 0; i < st.edits.size(); ++i) {
      std::printf("--- edit %zu\n%s\n", i, st.edits[i].c_str());
    }
    std::printf("--- live files\n");
    std::printf("%-6s %8s %10s %10s  %s\n", "level", "number", "size", "entries", "key range");
    for (const auto& [number, lm] : st.live) {
      std::printf("L%-5d %8llu %10llu %10llu  [%s .. %s]\n", lm.first,
                  static_cast<unsigned long long>(number),
                  static_cast<unsigned long long>(lm.second.file_size),
                  static_cast<unsigned long long>(lm.second.num_entries),
                  Printable(lm.second.smallest_user_key()).c_str(),
                  Printable(lm.second.largest_user_key()).c_str());
    }
    PrintProblems(st.problems);
  }
  return st.problems.empty() ? kExitOk : kExitCorruption;
}

int CmdSst(VFS& vfs, const Args& args) {
  const std::string path = args.Get("file");
  std::vector<Problem> problems;
  auto table = OpenTable(vfs, path, NumberFromName(path));
  const bool json = args.Has("json");
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
  if (args.Has("dump")) {
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
  if (args.Has("verify")) {
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

int CmdWal(VFS& vfs, const Args& args) {
  std::vector<Problem> problems;
  std::vector<WalSegment> wal = ScanWal(vfs, args.Get("workdir"), &problems);
  if (args.Has("json")) {
    std::string out = "{\"segments\":[";
    for (size_t i = 0; i < wal.size(); ++i) {
      const auto& s = wal[i];
      if (i > 0) out += ",";
      out += StrCat("{\"file\":", JsonEscape(s.path), ",\"bytes\":", U(s.file_bytes),
                    ",\"records\":", U(s.records), ",\"ops\":", U(s.ops),
                    ",\"first_seq\":", U(s.first_seq), ",\"last_seq\":", U(s.last_seq),
                    ",\"torn_tail\":", s.torn_tail ? "true" : "false",
                    ",\"valid_end\":", U(s.valid_end), ",\"error\":", JsonEscape(s.error), "}");
    }
    out += StrCat("],\"problems\":", ProblemsJson(problems), "}");
    std::printf("%s\n", out.c_str());
  } else {
    std::printf("%-40s %10s %8s %8s %10s %10s  %s\n", "segment", "bytes", "records", "ops",
                "first_seq", "last_seq", "status");
    for (const auto& s : wal) {
      std::printf(
          "%-40s %10llu %8llu %8llu %10llu %10llu  %s\n", s.path.c_str(),
          static_cast<unsigned long long>(s.file_bytes), static_cast<unsigned long long>(s.records),
          static_cast<unsigned long long>(s.ops), static_cast<unsigned long long>(s.first_seq),
          static_cast<unsigned long long>(s.last_seq), SegmentStatus(s).c_str());
    }
    PrintProblems(problems);
  }
  return problems.empty() ? kExitOk : kExitCorruption;
}

int CmdCheck(VFS& vfs, const Args& args) {
  const std::string workdir = args.Get("workdir");
  ManifestState st = ReplayManifest(vfs, workdir);
  std::vector<Problem> problems = st.problems;
  uint64_t tables_ok = 0;
  for (const auto& [number, lm] : st.live) {
    const std::string path = SstPath(workdir, number);
    auto size = vfs.GetFileSize(path);
    if (!size.ok()) {
      problems.push_back({path, size.status().ToString()});
      continue;
    }
    if (*size != lm.second.file_size) {
      problems.push_back(
          {path, StrCat("size ", U(*size), " but MANIFEST says ", U(lm.second.file_size))});
      continue;
    }
    auto table = OpenTable(vfs, path, number);
    if (!table.ok()) {
      problems.push_back({path, table.status().ToString()});
      continue;
    }
    uint64_t entries = 0;
    absl::Status s = FullCheckTable(**table, &entries);
    if (!s.ok()) {
      problems.push_back({path, s.ToString()});
      continue;
    }
    if (entries != (*table)->properties().num_entries) {
      problems.push_back({path, StrCat("iterated ", U(entries), " entries but properties say ",
                                       U((*table)->properties().num_entries))});
      continue;
    }
    tables_ok++;
  }
  std::vector<WalSegment> wal = ScanWal(vfs, workdir, &problems);
  if (args.Has("json")) {
    std::printf(
        "{\"manifest\":%s,\"live_files\":%zu,\"tables_ok\":%llu,\"wal_segments\":%zu,"
        "\"ok\":%s,\"problems\":%s}\n",
        JsonEscape(st.manifest_path).c_str(), st.live.size(),
        static_cast<unsigned long long>(tables_ok), wal.size(), problems.empty() ? "true" : "false",
        ProblemsJson(problems).c_str());
  } else {
    std::printf("manifest:     %s (%zu edits)\n", st.manifest_path.c_str(), st.edits.size());
    std::printf("live tables:  %zu (%llu ok)\n", st.live.size(),
                static_cast<unsigned long long>(tables_ok));
    std::printf("wal segments: %zu\n", wal.size());
    PrintProblems(problems);
    std::printf("%s\n", problems.empty()
                            ? "OK"
                            : StrCat("FAILED: ", U(problems.size()), " problem(s)").c_str());
  }
  return problems.empty() ? kExitOk : kExitCorruption;
}

// --- usage ------------------------------------------------------------------------------------

struct CommandInfo {
  const char* name;
  const char* usage;
  std::vector<std::string> required;
  std::vector<std::string> allowed;
  int (*fn)(VFS&, const Args&);
};

const std::vector<CommandInfo>& Commands() {
  static const auto* kCommands = new std::vector<CommandInfo>{
      {"stats",
       "nokv stats --workdir DIR [--json]\n  Live files per level, WAL segments, last "
       "sequence and next file number (from the MANIFEST replay).",
       {"workdir"},
       {"workdir", "json"},
       CmdStats},
      {"manifest",
       "nokv manifest --workdir DIR [--json]\n  Every version edit of the current "
       "MANIFEST and the final live files per level.",
       {"workdir"},
       {"workdir", "json"},
       CmdManifest},
      {"sst",
       "nokv sst --file F [--dump] [--verify] [--json]\n  Table properties and range "
       "tombstones; --dump lists every entry, --verify checks every block checksum.",
       {"file"},
       {"file", "dump", "verify", "json"},
       CmdSst},
      {"wal",
       "nokv wal --workdir DIR [--json]\n  Per WAL segment: records, bytes, ops, "
       "first/last sequence, torn tail or corruption.",
       {"workdir"},
       {"workdir", "json"},
       CmdWal},
      {"check",
       "nokv check --workdir DIR [--json]\n  Verifies CURRENT, the MANIFEST, every "
       "live SST and every WAL segment; exit 1 if any problem.",
       {"workdir"},
       {"workdir", "json"},
       CmdCheck},
  };
  return *kCommands;
}

void PrintUsage(FILE* out) {
  std::fprintf(out, "usage: nokv <command> [flags]   (inspects a stopped workdir)\n\n");
  for (const auto& c : Commands()) std::fprintf(out, "%s\n\n", c.usage);
  std::fprintf(out, "exit codes: 0 ok, 1 corruption found, 2 usage error\n");
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return kExitUsage;
  }
  Args args;
  args.command = argv[1];
  if (args.command == "--help" || args.command == "-h" || args.command == "help") {
    PrintUsage(stdout);
    return kExitOk;
  }
  const CommandInfo* cmd = nullptr;
  for (const auto& c : Commands()) {
    if (args.command == c.name) cmd = &c;
  }
  if (cmd == nullptr) {
    std::fprintf(stderr, "nokv: unknown command '%s'\n\n", args.command.c_str());
    PrintUsage(stderr);
    return kExitUsage;
  }
  static const std::vector<std::string> kValueFlags = {"workdir", "file"};
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf("%s\n", cmd->usage);
      return kExitOk;
    }
    if (a.rfind("--", 0) != 0) {
      std::fprintf(stderr, "nokv %s: unexpected argument '%s'\n%s\n", cmd->name, a.c_str(),
                   cmd->usage);
      return kExitUsage;
    }
    a = a.substr(2);
    std::string name = a, value;
    size_t eq = a.find('=');
    if (eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if (std::find(kValueFlags.begin(), kValueFlags.end(), name) != kValueFlags.end()) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "nokv %s: --%s needs a value\n", cmd->name, name.c_str());
        return kExitUsage;
      }
      value = argv[++i];
    }
    if (std::find(cmd->allowed.begin(), cmd->allowed.end(), name) == cmd->allowed.end()) {
      std::fprintf(stderr, "nokv %s: unknown flag --%s\n%s\n", cmd->name, name.c_str(), cmd->usage);
      return kExitUsage;
    }
    args.flags[name] = value;
  }
  for (const auto& r : cmd->required) {
    if (args.Get(r).empty()) {
      std::fprintf(stderr, "nokv %s: --%s is required\n%s\n", cmd->name, r.c_str(), cmd->usage);
      return kExitUsage;
    }
  }
  return cmd->fn(*VFS::Default(), args);
}

}  // namespace
}  // namespace nokv::cli

int main(int argc, char** argv) { return nokv::cli::Main(argc, argv); }
