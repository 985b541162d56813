// An atomic group of updates: DB::Write applies all of them or none.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace nokv {

class WriteBatch {
 public:
  // The largest batch DB::Write accepts (ByteSize()); a larger one is rejected with
  // InvalidArgument before it reaches the log, and nothing else is affected. One batch is one
  // WAL record, read back whole at recovery.
  static constexpr size_t kMaxByteSize = (size_t{1} << 30) - (size_t{1} << 12);

  WriteBatch();

  // Same argument rules as the DB methods: empty keys and empty values are rejected (the error
  // is reported by DB::Write, which then applies nothing).
  void Set(std::string_view key, std::string_view value);
  // ttl_millis > 0: the key expires that many milliseconds after DB::Write applies the batch.
  void SetWithTTL(std::string_view key, std::string_view value, uint64_t ttl_millis);
  void Delete(std::string_view key);
  // Removes every key in [begin, end); empty `end` = unbounded, else begin < end.
  void DeleteRange(std::string_view begin, std::string_view end);

  void Clear();
  uint32_t Count() const { return count_; }
  // Approximate encoded size in bytes.
  size_t ByteSize() const { return rep_.size(); }

  // Encoded form, for the engine. Layout in docs/format.md ("WAL batch").
  const std::string& Rep() const { return rep_; }
  // First invalid argument seen while building, if any.
  const absl::Status& Validity() const { return validity_; }

 private:
  std::string rep_;
  uint32_t count_ = 0;
  absl::Status validity_;
};

}  // namespace nokv
