#include "raftstore/raft/storage.h"

#include <utility>

#include "raftstore/raft/errors.h"
#include "src/util/str_cat.h"

namespace nokv::raft {

MemoryStorage::MemoryStorage() { entries_.emplace_back(); }

MemoryStorage MemoryStorage::WithVoters(const std::vector<uint64_t>& voters) {
  MemoryStorage storage;
  for (uint64_t id : voters)
    storage.snapshot_.mutable_metadata()->mutable_conf_state()->add_voters(id);
  return storage;
}

absl::StatusOr<InitialState> MemoryStorage::GetInitialState() const {
  InitialState state;
  state.hard_state = hard_state_;
  state.conf_state = snapshot_.metadata().conf_state();
  return state;
}

absl::StatusOr<std::vector<raftpb::Entry>> MemoryStorage::Entries(uint64_t lo, uint64_t hi,
                                                                  uint64_t max_bytes) const {
  if (lo <= offset()) return CompactedError(lo, offset() + 1);
  if (hi > LastIndex() + 1) return UnavailableIndexError(hi - 1, LastIndex());
  std::vector<raftpb::Entry> out;
  uint64_t bytes = 0;
  for (uint64_t i = lo; i < hi; ++i) {
    const raftpb::Entry& e = entries_[i - offset()];
    bytes += EntrySize(e);
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

absl::StatusOr<uint64_t> MemoryStorage::Term(uint64_t index) const {
  if (index < offset()) return CompactedError(index, offset());
  if (index - offset() >= entries_.size()) return UnavailableIndexError(index, LastIndex());
  return entries_[index - offset()].term();
}

uint64_t MemoryStorage::FirstIndex() const { return offset() + 1; }

uint64_t MemoryStorage::LastIndex() const { return offset() + entries_.size() - 1; }

absl::StatusOr<raftpb::Snapshot> MemoryStorage::GetSnapshot() const { return snapshot_; }

absl::Status MemoryStorage::Append(const std::vector<raftpb::Entry>& entries) {
  if (entries.empty()) return absl::OkStatus();
  uint64_t first = FirstIndex();
  uint64_t last = entries.back().index();
  if (last < first) return absl::OkStatus();  // all already compacted into the snapshot
  size_t skip = 0;
  if (entries.front().index() < first) skip = first - entries.front().index();
  uint64_t start = entries[skip].index();
  if (start > LastIndex() + 1) {
    return absl::InvalidArgumentError(absl::string_view(
        StrCat("raft storage: append at ", start, " leaves a gap after ", LastIndex())));
  }
  entries_.resize(start - offset());  // drop the conflicting suffix
  for (size_t i = skip; i < entries.size(); ++i) entries_.push_back(entries[i]);
  return absl::OkStatus();
}

absl::Status MemoryStorage::SetHardState(const raftpb::HardState& hard_state) {
  hard_state_ = hard_state;
  return absl::OkStatus();
}

absl::Status MemoryStorage::ApplySnapshot(const raftpb::Snapshot& snapshot) {
  uint64_t index = snapshot.metadata().index();
  if (index < snapshot_.metadata().index()) {
    return absl::FailedPreconditionError(absl::string_view(
        StrCat("raft storage: snapshot at ", index, " older than ", snapshot_.metadata().index())));
  }
  snapshot_ = snapshot;
  entries_.clear();
  raftpb::Entry placeholder;
  placeholder.set_index(index);
  placeholder.set_term(snapshot.metadata().term());
  entries_.push_back(std::move(placeholder));
  return absl::OkStatus();
}

absl::StatusOr<raftpb::Snapshot> MemoryStorage::CreateSnapshot(uint64_t index,
                                                               const raftpb::ConfState& conf_state,
                                                               std::string data) {
  if (index <= snapshot_.metadata().index()) {
    return absl::FailedPreconditionError(absl::string_view(StrCat(
        "raft storage: snapshot at ", index, " not newer than ", snapshot_.metadata().index())));
  }
  if (index > LastIndex()) return UnavailableIndexError(index, LastIndex());
  snapshot_.mutable_metadata()->set_index(index);
  snapshot_.mutable_metadata()->set_term(entries_[index - offset()].term());
  *snapshot_.mutable_metadata()->mutable_conf_state() = conf_state;
  snapshot_.set_data(std::move(data));
  return snapshot_;
}

absl::Status MemoryStorage::Compact(uint64_t compact_index) {
  if (compact_index <= offset()) return CompactedError(compact_index, offset() + 1);
  if (compact_index > LastIndex()) return UnavailableIndexError(compact_index, LastIndex());
  entries_.erase(entries_.begin(), entries_.begin() + (compact_index - offset()));
  entries_.front().clear_data();
  entries_.front().set_type(raftpb::ENTRY_NORMAL);
  return absl::OkStatus();
}

}  // namespace nokv::raft
