#include "meta/meta_files.h"

#include <algorithm>
#include <charconv>

#include "engine/wal/log_reader.h"
#include "engine/wal/log_writer.h"
#include "src/util/errors.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv::meta {
namespace {

constexpr std::string_view kSegmentPrefix = "events-";
constexpr std::string_view kSegmentSuffix = ".log";
constexpr std::string_view kCheckpointPrefix = "checkpoint-";
constexpr std::string_view kCheckpointSuffix = ".meta";
constexpr std::string_view kRaftLogPrefix = "raft-";

std::string Numbered(std::string_view prefix, uint64_t number, std::string_view suffix) {
  std::string digits = std::to_string(number);
  if (digits.size() < 6) digits.insert(0, 6 - digits.size(), '0');
  return StrCat(prefix, digits, suffix);
}

// The number in "<prefix><digits><suffix>", or false.
bool ParseNumbered(std::string_view name, std::string_view prefix, std::string_view suffix,
                   uint64_t* number) {
  if (name.size() <= prefix.size() + suffix.size() || name.substr(0, prefix.size()) != prefix ||
      name.substr(name.size() - suffix.size()) != suffix) {
    return false;
  }
  std::string_view digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  auto res = std::from_chars(digits.data(), digits.data() + digits.size(), *number);
  return res.ec == std::errc() && res.ptr == digits.data() + digits.size();
}

}  // namespace

std::string SegmentName(uint64_t number) {
  return Numbered(kSegmentPrefix, number, kSegmentSuffix);
}
std::string CheckpointName(uint64_t number) {
  return Numbered(kCheckpointPrefix, number, kCheckpointSuffix);
}
std::string RaftLogName(uint64_t number) {
  return Numbered(kRaftLogPrefix, number, kSegmentSuffix);
}

absl::StatusOr<MetaDirListing> ListMetaDir(VFS& vfs, const std::string& dir) {
  NOKV_ASSIGN_OR_RETURN(std::vector<std::string> names, vfs.ListDir(dir));
  MetaDirListing listing;
  for (const std::string& name : names) {
    uint64_t number = 0;
    if (ParseNumbered(name, kSegmentPrefix, kSegmentSuffix, &number)) {
      listing.segments.push_back(number);
    } else if (ParseNumbered(name, kCheckpointPrefix, kCheckpointSuffix, &number)) {
      listing.checkpoints.push_back(number);
    } else if (ParseNumbered(name, kRaftLogPrefix, kSegmentSuffix, &number)) {
      listing.raft_logs.push_back(number);
    } else {
      continue;
    }
    listing.max_number = std::max(listing.max_number, number);
  }
  std::sort(listing.segments.begin(), listing.segments.end());
  std::sort(listing.checkpoints.rbegin(), listing.checkpoints.rend());
  std::sort(listing.raft_logs.begin(), listing.raft_logs.end());
  return listing;
}

absl::StatusOr<LoadedCheckpoint> LoadNewestCheckpoint(VFS& vfs, const std::string& dir,
                                                      const MetaDirListing& listing) {
  LoadedCheckpoint loaded;
  for (uint64_t number : listing.checkpoints) {
    const std::string path = JoinPath(dir, CheckpointName(number));
    NOKV_ASSIGN_OR_RETURN(auto reader, log::Reader::Open(vfs, path, kCheckpointKind));
    std::string_view record;
    if (!reader->ReadRecord(&record)) {
      NOKV_RETURN_IF_ERROR(reader->status());
      // Incomplete: the crash came while it was written, so the previous one still counts.
      loaded.discarded_torn = true;
      continue;
    }
    metapb::MetaState proto;
    if (!proto.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
      return CorruptionError(path, reader->last_record_offset(), "undecodable meta checkpoint");
    }
    auto state = MetaState::FromProto(proto);
    if (!state.ok()) {
      return CorruptionError(path, reader->last_record_offset(),
                             std::string(state.status().message()));
    }
    loaded.state = *std::move(state);
    return loaded;
  }
  return loaded;
}

absl::StatusOr<bool> ReplaySegment(VFS& vfs, const std::string& path, bool last, MetaState* state) {
  NOKV_ASSIGN_OR_RETURN(auto reader, log::Reader::Open(vfs, path, kSegmentKind));
  std::string_view record;
  while (reader->ReadRecord(&record)) {
    const uint64_t offset = reader->last_record_offset();
    metapb::EventBatch batch;
    if (!batch.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
      return CorruptionError(path, offset, "undecodable meta batch");
    }
    if (batch.revision() <= state->revision()) continue;  // already in the checkpoint
    if (batch.revision() != state->revision() + 1) {
      return CorruptionError(
          path, offset,
          StrCat("batch revision ", batch.revision(), " leaves a gap after ", state->revision()));
    }
    absl::Status s = state->ApplyBatch(batch);
    if (!s.ok()) {
      return CorruptionError(path, offset, StrCat("logged batch is rejected: ", s.message()));
    }
  }
  NOKV_RETURN_IF_ERROR(reader->status());
  if (reader->torn_tail() && !last) {
    return CorruptionError(path, reader->valid_end(),
                           "incomplete record in a segment that is not the newest");
  }
  return reader->torn_tail();
}

absl::Status WriteCheckpoint(VFS& vfs, const std::string& dir, uint64_t number,
                             const MetaState& state) {
  const std::string path = JoinPath(dir, CheckpointName(number));
  NOKV_ASSIGN_OR_RETURN(auto writer, log::Writer::Create(vfs, path, kCheckpointKind, number));
  std::string record;
  state.ToProto().SerializeToString(&record);
  absl::Status s = writer->AddRecord(record);
  if (s.ok()) s = writer->Sync();
  absl::Status c = writer->Close();
  if (s.ok()) s = c;
  if (!s.ok()) return absl::Status(s.code(), StrCat(path, ": checkpoint: ", s.message()));
  return absl::OkStatus();
}

absl::Status RemoveOlderFiles(VFS& vfs, const std::string& dir, uint64_t keep_from) {
  NOKV_ASSIGN_OR_RETURN(MetaDirListing listing, ListMetaDir(vfs, dir));
  // Segments first (oldest first), then checkpoints: until the directory is synced any of them
  // may come back after a power cut, and each older file is harmless next to the new
  // checkpoint.
  for (uint64_t n : listing.segments) {
    if (n < keep_from) NOKV_RETURN_IF_ERROR(vfs.RemoveFile(JoinPath(dir, SegmentName(n))));
  }
  for (uint64_t n : listing.raft_logs) {
    if (n < keep_from) NOKV_RETURN_IF_ERROR(vfs.RemoveFile(JoinPath(dir, RaftLogName(n))));
  }
  for (uint64_t n : listing.checkpoints) {
    if (n < keep_from) NOKV_RETURN_IF_ERROR(vfs.RemoveFile(JoinPath(dir, CheckpointName(n))));
  }
  return vfs.SyncDir(dir);
}

}  // namespace nokv::meta
