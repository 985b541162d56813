// nokv check: whether DB::Open would accept the workdir without losing anything, plus a full
// read of every live SST.
#include <algorithm>
#include <cstdio>

#include "engine/format/filenames.h"
#include "engine/sst/table.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"
#include "tools/nokv/cli.h"

namespace nokv::cli {
namespace {

// Opens, verifies every block checksum and iterates every entry of one live table.
absl::Status CheckTable(VFS& vfs, const FileMetaData& meta, const std::string& path) {
  NOKV_ASSIGN_OR_RETURN(uint64_t size, vfs.GetFileSize(path));
  if (size != meta.file_size) {
    return absl::DataLossError(
        StrCat("size ", U(size), " but the MANIFEST says ", U(meta.file_size)));
  }
  NOKV_ASSIGN_OR_RETURN(auto file, vfs.NewRandomAccessFile(path));
  NOKV_ASSIGN_OR_RETURN(auto table,
                        Table::Open(TableOptions{}, std::move(file), path, meta.number, nullptr));
  NOKV_RETURN_IF_ERROR(table->VerifyChecksums());
  auto it = table->NewIterator(/*fill_cache=*/false);
  uint64_t entries = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    ParsedInternalKey pk;
    if (!ParseInternalKey(it->key(), &pk)) {
      return absl::DataLossError(StrCat("unparsable internal key #", U(entries)));
    }
    ++entries;
  }
  NOKV_RETURN_IF_ERROR(it->status());
  if (entries != table->properties().num_entries) {
    return absl::DataLossError(StrCat("iterated ", U(entries), " entries but properties say ",
                                      U(table->properties().num_entries)));
  }
  return absl::OkStatus();
}

}  // namespace

int CmdCheck(VFS& vfs, const Args& args) {
  WorkdirView v = ReadWorkdir(vfs, args.workdir);
  const ManifestState& m = v.state.manifest;
  std::vector<Problem> problems = v.problems;
  uint64_t live = 0, tables_ok = 0;
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : m.version.levels[level]) {
      ++live;
      const std::string path = SstFileName(args.workdir, f->meta.number);
      if (std::binary_search(v.state.missing_ssts.begin(), v.state.missing_ssts.end(),
                             f->meta.number)) {
        continue;  // already in the verdict
      }
      absl::Status s = CheckTable(vfs, f->meta, path);
      if (s.ok()) {
        ++tables_ok;
      } else {
        problems.push_back({path, s.ToString()});
      }
    }
  }
  if (args.json) {
    std::printf(
        "{\"manifest\":%s,\"live_files\":%llu,\"tables_ok\":%llu,\"wal_segments\":%zu,"
        "\"ok\":%s,\"problems\":%s,\"notes\":%s}\n",
        JsonEscape(m.path).c_str(), static_cast<unsigned long long>(live),
        static_cast<unsigned long long>(tables_ok), v.wal.size(),
        problems.empty() ? "true" : "false", ProblemsJson(problems).c_str(),
        NotesJson(v.notes).c_str());
  } else {
    std::printf("manifest:     %s (%zu edits)\n", m.path.c_str(), v.edits.size());
    std::printf("live tables:  %llu (%llu ok)\n", static_cast<unsigned long long>(live),
                static_cast<unsigned long long>(tables_ok));
    std::printf("wal segments: %zu\n", v.wal.size());
    PrintNotes(v.notes);
    PrintProblems(problems);
    std::printf("%s\n", problems.empty()
                            ? "OK"
                            : StrCat("FAILED: ", U(problems.size()), " problem(s)").c_str());
  }
  return problems.empty() ? kExitOk : kExitCorruption;
}

}  // namespace nokv::cli
