// ReplicatedMetaStore: meta's log replicated by a static group of 1 or 3 members on NoKV's own
// Raft core (raftstore/raft), each member's Raft state durable through the VFS
// (RaftLogFile). Every member folds the committed batches into the same MetaState.
//
// Append from any member: the events are proposed (a follower's proposal is forwarded to the
// leader by Raft) and the call waits until the entry is applied on this member. The fold is
// the validator: a batch it rejects at apply time is skipped by every member and the caller
// gets FailedPrecondition. Unavailable (no leader), DeadlineExceeded (not applied in time) and
// Cancelled (closed) leave the outcome unknown. Membership().leader_id is the Raft leader:
// the coordinator lets only that member compete for the tenure.
//
// One thread per member drives Raft (ticks every tick_ms, steps received messages, handles
// Ready with raftstore/raft's ProcessReady: persist, send, apply). The transport is an
// interface so the group runs over gRPC between coordinator processes
// (coordinator/server/meta_transport.h) or in one process in tests.
//
// Thread-safety: all public methods are thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/vfs/vfs.h"
#include "meta/raft_log_file.h"
#include "meta/store.h"
#include "meta/tail.h"
#include "raftstore/raft/raw_node.h"
#include "src/util/clock.h"

namespace nokv::meta {

// Carries Raft messages between members.
class MetaTransport {
 public:
  virtual ~MetaTransport() = default;
  // Hands `message` to member message.to(). May drop it (Raft retransmits); must not block on
  // the network.
  virtual void Send(raftpb::Message message) = 0;
};

struct ReplicatedMetaStoreOptions {
  uint64_t self_id = 0;
  std::vector<uint64_t> members;  // 1 or 3 ids, self_id among them
  uint64_t tick_ms = 50;
  int election_tick = 10;  // ticks
  int heartbeat_tick = 2;
  std::chrono::milliseconds append_timeout{3000};
  // Applied entries between snapshots (each compacts the Raft log).
  uint64_t snapshot_every = 1000;
  size_t watch_retain = 1024;
};

class ReplicatedMetaStore final : public MetaStore {
 public:
  // Opens the member's files in `dir` and starts its Raft loop. `transport` and `clock` are not
  // owned and must outlive the store.
  static absl::StatusOr<std::unique_ptr<ReplicatedMetaStore>> Open(
      VFS& vfs, const std::string& dir, const ReplicatedMetaStoreOptions& options,
      MetaTransport* transport, Clock* clock);
  ~ReplicatedMetaStore() override;

  // Delivers messages from the network, in order.
  void Receive(std::vector<raftpb::Message> messages);

  absl::StatusOr<uint64_t> Append(const std::vector<metapb::Event>& events) override;
  std::shared_ptr<const MetaState> State() const override { return tail_->State(); }
  std::unique_ptr<MetaWatch> Watch(uint64_t after_revision) override {
    return tail_->Watch(after_revision);
  }
  MetaMembership Membership() const override;
  const char* backend() const override { return "replicated"; }
  absl::Status Close() override;

  uint64_t applied_index() const { return applied_.load(); }
  uint64_t term() const { return term_.load(); }

 private:
  struct Pending {
    bool done = false;
    absl::StatusOr<uint64_t> result;
  };

  ReplicatedMetaStore(ReplicatedMetaStoreOptions options, MetaTransport* transport, Clock* clock);
  void Loop();
  absl::Status ApplyEntry(const raftpb::Entry& entry);
  absl::Status InstallSnapshot(const raftpb::Snapshot& snapshot);
  void Complete(uint64_t request_id, absl::StatusOr<uint64_t> result);
  void FailAll(const absl::Status& status);
  void MaybeSnapshot();

  const ReplicatedMetaStoreOptions options_;
  MetaTransport* const transport_;
  Clock* const clock_;
  std::unique_ptr<RaftLogFile> storage_;
  std::unique_ptr<raft::RawNode> node_;
  std::shared_ptr<TailLog> tail_;
  const uint64_t request_base_;

  std::mutex mu_;
  std::condition_variable cv_;  // loop wake-ups and completed proposals
  std::vector<raftpb::Message> inbox_;
  std::vector<std::pair<uint64_t, std::string>> proposals_;  // request id, entry data
  std::map<uint64_t, std::shared_ptr<Pending>> pending_;
  uint64_t next_request_ = 0;
  bool stopping_ = false;
  absl::Status failed_;

  std::atomic<uint64_t> leader_{0};
  std::atomic<uint64_t> applied_{0};
  std::atomic<uint64_t> term_{0};
  std::thread loop_;
};

}  // namespace nokv::meta
