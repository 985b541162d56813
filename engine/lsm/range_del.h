// Answers "is this point entry deleted by a range tombstone?" for a fixed set of tombstones.
// The tombstones are fragmented once into non-overlapping intervals, each carrying the largest
// visible tombstone sequence over it, so a query is one binary search.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/format/dbformat.h"
#include "engine/format/range_tombstone.h"

namespace nokv {

class RangeDelIndex {
 public:
  RangeDelIndex() = default;
  // Only tombstones with sequence <= `snapshot` are taken into account.
  RangeDelIndex(const std::vector<RangeTombstone>& tombstones, SequenceNumber snapshot);

  bool empty() const { return fragments_.empty(); }
  // Largest tombstone sequence covering `user_key`; 0 if none.
  SequenceNumber MaxCoveringSequence(std::string_view user_key) const;
  // True if an entry (user_key, seq) is deleted by some tombstone.
  bool IsDeleted(std::string_view user_key, SequenceNumber seq) const {
    return !fragments_.empty() && MaxCoveringSequence(user_key) > seq;
  }

 private:
  struct Fragment {
    std::string begin;  // inclusive
    std::string end;    // exclusive; empty = unbounded
    SequenceNumber max_sequence;
  };
  std::vector<Fragment> fragments_;  // sorted by begin, non-overlapping
};

}  // namespace nokv
