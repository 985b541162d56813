// GrpcServer: the server bootstrap every NoKV daemon uses. Binds one address (127.0.0.1 unless
// the address names another host), registers services the caller owns, serves on gRPC's own
// threads, and stops with a bounded grace period.
//
// Thread-safety: Start/Shutdown from one thread. Services must outlive the server.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "grpcpp/server.h"

namespace grpc {
class Service;
}

namespace nokv::rpc {

class GrpcServer {
 public:
  GrpcServer() = default;
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // Binds `addr` ("host:port", port 0 = any free port; empty host = 127.0.0.1) and starts
  // serving `services`. Unavailable if the address cannot be bound.
  absl::Status Start(const std::string& addr, const std::vector<grpc::Service*>& services);
  // The bound port (valid after Start).
  int port() const { return port_; }
  // "host:port" actually bound.
  const std::string& address() const { return address_; }
  // Stops accepting calls; calls in flight get `grace` to finish, then are cancelled.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::milliseconds(500));

 private:
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  std::string address_;
};

}  // namespace nokv::rpc
