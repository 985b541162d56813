#include "src/rpc/server.h"

#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "src/metrics/http_server.h"
#include "src/util/str_cat.h"

namespace nokv::rpc {

GrpcServer::~GrpcServer() { Shutdown(std::chrono::milliseconds(0)); }

absl::Status GrpcServer::Start(const std::string& addr,
                               const std::vector<grpc::Service*>& services) {
  std::string host;
  int port = 0;
  absl::Status s = metrics::ParseHostPort(addr, &host, &port);
  if (!s.ok()) return s;
  grpc::ServerBuilder builder;
  int bound = 0;
  builder.AddListeningPort(StrCat(host, ":", port), grpc::InsecureServerCredentials(), &bound);
  // SO_REUSEPORT would let two daemons bind the same port and split its traffic silently.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (grpc::Service* service : services) builder.RegisterService(service);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || bound == 0) {
    server_.reset();
    return absl::UnavailableError(StrCat("gRPC: cannot bind ", host, ":", port));
  }
  port_ = bound;
  address_ = StrCat(host, ":", bound);
  return absl::OkStatus();
}

void GrpcServer::Shutdown(std::chrono::milliseconds grace) {
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now() + grace);
  server_->Wait();
  server_.reset();
}

}  // namespace nokv::rpc
