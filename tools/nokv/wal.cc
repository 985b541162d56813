// nokv wal: every WAL segment, what the next Open replays from it, and its damage if any.
#include <cstdio>

#include "src/util/str_cat.h"
#include "tools/nokv/cli.h"

namespace nokv::cli {
namespace {

std::string SegmentStatus(const WalSegmentView& s) {
  if (!s.replayed) return "obsolete";
  if (!s.report.status.ok()) return "corrupt";
  if (s.report.torn_tail) return StrCat("torn-tail@", U(s.report.valid_end));
  return "ok";
}

}  // namespace

int CmdWal(VFS& vfs, const Args& args) {
  WorkdirView v = ReadWorkdir(vfs, args.workdir);
  std::vector<Problem> problems;
  for (const auto& s : v.wal) {
    if (!s.report.status.ok()) problems.push_back({s.report.path, s.report.status.ToString()});
  }
  if (args.json) {
    std::string out = "{\"segments\":[";
    for (size_t i = 0; i < v.wal.size(); ++i) {
      const WalSegmentView& s = v.wal[i];
      if (i > 0) out += ",";
      out += StrCat("{\"file\":", JsonEscape(s.report.path), ",\"bytes\":", U(s.report.file_bytes),
                    ",\"records\":", U(s.report.records), ",\"ops\":", U(s.ops),
                    ",\"first_seq\":", U(s.first_seq), ",\"last_seq\":", U(s.last_seq),
                    ",\"replayed\":", s.replayed ? "true" : "false",
                    ",\"torn_tail\":", s.report.torn_tail ? "true" : "false",
                    ",\"valid_end\":", U(s.report.valid_end), ",\"error\":",
                    JsonEscape(s.report.status.ok() ? "" : s.report.status.ToString()), "}");
    }
    out += StrCat("],\"problems\":", ProblemsJson(problems), "}");
    std::printf("%s\n", out.c_str());
  } else {
    std::printf("%-40s %10s %8s %8s %10s %10s  %s\n", "segment", "bytes", "records", "ops",
                "first_seq", "last_seq", "status");
    for (const auto& s : v.wal) {
      std::printf("%-40s %10llu %8llu %8llu %10llu %10llu  %s\n", s.report.path.c_str(),
                  static_cast<unsigned long long>(s.report.file_bytes),
                  static_cast<unsigned long long>(s.report.records),
                  static_cast<unsigned long long>(s.ops),
                  static_cast<unsigned long long>(s.first_seq),
                  static_cast<unsigned long long>(s.last_seq), SegmentStatus(s).c_str());
    }
    PrintProblems(problems);
  }
  return problems.empty() ? kExitOk : kExitCorruption;
}

}  // namespace nokv::cli
