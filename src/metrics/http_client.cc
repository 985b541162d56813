#include "src/metrics/http_client.h"

#include <httplib.h>

#include "src/metrics/http_server.h"
#include "src/util/str_cat.h"

namespace nokv::metrics {

absl::StatusOr<HttpTarget> ParseHttpUrl(const std::string& url, const std::string& default_path) {
  std::string rest = url;
  const std::string kScheme = "http://";
  if (size_t scheme_end = rest.find("://"); scheme_end != std::string::npos) {
    if (rest.compare(0, kScheme.size(), kScheme) != 0) {
      return absl::InvalidArgumentError(
          StrCat("url '", url, "': only http:// is supported (metrics endpoints speak no TLS)"));
    }
    rest = rest.substr(kScheme.size());
  }
  HttpTarget target;
  size_t slash = rest.find('/');
  target.path = slash == std::string::npos ? default_path : rest.substr(slash);
  absl::Status s = ParseHostPort(rest.substr(0, slash), &target.host, &target.port);
  if (!s.ok()) return absl::InvalidArgumentError(StrCat("url '", url, "': ", s.message()));
  if (target.port == 0) return absl::InvalidArgumentError(StrCat("url '", url, "': port 0"));
  return target;
}

absl::StatusOr<std::string> FetchHttp(const HttpTarget& target, int timeout_ms) {
  httplib::Client client(target.host, target.port);
  const time_t sec = timeout_ms / 1000;
  const time_t usec = static_cast<time_t>(timeout_ms % 1000) * 1000;
  client.set_connection_timeout(sec, usec);
  client.set_read_timeout(sec, usec);
  client.set_write_timeout(sec, usec);
  const std::string where = StrCat("http://", target.host, ":", target.port, target.path);
  auto result = client.Get(target.path);
  if (!result) {
    return absl::UnavailableError(StrCat(where, ": request failed (",
                                         httplib::to_string(result.error()),
                                         "); is the daemon running?"));
  }
  if (result->status != 200) {
    return absl::FailedPreconditionError(StrCat(where, ": HTTP status ", result->status));
  }
  return result->body;
}

}  // namespace nokv::metrics
