#include "meta/local_store.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>

#include "engine/wal/log_reader.h"
#include "meta/meta_files.h"
#include "src/util/errors.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"
#include "src/util/sync_point.h"

namespace nokv::meta {

LocalMetaStore::LocalMetaStore(VFS& vfs, std::string dir, LocalMetaStoreOptions options)
    : vfs_(vfs), dir_(std::move(dir)), options_(options) {}

LocalMetaStore::~LocalMetaStore() { Close().IgnoreError(); }

absl::StatusOr<std::unique_ptr<LocalMetaStore>> LocalMetaStore::Open(
    VFS& vfs, const std::string& dir, const LocalMetaStoreOptions& options) {
  std::unique_ptr<LocalMetaStore> store(new LocalMetaStore(vfs, dir, options));
  NOKV_RETURN_IF_ERROR(vfs.CreateDir(dir));
  auto lock = vfs.LockFile(JoinPath(dir, "LOCK"));
  if (!lock.ok()) {
    return absl::Status(lock.status().code(),
                        StrCat(dir, ": meta directory in use: ", lock.status().message()));
  }
  store->lock_ = *std::move(lock);
  NOKV_RETURN_IF_ERROR(store->Recover());
  return store;
}

absl::Status LocalMetaStore::Recover() {
  NOKV_ASSIGN_OR_RETURN(MetaDirListing listing, ListMetaDir(vfs_, dir_));
  NOKV_ASSIGN_OR_RETURN(LoadedCheckpoint loaded, LoadNewestCheckpoint(vfs_, dir_, listing));
  MetaState state = std::move(loaded.state);
  const uint64_t checkpoint_revision = state.revision();
  bool torn = false;
  for (size_t i = 0; i < listing.segments.size(); ++i) {
    const bool last = i + 1 == listing.segments.size();
    const std::string path = JoinPath(dir_, SegmentName(listing.segments[i]));
    NOKV_ASSIGN_OR_RETURN(bool segment_torn, ReplaySegment(vfs_, path, last, &state));
    torn |= segment_torn;
  }
  next_file_number_ = listing.max_number + 1;
  // Fold what the segments added into a fresh checkpoint, so the next open starts there and
  // a torn tail never ends up in front of newer records.
  if (state.revision() > checkpoint_revision || torn || !listing.segments.empty() ||
      loaded.discarded_torn) {
    NOKV_RETURN_IF_ERROR(WriteCheckpoint(vfs_, dir_, next_file_number_++, state));
    NOKV_RETURN_IF_ERROR(RemoveOlderFiles(vfs_, dir_, next_file_number_ - 1));
  }
  tail_ = std::make_shared<TailLog>(std::make_shared<const MetaState>(std::move(state)),
                                    options_.watch_retain);
  return StartSegmentLocked();
}

absl::Status LocalMetaStore::StartSegmentLocked() {
  const uint64_t number = next_file_number_++;
  NOKV_ASSIGN_OR_RETURN(auto writer, log::Writer::Create(vfs_, JoinPath(dir_, SegmentName(number)),
                                                         kSegmentKind, number));
  if (writer_ != nullptr) writer_->Close().IgnoreError();
  writer_ = std::move(writer);
  batches_since_checkpoint_ = 0;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> LocalMetaStore::Append(const std::vector<metapb::Event>& events) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return absl::CancelledError("meta store closed");
  if (!failed_.ok()) return failed_;
  std::shared_ptr<const MetaState> current = tail_->State();
  metapb::EventBatch batch;
  batch.set_revision(current->revision() + 1);
  for (const auto& e : events) *batch.add_events() = e;
  auto next = std::make_shared<MetaState>(*current);
  NOKV_RETURN_IF_ERROR(next->ApplyBatch(batch));
  std::string record;
  batch.SerializeToString(&record);
  absl::Status s = writer_->AddRecord(record);
  NOKV_SYNC_POINT("LocalMetaStore::Append:BeforeSync");
  if (s.ok()) s = writer_->Sync();
  if (!s.ok()) {
    failed_ = absl::Status(s.code(), StrCat(writer_->path(), ": append of revision ",
                                            batch.revision(), ": ", s.message()));
    return failed_;
  }
  tail_->Publish(next, batch);
  if (++batches_since_checkpoint_ >= options_.checkpoint_every) {
    // The batch is durable whatever happens here; a failed checkpoint fails later calls.
    absl::Status c = CheckpointLocked();
    if (!c.ok()) failed_ = c;
  }
  return batch.revision();
}

absl::Status LocalMetaStore::Checkpoint() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!failed_.ok()) return failed_;
  return CheckpointLocked();
}

absl::Status LocalMetaStore::CheckpointLocked() {
  // Order: checkpoint durable, then the new segment, then the old files go. A crash between
  // any two steps leaves a directory Recover reads correctly.
  const uint64_t number = next_file_number_++;
  NOKV_RETURN_IF_ERROR(WriteCheckpoint(vfs_, dir_, number, *tail_->State()));
  NOKV_RETURN_IF_ERROR(StartSegmentLocked());
  return RemoveOlderFiles(vfs_, dir_, number);
}

absl::Status LocalMetaStore::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return absl::OkStatus();
  closed_ = true;
  if (tail_ != nullptr) tail_->Close();
  absl::Status s;
  if (writer_ != nullptr) s = writer_->Close();
  writer_.reset();
  if (lock_ != nullptr) vfs_.UnlockFile(std::move(lock_)).IgnoreError();
  return s;
}

}  // namespace nokv::meta
