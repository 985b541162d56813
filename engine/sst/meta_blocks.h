// Encodings of the table's meta blocks (contents only; framing is format.h's job).
//
//   properties = varint field_count | field_count x varint64 | length-prefixed smallest key
//                | length-prefixed largest key
//     fields, in order: num_entries, num_deletions, num_range_deletions, num_data_blocks,
//     raw_key_bytes, raw_value_bytes, data_bytes, index_bytes, filter_bytes, smallest_seq,
//     largest_seq. Readers accept more fields than they know (appended by later versions).
//   range-del = varint count | count x (length-prefixed begin | length-prefixed end | varint64
//               sequence), sorted by begin.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/format/range_tombstone.h"
#include "engine/sst/table.h"

namespace nokv {
namespace sst {

void EncodeProperties(const TableProperties& props, std::string* dst);
// False on malformed input.
bool DecodeProperties(std::string_view input, TableProperties* props);

// `tombstones` must already be sorted by begin.
void EncodeRangeTombstones(const std::vector<RangeTombstone>& tombstones, std::string* dst);
bool DecodeRangeTombstones(std::string_view input, std::vector<RangeTombstone>* tombstones);

}  // namespace sst
}  // namespace nokv
