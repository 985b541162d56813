// A VersionEdit is one atomic change to the set of live SST files plus the counters recovery
// needs. Each edit is one checksummed MANIFEST record, so a compaction's deletes and adds apply
// together or not at all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "engine/format/dbformat.h"

namespace nokv {

inline constexpr int kNumLevels = 7;

struct FileMetaData {
  uint64_t number = 0;
  uint64_t file_size = 0;
  // Key range as internal keys, over points and range tombstones. A tombstone's exclusive end
  // contributes (end, kMaxSequenceNumber, kRangeDeletion): it sorts before every real entry of
  // `end`, so the range stays tight.
  std::string smallest;
  std::string largest;
  // A tombstone with no upper bound reaches past `largest`.
  bool unbounded_right = false;
  SequenceNumber smallest_seq = 0;
  SequenceNumber largest_seq = 0;
  uint64_t num_entries = 0;
  uint64_t num_deletions = 0;
  uint64_t num_range_deletions = 0;
  // Non-zero for an ingested file (written by SstFileWriter with sequence 0): every point entry
  // reads as sequence global_seq and every range tombstone as global_seq - 1 (the file clears
  // its range, then fills it), so ingestion needs no rewrite (RocksDB's global seqno).
  uint64_t global_seq = 0;

  std::string_view smallest_user_key() const { return ExtractUserKey(smallest); }
  std::string_view largest_user_key() const { return ExtractUserKey(largest); }
  // `largest` is a range tombstone's exclusive end: the file holds nothing at that user key
  // (compaction clips tombstones to end at "last key + \0", which may be the next file's first).
  bool largest_is_exclusive() const {
    return largest.size() >= 8 &&
           ExtractTag(largest) == PackTag(kMaxSequenceNumber, ValueKind::kRangeDeletion);
  }
  // Every key of the file sorts before `user_key` (the one rule for file boundaries).
  bool EndsBefore(std::string_view user_key) const {
    if (unbounded_right) return false;
    const std::string_view last = largest_user_key();
    return last < user_key || (last == user_key && largest_is_exclusive());
  }
};

class VersionEdit {
 public:
  void SetLogNumber(uint64_t n) { log_number_ = n; }
  void SetNextFileNumber(uint64_t n) { next_file_number_ = n; }
  void SetLastSequence(SequenceNumber s) { last_sequence_ = s; }
  void AddFile(int level, const FileMetaData& f) { new_files_.emplace_back(level, f); }
  void DeleteFile(int level, uint64_t number) { deleted_files_.emplace_back(level, number); }

  const std::optional<uint64_t>& log_number() const { return log_number_; }
  const std::optional<uint64_t>& next_file_number() const { return next_file_number_; }
  const std::optional<SequenceNumber>& last_sequence() const { return last_sequence_; }
  const std::vector<std::pair<int, FileMetaData>>& new_files() const { return new_files_; }
  const std::vector<std::pair<int, uint64_t>>& deleted_files() const { return deleted_files_; }

  void EncodeTo(std::string* dst) const;
  // `where` names the file and offset for error messages.
  absl::Status DecodeFrom(std::string_view src, std::string_view where);
  // Human-readable form for `nokv manifest`.
  std::string DebugString() const;

 private:
  std::optional<uint64_t> log_number_;
  std::optional<uint64_t> next_file_number_;
  std::optional<SequenceNumber> last_sequence_;
  std::vector<std::pair<int, FileMetaData>> new_files_;
  std::vector<std::pair<int, uint64_t>> deleted_files_;
};

}  // namespace nokv
