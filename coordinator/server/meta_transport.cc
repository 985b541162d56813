#include "coordinator/server/meta_transport.h"

#include "src/rpc/channel.h"
#include "src/rpc/status.h"
#include "src/util/str_cat.h"

namespace nokv::coordinator {
namespace {

// Messages per RPC and queue bound per peer: Raft traffic of the meta group is small; a peer
// that is down must not make the queue grow without bound.
constexpr size_t kBatch = 64;
constexpr size_t kQueueLimit = 4096;

}  // namespace

GrpcMetaTransport::GrpcMetaTransport(uint64_t self_id, std::map<uint64_t, std::string> peers)
    : self_id_(self_id) {
  for (auto& [id, address] : peers) {
    auto peer = std::make_unique<Peer>();
    peer->address = address;
    peer->stub = coordinatorpb::MetaPeer::NewStub(rpc::MakeChannel(address));
    Peer* raw = peer.get();
    peers_[id] = std::move(peer);
    raw->thread = std::thread([this, id = id, raw] { Run(id, raw); });
  }
}

GrpcMetaTransport::~GrpcMetaTransport() { Stop(); }

void GrpcMetaTransport::Stop() {
  for (auto& [id, peer] : peers_) {
    {
      std::lock_guard<std::mutex> lock(peer->mu);
      peer->stop = true;
    }
    peer->cv.notify_all();
  }
  for (auto& [id, peer] : peers_) {
    if (peer->thread.joinable()) peer->thread.join();
  }
}

void GrpcMetaTransport::Send(raftpb::Message message) {
  auto it = peers_.find(message.to());
  if (it == peers_.end()) return;
  Peer* peer = it->second.get();
  {
    std::lock_guard<std::mutex> lock(peer->mu);
    if (peer->queue.size() >= kQueueLimit) peer->queue.pop_front();
    peer->queue.push_back(std::move(message));
  }
  peer->cv.notify_one();
}

void GrpcMetaTransport::Run(uint64_t id, Peer* peer) {
  while (true) {
    coordinatorpb::MetaRaftBatch batch;
    batch.set_from_id(self_id_);
    batch.set_to_id(id);
    {
      std::unique_lock<std::mutex> lock(peer->mu);
      peer->cv.wait(lock, [&] { return peer->stop || !peer->queue.empty(); });
      if (peer->stop) return;
      while (!peer->queue.empty() && batch.messages_size() < static_cast<int>(kBatch)) {
        *batch.add_messages() = std::move(peer->queue.front());
        peer->queue.pop_front();
      }
    }
    grpc::ClientContext context;
    rpc::SetTimeout(&context, std::chrono::milliseconds(500));
    coordinatorpb::MetaRaftAck ack;
    // A failed batch is dropped: Raft resends what matters (appends, heartbeats, votes). The
    // channel is replaced too: after a failed connect gRPC waits seconds before it tries again,
    // which would keep a restarted member out of elections for that long.
    if (!peer->stub->Send(&context, batch, &ack).ok()) {
      peer->stub = coordinatorpb::MetaPeer::NewStub(rpc::MakeChannel(peer->address));
    }
  }
}

grpc::Status MetaPeerService::Send(grpc::ServerContext*, const coordinatorpb::MetaRaftBatch* batch,
                                   coordinatorpb::MetaRaftAck*) {
  if (batch->to_id() != self_id_) {
    // Another member's address now leads here (a reused address): refuse, so it notices.
    return rpc::ToGrpcStatus(absl::FailedPreconditionError(
        StrCat("this is meta member ", self_id_, ", not ", batch->to_id())));
  }
  meta::ReplicatedMetaStore* store = store_.load();
  if (store == nullptr) return rpc::ToGrpcStatus(absl::UnavailableError("meta member starting"));
  std::vector<raftpb::Message> messages(batch->messages().begin(), batch->messages().end());
  store->Receive(std::move(messages));
  return grpc::Status::OK;
}

}  // namespace nokv::coordinator
