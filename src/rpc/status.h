// absl::Status <-> grpc::Status, in one place. Codes map one to one (both follow the canonical
// Google codes); messages are kept. A transport failure (the peer could not be reached, the
// deadline passed) arrives as UNAVAILABLE / DEADLINE_EXCEEDED, which callers treat as
// "retry elsewhere or later", never as an answer.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace nokv::rpc {

grpc::Status ToGrpcStatus(const absl::Status& status);
// `context` (e.g. "Coordinator.Tso to 127.0.0.1:2379") prefixes the message of a failure.
absl::Status FromGrpcStatus(const grpc::Status& status, std::string_view context = {});

}  // namespace nokv::rpc
