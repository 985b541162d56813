// String concatenation that accepts std::string_view. Debian's abseil keeps absl::string_view a
// distinct type, so absl::StrCat rejects std::string_view arguments; this one takes strings,
// views, C strings, characters and any arithmetic type.
#pragma once

#include <charconv>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace nokv {
namespace str_cat_internal {

inline void Append(std::string* out, std::string_view s) { out->append(s.data(), s.size()); }
inline void Append(std::string* out, const char* s) { out->append(s); }
inline void Append(std::string* out, const std::string& s) { out->append(s); }
// absl::string_view (a distinct type in Debian's abseil), e.g. absl::Status::message().
template <typename T, typename = decltype(std::declval<const T&>().data()),
          typename = std::enable_if_t<!std::is_same_v<T, std::string> &&
                                      !std::is_same_v<T, std::string_view>>>
void Append(std::string* out, const T& s) {
  out->append(s.data(), s.size());
}
inline void Append(std::string* out, char c) { out->push_back(c); }
inline void Append(std::string* out, bool b) { out->append(b ? "true" : "false"); }
template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
void Append(std::string* out, T v) {
  if constexpr (std::is_floating_point_v<T>) {
    out->append(std::to_string(v));
  } else {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof(buf), v);
    out->append(buf, res.ptr - buf);
  }
}

}  // namespace str_cat_internal

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (str_cat_internal::Append(&out, args), ...);
  return out;
}

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (str_cat_internal::Append(out, args), ...);
}

}  // namespace nokv
