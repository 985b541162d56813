// Merges sorted internal iterators into one sorted stream (duplicates are kept: equal internal
// keys cannot occur across sources because sequence numbers are unique).
#pragma once

#include <memory>
#include <vector>

#include "engine/format/internal_iterator.h"

namespace nokv {

std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children);

}  // namespace nokv
