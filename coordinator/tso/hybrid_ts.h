// Hybrid timestamps: physical milliseconds << 18 | logical counter (262,144 per millisecond),
// so lock TTLs and GC safe points measured in timestamps mean wall time. Consecutive integers
// are consecutive timestamps: a batch [first, first + count) may carry into the next
// millisecond, which keeps it strictly increasing.
#pragma once

#include <cstdint>

namespace nokv::coordinator {

inline constexpr int kLogicalBits = 18;
inline constexpr uint64_t ComposeTs(uint64_t physical_ms, uint64_t logical) {
  return (physical_ms << kLogicalBits) | logical;
}
inline constexpr uint64_t PhysicalMs(uint64_t ts) { return ts >> kLogicalBits; }
inline constexpr uint64_t LogicalPart(uint64_t ts) {
  return ts & ((uint64_t{1} << kLogicalBits) - 1);
}

}  // namespace nokv::coordinator
