// Status values the Raft core returns, and predicates callers branch on. Each condition has its
// own code so a caller can act on it (retry on proposal dropped, fetch a snapshot on compacted)
// without parsing messages.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace nokv::raft {

// The requested log index is below the first available index (compacted away).
absl::Status CompactedError(uint64_t index, uint64_t first_index);
bool IsCompacted(const absl::Status& s);

// The requested log index is above the last index.
absl::Status UnavailableIndexError(uint64_t index, uint64_t last_index);
bool IsUnavailableIndex(const absl::Status& s);

// The storage is building a snapshot; the leader retries later.
absl::Status SnapshotTemporarilyUnavailableError();
bool IsSnapshotTemporarilyUnavailable(const absl::Status& s);

// A proposal, read or transfer was not accepted (no leader, leader transferring, not a member).
// The caller may retry, possibly on another node.
absl::Status ProposalDroppedError(std::string_view why);
bool IsProposalDropped(const absl::Status& s);

// A failpoint armed with FailpointAction::kCrash fired. The node's in-memory state must be
// discarded (as if the process died) and the node restarted from its storage.
absl::Status FailpointCrashError(std::string_view failpoint);
bool IsFailpointCrash(const absl::Status& s);

// A failpoint armed with FailpointAction::kError fired.
absl::Status FailpointInjectedError(std::string_view failpoint);
bool IsFailpointInjectedError(const absl::Status& s);

}  // namespace nokv::raft
