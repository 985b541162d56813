#include "src/db/recovery.h"

#include <algorithm>
#include <set>

#include "engine/format/filenames.h"
#include "engine/wal/wal.h"
#include "src/util/errors.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv {
namespace {

// Numbers of the files in `dir` ending in `suffix`, ascending. A missing directory is empty.
absl::StatusOr<std::vector<uint64_t>> ListNumbered(VFS& vfs, const std::string& dir,
                                                   std::string_view suffix) {
  auto names = vfs.ListDir(dir);
  if (!names.ok()) {
    if (absl::IsNotFound(names.status())) return std::vector<uint64_t>();
    return names.status();
  }
  std::vector<uint64_t> numbers;
  for (const std::string& name : *names) {
    uint64_t number;
    if (ParseNumberedName(name, suffix, &number)) numbers.push_back(number);
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

}  // namespace

absl::StatusOr<WorkdirState> InspectWorkdir(VFS& vfs, const std::string& dbdir,
                                            const ManifestEditFn& on_edit) {
  WorkdirState st;
  NOKV_ASSIGN_OR_RETURN(st.manifest, ReadManifest(vfs, dbdir, on_edit));
  NOKV_ASSIGN_OR_RETURN(st.wal_segments, ListNumbered(vfs, WalDir(dbdir), ".log"));
  NOKV_ASSIGN_OR_RETURN(st.sst_files, ListNumbered(vfs, SstDir(dbdir), ".sst"));
  NOKV_ASSIGN_OR_RETURN(std::vector<uint64_t> lost, ListNumbered(vfs, LostDir(dbdir), ".sst"));
  NOKV_ASSIGN_OR_RETURN(std::vector<std::string> top, vfs.ListDir(dbdir));
  auto note_number = [&](uint64_t n) { st.max_file_number = std::max(st.max_file_number, n); };
  for (uint64_t n : st.wal_segments) note_number(n);
  for (uint64_t n : st.sst_files) note_number(n);
  for (uint64_t n : lost) note_number(n);
  for (const std::string& name : top) {
    uint64_t n;
    if (ParseManifestName(name, &n)) note_number(n);
  }

  std::set<uint64_t> live;
  const Version& v = st.manifest.version;
  for (int level = 0; level < kNumLevels; ++level) {
    for (const auto& f : v.levels[level]) live.insert(f->meta.number);
  }
  const std::set<uint64_t> present(st.sst_files.begin(), st.sst_files.end());
  for (uint64_t n : st.sst_files) {
    if (!live.count(n)) st.orphan_ssts.push_back(n);
  }
  for (uint64_t n : live) {
    if (!present.count(n)) st.missing_ssts.push_back(n);
  }

  const ManifestState& m = st.manifest;
  // Where the blame goes: a damaged last edit, or files removed behind an intact MANIFEST.
  const std::string context = m.torn_tail
                                  ? StrCat(" (the last edit, at offset ", m.torn_offset,
                                           ", is unreadable: an acknowledged edit was lost)")
                                  : "";
  if (m.torn_tail && m.log_number == 0) {
    // A new database names its first WAL segment in its first MANIFEST record; a state with no
    // segment is an edit stream cut before that, so nothing says which segments are needed.
    st.verdict = CorruptionError(m.path, m.torn_offset,
                                 "unreadable record before any WAL segment was recorded");
  } else if (!st.missing_ssts.empty()) {
    st.verdict = CorruptionError(
        m.path, m.torn_tail ? m.torn_offset : 0,
        StrCat(SstFileName(dbdir, st.missing_ssts.front()), " is live but missing (",
               st.missing_ssts.size(), " live SSTs missing)", context));
  } else if (m.log_number != 0 &&
             !std::binary_search(st.wal_segments.begin(), st.wal_segments.end(), m.log_number)) {
    st.verdict =
        CorruptionError(m.path, m.torn_tail ? m.torn_offset : 0,
                        StrCat("WAL segment ", WalFileName(WalDir(dbdir), m.log_number),
                               " holds writes the recovered state lacks, and it is gone", context));
  }
  return st;
}

}  // namespace nokv
