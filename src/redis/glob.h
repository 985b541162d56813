// Redis glob-style pattern matching (KEYS, SCAN MATCH): '*' any run, '?' one byte, '[abc]',
// '[^abc]', '[a-z]' (a reversed range matches the same as the ordered one), '\x' escapes x.
// Binary-safe; case-sensitive. Worst case O(pattern * subject), never exponential.
#pragma once

#include <string_view>

namespace nokv::redis {

bool GlobMatch(std::string_view pattern, std::string_view subject);

}  // namespace nokv::redis
