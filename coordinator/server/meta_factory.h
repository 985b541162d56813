// Opens the meta backend a coordinator process uses: the local store for a single
// coordinator, the replicated group for three (docs/coordinator.md "Processes").
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "engine/vfs/vfs.h"
#include "meta/store.h"
#include "src/config/cluster_config.pb.h"
#include "src/rpc/log.h"
#include "src/util/clock.h"

namespace nokv::coordinator {

// A meta store with whatever it needs to run (the replicated backend's transport server and
// Raft loop); closing it stops them.
class MetaService {
 public:
  virtual ~MetaService() = default;
  virtual meta::MetaStore* store() = 0;
  virtual absl::Status Close() = 0;
};

// Opens the meta backend of coordinator `self_id` under its workdir ("<workdir>/meta").
absl::StatusOr<std::unique_ptr<MetaService>> OpenMetaService(VFS& vfs,
                                                             const configpb::ClusterConfig& config,
                                                             uint64_t self_id, Clock* clock,
                                                             rpc::Logger* log);

}  // namespace nokv::coordinator
