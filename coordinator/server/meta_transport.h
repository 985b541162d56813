// The meta group's transport between coordinator processes: GrpcMetaTransport sends Raft
// messages to the other members' MetaPeer services (one sender thread and queue per peer,
// messages batched per RPC, a failed batch dropped: Raft retransmits), and MetaPeerService
// hands received batches to the local ReplicatedMetaStore.
//
// Thread-safety: Send may be called from any thread; the service from gRPC's threads.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "coordinator/coordinator.grpc.pb.h"
#include "meta/replicated_store.h"

namespace nokv::coordinator {

class GrpcMetaTransport final : public meta::MetaTransport {
 public:
  // `peers` maps member id -> meta_raft_addr (self excluded).
  GrpcMetaTransport(uint64_t self_id, std::map<uint64_t, std::string> peers);
  ~GrpcMetaTransport() override;

  void Send(raftpb::Message message) override;
  void Stop();

 private:
  struct Peer {
    std::string address;
    std::unique_ptr<coordinatorpb::MetaPeer::Stub> stub;
    std::mutex mu;
    std::condition_variable cv;
    std::deque<raftpb::Message> queue;
    bool stop = false;
    std::thread thread;
  };
  void Run(uint64_t id, Peer* peer);

  const uint64_t self_id_;
  std::map<uint64_t, std::unique_ptr<Peer>> peers_;
};

class MetaPeerService final : public coordinatorpb::MetaPeer::Service {
 public:
  // `store` is not owned; null until SetStore (messages are dropped meanwhile).
  explicit MetaPeerService(uint64_t self_id) : self_id_(self_id) {}
  void SetStore(meta::ReplicatedMetaStore* store) { store_ = store; }

  grpc::Status Send(grpc::ServerContext* context, const coordinatorpb::MetaRaftBatch* batch,
                    coordinatorpb::MetaRaftAck* ack) override;

 private:
  const uint64_t self_id_;
  std::atomic<meta::ReplicatedMetaStore*> store_{nullptr};
};

}  // namespace nokv::coordinator
