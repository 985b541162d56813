// `nokv regions | coordinator status | tso --coordinator ADDR [--json]`: the online view of
// the control plane through the coordinator client (docs/cli.md, docs/coordinator.md).
#pragma once

#include <string>

namespace nokv::cli {

struct ClusterArgs {
  std::string coordinator;  // host:port of any coordinator (redirects reach the holder)
  bool json = false;
  int timeout_ms = 5000;
  uint32_t count = 1;  // tso
};

// Exit codes as the rest of the CLI: 0 ok, 3 unreachable or bad reply.
int CmdRegions(const ClusterArgs& args);
int CmdCoordinatorStatus(const ClusterArgs& args);
int CmdTso(const ClusterArgs& args);

}  // namespace nokv::cli
