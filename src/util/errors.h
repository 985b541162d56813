// NoKV's error vocabulary over absl::Status. Callers act on the code:
//   Corruption  -> absl::StatusCode::kDataLoss        (bad checksum, bad magic, torn record)
//   IOError     -> absl::StatusCode::kInternal        (EIO and other OS failures)
//   NoSpace     -> absl::StatusCode::kResourceExhausted (ENOSPC, EDQUOT)
//   NotFound    -> absl::StatusCode::kNotFound
//   Busy/retry  -> absl::StatusCode::kUnavailable     (locked workdir, stalled writes)
// Messages name the file, offset or key range involved.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace nokv {

absl::Status CorruptionError(std::string_view file, uint64_t offset, std::string_view what);
// A DataLoss status from a decoder that did not know where its bytes came from, re-issued as a
// CorruptionError naming `file` and `offset`. Other statuses are returned unchanged.
absl::Status WithCorruptionContext(const absl::Status& s, std::string_view file, uint64_t offset);
// From an errno value; `context` names the operation and path.
absl::Status ErrnoError(std::string_view context, int err);

inline bool IsCorruption(const absl::Status& s) { return s.code() == absl::StatusCode::kDataLoss; }
inline bool IsNoSpace(const absl::Status& s) {
  return s.code() == absl::StatusCode::kResourceExhausted;
}

}  // namespace nokv
