// nokv: inspection of a stopped NoKV workdir, or of a running daemon's metrics endpoint
// (see docs/cli.md).
//
//   nokv stats    (--workdir DIR | --expvar URL) [--json]
//   nokv manifest --workdir DIR [--json]
//   nokv sst      --file F [--dump] [--verify] [--json]
//   nokv wal      --workdir DIR [--json]
//   nokv check    --workdir DIR [--json]
//   nokv regions  --coordinator ADDR [--json]
//   nokv coordinator status --coordinator ADDR [--json]
//   nokv tso      --coordinator ADDR [--count N] [--json]
//
// Exit codes: 0 ok, 1 corruption found, 2 usage error, 3 endpoint unreachable or bad reply.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "engine/format/dbformat.h"
#include "engine/manifest/version_edit.h"
#include "engine/sst/table.h"
#include "engine/vfs/vfs.h"
#include "engine/wal/log_format.h"
#include "engine/wal/log_reader.h"
#include "nlohmann/json.hpp"
#include "src/db/write_batch_format.h"
#include "src/metrics/http_client.h"
#include "src/util/coding.h"
#include "src/util/json_string.h"
#include "src/util/str_cat.h"
#include "tools/nokv/cluster_commands.h"

ABSL_FLAG(std::string, workdir, "", "workdir of a stopped NoKV instance");
ABSL_FLAG(std::string, file, "", "path of one SST file");
ABSL_FLAG(std::string, expvar, "",
          "metrics endpoint of a running daemon: host:port or http://host:port/path "
          "(path defaults to /debug/vars)");
ABSL_FLAG(int, timeout_ms, 5000, "connect and read timeout for --expvar, in milliseconds");
ABSL_FLAG(bool, json, false, "print one JSON object on one line instead of tables");
ABSL_FLAG(bool, dump, false, "list every entry of the table");
ABSL_FLAG(bool, verify, false, "check every block checksum of the table");
ABSL_FLAG(std::string, coordinator, "",
          "address host:port of any coordinator (requests follow redirects to the holder)");
ABSL_FLAG(uint32_t, count, 1, "timestamps to ask for (tso)");

namespace nokv::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitCorruption = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

// The parsed flags of one invocation (each command reads only the flags it allows).
struct Args {
  std::string workdir;
  std::string file;
  std::string expvar;
  int timeout_ms = 0;
  bool json = false;
  bool dump = false;
  bool verify = false;
  std::string coordinator;
  uint32_t count = 1;
};

// --- output helpers -------------------------------------------------------------------------

std::string JsonEscape(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
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
  const std::string workdir = args.workdir;
  ManifestState st = ReplayManifest(vfs, workdir);
  std::vector<Problem> problems = st.problems;
  std::vector<WalSegment> wal = ScanWal(vfs, workdir, &problems);
  uint64_t wal_bytes = 0;
  // Segments at or above the MANIFEST's log number hold what was in the memtables when the
  // workdir was closed: the next Open replays them.
  uint64_t replay_records = 0, replay_ops = 0;
  for (const auto& seg : wal) {
    wal_bytes += seg.file_bytes;
    if (NumberFromName(seg.path) >= st.log_number) {
      replay_records += seg.records;
      replay_ops += seg.ops;
    }
  }
  auto levels = Summarize(st);
  if (args.json) {
    std::string out = "{\"levels\":[";
    bool first = true;
    for (const auto& [l, ls] : levels) {
      if (!first) out += ",";
      first = false;
      out += StrCat("{\"level\":", U(l), ",\"files\":", U(ls.files), ",\"bytes\":", U(ls.bytes),
                    ",\"entries\":", U(ls.entries), ",\"deletions\":", U(ls.deletions), "}");
    }
    out += StrCat(
        "],\"live_files\":", U(st.live.size()), ",\"wal_segments\":", U(wal.size()),
        ",\"wal_bytes\":", U(wal_bytes), ",\"memtable_replay_records\":", U(replay_records),
        ",\"memtable_replay_ops\":", U(replay_ops), ",\"last_sequence\":", U(st.last_sequence),
        ",\"next_file_number\":", U(st.next_file_number), ",\"log_number\":", U(st.log_number),
        ",\"problems\":", ProblemsJson(problems), "}");
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
    std::printf("memtable replay:  %llu ops in %llu WAL records (unflushed at close)\n",
                static_cast<unsigned long long>(replay_ops),
                static_cast<unsigned long long>(replay_records));
    std::printf("last sequence:    %llu\n", static_cast<unsigned long long>(st.last_sequence));
    std::printf("next file number: %llu\n", static_cast<unsigned long long>(st.next_file_number));
    std::printf("log number:       %llu\n", static_cast<unsigned long long>(st.log_number));
    PrintProblems(problems);
  }
  return problems.empty() ? kExitOk : kExitCorruption;
}

