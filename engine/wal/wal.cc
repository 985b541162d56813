#include "engine/wal/wal.h"

#include <algorithm>

#include "engine/format/filenames.h"
#include "engine/wal/log_reader.h"
#include "src/util/errors.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"
#include "src/util/sync_point.h"

namespace nokv::wal {

absl::StatusOr<std::vector<uint64_t>> ListSegments(VFS& vfs, const std::string& dir) {
  NOKV_ASSIGN_OR_RETURN(std::vector<std::string> names, vfs.ListDir(dir));
  std::vector<uint64_t> numbers;
  for (const std::string& name : names) {
    uint64_t number;
    if (ParseNumberedName(name, ".log", &number)) numbers.push_back(number);
  }
  std::sort(numbers.begin(), numbers.end());
  return numbers;
}

namespace {

// Cuts a torn tail off the newest segment and makes the cut durable before anything is written
// after it: an undone truncation would bring the torn record back behind newer segments.
absl::Status RepairTornTail(VFS& vfs, const std::string& path, uint64_t valid_end) {
  if (valid_end < log::kFileHeaderSize) {
    // Not even the header made it (a crash inside Create): the segment holds nothing.
    NOKV_RETURN_IF_ERROR(vfs.RemoveFile(path));
    return vfs.SyncDir(DirName(path));
  }
  NOKV_RETURN_IF_ERROR(vfs.Truncate(path, valid_end));
  NOKV_ASSIGN_OR_RETURN(auto file, vfs.NewAppendableFile(path));
  absl::Status s = file->Sync();
  absl::Status c = file->Close();
  return s.ok() ? c : s;
}

}  // namespace

absl::Status Replay(VFS& vfs, const std::string& dir, const ReplayOptions& options,
                    const RecordFn& on_record, std::vector<SegmentReport>* reports) {
  NOKV_ASSIGN_OR_RETURN(std::vector<uint64_t> numbers, ListSegments(vfs, dir));
  numbers.erase(std::remove_if(numbers.begin(), numbers.end(),
                               [&](uint64_t n) { return n < options.min_number; }),
                numbers.end());
  absl::Status first_error;
  for (size_t i = 0; i < numbers.size(); ++i) {
    const bool newest = i + 1 == numbers.size();
    SegmentReport rep;
    rep.number = numbers[i];
    rep.path = WalFileName(dir, numbers[i]);
    if (auto size = vfs.GetFileSize(rep.path); size.ok()) rep.file_bytes = *size;
    auto reader = log::Reader::Open(vfs, rep.path, log::FileKind::kWal);
    if (!reader.ok()) {
      rep.status = reader.status();
    } else {
      log::Reader& r = **reader;
      std::string_view record;
      while (rep.status.ok() && r.ReadRecord(&record)) {
        ++rep.records;
        rep.payload_bytes += record.size();
        absl::Status s = on_record(record, rep.number, r.last_record_offset());
        if (!s.ok()) {
          rep.status = WithCorruptionContext(s, rep.path, r.last_record_offset());
        }
      }
      if (rep.status.ok()) rep.status = r.status();
      rep.valid_end = r.valid_end();
      if (rep.status.ok() && r.torn_tail()) {
        rep.torn_tail = true;
        if (!newest) {
          rep.status = CorruptionError(rep.path, r.valid_end(),
                                       "incomplete or corrupt record in a WAL segment that is not "
                                       "the newest (only the newest may have a torn tail)");
        } else if (options.repair_torn_tail) {
          rep.status = RepairTornTail(vfs, rep.path, r.valid_end());
          rep.repaired = rep.status.ok();
        }
      }
    }
    absl::Status status = rep.status;
    if (reports != nullptr) reports->push_back(std::move(rep));
    if (!status.ok()) {
      if (!options.continue_after_corruption) return status;
      if (first_error.ok()) first_error = status;
    }
  }
  return first_error;
}

absl::StatusOr<std::unique_ptr<SegmentWriter>> SegmentWriter::Create(VFS& vfs, std::string dir,
                                                                     uint64_t number) {
  std::unique_ptr<SegmentWriter> w(new SegmentWriter(vfs, std::move(dir)));
  NOKV_ASSIGN_OR_RETURN(w->writer_, log::Writer::Create(vfs, WalFileName(w->dir_, number),
                                                        log::FileKind::kWal, number));
  w->number_ = number;
  return w;
}

absl::Status SegmentWriter::Rotate(uint64_t number) {
  // The finished segment first: once the next one exists on disk, recovery trusts that this one
  // is complete (a torn record is only allowed at the very end of the log).
  NOKV_RETURN_IF_ERROR(writer_->Sync());
  NOKV_SYNC_POINT("WAL::Rotate:AfterSyncBeforeCreate");
  NOKV_ASSIGN_OR_RETURN(auto next, log::Writer::Create(vfs_, WalFileName(dir_, number),
                                                       log::FileKind::kWal, number));
  writer_->Close().IgnoreError();  // durable already; a close error loses nothing
  writer_ = std::move(next);
  number_ = number;
  return absl::OkStatus();
}

uint64_t RemoveSegmentsBelow(VFS& vfs, const std::string& dir, uint64_t below) {
  auto numbers = ListSegments(vfs, dir);
  if (!numbers.ok()) return 0;
  uint64_t removed = 0;
  for (uint64_t n : *numbers) {
    if (n < below && vfs.RemoveFile(WalFileName(dir, n)).ok()) ++removed;
  }
  return removed;
}

}  // namespace nokv::wal
