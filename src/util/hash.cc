#include "src/util/hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace nokv {

uint64_t Hash64(const void* data, size_t n, uint64_t seed) {
  return XXH3_64bits_withSeed(data, n, seed);
}

ChecksumBuilder::ChecksumBuilder() : state_(XXH3_createState()) {
  XXH3_64bits_reset(static_cast<XXH3_state_t*>(state_));
}
ChecksumBuilder::~ChecksumBuilder() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }
void ChecksumBuilder::Update(std::string_view s) {
  XXH3_64bits_update(static_cast<XXH3_state_t*>(state_), s.data(), s.size());
}
uint64_t ChecksumBuilder::Digest() const {
  return XXH3_64bits_digest(static_cast<XXH3_state_t*>(state_));
}

}  // namespace nokv
