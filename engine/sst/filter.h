// Whole-table bloom filter over user keys.
//   filter = bit array (ceil(bits / 8) bytes) | u8 k (number of probes)
// Probe i of key K sets bit (h1 + i * h2) mod bits, where h = XXH3-64(K), h1 = low 32 bits,
// h2 = high 32 bits | 1 (Kirsch-Mitzenmacher double hashing). k = round(bits_per_key * ln 2),
// clamped to [1, 30], and stored in the filter so readers never depend on writer options.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nokv {
namespace sst {

class BloomFilterBuilder {
 public:
  explicit BloomFilterBuilder(int bits_per_key);
  // Adds a user key; callers add each distinct key once (duplicates only waste bits).
  void AddKey(std::string_view user_key);
  size_t num_keys() const { return hashes_.size(); }
  // Appends the encoded filter.
  void Finish(std::string* dst) const;

 private:
  int bits_per_key_;
  std::vector<uint64_t> hashes_;
};

// A view over an encoded filter; the bytes must outlive it.
class BloomFilterReader {
 public:
  BloomFilterReader() = default;
  // False if the encoding is malformed (empty, or k outside [1, 30]).
  bool Init(std::string_view filter);
  bool KeyMayMatch(std::string_view user_key) const;

 private:
  const char* bits_ = nullptr;
  uint64_t num_bits_ = 0;
  int k_ = 0;
};

}  // namespace sst
}  // namespace nokv
