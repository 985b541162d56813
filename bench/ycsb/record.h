// Keys and self-verifying values.
//
// Key: YCSB's CoreWorkload.buildKeyName with the default insertorder=hashed and zeropadding=1:
// "user" + decimal(FnvHash64(id)). Ids are dense (0..records-1, then inserts), the keys are
// spread over the key space in hash order.
//
// Value (value_size bytes, at least kMinValueSize), little-endian:
//   [0, 8)   record id
//   [8, 12)  version (1 = as loaded or inserted, +1 per update)
//   [12, 16) magic "YCSB"
//   [16, n)  filler: an 8-byte word derived from (id, version), repeated
// A reader can therefore check that a value belongs to the key it was read under and which
// write produced it, without keeping a copy of the data set.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace nokv::bench {

inline constexpr size_t kMinValueSize = 16;

void BuildKeyName(uint64_t id, std::string* out);
std::string BuildKeyName(uint64_t id);

void BuildValue(uint64_t id, uint32_t version, size_t size, std::string* out);

struct ValueHeader {
  uint64_t id = 0;
  uint32_t version = 0;
};

// Checks size, magic and filler; on success fills `header`. Does not check the id against a
// key: callers compare header->id with the id they asked for (or the key they saw).
absl::Status DecodeValue(std::string_view value, size_t expected_size, ValueHeader* header);

}  // namespace nokv::bench
