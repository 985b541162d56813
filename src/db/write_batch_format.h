// The byte layout shared by WriteBatch, WAL write groups and recovery (docs/format.md "WAL
// batch"):
//   batch   = fixed64 first_sequence | fixed32 count | record*
//   record  = u8 kind | lp key | lp stored_value      (kValue, kValueRelativeTtl)
//           | u8 kind | lp key                         (kDeletion)
//           | u8 kind | lp begin | lp end             (kRangeDeletion; empty end = unbounded)
// `lp` = varint length + bytes. In a WriteBatch the sequence is 0; kValueRelativeTtl carries
// the TTL in the expiry field and is rewritten to kValue with an absolute deadline before the
// group reaches the WAL, so the log never holds relative times.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "engine/format/dbformat.h"

namespace nokv::batch {

inline constexpr size_t kHeaderSize = 12;
inline constexpr uint8_t kValueRelativeTtl = 3;

struct Record {
  uint8_t kind = 0;  // a ValueKind, or kValueRelativeTtl
  std::string_view key;
  std::string_view value;  // stored value, or range end
};

// Calls `fn` for every record of an encoded batch; DataLoss on malformed input.
absl::Status ForEachRecord(std::string_view rep,
                           const std::function<absl::Status(const Record&)>& fn);

// Appends the records of `rep` (a WriteBatch) to `group`, converting relative TTLs to
// deadlines at `now_millis`.
absl::Status AppendRecordsForWal(std::string_view rep, uint64_t now_millis, std::string* group);

void AppendRecord(std::string* dst, const Record& record);

}  // namespace nokv::batch
