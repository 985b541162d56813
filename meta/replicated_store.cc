#include "meta/replicated_store.h"

#include <algorithm>

#include "raftstore/raft/errors.h"
#include "raftstore/raft/ready_loop.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv::meta {

ReplicatedMetaStore::ReplicatedMetaStore(ReplicatedMetaStoreOptions options,
                                         MetaTransport* transport, Clock* clock)
    : options_(std::move(options)),
      transport_(transport),
      clock_(clock),
      // Request ids unique per incarnation: entries a previous incarnation proposed may still
      // be applied after a restart and must not complete a new request.
      request_base_(clock->NowUnixMillis() << 20) {}

absl::StatusOr<std::unique_ptr<ReplicatedMetaStore>> ReplicatedMetaStore::Open(
    VFS& vfs, const std::string& dir, const ReplicatedMetaStoreOptions& options,
    MetaTransport* transport, Clock* clock) {
  if (std::find(options.members.begin(), options.members.end(), options.self_id) ==
          options.members.end() ||
      (options.members.size() != 1 && options.members.size() != 3)) {
    return absl::InvalidArgumentError(
        StrCat("meta group: member ", options.self_id, " must be one of 1 or 3 members"));
  }
  std::unique_ptr<ReplicatedMetaStore> store(new ReplicatedMetaStore(options, transport, clock));
  NOKV_ASSIGN_OR_RETURN(store->storage_, RaftLogFile::Open(vfs, dir, options.members));

  // The state machine restarts from the snapshot; Raft re-delivers the committed entries after
  // it.
  NOKV_ASSIGN_OR_RETURN(raftpb::Snapshot snapshot, store->storage_->GetSnapshot());
  auto state = std::make_shared<MetaState>();
  if (!snapshot.data().empty()) {
    metapb::MetaState proto;
    if (!proto.ParseFromString(snapshot.data())) {
      return absl::DataLossError(StrCat(dir, ": undecodable meta snapshot"));
    }
    NOKV_ASSIGN_OR_RETURN(*state, MetaState::FromProto(proto));
  }
  store->tail_ = std::make_shared<TailLog>(state, options.watch_retain);
  store->applied_ = snapshot.metadata().index();

  raft::Config config;
  config.id = options.self_id;
  config.election_tick = options.election_tick;
  config.heartbeat_tick = options.heartbeat_tick;
  config.storage = store->storage_.get();
  config.applied = snapshot.metadata().index();
  config.check_quorum = true;
  config.pre_vote = true;
  config.random_seed = options.self_id * 0x9e3779b97f4a7c15ULL ^ clock->NowMonotonicMicros();
  NOKV_ASSIGN_OR_RETURN(store->node_, raft::RawNode::Create(config));
  if (options.members.size() == 1) {
    // A group of one need not wait an election timeout.
    NOKV_RETURN_IF_ERROR(store->node_->Campaign());
  }
  store->loop_ = std::thread([s = store.get()] { s->Loop(); });
  return store;
}

ReplicatedMetaStore::~ReplicatedMetaStore() { Close().IgnoreError(); }

MetaMembership ReplicatedMetaStore::Membership() const {
  return MetaMembership{options_.self_id, leader_.load(), options_.members};
}

void ReplicatedMetaStore::Receive(std::vector<raftpb::Message> messages) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    for (auto& m : messages) inbox_.push_back(std::move(m));
  }
  cv_.notify_all();
}

absl::StatusOr<uint64_t> ReplicatedMetaStore::Append(const std::vector<metapb::Event>& events) {
  // No early check against this member's view: a follower may not have applied the latest
  // batches yet, and only the fold at apply time (the same on every member) may refuse.
  auto pending = std::make_shared<Pending>();
  uint64_t request_id;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return absl::CancelledError("meta store closed");
    if (!failed_.ok()) return failed_;
    request_id = request_base_ + ++next_request_;
    metapb::MetaProposal proposal;
    proposal.set_proposer_id(options_.self_id);
    proposal.set_request_id(request_id);
    for (const auto& e : events) *proposal.add_events() = e;
    proposals_.emplace_back(request_id, proposal.SerializeAsString());
    pending_[request_id] = pending;
  }
  cv_.notify_all();
  std::unique_lock<std::mutex> lock(mu_);
  const bool done =
      cv_.wait_for(lock, options_.append_timeout, [&] { return pending->done || stopping_; });
  pending_.erase(request_id);
  if (pending->done) return pending->result;
  if (stopping_) return absl::CancelledError("meta store closed");
  return absl::DeadlineExceededError(StrCat("meta: append not applied within ",
                                            options_.append_timeout.count(), " ms (leader ",
                                            leader_.load(), "); it may still be"));
}

void ReplicatedMetaStore::Complete(uint64_t request_id, absl::StatusOr<uint64_t> result) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = pending_.find(request_id);
  if (it == pending_.end()) return;
  it->second->done = true;
  it->second->result = std::move(result);
  cv_.notify_all();
}

void ReplicatedMetaStore::FailAll(const absl::Status& status) {
  std::lock_guard<std::mutex> lock(mu_);
  failed_ = status;
  for (auto& [id, p] : pending_) {
    p->done = true;
    p->result = status;
  }
  cv_.notify_all();
}

