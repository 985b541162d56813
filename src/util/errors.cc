#include "src/util/errors.h"

#include <cerrno>
#include <cstring>

#include "src/util/str_cat.h"

namespace nokv {

absl::Status CorruptionError(std::string_view file, uint64_t offset, std::string_view what) {
  return absl::DataLossError(StrCat("Corruption: ", file, " offset ", offset, ": ", what));
}

absl::Status WithCorruptionContext(const absl::Status& s, std::string_view file,
                                   uint64_t offset) {
  if (s.code() != absl::StatusCode::kDataLoss) return s;
  std::string_view what(s.message().data(), s.message().size());
  constexpr std::string_view kPrefix = "Corruption: ";
  if (what.substr(0, kPrefix.size()) == kPrefix) what.remove_prefix(kPrefix.size());
  return CorruptionError(file, offset, what);
}

absl::Status ErrnoError(std::string_view context, int err) {
  std::string msg = StrCat(context, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(msg);
    case ENOSPC:
    case EDQUOT:
      return absl::ResourceExhaustedError(msg);
    case EAGAIN:
    case EBUSY:
      return absl::UnavailableError(msg);
    case EINVAL:
      return absl::InvalidArgumentError(msg);
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace nokv
