// Short index keys (LevelDB's FindShortestSeparator / FindShortSuccessor, on internal keys).
// Index entries only need to separate blocks, so a short user key stands in for the block's
// last key when one exists; the 8-byte tag of a shortened key is the largest possible tag
// (kMaxSequenceNumber, kValueKindForSeek), which sorts it before every real entry of that user
// key. A key is never shortened across a user-key boundary it shares with the next block.
#pragma once

#include <string>
#include <string_view>

namespace nokv {
namespace sst {

// An internal key k with last <= k < next (internal-key order); requires last < next.
std::string IndexSeparator(std::string_view last, std::string_view next);
// An internal key k >= last, as short as cheaply possible.
std::string IndexSuccessor(std::string_view last);

}  // namespace sst
}  // namespace nokv
