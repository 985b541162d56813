// A DeleteRange: every version of every key in [begin, end) with sequence < `sequence` is
// deleted, as seen by readers whose snapshot includes `sequence`.
#pragma once

#include <string>
#include <string_view>

#include "engine/format/dbformat.h"

namespace nokv {

struct RangeTombstone {
  std::string begin;  // user key, inclusive
  std::string end;    // user key, exclusive; empty = no upper bound
  SequenceNumber sequence = 0;

  bool Covers(std::string_view user_key) const {
    return begin <= user_key && (end.empty() || user_key < end);
  }
};

}  // namespace nokv
