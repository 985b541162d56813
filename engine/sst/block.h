// Reads a block written by BlockBuilder. BlockIter is a concrete (non-virtual) iterator so the
// table iterator and Table::Get drive it without virtual dispatch in the per-entry loop.
//
// Every length read from the block is bounds-checked: a malformed block (which a matching
// checksum makes unlikely, but not impossible) turns into a Corruption status, never a read
// outside the block. Keys are internal keys and compare with CompareInternalKeys.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace nokv {
namespace sst {

// Full structural check of a block's restart array (count, offsets start at 0, strictly
// increase, point inside the entries). Done once per block read from the file.
absl::Status ValidateBlock(std::string_view contents, const std::string& file_name,
                           uint64_t block_offset);

class BlockIter {
 public:
  BlockIter() = default;
  BlockIter(const BlockIter&) = delete;
  BlockIter& operator=(const BlockIter&) = delete;

  // Points the iterator at `contents` (not owned: the caller keeps it alive while the iterator
  // is used). `file_name`/`block_offset` only label errors; `file_name` must outlive the
  // iterator. Checks the restart count only (O(1)): run ValidateBlock() once when the block is
  // read from the file. Whatever the bytes, the iterator never reads outside `contents`; a bad
  // block shows as a Corruption status. Unpositioned afterwards.
  absl::Status Init(std::string_view contents, const std::string* file_name, uint64_t block_offset);
  // Forgets the block (the iterator becomes invalid with an OK status).
  void Clear();

  bool Valid() const { return current_ < restarts_; }
  void SeekToFirst();
  void SeekToLast();
  // First entry with key >= target.
  void Seek(std::string_view target);
  // Last entry with key <= target.
  void SeekForPrev(std::string_view target);
  void Next();
  void Prev();
  // Valid until the iterator moves.
  std::string_view key() const { return key_; }
  std::string_view value() const { return value_; }
  const absl::Status& status() const { return status_; }

 private:
  uint32_t RestartPoint(uint32_t index) const;
  void SeekToRestartPoint(uint32_t index);
  bool ParseNextKey();
  void MarkInvalid();
  void Corrupt(uint64_t offset_in_block, std::string_view what);

  const char* data_ = nullptr;
  uint32_t restarts_ = 0;  // offset of the restart array; also the end of the entries
  uint32_t num_restarts_ = 0;
  uint32_t current_ = 0;  // offset of the current entry; >= restarts_ when invalid
  uint32_t next_ = 0;     // offset just past the current entry
  uint32_t restart_index_ = 0;
  std::string key_;  // reused across entries: no allocation per Next()
  std::string_view value_;
  absl::Status status_;
  const std::string* file_name_ = nullptr;
  uint64_t block_offset_ = 0;
};

}  // namespace sst
}  // namespace nokv
