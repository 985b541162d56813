// The offline view of a workdir, from the engine's readers only (see cli.h).
#include <map>

#include "engine/format/filenames.h"
#include "src/db/write_batch_format.h"
#include "src/util/coding.h"
#include "src/util/str_cat.h"
#include "tools/nokv/cli.h"

namespace nokv::cli {

WorkdirView ReadWorkdir(VFS& vfs, const std::string& workdir) {
  WorkdirView v;
  auto inspected = InspectWorkdir(vfs, workdir, [&](const VersionEdit& edit, uint64_t) {
    v.edits.push_back(edit.DebugString());
  });
  uint64_t min_segment = 0;
  if (!inspected.ok()) {
    v.problems.push_back({workdir, inspected.status().ToString()});
  } else {
    v.manifest_ok = true;
    v.state = std::move(*inspected);
    const ManifestState& m = v.state.manifest;
    min_segment = m.log_number;
    if (!v.state.verdict.ok()) v.problems.push_back({m.path, v.state.verdict.ToString()});
    if (m.torn_tail && v.state.verdict.ok()) {
      v.notes.push_back(StrCat(m.path, " ends in a torn record at offset ", m.torn_offset,
                               ": an edit whose write never completed; the WAL still holds "
                               "everything after it, and Open starts a fresh MANIFEST"));
    }
    if (!v.state.orphan_ssts.empty()) {
      v.notes.push_back(StrCat(v.state.orphan_ssts.size(), " SST file(s) named by no edit (",
                               SstFileName(workdir, v.state.orphan_ssts.front()), " ...): Open ",
                               m.torn_tail ? "moves them to lost/" : "removes them"));
    }
  }

  const std::string wal_dir = WalDir(workdir);
  auto numbers = wal::ListSegments(vfs, wal_dir);
  if (!numbers.ok()) {
    v.problems.push_back({wal_dir, numbers.status().ToString()});
    return v;
  }
  for (uint64_t n : *numbers) {
    if (n >= min_segment) break;
    WalSegmentView seg;  // obsolete: covered by SSTs, removed by the next Open
    seg.report.number = n;
    seg.report.path = WalFileName(wal_dir, n);
    if (auto size = vfs.GetFileSize(seg.report.path); size.ok()) seg.report.file_bytes = *size;
    v.wal.push_back(std::move(seg));
  }
  struct Counts {
    uint64_t ops = 0, first = 0, last = 0;
  };
  std::map<uint64_t, Counts> counts;
  wal::ReplayOptions replay;
  replay.min_number = min_segment;
  replay.continue_after_corruption = true;  // report every damaged segment
  std::vector<wal::SegmentReport> reports;
  wal::Replay(
      vfs, wal_dir, replay,
      [&](std::string_view record, uint64_t segment, uint64_t) -> absl::Status {
        if (record.size() < batch::kHeaderSize) {
          return absl::DataLossError("write group shorter than its header");
        }
        Counts& c = counts[segment];
        const uint64_t first = DecodeFixed64(record.data());
        const uint32_t count = DecodeFixed32(record.data() + 8);
        uint64_t ops = 0;
        absl::Status s = batch::ForEachRecord(record, [&](const batch::Record&) {
          ++ops;
          return absl::OkStatus();
        });
        if (!s.ok()) return s;
        c.ops += ops;
        if (count > 0) {
          if (c.first == 0) c.first = first;
          c.last = first + count - 1;
        }
        return absl::OkStatus();
      },
      &reports)
      .IgnoreError();  // every failure is in its segment's report
  for (wal::SegmentReport& r : reports) {
    WalSegmentView seg;
    seg.replayed = true;
    const Counts& c = counts[r.number];
    seg.ops = c.ops;
    seg.first_seq = c.first;
    seg.last_seq = c.last;
    if (!r.status.ok()) {
      v.problems.push_back({r.path, r.status.ToString()});
    } else if (r.torn_tail) {
      v.notes.push_back(StrCat(r.path, " ends in a torn record at offset ", r.valid_end,
                               " (the newest segment: Open truncates it)"));
    }
    seg.report = std::move(r);
    v.wal.push_back(std::move(seg));
  }
  return v;
}

}  // namespace nokv::cli
