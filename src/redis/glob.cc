#include "src/redis/glob.h"

#include <cstddef>
#include <utility>

namespace nokv::redis {
namespace {

// Matches one non-'*' pattern element at pattern[*p] against byte c. Advances *p past the
// element. Returns whether it matched.
bool MatchOne(std::string_view pattern, size_t* p, unsigned char c) {
  size_t i = *p;
  char head = pattern[i];
  if (head == '?') {
    *p = i + 1;
    return true;
  }
  if (head == '\\' && i + 1 < pattern.size()) {
    *p = i + 2;
    return static_cast<unsigned char>(pattern[i + 1]) == c;
  }
  if (head != '[') {
    *p = i + 1;
    return static_cast<unsigned char>(head) == c;
  }
  // Character class. An unterminated class ends at the end of the pattern, as in Redis.
  ++i;
  bool negate = false;
  if (i < pattern.size() && pattern[i] == '^') {
    negate = true;
    ++i;
  }
  bool matched = false;
  while (i < pattern.size() && pattern[i] != ']') {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      if (static_cast<unsigned char>(pattern[i + 1]) == c) matched = true;
      i += 2;
    } else if (i + 2 < pattern.size() && pattern[i + 1] == '-') {
      unsigned char lo = pattern[i];
      unsigned char hi = pattern[i + 2];
      if (lo > hi) std::swap(lo, hi);
      if (c >= lo && c <= hi) matched = true;
      i += 3;
    } else {
      if (static_cast<unsigned char>(pattern[i]) == c) matched = true;
      ++i;
    }
  }
  if (i < pattern.size()) ++i;  // the ']'
  *p = i;
  return negate ? !matched : matched;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view subject) {
  size_t p = 0;
  size_t s = 0;
  // Backtracking point: the pattern position after the last '*' and the subject position it
  // is currently assumed to have consumed up to. One point suffices: a later '*' subsumes
  // every earlier one, which is what keeps this polynomial.
  size_t star_p = std::string_view::npos;
  size_t star_s = 0;
  while (s < subject.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;
      if (p == pattern.size()) return true;
      star_p = p;
      star_s = s;
      continue;
    }
    if (p < pattern.size()) {
      size_t next = p;
      if (MatchOne(pattern, &next, static_cast<unsigned char>(subject[s]))) {
        p = next;
        ++s;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    s = ++star_s;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace nokv::redis
