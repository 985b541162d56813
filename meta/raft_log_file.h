// RaftLogFile: durable Raft storage of a meta group member, in files through the VFS (the
// raftstore/raft MutableLogStorage contract over an in-memory mirror).
//
// Files: raft-<n>.log, records of metapb.RaftLogRecord in the engine's log framing. The newest
// file is appended to. Append, and a hard state that changes term or vote, are fsynced before
// they return; a hard state that only moves the commit index is written but not synced
// (etcd/raft's MustSync rule: a lost commit index is learnt again from the leader).
//
// Opening, installing a snapshot and compacting rewrite: a new file whose single first record
// holds the snapshot, the hard state and every retained entry, then older files are deleted.
// A record is atomic, so a crash leaves either the old files (still a complete history) or the
// new record (which resets everything before it when replayed); never a partial rewrite that
// would truncate entries already acknowledged. A torn tail is tolerated only at the end of the
// newest file.
//
// Thread-safety: none; the member's Raft loop owns it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/vfs/vfs.h"
#include "engine/wal/log_writer.h"
#include "meta/meta.pb.h"
#include "raftstore/raft/storage.h"

namespace nokv::meta {

class RaftLogFile final : public raft::MutableLogStorage {
 public:
  // Opens (or creates, with `voters` as the initial membership) the log in `dir`.
  static absl::StatusOr<std::unique_ptr<RaftLogFile>> Open(VFS& vfs, const std::string& dir,
                                                           const std::vector<uint64_t>& voters);

  absl::StatusOr<raft::InitialState> GetInitialState() const override {
    return memory_.GetInitialState();
  }
  absl::StatusOr<std::vector<raftpb::Entry>> Entries(uint64_t lo, uint64_t hi,
                                                     uint64_t max_bytes) const override {
    return memory_.Entries(lo, hi, max_bytes);
  }
  absl::StatusOr<uint64_t> Term(uint64_t index) const override { return memory_.Term(index); }
  uint64_t FirstIndex() const override { return memory_.FirstIndex(); }
  uint64_t LastIndex() const override { return memory_.LastIndex(); }
  absl::StatusOr<raftpb::Snapshot> GetSnapshot() const override { return memory_.GetSnapshot(); }

  absl::Status Append(const std::vector<raftpb::Entry>& entries) override;
  absl::Status SetHardState(const raftpb::HardState& hard_state) override;
  absl::Status ApplySnapshot(const raftpb::Snapshot& snapshot) override;
  absl::StatusOr<raftpb::Snapshot> CreateSnapshot(uint64_t index,
                                                  const raftpb::ConfState& conf_state,
                                                  std::string data) override;
  // Drops entries before `compact_index` and rewrites the files.
  absl::Status Compact(uint64_t compact_index) override;

  const raftpb::HardState& hard_state() const { return memory_.hard_state(); }
  uint64_t snapshot_index() const { return memory_.FirstIndex() - 1; }

 private:
  RaftLogFile(VFS& vfs, std::string dir) : vfs_(vfs), dir_(std::move(dir)) {}
  absl::Status Recover(const std::vector<uint64_t>& voters);
  absl::Status Replay(const std::string& path, bool last);
  absl::Status WriteRecord(const metapb::RaftLogRecord& record, bool sync);
  absl::Status Rewrite();

  VFS& vfs_;
  const std::string dir_;
  raft::MemoryStorage memory_;
  std::unique_ptr<log::Writer> writer_;
  uint64_t next_file_number_ = 1;
  raftpb::HardState synced_hard_state_;
  // After a write error the files may hold less than memory: refuse everything.
  absl::Status failed_;
};

}  // namespace nokv::meta
