// AppendJsonString: appends `s` as a quoted JSON string. Any byte string renders as valid JSON:
// bytes outside printable ASCII are escaped one by one (\u00XX), so keys and names that are not
// UTF-8 still round-trip byte for byte through a JSON reader that maps \u00XX to that byte.
#pragma once

#include <string>
#include <string_view>

namespace nokv {

void AppendJsonString(std::string* out, std::string_view s);

}  // namespace nokv
