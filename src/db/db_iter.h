// The user-facing iterator: collapses the versions of each key from a merged internal stream
// into the one visible at the read sequence, hiding deletions, range-deleted and expired
// entries, within the requested bounds.
#pragma once

#include <memory>

#include "engine/format/internal_iterator.h"
#include "engine/lsm/range_del.h"
#include "nokv/iterator.h"
#include "nokv/options.h"

namespace nokv {

// `pin` keeps the memtables and Version behind `internal` alive for the iterator's life.
std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<InternalIterator> internal,
                                        RangeDelIndex range_del, SequenceNumber sequence,
                                        uint64_t now_millis, const ReadOptions& options,
                                        std::shared_ptr<const void> pin);

}  // namespace nokv
