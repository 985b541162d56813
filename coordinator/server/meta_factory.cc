#include "coordinator/server/meta_factory.h"

#include "coordinator/server/meta_transport.h"
#include "meta/local_store.h"
#include "src/config/cluster_config.h"
#include "src/rpc/server.h"
#include "src/util/str_cat.h"

namespace nokv::coordinator {
namespace {

class LocalMetaService final : public MetaService {
 public:
  explicit LocalMetaService(std::unique_ptr<meta::LocalMetaStore> store)
      : store_(std::move(store)) {}
  meta::MetaStore* store() override { return store_.get(); }
  absl::Status Close() override { return store_->Close(); }

 private:
  std::unique_ptr<meta::LocalMetaStore> store_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<MetaService>> OpenReplicatedMetaService(
    VFS& vfs, const configpb::ClusterConfig& config, uint64_t self_id, Clock* clock,
    rpc::Logger* log);

absl::StatusOr<std::unique_ptr<MetaService>> OpenMetaService(VFS& vfs,
                                                             const configpb::ClusterConfig& config,
                                                             uint64_t self_id, Clock* clock,
                                                             rpc::Logger* log) {
  const configpb::CoordinatorConfig* self = config::FindCoordinator(config, self_id);
  if (self == nullptr) {
    return absl::InvalidArgumentError(StrCat("no coordinator with id ", self_id, " in the config"));
  }
  if (config.coordinators_size() > 1) {
    return OpenReplicatedMetaService(vfs, config, self_id, clock, log);
  }
  auto store = meta::LocalMetaStore::Open(vfs, JoinPath(self->workdir(), "meta"), {});
  if (!store.ok()) return store.status();
  return std::unique_ptr<MetaService>(new LocalMetaService(*std::move(store)));
}

// ---- replicated ------------------------------------------------------------------------------

namespace {

class ReplicatedMetaService final : public MetaService {
 public:
  meta::MetaStore* store() override { return store_.get(); }
  absl::Status Close() override {
    // Stop accepting messages, then the member, then the senders.
    server_.Shutdown(std::chrono::milliseconds(100));
    absl::Status s = store_ != nullptr ? store_->Close() : absl::OkStatus();
    if (transport_ != nullptr) transport_->Stop();
    return s;
  }
  ~ReplicatedMetaService() override { Close().IgnoreError(); }

  std::unique_ptr<GrpcMetaTransport> transport_;
  std::unique_ptr<MetaPeerService> service_;
  rpc::GrpcServer server_;
  std::unique_ptr<meta::ReplicatedMetaStore> store_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<MetaService>> OpenReplicatedMetaService(
    VFS& vfs, const configpb::ClusterConfig& config, uint64_t self_id, Clock* clock,
    rpc::Logger* log) {
  const configpb::CoordinatorConfig* self = config::FindCoordinator(config, self_id);
  meta::ReplicatedMetaStoreOptions options;
  options.self_id = self_id;
  std::map<uint64_t, std::string> peers;
  for (const auto& c : config.coordinators()) {
    options.members.push_back(c.id());
    if (c.id() != self_id) peers[c.id()] = c.meta_raft_addr();
  }
  if (config.timing().meta_tick_ms() != 0) options.tick_ms = config.timing().meta_tick_ms();
  auto service = std::make_unique<ReplicatedMetaService>();
  service->transport_ = std::make_unique<GrpcMetaTransport>(self_id, peers);
  service->service_ = std::make_unique<MetaPeerService>(self_id);
  absl::Status s = service->server_.Start(self->meta_raft_addr(), {service->service_.get()});
  if (!s.ok()) return absl::Status(s.code(), StrCat("meta_raft_addr: ", s.message()));
  auto store = meta::ReplicatedMetaStore::Open(vfs, JoinPath(self->workdir(), "meta"), options,
                                               service->transport_.get(), clock);
  if (!store.ok()) return store.status();
  service->store_ = *std::move(store);
  service->service_->SetStore(service->store_.get());
  if (log != nullptr) {
    log->Info("meta_member_started", {{"id", self_id},
                                      {"meta_raft_addr", service->server_.address()},
                                      {"members", static_cast<uint64_t>(options.members.size())}});
  }
  return std::unique_ptr<MetaService>(std::move(service));
}

}  // namespace nokv::coordinator
