#include "engine/lsm/range_del.h"

#include <algorithm>
#include <map>

namespace nokv {

RangeDelIndex::RangeDelIndex(const std::vector<RangeTombstone>& tombstones,
                             SequenceNumber snapshot) {
  // Sweep over all boundaries; between two consecutive boundaries the set of covering
  // tombstones is constant.
  std::vector<const RangeTombstone*> visible;
  std::vector<std::string> bounds;
  bool any_unbounded = false;
  for (const RangeTombstone& t : tombstones) {
    if (t.sequence > snapshot) continue;
    if (!t.end.empty() && t.begin >= t.end) continue;
    visible.push_back(&t);
    bounds.push_back(t.begin);
    if (t.end.empty()) {
      any_unbounded = true;
    } else {
      bounds.push_back(t.end);
    }
  }
  if (visible.empty()) return;
  std::sort(bounds.begin(), bounds.end());
  bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
  // Interval i is [bounds[i], bounds[i+1]) and the last one [bounds.back(), +inf).
  size_t n = bounds.size();
  std::vector<SequenceNumber> max_seq(n, 0);
  for (const RangeTombstone* t : visible) {
    size_t lo = std::lower_bound(bounds.begin(), bounds.end(), t->begin) - bounds.begin();
    size_t hi = t->end.empty()
                    ? n
                    : std::lower_bound(bounds.begin(), bounds.end(), t->end) - bounds.begin();
    for (size_t i = lo; i < hi; ++i) max_seq[i] = std::max(max_seq[i], t->sequence);
  }
  for (size_t i = 0; i < n; ++i) {
    if (max_seq[i] == 0) continue;
    bool last = i + 1 == n;
    if (last && !any_unbounded) continue;
    std::string end = last ? std::string() : bounds[i + 1];
    // Merge with the previous fragment when adjacent with the same sequence.
    if (!fragments_.empty() && fragments_.back().end == bounds[i] &&
        fragments_.back().max_sequence == max_seq[i]) {
      fragments_.back().end = std::move(end);
    } else {
      fragments_.push_back(Fragment{bounds[i], std::move(end), max_seq[i]});
    }
  }
}

SequenceNumber RangeDelIndex::MaxCoveringSequence(std::string_view user_key) const {
  // Last fragment whose begin <= user_key.
  auto it = std::upper_bound(fragments_.begin(), fragments_.end(), user_key,
                             [](std::string_view k, const Fragment& f) { return k < f.begin; });
  if (it == fragments_.begin()) return 0;
  --it;
  if (!it->end.empty() && user_key >= it->end) return 0;
  return it->max_sequence;
}

}  // namespace nokv
