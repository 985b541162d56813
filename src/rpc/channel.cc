#include "src/rpc/channel.h"

#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace nokv::rpc {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& addr,
                                           std::chrono::milliseconds max_backoff) {
  grpc::ChannelArguments args;
  const int backoff_ms = static_cast<int>(max_backoff.count());
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, std::min(backoff_ms, 100));
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, std::min(backoff_ms, 100));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, backoff_ms);
  // Each channel gets its own connection: tests run several "clients" in one process.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::string target = addr;
  if (!target.empty() && target.front() == ':') target = "127.0.0.1" + target;
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

void SetTimeout(grpc::ClientContext* context, std::chrono::milliseconds timeout) {
  context->set_deadline(std::chrono::system_clock::now() + timeout);
}

}  // namespace nokv::rpc
