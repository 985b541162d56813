#include "engine/sst/key_shortening.h"

#include <algorithm>

#include "engine/format/dbformat.h"

namespace nokv {
namespace sst {
namespace {

std::string WithMaxTag(std::string_view user_key) {
  return MakeInternalKey(user_key, kMaxSequenceNumber, kValueKindForSeek);
}

}  // namespace

std::string IndexSeparator(std::string_view last, std::string_view next) {
  std::string_view lu = ExtractUserKey(last);
  std::string_view nu = ExtractUserKey(next);
  size_t min_len = std::min(lu.size(), nu.size());
  size_t diff = 0;
  while (diff < min_len && lu[diff] == nu[diff]) ++diff;
  if (diff < min_len) {
    auto lb = static_cast<unsigned char>(lu[diff]);
    auto nb = static_cast<unsigned char>(nu[diff]);
    if (lb < nb) {
      // Any user key s with lu < s < nu works. Bump the first byte we can: at `diff` when that
      // stays below nu, else a later byte of lu (s then still differs from nu at `diff`).
      for (size_t i = diff; i + 1 < lu.size(); ++i) {
        auto b = static_cast<unsigned char>(lu[i]);
        if (b == 0xff || (i == diff && b + 1 >= nb)) continue;
        std::string s(lu.substr(0, i + 1));
        s.back() = static_cast<char>(b + 1);
        return WithMaxTag(s);
      }
    }
  }
  return std::string(last);
}

std::string IndexSuccessor(std::string_view last) {
  std::string_view lu = ExtractUserKey(last);
  for (size_t i = 0; i + 1 < lu.size(); ++i) {
    auto b = static_cast<unsigned char>(lu[i]);
    if (b == 0xff) continue;
    std::string s(lu.substr(0, i + 1));
    s.back() = static_cast<char>(b + 1);
    return WithMaxTag(s);
  }
  return std::string(last);
}

}  // namespace sst
}  // namespace nokv
