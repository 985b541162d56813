// Generated cluster configurations for tests: every address on 127.0.0.1 with a free port,
// workdirs under a test directory. Header-only so any test target can use it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "src/config/cluster_config.pb.h"
#include "src/util/str_cat.h"

namespace nokv::test {

// A port that was free a moment ago (bound to 127.0.0.1:0 and released). Ports handed out
// in one process are never repeated, so a config's addresses are distinct.
inline int PickFreePort() {
  static int last_ports[64];
  static int count = 0;
  for (int attempt = 0; attempt < 100; ++attempt) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      socklen_t len = sizeof(addr);
      if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        port = ntohs(addr.sin_port);
      }
    }
    ::close(fd);
    bool seen = false;
    for (int i = 0; i < count && i < 64; ++i) seen |= last_ports[i] == port;
    if (port != 0 && !seen) {
      last_ports[count++ % 64] = port;
      return port;
    }
  }
  return 0;
}

inline std::string FreeAddress() { return StrCat("127.0.0.1:", PickFreePort()); }

struct TestClusterShape {
  int coordinators = 1;
  int stores = 3;
  // Region boundaries: {"m"} gives ["", "m") and ["m", +inf).
  std::vector<std::string> split_keys = {"m"};
  std::string workdir_root = "/tmp/nokv-test-cluster";
  bool metrics = false;
};

// Ids: coordinators 1.., stores 1.., regions 1.., peer of region r on store s = 100 * s + r.
inline configpb::ClusterConfig MakeTestClusterConfig(const TestClusterShape& shape) {
  configpb::ClusterConfig config;
  config.set_name("test");
  for (int i = 1; i <= shape.coordinators; ++i) {
    auto* c = config.add_coordinators();
    c->set_id(i);
    c->set_addr(FreeAddress());
    if (shape.coordinators > 1) c->set_meta_raft_addr(FreeAddress());
    c->set_workdir(StrCat(shape.workdir_root, "/coordinator-", i));
    if (shape.metrics) c->set_metrics_addr(FreeAddress());
  }
  for (int s = 1; s <= shape.stores; ++s) {
    auto* st = config.add_stores();
    st->set_store_id(s);
    st->set_listen_addr(FreeAddress());
    st->set_workdir(StrCat(shape.workdir_root, "/store-", s));
  }
  std::vector<std::string> bounds = {""};
  bounds.insert(bounds.end(), shape.split_keys.begin(), shape.split_keys.end());
  bounds.push_back("");
  for (size_t r = 1; r < bounds.size(); ++r) {
    auto* region = config.add_regions();
    region->set_id(r);
    region->set_start_key(bounds[r - 1]);
    region->set_end_key(bounds[r]);
    for (int s = 1; s <= shape.stores; ++s) {
      auto* peer = region->add_peers();
      peer->set_peer_id(100 * s + r);
      peer->set_store_id(s);
    }
    region->set_leader_store_id(1 + (r - 1) % shape.stores);
  }
  return config;
}

}  // namespace nokv::test