absl::Status ReplicatedMetaStore::ApplyEntry(const raftpb::Entry& entry) {
  applied_ = entry.index();
  if (entry.type() == raftpb::ENTRY_CONF_CHANGE) {
    raftpb::ConfChange cc;
    if (!cc.ParseFromString(entry.data())) {
      return absl::DataLossError(StrCat("meta Raft entry ", entry.index(), ": bad conf change"));
    }
    return node_->ApplyConfChange(cc).status();
  }
  if (entry.data().empty()) return absl::OkStatus();  // a new leader's empty entry
  metapb::MetaProposal proposal;
  if (!proposal.ParseFromString(entry.data())) {
    return absl::DataLossError(StrCat("meta Raft entry ", entry.index(), ": undecodable"));
  }
  std::shared_ptr<const MetaState> current = tail_->State();
  metapb::EventBatch batch;
  batch.set_revision(current->revision() + 1);
  *batch.mutable_events() = proposal.events();
  auto next = std::make_shared<MetaState>(*current);
  absl::Status s = next->ApplyBatch(batch);
  if (s.ok()) tail_->Publish(next, batch);
  if (proposal.proposer_id() == options_.self_id) {
    Complete(proposal.request_id(),
             s.ok() ? absl::StatusOr<uint64_t>(batch.revision()) : absl::StatusOr<uint64_t>(s));
  }
  return absl::OkStatus();
}

absl::Status ReplicatedMetaStore::InstallSnapshot(const raftpb::Snapshot& snapshot) {
  metapb::MetaState proto;
  if (!proto.ParseFromString(snapshot.data())) {
    return absl::DataLossError("meta snapshot from the leader is undecodable");
  }
  NOKV_ASSIGN_OR_RETURN(MetaState state, MetaState::FromProto(proto));
  tail_->Reset(std::make_shared<const MetaState>(std::move(state)));
  applied_ = snapshot.metadata().index();
  return absl::OkStatus();
}

void ReplicatedMetaStore::MaybeSnapshot() {
  const uint64_t applied = applied_.load();
  if (applied < storage_->snapshot_index() + options_.snapshot_every) return;
  std::string data = tail_->State()->ToProto().SerializeAsString();
  auto snap = storage_->CreateSnapshot(applied, node_->conf_state(), std::move(data));
  absl::Status s = snap.ok() ? storage_->Compact(applied) : snap.status();
  if (!s.ok()) FailAll(s);
}

void ReplicatedMetaStore::Loop() {
  raft::ReadyHandlers handlers;
  std::vector<uint64_t> snapshots_sent;
  handlers.send = [this, &snapshots_sent](raftpb::Message m) {
    if (m.type() == raftpb::MSG_SNAPSHOT) snapshots_sent.push_back(m.to());
    transport_->Send(std::move(m));
  };
  handlers.install_snapshot = [this](const raftpb::Snapshot& s) { return InstallSnapshot(s); };
  handlers.apply = [this](const raftpb::Entry& e) { return ApplyEntry(e); };

  const uint64_t tick_micros = options_.tick_ms * 1000;
  uint64_t next_tick = clock_->NowMonotonicMicros() + tick_micros;
  while (true) {
    std::vector<raftpb::Message> inbox;
    std::vector<std::pair<uint64_t, std::string>> proposals;
    {
      std::unique_lock<std::mutex> lock(mu_);
      const uint64_t now = clock_->NowMonotonicMicros();
      if (inbox_.empty() && proposals_.empty() && !stopping_ && now < next_tick) {
        cv_.wait_for(lock, std::chrono::microseconds(next_tick - now));
      }
      if (stopping_) return;
      inbox.swap(inbox_);
      proposals.swap(proposals_);
    }
    for (auto& m : inbox) node_->Step(std::move(m)).IgnoreError();  // stale or foreign: dropped
    for (auto& [id, data] : proposals) {
      absl::Status s = node_->Propose(std::move(data));
      if (!s.ok()) {
        Complete(id, absl::UnavailableError(StrCat("meta: proposal dropped (leader ",
                                                   leader_.load(), "): ", s.message())));
      }
    }
    const uint64_t now = clock_->NowMonotonicMicros();
    if (now >= next_tick) {
      node_->Tick().IgnoreError();
      next_tick = std::max(next_tick + tick_micros, now);
    }
    while (node_->HasReady()) {
      absl::Status s = raft::ProcessReady(*node_, *storage_, handlers, nullptr);
      if (!s.ok()) {
        // A storage or apply failure leaves the member behind its own Raft state: stop it.
        FailAll(
            absl::Status(s.code(), StrCat("meta member ", options_.self_id, ": ", s.message())));
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
        return;
      }
      // The transport owns delivery from here; a lost snapshot shows up as a follower that
      // keeps rejecting appends, and the leader sends another.
      for (uint64_t to : snapshots_sent) node_->ReportSnapshot(to, false);
      snapshots_sent.clear();
    }
    const raft::NodeStatus status = node_->Status();
    leader_ = status.lead;
    term_ = status.term;
    MaybeSnapshot();
  }
}

absl::Status ReplicatedMetaStore::Close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (auto& [id, p] : pending_) {
      p->done = true;
      p->result = absl::CancelledError("meta store closed");
    }
  }
  cv_.notify_all();
  if (loop_.joinable()) loop_.join();
  if (tail_ != nullptr) tail_->Close();
  leader_ = 0;
  return absl::OkStatus();
}

}  // namespace nokv::meta
