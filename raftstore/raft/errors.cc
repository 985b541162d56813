#include "raftstore/raft/errors.h"

#include "src/util/str_cat.h"

namespace nokv::raft {
namespace {

constexpr std::string_view kCompacted = "raft: index compacted";
constexpr std::string_view kUnavailable = "raft: index unavailable";
constexpr std::string_view kSnapshotBusy = "raft: snapshot temporarily unavailable";
constexpr std::string_view kDropped = "raft: proposal dropped";
constexpr std::string_view kCrash = "raft: failpoint crash";
constexpr std::string_view kInjected = "raft: failpoint error";

bool HasPrefix(const absl::Status& s, absl::StatusCode code, std::string_view prefix) {
  if (s.code() != code) return false;
  std::string_view msg(s.message().data(), s.message().size());
  return msg.substr(0, prefix.size()) == prefix;
}

absl::Status Make(absl::StatusCode code, const std::string& msg) {
  return absl::Status(code, absl::string_view(msg.data(), msg.size()));
}

}  // namespace

absl::Status CompactedError(uint64_t index, uint64_t first_index) {
  return Make(absl::StatusCode::kOutOfRange,
              StrCat(kCompacted, ": index ", index, " < first index ", first_index));
}
bool IsCompacted(const absl::Status& s) {
  return HasPrefix(s, absl::StatusCode::kOutOfRange, kCompacted);
}

absl::Status UnavailableIndexError(uint64_t index, uint64_t last_index) {
  return Make(absl::StatusCode::kOutOfRange,
              StrCat(kUnavailable, ": index ", index, " > last index ", last_index));
}
bool IsUnavailableIndex(const absl::Status& s) {
  return HasPrefix(s, absl::StatusCode::kOutOfRange, kUnavailable);
}

absl::Status SnapshotTemporarilyUnavailableError() {
  return Make(absl::StatusCode::kUnavailable, std::string(kSnapshotBusy));
}
bool IsSnapshotTemporarilyUnavailable(const absl::Status& s) {
  return HasPrefix(s, absl::StatusCode::kUnavailable, kSnapshotBusy);
}

absl::Status ProposalDroppedError(std::string_view why) {
  return Make(absl::StatusCode::kUnavailable, StrCat(kDropped, ": ", why));
}
bool IsProposalDropped(const absl::Status& s) {
  return HasPrefix(s, absl::StatusCode::kUnavailable, kDropped);
}

absl::Status FailpointCrashError(std::string_view failpoint) {
  return Make(absl::StatusCode::kAborted, StrCat(kCrash, ": ", failpoint));
}
bool IsFailpointCrash(const absl::Status& s) {
  return HasPrefix(s, absl::StatusCode::kAborted, kCrash);
}

absl::Status FailpointInjectedError(std::string_view failpoint) {
  return Make(absl::StatusCode::kInternal, StrCat(kInjected, ": ", failpoint));
}
bool IsFailpointInjectedError(const absl::Status& s) {
  return HasPrefix(s, absl::StatusCode::kInternal, kInjected);
}

}  // namespace nokv::raft
