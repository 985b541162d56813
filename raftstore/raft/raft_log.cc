#include "raftstore/raft/raft_log.h"

#include <algorithm>

#include "raftstore/raft/errors.h"
#include "src/util/str_cat.h"

namespace nokv::raft {

// ---- UnstableLog ----

std::optional<uint64_t> UnstableLog::MaybeFirstIndex() const {
  if (snapshot_) return snapshot_->metadata().index() + 1;
  return std::nullopt;
}

std::optional<uint64_t> UnstableLog::MaybeLastIndex() const {
  if (!entries_.empty()) return offset_ + entries_.size() - 1;
  if (snapshot_) return snapshot_->metadata().index();
  return std::nullopt;
}

std::optional<uint64_t> UnstableLog::MaybeTerm(uint64_t index) const {
  if (index < offset_) {
    if (snapshot_ && snapshot_->metadata().index() == index) return snapshot_->metadata().term();
    return std::nullopt;
  }
  std::optional<uint64_t> last = MaybeLastIndex();
  if (!last || index > *last) return std::nullopt;
  if (index - offset_ >= entries_.size()) {
    // Only the snapshot is unstable and index is its index.
    return snapshot_->metadata().term();
  }
  return entries_[index - offset_].term();
}

void UnstableLog::StableTo(uint64_t index, uint64_t term) {
  std::optional<uint64_t> t = MaybeTerm(index);
  // A term mismatch means the entry was replaced after the Ready was taken: keep it unstable.
  if (!t || *t != term || index < offset_) return;
  entries_.erase(entries_.begin(), entries_.begin() + (index + 1 - offset_));
  offset_ = index + 1;
}

void UnstableLog::StableSnapshotTo(uint64_t index) {
  if (snapshot_ && snapshot_->metadata().index() == index) snapshot_.reset();
}

void UnstableLog::Restore(const raftpb::Snapshot& snapshot) {
  offset_ = snapshot.metadata().index() + 1;
  entries_.clear();
  snapshot_ = snapshot;
}

void UnstableLog::TruncateAndAppend(const std::vector<raftpb::Entry>& entries) {
  if (entries.empty()) return;
  uint64_t after = entries.front().index();
  if (after == offset_ + entries_.size()) {
    // Directly after the unstable tail.
  } else if (after <= offset_) {
    // Replaces the whole unstable suffix; the stable entries from `after` are superseded too.
    offset_ = after;
    entries_.clear();
  } else {
    entries_.resize(after - offset_);
  }
  entries_.insert(entries_.end(), entries.begin(), entries.end());
}

void UnstableLog::Slice(uint64_t lo, uint64_t hi, std::vector<raftpb::Entry>* out) const {
  for (uint64_t i = lo; i < hi; ++i) out->push_back(entries_[i - offset_]);
}

// ---- RaftLog ----

RaftLog::RaftLog(const LogStorage* storage) : storage_(storage) {
  uint64_t first = storage_->FirstIndex();
  unstable_.set_offset(storage_->LastIndex() + 1);
  committed_ = first - 1;
  applied_ = first - 1;
}

uint64_t RaftLog::FirstIndex() const {
  if (auto i = unstable_.MaybeFirstIndex()) return *i;
  return storage_->FirstIndex();
}

uint64_t RaftLog::LastIndex() const {
  if (auto i = unstable_.MaybeLastIndex()) return *i;
  return storage_->LastIndex();
}

uint64_t RaftLog::LastTerm() const {
  absl::StatusOr<uint64_t> t = Term(LastIndex());
  return t.ok() ? *t : 0;
}

absl::StatusOr<uint64_t> RaftLog::Term(uint64_t index) const {
  if (auto t = unstable_.MaybeTerm(index)) return *t;
  // The term of FirstIndex()-1 stays known after compaction, for append matching.
  if (index + 1 < FirstIndex()) return CompactedError(index, FirstIndex());
  if (index > LastIndex()) return UnavailableIndexError(index, LastIndex());
  return storage_->Term(index);
}

bool RaftLog::MatchTerm(uint64_t index, uint64_t term) const {
  absl::StatusOr<uint64_t> t = Term(index);
  return t.ok() && *t == term;
}

bool RaftLog::IsUpToDate(uint64_t last_index, uint64_t last_term) const {
  uint64_t our_term = LastTerm();
  return last_term > our_term || (last_term == our_term && last_index >= LastIndex());
}

absl::Status RaftLog::MaybeAppend(uint64_t index, uint64_t log_term, uint64_t leader_commit,
                                  const std::vector<raftpb::Entry>& entries, bool* accepted,
                                  uint64_t* last_new_index) {
  *accepted = false;
  if (!MatchTerm(index, log_term)) return absl::OkStatus();
  uint64_t last_new = index + entries.size();
  uint64_t conflict = FindConflict(entries);
  if (conflict != 0) {
    if (conflict <= committed_) {
      return absl::InternalError(
          absl::string_view(StrCat("raft log: entry ", conflict,
                                   " conflicts with committed entry (commit ", committed_, ")")));
    }
    std::vector<raftpb::Entry> suffix(entries.begin() + (conflict - (index + 1)), entries.end());
    unstable_.TruncateAndAppend(suffix);
  }
  absl::Status s = CommitTo(std::min(leader_commit, last_new));
  if (!s.ok()) return s;
  *accepted = true;
  *last_new_index = last_new;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> RaftLog::Append(const std::vector<raftpb::Entry>& entries) {
  if (entries.empty()) return LastIndex();
  uint64_t after = entries.front().index() - 1;
  if (after < committed_) {
    return absl::InternalError(absl::string_view(
        StrCat("raft log: append after ", after, " is below commit ", committed_)));
  }
  unstable_.TruncateAndAppend(entries);
  return LastIndex();
}

uint64_t RaftLog::FindConflict(const std::vector<raftpb::Entry>& entries) const {
  for (const raftpb::Entry& e : entries) {
    if (!MatchTerm(e.index(), e.term())) return e.index();
  }
  return 0;
}

std::pair<uint64_t, uint64_t> RaftLog::FindConflictByTerm(uint64_t index, uint64_t term) const {
  if (index > LastIndex()) return {index, 0};
  for (;;) {
    absl::StatusOr<uint64_t> our = Term(index);
    if (!our.ok()) return {index, 0};
    if (*our <= term) return {index, *our};
    if (index == 0) return {0, 0};
    --index;
  }
}

absl::StatusOr<std::vector<raftpb::Entry>> RaftLog::Slice(uint64_t lo, uint64_t hi,
                                                          uint64_t max_bytes) const {
  std::vector<raftpb::Entry> out;
  if (lo >= hi) return out;
  if (lo < FirstIndex()) return CompactedError(lo, FirstIndex());
  if (hi > LastIndex() + 1) return UnavailableIndexError(hi - 1, LastIndex());
  uint64_t offset = unstable_.offset();
  if (lo < offset) {
    absl::StatusOr<std::vector<raftpb::Entry>> stored =
        storage_->Entries(lo, std::min(hi, offset), max_bytes);
    if (!stored.ok()) return stored.status();
    out = std::move(*stored);
    // Storage stopped early because of the size limit: do not add unstable entries.
    if (out.size() < std::min(hi, offset) - lo) return out;
  }
  if (hi > offset) {
    uint64_t bytes = 0;
    for (const raftpb::Entry& e : out) bytes += EntrySize(e);
    for (uint64_t i = std::max(lo, offset); i < hi; ++i) {
      const raftpb::Entry& e = unstable_.entries()[i - offset];
      bytes += EntrySize(e);
      if (!out.empty() && bytes > max_bytes) break;
      out.push_back(e);
    }
  }
  return out;
}

absl::StatusOr<std::vector<raftpb::Entry>> RaftLog::EntriesFrom(uint64_t lo,
                                                                uint64_t max_bytes) const {
  if (lo > LastIndex()) return std::vector<raftpb::Entry>();
  return Slice(lo, LastIndex() + 1, max_bytes);
}

absl::StatusOr<std::vector<raftpb::Entry>> RaftLog::NextCommittedEntries(uint64_t max_bytes) const {
  uint64_t lo = std::max(applied_ + 1, FirstIndex());
  if (committed_ + 1 <= lo) return std::vector<raftpb::Entry>();
  return Slice(lo, committed_ + 1, max_bytes);
}

absl::StatusOr<raftpb::Snapshot> RaftLog::Snapshot() const {
  if (unstable_.snapshot()) return *unstable_.snapshot();
  return storage_->GetSnapshot();
}

absl::Status RaftLog::CommitTo(uint64_t index) {
  if (index <= committed_) return absl::OkStatus();
  if (index > LastIndex()) {
    return absl::InternalError(
        absl::string_view(StrCat("raft log: commit ", index, " beyond last index ", LastIndex(),
                                 "; was the log truncated or lost?")));
  }
  committed_ = index;
  return absl::OkStatus();
}

bool RaftLog::MaybeCommit(uint64_t index, uint64_t term) {
  if (index <= committed_) return false;
  absl::StatusOr<uint64_t> t = Term(index);
  if (!t.ok() || *t != term) return false;
  committed_ = index;
  return true;
}

void RaftLog::AppliedTo(uint64_t index) {
  if (index > applied_ && index <= committed_) applied_ = index;
}

void RaftLog::Restore(const raftpb::Snapshot& snapshot) {
  committed_ = snapshot.metadata().index();
  unstable_.Restore(snapshot);
}

uint64_t RaftLog::LastStableIndex() const {
  if (unstable_.snapshot()) return 0;
  return unstable_.offset() - 1;
}

}  // namespace nokv::raft
