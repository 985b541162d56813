// FetchHttp: one bounded HTTP GET, for tools that read a running daemon's metrics endpoint
// (`nokv stats --expvar`). Plain HTTP only: the endpoints bind 127.0.0.1 and speak no TLS.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace nokv::metrics {

struct HttpTarget {
  std::string host;
  int port = 0;
  std::string path;  // starts with '/'
};

// Accepts "http://host:port/path", "host:port/path" and "host:port" (path = default_path).
// An empty host means 127.0.0.1. Rejects other schemes and malformed ports.
absl::StatusOr<HttpTarget> ParseHttpUrl(const std::string& url, const std::string& default_path);

// GETs `target` with `timeout_ms` for connecting and for each read. Returns the body of a 200
// reply; Unavailable when the endpoint cannot be reached, FailedPrecondition for other statuses.
absl::StatusOr<std::string> FetchHttp(const HttpTarget& target, int timeout_ms);

}  // namespace nokv::metrics
