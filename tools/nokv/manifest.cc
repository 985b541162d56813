// nokv manifest: every edit of the MANIFEST CURRENT names, and the live files they leave.
#include <cstdio>

#include "src/util/str_cat.h"
#include "tools/nokv/cli.h"

namespace nokv::cli {

int CmdManifest(VFS& vfs, const Args& args) {
  WorkdirView v = ReadWorkdir(vfs, args.workdir);
  const ManifestState& m = v.state.manifest;
  // The WAL is not this command's subject; only MANIFEST findings count.
  std::vector<Problem> problems;
  for (const Problem& p : v.problems) {
    if (p.file == m.path || !v.manifest_ok) problems.push_back(p);
  }
  if (args.json) {
    std::string out = StrCat("{\"manifest\":", JsonEscape(m.path), ",\"edits\":[");
    for (size_t i = 0; i < v.edits.size(); ++i) out += (i > 0 ? "," : "") + JsonEscape(v.edits[i]);
    out += "],\"live_files\":[";
    bool first = true;
    for (int level = 0; level < kNumLevels; ++level) {
      for (const auto& f : m.version.levels[level]) {
        if (!first) out += ",";
        first = false;
        out += StrCat("{\"level\":", U(level), ",\"number\":", U(f->meta.number),
                      ",\"size\":", U(f->meta.file_size), ",\"entries\":", U(f->meta.num_entries),
                      ",\"smallest\":", JsonEscape(f->meta.smallest_user_key()),
                      ",\"largest\":", JsonEscape(f->meta.largest_user_key()), "}");
      }
    }
    out += StrCat("],\"torn_tail\":", m.torn_tail ? "true" : "false",
                  ",\"problems\":", ProblemsJson(problems), "}");
    std::printf("%s\n", out.c_str());
  } else {
    std::printf("manifest: %s\n", m.path.c_str());
    for (size_t i = 0; i < v.edits.size(); ++i) {
      std::printf("--- edit %zu\n%s\n", i, v.edits[i].c_str());
    }
    std::printf("--- live files\n");
    std::printf("%-6s %8s %10s %10s  %s\n", "level", "number", "size", "entries", "key range");
    for (int level = 0; level < kNumLevels; ++level) {
      for (const auto& f : m.version.levels[level]) {
        std::printf("L%-5d %8llu %10llu %10llu  [%s .. %s]\n", level,
                    static_cast<unsigned long long>(f->meta.number),
                    static_cast<unsigned long long>(f->meta.file_size),
                    static_cast<unsigned long long>(f->meta.num_entries),
                    Printable(f->meta.smallest_user_key()).c_str(),
                    Printable(f->meta.largest_user_key()).c_str());
      }
    }
    if (m.torn_tail) {
      std::printf("torn tail at offset %llu\n", static_cast<unsigned long long>(m.torn_offset));
    }
    PrintProblems(problems);
  }
  return problems.empty() ? kExitOk : kExitCorruption;
}

}  // namespace nokv::cli
