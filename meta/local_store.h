// LocalMetaStore: meta's log in one directory, through the VFS, crash-safe like the engine.
//
// Files (docs/meta.md "On-disk format"):
//   events-<n>.log      batches (metapb.EventBatch), one per record, in the engine's log framing
//                       (engine/wal: XXH3 checksum | length | type | payload);
//   checkpoint-<n>.meta one record: the folded state (metapb.MetaState) at some revision;
//   LOCK                held while open (one process per directory).
// Append fsyncs its record before it returns. Every `checkpoint_every` batches (and at open,
// when the log holds batches past the checkpoint) a checkpoint is written and synced, a new
// segment started, and older files deleted. Open loads the newest complete checkpoint and
// replays the segments after it; a torn tail (a crash during an append) is allowed only at the
// end of the newest segment and is dropped; any other damage is DataLoss naming the file and
// offset.
//
// An IO error during Append leaves the outcome unknown (the record may have reached the disk)
// and fails the store: later calls return that error; reopen to recover.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "engine/vfs/vfs.h"
#include "engine/wal/log_writer.h"
#include "meta/store.h"
#include "meta/tail.h"

namespace nokv::meta {

struct LocalMetaStoreOptions {
  // Batches between checkpoints.
  uint64_t checkpoint_every = 1000;
  // Batches retained for watches.
  size_t watch_retain = 1024;
};

class LocalMetaStore final : public MetaStore {
 public:
  // Opens (creating if missing) the store in `dir`. `vfs` must outlive the store.
  static absl::StatusOr<std::unique_ptr<LocalMetaStore>> Open(VFS& vfs, const std::string& dir,
                                                              const LocalMetaStoreOptions& options);
  ~LocalMetaStore() override;

  absl::StatusOr<uint64_t> Append(const std::vector<metapb::Event>& events) override;
  std::shared_ptr<const MetaState> State() const override { return tail_->State(); }
  std::unique_ptr<MetaWatch> Watch(uint64_t after_revision) override {
    return tail_->Watch(after_revision);
  }
  MetaMembership Membership() const override { return MetaMembership{1, 1, {1}}; }
  const char* backend() const override { return "local"; }
  absl::Status Close() override;

  // Writes a checkpoint now and starts a new segment (tests; Append does it periodically).
  absl::Status Checkpoint();

 private:
  LocalMetaStore(VFS& vfs, std::string dir, LocalMetaStoreOptions options);
  absl::Status Recover();
  absl::Status CheckpointLocked();
  absl::Status StartSegmentLocked();

  VFS& vfs_;
  const std::string dir_;
  const LocalMetaStoreOptions options_;
  std::mutex mu_;  // serializes appends and checkpoints
  std::unique_ptr<FileLock> lock_;
  std::unique_ptr<log::Writer> writer_;
  uint64_t next_file_number_ = 1;
  uint64_t batches_since_checkpoint_ = 0;
  absl::Status failed_;
  bool closed_ = false;
  std::shared_ptr<TailLog> tail_;
};

}  // namespace nokv::meta
