// FencedWindow: the serving side of spec/TsoWindow.tla, shared by the timestamp oracle and the
// ID allocator. Values below `limit` may be handed out; `limit` only moves up to a fence that
// is already durable in meta (Open is called after the TsoFenced / IdAllocatorFenced append is
// acknowledged), so everything ever handed out stays below the durable fence and a restarted or
// succeeding holder, which starts at the fence, never repeats a value.
//
//   Attach(start)   a new holder: next = start (the inherited fence or lease start), no window
//                   open (limit = next) until the first fence of this holder is durable;
//   Take(floor, n)  hands out [max(next, floor), +n) if it fits below limit;
//   FenceTarget     the fence to persist next (when less than half a window remains);
//   Open(fence)     the fence is durable: the window reaches it;
//   Detach()        stop serving (sealed, lease lost, shutting down).
//
// `floor` is the clock for the TSO (now_ms << 18) and 1 + the highest id meta has seen for IDs,
// so timestamps never go below
// the clock but never backwards when the clock does.
//
// Thread-safety: none; the owner (Allocators) locks.
#pragma once

#include <cstdint>
#include <optional>

namespace nokv::coordinator {

class FencedWindow {
 public:
  explicit FencedWindow(uint64_t window) : window_(window) {}

  void Attach(uint64_t start) {
    attached_ = true;
    next_ = start;
    limit_ = start;
  }
  void Detach() {
    attached_ = false;
    limit_ = next_;
  }
  bool attached() const { return attached_; }

  // The first of `count` values, or nullopt when the window does not hold them.
  std::optional<uint64_t> Take(uint64_t floor, uint64_t count) {
    if (!attached_) return std::nullopt;
    const uint64_t first = next_ > floor ? next_ : floor;
    if (first + count > limit_) return std::nullopt;
    next_ = first + count;
    return first;
  }

  // The fence to persist now, or nullopt while more than half a window remains. `extra` asks
  // for room beyond the window (a batch larger than half of it).
  std::optional<uint64_t> FenceTarget(uint64_t floor, uint64_t extra = 0) const {
    if (!attached_) return std::nullopt;
    const uint64_t from = next_ > floor ? next_ : floor;
    if (limit_ > from && limit_ - from > window_ / 2 + extra) return std::nullopt;
    return from + window_ + extra;
  }

  // `fence` is durable: values below it may be handed out.
  void Open(uint64_t fence) {
    if (attached_ && fence > limit_) limit_ = fence;
  }

  uint64_t next() const { return next_; }
  uint64_t limit() const { return limit_; }

 private:
  const uint64_t window_;
  bool attached_ = false;
  uint64_t next_ = 0;
  uint64_t limit_ = 0;
};

}  // namespace nokv::coordinator