int CmdManifest(VFS& vfs, const Args& args) {
  ManifestState st = ReplayManifest(vfs, args.workdir);
  if (args.json) {
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
  const std::string path = args.file;
  std::vector<Problem> problems;
  auto table = OpenTable(vfs, path, NumberFromName(path));
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

int CmdWal(VFS& vfs, const Args& args) {
  std::vector<Problem> problems;
  std::vector<WalSegment> wal = ScanWal(vfs, args.workdir, &problems);
  if (args.json) {
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
  const std::string workdir = args.workdir;
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
  if (args.json) {
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

// --- online stats (a running daemon's /debug/vars) --------------------------------------------

uint64_t Num(const nlohmann::json& obj, const std::string& key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number() ? it->get<uint64_t>() : 0;
}

std::string Latency(const nlohmann::json& e, const std::string& prefix) {
  return StrCat("p50 ", Num(e, prefix + ".p50"), " / p99 ", Num(e, prefix + ".p99"), " / p99.9 ",
                Num(e, prefix + ".p999"), " / max ", Num(e, prefix + ".max"), " us");
}

void PrintEngineSummary(const nlohmann::json& e) {
  std::printf("engine\n%-6s %8s %14s\n", "level", "files", "bytes");
  for (int level = 0;; ++level) {
    const std::string base = StrCat("lsm.level", level);
    if (!e.contains(base + ".files")) break;
    std::printf("L%-5d %8llu %14llu\n", level,
                static_cast<unsigned long long>(Num(e, base + ".files")),
                static_cast<unsigned long long>(Num(e, base + ".bytes")));
  }
  const uint64_t hits = Num(e, "block_cache.hits"), misses = Num(e, "block_cache.misses");
  const double hit_ratio = hits + misses == 0 ? 0.0 : 100.0 * hits / (hits + misses);
  std::printf("memtables:    %s bytes, %s waiting for flush\n", U(Num(e, "memtable.bytes")).c_str(),
              U(Num(e, "flush.pending_memtables")).c_str());
  std::printf("wal:          %s segments live, %s records, %s syncs\n",
              U(Num(e, "wal.segments_live")).c_str(), U(Num(e, "wal.records")).c_str(),
              U(Num(e, "wal.syncs")).c_str());
  std::printf("writes:       %s in %s groups; latency %s\n", U(Num(e, "write.requests")).c_str(),
              U(Num(e, "write.groups")).c_str(), Latency(e, "write.latency_us").c_str());
  std::printf("gets:         %s (%s found); latency %s\n", U(Num(e, "read.gets")).c_str(),
              U(Num(e, "read.get_hits")).c_str(), Latency(e, "read.get_latency_us").c_str());
  std::printf("block cache:  %.1f%% hits (%s hits, %s misses), %s of %s bytes\n", hit_ratio,
              U(hits).c_str(), U(misses).c_str(), U(Num(e, "block_cache.usage_bytes")).c_str(),
              U(Num(e, "block_cache.capacity_bytes")).c_str());
  std::printf("flushes:      %s, %s bytes, %s ms\n", U(Num(e, "flush.count")).c_str(),
              U(Num(e, "flush.bytes")).c_str(), U(Num(e, "flush.micros") / 1000).c_str());
  std::printf(
      "compactions:  %s, %s -> %s bytes, %s ms, %s errors\n", U(Num(e, "compaction.count")).c_str(),
      U(Num(e, "compaction.input_bytes")).c_str(), U(Num(e, "compaction.output_bytes")).c_str(),
      U(Num(e, "compaction.micros") / 1000).c_str(), U(Num(e, "compaction.errors")).c_str());
  std::printf("stalls:       %s (%s ms), %s slowdowns\n", U(Num(e, "stall.count")).c_str(),
              U(Num(e, "stall.micros") / 1000).c_str(), U(Num(e, "stall.slowdowns")).c_str());
  std::printf("last sequence %s, %s live snapshots\n", U(Num(e, "sequence.last")).c_str(),
              U(Num(e, "snapshots.live")).c_str());
}

// Prints every non-zero leaf as "a.b.c value", in the endpoint's key order.
void PrintFlattened(const std::string& path, const nlohmann::json& v) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.items()) PrintFlattened(path + "." + k, child);
    return;
  }
  if (v.is_number() && v.get<double>() == 0) return;
  std::printf("  %s %s\n", path.c_str(),
              v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
}

int CmdStatsOnline(const Args& args) {
  auto target = metrics::ParseHttpUrl(args.expvar, "/debug/vars");
  if (!target.ok()) {
    std::fprintf(stderr, "nokv stats: %s\n", std::string(target.status().message()).c_str());
    return kExitUsage;
  }
  const std::string source = StrCat("http://", target->host, ":", target->port, target->path);
  auto body = metrics::FetchHttp(*target, args.timeout_ms);
  if (!body.ok()) {
    std::fprintf(stderr, "nokv stats: %s\n", std::string(body.status().message()).c_str());
    return kExitUnreachable;
  }
  nlohmann::json vars = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
  if (vars.is_discarded() || !vars.is_object()) {
    std::fprintf(stderr, "nokv stats: %s: the reply is not a JSON object (%zu bytes)\n",
                 source.c_str(), body->size());
    return kExitUnreachable;
  }
  if (args.json) {
    nlohmann::json out = {{"source", source}, {"vars", vars}};
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  std::printf("source: %s\n", source.c_str());
  if (auto engine = vars.find("engine"); engine != vars.end() && engine->is_object()) {
    PrintEngineSummary(*engine);
  }
  std::printf("other metrics (zero values omitted; --json has everything)\n");
  for (const auto& [k, v] : vars.items()) {
    if (k != "engine") PrintFlattened(k, v);
  }
  return kExitOk;
}

int CmdStatsAny(VFS& vfs, const Args& args) {
  return args.expvar.empty() ? CmdStats(vfs, args) : CmdStatsOnline(args);
}

// --- cluster commands (tools/nokv/cluster_commands.cc) -----------------------------------------

ClusterArgs ToClusterArgs(const Args& args) {
  ClusterArgs c;
  c.coordinator = args.coordinator;
  c.json = args.json;
  c.timeout_ms = args.timeout_ms;
  c.count = args.count;
  return c;
}
int CmdRegionsOnline(VFS&, const Args& args) { return CmdRegions(ToClusterArgs(args)); }
int CmdCoordinatorStatusOnline(VFS&, const Args& args) {
  return CmdCoordinatorStatus(ToClusterArgs(args));
}
int CmdTsoOnline(VFS&, const Args& args) { return CmdTso(ToClusterArgs(args)); }

// --- usage --------------------------------------------------------------------------------------

struct CommandInfo {
  const char* name;
  const char* synopsis;
  const char* description;
  std::vector<std::string> flags;  // the flags this command accepts
  // Exactly one of these must be given (empty: no requirement).
  std::vector<std::string> one_of;
  int (*fn)(VFS&, const Args&);
};

const std::vector<CommandInfo>& Commands() {
  static const auto* kCommands = new std::vector<CommandInfo>{
      {"stats",
       "nokv stats (--workdir DIR | --expvar URL) [--json] [--timeout_ms N]",
       "Offline (--workdir): live files per level, WAL segments, last sequence and next file "
       "number from the MANIFEST replay.\n  Online (--expvar): a running daemon's metrics "
       "endpoint: levels, memtables, WAL, write/get latency, cache, flush, compaction, stalls, "
       "then every other metric.",
       {"workdir", "expvar", "json", "timeout_ms"},
       {"workdir", "expvar"},
       CmdStatsAny},
      {"manifest",
       "nokv manifest --workdir DIR [--json]",
       "Every version edit of the current MANIFEST and the final live files per level.",
       {"workdir", "json"},
       {"workdir"},
       CmdManifest},
      {"sst",
       "nokv sst --file F [--dump] [--verify] [--json]",
       "Table properties and range tombstones; --dump lists every entry, --verify checks every "
       "block checksum.",
       {"file", "dump", "verify", "json"},
       {"file"},
       CmdSst},
      {"wal",
       "nokv wal --workdir DIR [--json]",
       "Per WAL segment: records, bytes, ops, first/last sequence, torn tail or corruption.",
       {"workdir", "json"},
       {"workdir"},
       CmdWal},
      {"check",
       "nokv check --workdir DIR [--json]",
       "Verifies CURRENT, the MANIFEST, every live SST and every WAL segment; exit 1 if any "
       "problem.",
       {"workdir", "json"},
       {"workdir"},
       CmdCheck},
      {"regions",
       "nokv regions --coordinator ADDR [--json] [--timeout_ms N]",
       "Every region from the coordinator: key range, epoch, peers, and the leader from the "
       "freshest heartbeat.",
       {"coordinator", "json", "timeout_ms"},
       {"coordinator"},
       CmdRegionsOnline},
      {"coordinator status",
       "nokv coordinator status --coordinator ADDR [--json] [--timeout_ms N]",
       "One coordinator's view: tenure holder, era and handover stage, lease, meta backend and "
       "leader, allocator fences, topology size.",
       {"coordinator", "json", "timeout_ms"},
       {"coordinator"},
       CmdCoordinatorStatusOnline},
      {"tso",
       "nokv tso --coordinator ADDR [--count N] [--json] [--timeout_ms N]",
       "Asks the timestamp oracle for N timestamps; prints the first with its physical and "
       "logical parts and the era it was served under.",
       {"coordinator", "count", "json", "timeout_ms"},
       {"coordinator"},
       CmdTsoOnline},
  };
  return *kCommands;
}

constexpr const char* kExitCodes =
    "exit codes: 0 ok, 1 corruption found, 2 usage error, 3 endpoint unreachable or bad reply";

void PrintUsage(FILE* out) {
  std::fprintf(out, "usage: nokv <command> [flags]   (nokv <command> --help for its flags)\n\n");
  for (const auto& c : Commands()) std::fprintf(out, "%s\n  %s\n\n", c.synopsis, c.description);
  std::fprintf(out, "%s\n", kExitCodes);
}

void PrintCommandHelp(FILE* out, const CommandInfo& cmd) {
  std::fprintf(out, "%s\n  %s\n\nflags:\n", cmd.synopsis, cmd.description);
  for (const auto& name : cmd.flags) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::fprintf(out, "  --%-12s %s (default: %s)\n", name.c_str(), flag->Help().c_str(),
                 flag->DefaultValue().empty() ? "\"\"" : flag->DefaultValue().c_str());
  }
  std::fprintf(out, "\n%s\n", kExitCodes);
}

int UsageError(const CommandInfo& cmd, const std::string& message) {
  std::fprintf(stderr, "nokv %s: %s\n%s\n", cmd.name, message.c_str(), cmd.synopsis);
  return kExitUsage;
}

// Flags are declared with absl (types, defaults, help and value parsing are absl's); the set a
// command accepts, and the usage exit code 2, are the CLI's, so parsing goes through absl's
// flag reflection rather than absl::ParseCommandLine (which exits 1 on usage errors).
int Main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return kExitUsage;
  }
  std::string command = argv[1];
  int first_flag = 2;
  // Two-word commands ("coordinator status").
  if (argc > 2 && argv[2][0] != '-') {
    const std::string two = command + " " + argv[2];
    for (const auto& c : Commands()) {
      if (two == c.name) {
        command = two;
        first_flag = 3;
      }
    }
  }
  if (command == "--help" || command == "-h" || command == "help") {
    PrintUsage(stdout);
    return kExitOk;
  }
  const CommandInfo* cmd = nullptr;
  for (const auto& c : Commands()) {
    if (command == c.name) cmd = &c;
  }
  if (cmd == nullptr) {
    std::fprintf(stderr, "nokv: unknown command '%s'\n\n", command.c_str());
    PrintUsage(stderr);
    return kExitUsage;
  }
  std::vector<std::string> given;
  for (int i = first_flag; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      PrintCommandHelp(stdout, *cmd);
      return kExitOk;
    }
    if (arg.rfind("--", 0) != 0) return UsageError(*cmd, StrCat("unexpected argument '", arg, "'"));
    arg = arg.substr(2);
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    if (std::find(cmd->flags.begin(), cmd->flags.end(), name) == cmd->flags.end()) {
      return UsageError(*cmd, StrCat("unknown flag --", name));
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (flag->IsOfType<bool>()) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return UsageError(*cmd, StrCat("--", name, " needs a value"));
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) return UsageError(*cmd, StrCat("--", name, ": ", error));
    given.push_back(name);
  }
  if (!cmd->one_of.empty()) {
    std::string names;
    size_t count = 0;
    for (const auto& name : cmd->one_of) {
      names += (names.empty() ? "--" : " or --") + name;
      count += std::count(given.begin(), given.end(), name) > 0;
    }
    if (count != 1)
      return UsageError(*cmd, StrCat(names, count == 0 ? " is required" : ": only one"));
  }
  Args args;
  args.workdir = absl::GetFlag(FLAGS_workdir);
  args.file = absl::GetFlag(FLAGS_file);
  args.expvar = absl::GetFlag(FLAGS_expvar);
  args.timeout_ms = absl::GetFlag(FLAGS_timeout_ms);
  args.json = absl::GetFlag(FLAGS_json);
  args.dump = absl::GetFlag(FLAGS_dump);
  args.verify = absl::GetFlag(FLAGS_verify);
  args.coordinator = absl::GetFlag(FLAGS_coordinator);
  args.count = absl::GetFlag(FLAGS_count);
  for (const auto& name : given) {
    if (absl::FindCommandLineFlag(name)->CurrentValue().empty()) {
      return UsageError(*cmd, StrCat("--", name, " is empty"));
    }
  }
  if (args.timeout_ms <= 0) return UsageError(*cmd, "--timeout_ms must be positive");
  if (args.count == 0 || args.count > (1u << 16)) {
    return UsageError(*cmd, "--count must be between 1 and 65536");
  }
  return cmd->fn(*VFS::Default(), args);
}

}  // namespace
}  // namespace nokv::cli

int main(int argc, char** argv) { return nokv::cli::Main(argc, argv); }
