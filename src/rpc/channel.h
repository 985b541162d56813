// Client-side gRPC helpers: one way to open a channel to a NoKV daemon and to bound a call.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace nokv::rpc {

// An insecure channel to "host:port" (empty host = 127.0.0.1) that reconnects quickly after the
// peer restarts (reconnect backoff capped at `max_backoff`), so a failover is not hidden behind
// gRPC's default backoff of up to two minutes.
std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& addr,
    std::chrono::milliseconds max_backoff = std::chrono::milliseconds(500));

// Sets the call's deadline `timeout` from now.
void SetTimeout(grpc::ClientContext* context, std::chrono::milliseconds timeout);

}  // namespace nokv::rpc
