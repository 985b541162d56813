#include "meta/raft_log_file.h"

#include "engine/wal/log_reader.h"
#include "meta/meta_files.h"
#include "src/util/errors.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv::meta {

absl::StatusOr<std::unique_ptr<RaftLogFile>> RaftLogFile::Open(
    VFS& vfs, const std::string& dir, const std::vector<uint64_t>& voters) {
  NOKV_RETURN_IF_ERROR(vfs.CreateDir(dir));
  std::unique_ptr<RaftLogFile> file(new RaftLogFile(vfs, dir));
  NOKV_RETURN_IF_ERROR(file->Recover(voters));
  return file;
}

absl::Status RaftLogFile::Replay(const std::string& path, bool last) {
  NOKV_ASSIGN_OR_RETURN(auto reader, log::Reader::Open(vfs_, path, kRaftLogKind));
  std::string_view payload;
  while (reader->ReadRecord(&payload)) {
    const uint64_t offset = reader->last_record_offset();
    metapb::RaftLogRecord record;
    if (!record.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
      return CorruptionError(path, offset, "undecodable Raft log record");
    }
    if (record.has_snapshot()) {
      memory_ = raft::MemoryStorage();
      absl::Status s = memory_.ApplySnapshot(record.snapshot());
      if (!s.ok()) return CorruptionError(path, offset, StrCat("snapshot: ", s.message()));
    }
    if (record.entries_size() > 0) {
      std::vector<raftpb::Entry> entries(record.entries().begin(), record.entries().end());
      absl::Status s = memory_.Append(entries);
      if (!s.ok()) return CorruptionError(path, offset, StrCat("entries: ", s.message()));
    }
    if (record.has_hard_state()) {
      absl::Status s = memory_.SetHardState(record.hard_state());
      if (!s.ok()) return CorruptionError(path, offset, StrCat("hard state: ", s.message()));
    }
  }
  NOKV_RETURN_IF_ERROR(reader->status());
  if (reader->torn_tail() && !last) {
    return CorruptionError(path, reader->valid_end(),
                           "incomplete record in a Raft log file that is not the newest");
  }
  return absl::OkStatus();
}

absl::Status RaftLogFile::Recover(const std::vector<uint64_t>& voters) {
  NOKV_ASSIGN_OR_RETURN(MetaDirListing listing, ListMetaDir(vfs_, dir_));
  memory_ = raft::MemoryStorage::WithVoters(voters);
  for (size_t i = 0; i < listing.raft_logs.size(); ++i) {
    NOKV_RETURN_IF_ERROR(Replay(JoinPath(dir_, RaftLogName(listing.raft_logs[i])),
                                i + 1 == listing.raft_logs.size()));
  }
  synced_hard_state_ = memory_.hard_state();
  next_file_number_ = listing.max_number + 1;
  return Rewrite();
}

absl::Status RaftLogFile::Rewrite() {
  metapb::RaftLogRecord record;
  NOKV_ASSIGN_OR_RETURN(*record.mutable_snapshot(), memory_.GetSnapshot());
  *record.mutable_hard_state() = memory_.hard_state();
  if (memory_.LastIndex() >= memory_.FirstIndex()) {
    NOKV_ASSIGN_OR_RETURN(
        std::vector<raftpb::Entry> entries,
        memory_.Entries(memory_.FirstIndex(), memory_.LastIndex() + 1, UINT64_MAX));
    for (auto& e : entries) *record.add_entries() = std::move(e);
  }
  std::string bytes;
  record.SerializeToString(&bytes);
  const uint64_t number = next_file_number_++;
  NOKV_ASSIGN_OR_RETURN(auto writer, log::Writer::Create(vfs_, JoinPath(dir_, RaftLogName(number)),
                                                         kRaftLogKind, number));
  NOKV_RETURN_IF_ERROR(writer->AddRecord(bytes));
  NOKV_RETURN_IF_ERROR(writer->Sync());
  if (writer_ != nullptr) writer_->Close().IgnoreError();
  writer_ = std::move(writer);
  synced_hard_state_ = memory_.hard_state();
  return RemoveOlderFiles(vfs_, dir_, number);
}

absl::Status RaftLogFile::WriteRecord(const metapb::RaftLogRecord& record, bool sync) {
  if (!failed_.ok()) return failed_;
  std::string bytes;
  record.SerializeToString(&bytes);
  absl::Status s = writer_->AddRecord(bytes);
  if (s.ok() && sync) s = writer_->Sync();
  if (!s.ok()) failed_ = absl::Status(s.code(), StrCat(writer_->path(), ": ", s.message()));
  return failed_;
}

absl::Status RaftLogFile::Append(const std::vector<raftpb::Entry>& entries) {
  if (entries.empty()) return absl::OkStatus();
  metapb::RaftLogRecord record;
  for (const auto& e : entries) *record.add_entries() = e;
  NOKV_RETURN_IF_ERROR(WriteRecord(record, /*sync=*/true));
  return memory_.Append(entries);
}

absl::Status RaftLogFile::SetHardState(const raftpb::HardState& hard_state) {
  metapb::RaftLogRecord record;
  *record.mutable_hard_state() = hard_state;
  const bool sync = hard_state.term() != synced_hard_state_.term() ||
                    hard_state.vote() != synced_hard_state_.vote();
  NOKV_RETURN_IF_ERROR(WriteRecord(record, sync));
  if (sync) synced_hard_state_ = hard_state;
  return memory_.SetHardState(hard_state);
}

absl::Status RaftLogFile::ApplySnapshot(const raftpb::Snapshot& snapshot) {
  if (!failed_.ok()) return failed_;
  NOKV_RETURN_IF_ERROR(memory_.ApplySnapshot(snapshot));
  absl::Status s = Rewrite();
  if (!s.ok()) failed_ = s;
  return s;
}

absl::StatusOr<raftpb::Snapshot> RaftLogFile::CreateSnapshot(uint64_t index,
                                                             const raftpb::ConfState& conf_state,
                                                             std::string data) {
  // Kept in memory (served to lagging followers); it reaches the files with the next rewrite.
  return memory_.CreateSnapshot(index, conf_state, std::move(data));
}

absl::Status RaftLogFile::Compact(uint64_t compact_index) {
  if (!failed_.ok()) return failed_;
  NOKV_RETURN_IF_ERROR(memory_.Compact(compact_index));
  absl::Status s = Rewrite();
  if (!s.ok()) failed_ = s;
  return s;
}

}  // namespace nokv::meta
