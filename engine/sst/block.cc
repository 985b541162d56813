#include "engine/sst/block.h"

#include "engine/format/dbformat.h"
#include "src/util/coding.h"
#include "src/util/errors.h"
#include "src/util/str_cat.h"

namespace nokv {
namespace sst {
namespace {

// Decodes an entry header at p (< limit). Returns a pointer to the key delta, or nullptr if the
// header or the lengths it announces do not fit before `limit`.
inline const char* DecodeEntry(const char* p, const char* limit, uint32_t* shared,
                               uint32_t* non_shared, uint32_t* value_length) {
  if (limit - p < 3) return nullptr;
  *shared = static_cast<unsigned char>(p[0]);
  *non_shared = static_cast<unsigned char>(p[1]);
  *value_length = static_cast<unsigned char>(p[2]);
  if ((*shared | *non_shared | *value_length) < 128) {
    p += 3;  // fast path: all three lengths fit in one byte
  } else {
    if ((p = GetVarint32Ptr(p, limit, shared)) == nullptr) return nullptr;
    if ((p = GetVarint32Ptr(p, limit, non_shared)) == nullptr) return nullptr;
    if ((p = GetVarint32Ptr(p, limit, value_length)) == nullptr) return nullptr;
  }
  if (uint64_t{*non_shared} + *value_length > static_cast<uint64_t>(limit - p)) return nullptr;
  return p;
}

}  // namespace

namespace {

// Parses the restart count; 0 if it does not fit the block.
uint32_t RestartCount(std::string_view contents) {
  if (contents.size() < 4 || contents.size() > UINT32_MAX) return 0;
  uint32_t size = static_cast<uint32_t>(contents.size());
  uint32_t num = DecodeFixed32(contents.data() + size - 4);
  return num > (size - 4) / 4 ? 0 : num;
}

}  // namespace

absl::Status ValidateBlock(std::string_view contents, const std::string& file_name,
                           uint64_t block_offset) {
  uint32_t num = RestartCount(contents);
  if (num == 0) return CorruptionError(file_name, block_offset, "block: bad restart count");
  uint32_t restarts = static_cast<uint32_t>(contents.size()) - 4 - 4 * num;
  uint32_t prev = 0;
  for (uint32_t i = 0; i < num; ++i) {
    uint32_t r = DecodeFixed32(contents.data() + restarts + 4 * i);
    // An empty block has exactly the restart 0; otherwise offsets point at entries.
    bool ok = i == 0 ? (r == 0 && (restarts > 0 || num == 1)) : (r > prev && r < restarts);
    if (!ok) {
      return CorruptionError(file_name, block_offset + restarts + 4 * i,
                             StrCat("block: bad restart offset ", r));
    }
    prev = r;
  }
  return absl::OkStatus();
}

absl::Status BlockIter::Init(std::string_view contents, const std::string* file_name,
                             uint64_t block_offset) {
  Clear();
  file_name_ = file_name;
  block_offset_ = block_offset;
  uint32_t num = RestartCount(contents);
  if (num == 0) {
    Corrupt(0, "bad restart count");
    return status_;
  }
  data_ = contents.data();
  restarts_ = static_cast<uint32_t>(contents.size()) - 4 - 4 * num;
  num_restarts_ = num;
  MarkInvalid();
  return status_;
}

void BlockIter::Clear() {
  data_ = nullptr;
  restarts_ = num_restarts_ = current_ = next_ = restart_index_ = 0;
  key_.clear();
  value_ = {};
  status_ = absl::OkStatus();
}

uint32_t BlockIter::RestartPoint(uint32_t index) const {
  return DecodeFixed32(data_ + restarts_ + 4 * index);
}

void BlockIter::SeekToRestartPoint(uint32_t index) {
  key_.clear();
  restart_index_ = index;
  next_ = RestartPoint(index);
  value_ = {};
}

void BlockIter::MarkInvalid() {
  current_ = restarts_;
  next_ = restarts_;
  restart_index_ = num_restarts_;
}

void BlockIter::Corrupt(uint64_t offset_in_block, std::string_view what) {
  static const std::string kUnknown = "<sst>";
  status_ = CorruptionError(file_name_ != nullptr ? *file_name_ : kUnknown,
                            block_offset_ + offset_in_block, StrCat("block: ", what));
  MarkInvalid();
  key_.clear();
  value_ = {};
}

bool BlockIter::ParseNextKey() {
  current_ = next_;
  if (current_ >= restarts_) {
    MarkInvalid();
    return false;
  }
  const char* limit = data_ + restarts_;
  uint32_t shared, non_shared, value_length;
  const char* p = DecodeEntry(data_ + current_, limit, &shared, &non_shared, &value_length);
  if (p == nullptr || shared > key_.size()) {
    Corrupt(current_, "bad entry header");
    return false;
  }
  key_.resize(shared);
  key_.append(p, non_shared);
  if (key_.size() < 8) {
    Corrupt(current_, "internal key shorter than its 8-byte tag");
    return false;
  }
  value_ = std::string_view(p + non_shared, value_length);
  next_ = static_cast<uint32_t>((p + non_shared + value_length) - data_);
  while (restart_index_ + 1 < num_restarts_ && RestartPoint(restart_index_ + 1) <= current_) {
    ++restart_index_;
  }
  return true;
}

void BlockIter::SeekToFirst() {
  if (data_ == nullptr || !status_.ok()) return;
  SeekToRestartPoint(0);
  ParseNextKey();
}

void BlockIter::SeekToLast() {
  if (data_ == nullptr || !status_.ok()) return;
  SeekToRestartPoint(num_restarts_ - 1);
  while (ParseNextKey() && next_ < restarts_) {
  }
}

void BlockIter::Next() {
  if (!Valid()) return;
  ParseNextKey();
}

void BlockIter::Prev() {
  if (!Valid()) return;
  // Back up to the restart point before the current entry, then scan forward to the entry
  // just before it.
  const uint32_t original = current_;
  while (RestartPoint(restart_index_) >= original) {
    if (restart_index_ == 0) {
      MarkInvalid();
      return;
    }
    --restart_index_;
  }
  SeekToRestartPoint(restart_index_);
  while (ParseNextKey() && next_ < original) {
  }
}

void BlockIter::Seek(std::string_view target) {
  if (data_ == nullptr || !status_.ok()) return;
  if (target.size() < 8) {
    status_ = absl::InvalidArgumentError("seek target is not an internal key");
    MarkInvalid();
    return;
  }
  // Binary search for the last restart point whose key is < target.
  uint32_t left = 0, right = num_restarts_ - 1;
  const char* limit = data_ + restarts_;
  while (left < right) {
    uint32_t mid = left + (right - left + 1) / 2;
    uint32_t offset = RestartPoint(mid);
    uint32_t shared, non_shared, value_length;
    const char* p = offset < restarts_
                        ? DecodeEntry(data_ + offset, limit, &shared, &non_shared, &value_length)
                        : nullptr;
    if (p == nullptr || shared != 0 || non_shared < 8) {
      Corrupt(offset, "bad restart entry");
      return;
    }
    if (CompareInternalKeys(std::string_view(p, non_shared), target) < 0) {
      left = mid;
    } else {
      right = mid - 1;
    }
  }
  SeekToRestartPoint(left);
  while (ParseNextKey()) {
    if (CompareInternalKeys(key_, target) >= 0) return;
  }
}

void BlockIter::SeekForPrev(std::string_view target) {
  Seek(target);
  if (!status_.ok()) return;
  if (!Valid()) {
    SeekToLast();
    return;
  }
  while (Valid() && CompareInternalKeys(key_, target) > 0) Prev();
}

}  // namespace sst
}  // namespace nokv
