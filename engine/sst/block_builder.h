// Builds one block: prefix-compressed entries with a restart point every `restart_interval`
// entries, then the restart offsets (fixed32 LE each) and their count (fixed32 LE).
//   entry = varint shared | varint non_shared | varint value_len | key[shared:] | value
// At a restart point `shared` is 0, which is what lets a reader binary-search the restarts.
// Keys must be added in increasing order (the caller checks); not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nokv {
namespace sst {

class BlockBuilder {
 public:
  explicit BlockBuilder(int restart_interval);

  void Add(std::string_view key, std::string_view value);
  // Appends the restart array; the returned view is valid until Reset()/Add().
  std::string_view Finish();
  void Reset();

  // Size of the block if finished now.
  size_t CurrentSizeEstimate() const { return buffer_.size() + restarts_.size() * 4 + 4; }
  bool empty() const { return counter_ == 0 && buffer_.empty(); }
  size_t num_entries() const { return num_entries_; }

 private:
  int restart_interval_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  int counter_ = 0;  // entries since the last restart
  size_t num_entries_ = 0;
  std::string last_key_;
  bool finished_ = false;
};

}  // namespace sst
}  // namespace nokv
