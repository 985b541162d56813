// Checksums and hashing: XXH3 everywhere (record checksums, bloom filters, cache sharding).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace nokv {

uint64_t Hash64(const void* data, size_t n, uint64_t seed = 0);
inline uint64_t Hash64(std::string_view s, uint64_t seed = 0) {
  return Hash64(s.data(), s.size(), seed);
}

// Checksum of a record: XXH3-64 of the bytes. Named separately so formats read as intent.
inline uint64_t Checksum64(std::string_view s) { return Hash64(s.data(), s.size(), 0); }

// Incremental checksum over several pieces (same value as Checksum64 of the concatenation).
class ChecksumBuilder {
 public:
  ChecksumBuilder();
  ~ChecksumBuilder();
  ChecksumBuilder(const ChecksumBuilder&) = delete;
  ChecksumBuilder& operator=(const ChecksumBuilder&) = delete;
  void Update(std::string_view s);
  uint64_t Digest() const;

 private:
  void* state_;
};

}  // namespace nokv
