// Internal keys: how user keys, sequence numbers and entry kinds are laid out inside the engine.
//
//   internal key = user key | fixed64 LE tag,  tag = (sequence << 8) | kind
//
// Internal keys order by user key ascending (bytewise), then by tag descending, so the newest
// version of a key comes first and a seek to (key, snapshot_seq, kValueKindForSeek) lands on the
// newest version visible to that snapshot.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "src/util/coding.h"

namespace nokv {

using SequenceNumber = uint64_t;
// Sequence numbers use 56 bits so (seq << 8 | kind) fits in 64.
inline constexpr SequenceNumber kMaxSequenceNumber = (uint64_t{1} << 56) - 1;

enum class ValueKind : uint8_t {
  kDeletion = 0,
  kValue = 1,
  // Range tombstones never appear in point structures (memtable point index, SST data blocks);
  // they live in their own lists/blocks. The code is used in WAL batches and range-del blocks.
  kRangeDeletion = 2,
};
// The largest point kind: seeking with it finds every entry of the same sequence.
inline constexpr ValueKind kValueKindForSeek = ValueKind::kValue;

inline uint64_t PackTag(SequenceNumber seq, ValueKind kind) {
  return (seq << 8) | static_cast<uint8_t>(kind);
}

struct ParsedInternalKey {
  std::string_view user_key;
  SequenceNumber sequence = 0;
  ValueKind kind = ValueKind::kValue;
};

inline void AppendInternalKey(std::string* dst, std::string_view user_key, SequenceNumber seq,
                              ValueKind kind) {
  dst->append(user_key.data(), user_key.size());
  PutFixed64(dst, PackTag(seq, kind));
}

inline std::string MakeInternalKey(std::string_view user_key, SequenceNumber seq, ValueKind kind) {
  std::string out;
  out.reserve(user_key.size() + 8);
  AppendInternalKey(&out, user_key, seq, kind);
  return out;
}

// Returns false if the key is too short or the kind is unknown.
inline bool ParseInternalKey(std::string_view internal_key, ParsedInternalKey* out) {
  if (internal_key.size() < 8) return false;
  uint64_t tag = DecodeFixed64(internal_key.data() + internal_key.size() - 8);
  uint8_t kind = tag & 0xff;
  if (kind > static_cast<uint8_t>(ValueKind::kRangeDeletion)) return false;
  out->user_key = internal_key.substr(0, internal_key.size() - 8);
  out->sequence = tag >> 8;
  out->kind = static_cast<ValueKind>(kind);
  return true;
}

inline std::string_view ExtractUserKey(std::string_view internal_key) {
  return internal_key.substr(0, internal_key.size() - 8);
}
inline uint64_t ExtractTag(std::string_view internal_key) {
  return DecodeFixed64(internal_key.data() + internal_key.size() - 8);
}

// Total order on internal keys (see top of file). Returns <0, 0, >0.
inline int CompareInternalKeys(std::string_view a, std::string_view b) {
  int r = ExtractUserKey(a).compare(ExtractUserKey(b));
  if (r != 0) return r;
  uint64_t ta = ExtractTag(a), tb = ExtractTag(b);
  return ta > tb ? -1 : (ta < tb ? 1 : 0);
}

struct InternalKeyLess {
  bool operator()(std::string_view a, std::string_view b) const {
    return CompareInternalKeys(a, b) < 0;
  }
};

// A stored point value: flags byte, optional expiry, then the user value.
//   stored value = u8 flags | [fixed64 LE expires_at_millis if flags & kHasExpiry] | value bytes
// Encoded once at write time so every layer (memtable, SST, compaction) treats values as opaque
// bytes and only reads decode them.
inline constexpr uint8_t kValueFlagHasExpiry = 0x1;

inline void AppendStoredValue(std::string* dst, std::string_view value, uint64_t expires_at) {
  if (expires_at == 0) {
    dst->push_back(0);
  } else {
    dst->push_back(static_cast<char>(kValueFlagHasExpiry));
    PutFixed64(dst, expires_at);
  }
  dst->append(value.data(), value.size());
}

struct StoredValue {
  std::string_view value;
  uint64_t expires_at_millis = 0;
};

// Returns false on malformed input.
inline bool DecodeStoredValue(std::string_view stored, StoredValue* out) {
  if (stored.empty()) return false;
  uint8_t flags = static_cast<uint8_t>(stored[0]);
  stored.remove_prefix(1);
  out->expires_at_millis = 0;
  if (flags & kValueFlagHasExpiry) {
    if (stored.size() < 8) return false;
    out->expires_at_millis = DecodeFixed64(stored.data());
    stored.remove_prefix(8);
  } else if (flags != 0) {
    return false;
  }
  out->value = stored;
  return true;
}

inline bool IsExpired(uint64_t expires_at_millis, uint64_t now_millis) {
  return expires_at_millis != 0 && expires_at_millis <= now_millis;
}

}  // namespace nokv
