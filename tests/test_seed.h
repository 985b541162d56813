// The seed of a randomized test: NOKV_TEST_SEED overrides the default, so a failure printed
// with its seed replays exactly.
#pragma once

#include <cstdint>
#include <cstdlib>

namespace nokv::test {

inline uint64_t SeedFromEnv(uint64_t fallback) {
  const char* env = std::getenv("NOKV_TEST_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : fallback;
}

}  // namespace nokv::test
