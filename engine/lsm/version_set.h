// The VersionSet owns the MANIFEST: it adopts the live file set recovered at open, and applies
// VersionEdits durably (record appended and fsynced before the new Version is installed).
// Thread-safe: LogAndApply calls are serialized internally; current() may be called anytime.
//
// ReadManifest() is the one reader of MANIFESTs: DB::Open, `nokv manifest` and `nokv check` all
// go through it, so they always agree on what a MANIFEST says.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/lsm/table_cache.h"
#include "engine/lsm/version.h"
#include "engine/manifest/version_edit.h"
#include "engine/vfs/vfs.h"
#include "engine/wal/log_writer.h"
#include "src/util/mutex.h"

namespace nokv {

// What the MANIFEST named by CURRENT describes.
struct ManifestState {
  std::string path;  // the MANIFEST file CURRENT names
  uint64_t number = 0;
  Version version;  // live files per level (validated: levels >= 1 do not overlap)
  uint64_t log_number = 0;
  uint64_t next_file_number = 2;
  SequenceNumber last_sequence = 0;
  uint64_t edits = 0;
  // The MANIFEST ends in an unreadable record with nothing valid after it, at torn_offset. It is
  // either a crash during an append (the edit was never acknowledged: benign) or damage to an
  // acknowledged last edit. The MANIFEST alone cannot tell; the workdir can (src/db/recovery.h).
  bool torn_tail = false;
  uint64_t torn_offset = 0;
};

// Called with every edit read, and the offset of its record.
using ManifestEditFn = std::function<void(const VersionEdit& edit, uint64_t offset)>;

// Reads CURRENT and replays the MANIFEST it names. Errors (DataLoss naming the file and offset):
// malformed CURRENT, a bad header, a bad record followed by valid ones, an undecodable edit, an
// edit that deletes an unknown file, overlapping files in a level >= 1.
absl::StatusOr<ManifestState> ReadManifest(VFS& vfs, const std::string& dbdir,
                                           const ManifestEditFn& on_edit = nullptr);

// Applies `edit` to `base` into `out` (empty on entry); files the edit deletes go to `removed`.
// Validates that deleted files exist and that levels >= 1 stay sorted and non-overlapping.
absl::Status ApplyEditToVersion(const VersionEdit& edit, const Version& base, Version* out,
                                std::vector<LiveFilePtr>* removed);

class VersionSet {
 public:
  // `obsolete_sink` receives numbers of SST files no Version references any more.
  VersionSet(VFS* vfs, std::string dbdir, std::function<void(uint64_t)> obsolete_sink);
  ~VersionSet();

  // Creates the MANIFEST and CURRENT of a new database whose first WAL segment is
  // `log_number` (already created: a durable state never names log number 0, so recovery can
  // always check that the segment it starts from exists).
  absl::Status CreateNew(uint64_t log_number);
  // Adopts a recovered state (counters and live files). Writes nothing: call StartNewManifest()
  // before the first LogAndApply so a torn tail of the old MANIFEST is never appended to.
  void Install(ManifestState state);
  // Writes a fresh MANIFEST holding a snapshot of the current state and points CURRENT at it.
  // Until CURRENT is durably swapped, the old MANIFEST is kept; a MANIFEST that CURRENT may
  // name (the rename happened but the directory fsync failed) is never deleted.
  absl::Status StartNewManifest();

  // Appends `edit` (with the current counters) to the MANIFEST, fsyncs it and installs the new
  // Version. On error nothing is installed and the error is returned; the edit may or may not
  // be durable, and the MANIFEST is not appended to again (the next call starts a new one).
  absl::Status LogAndApply(VersionEdit* edit);

  std::shared_ptr<const Version> current() const;

  uint64_t NewFileNumber() { return next_file_number_.fetch_add(1); }
  // Numbers up to `number` are never handed out (files present in the workdir keep theirs).
  void MarkFileNumberUsed(uint64_t number);
  uint64_t log_number() const { return log_number_.load(); }
  SequenceNumber last_sequence() const { return last_sequence_.load(); }
  void SetLastSequence(SequenceNumber s) { last_sequence_.store(s); }
  uint64_t manifest_number() const;
  uint64_t manifest_bytes() const;

 private:
  void AttachObsoleteHook(const std::vector<LiveFilePtr>& removed);
  absl::Status StartNewManifestLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(manifest_mu_);

  VFS* vfs_;
  std::string dbdir_;
  std::function<void(uint64_t)> obsolete_sink_;

  mutable Mutex manifest_mu_;  // serializes LogAndApply and manifest switches
  std::unique_ptr<log::Writer> manifest_ ABSL_GUARDED_BY(manifest_mu_);
  uint64_t manifest_number_ ABSL_GUARDED_BY(manifest_mu_) = 0;
  // A failed append or fsync: never append to it again.
  bool manifest_broken_ ABSL_GUARDED_BY(manifest_mu_) = false;
  // MANIFESTs that CURRENT may still name after a failed swap; removed once a later swap is
  // durable.
  std::vector<uint64_t> unconfirmed_manifests_ ABSL_GUARDED_BY(manifest_mu_);

  mutable Mutex current_mu_;
  std::shared_ptr<const Version> current_ ABSL_GUARDED_BY(current_mu_);

  std::atomic<uint64_t> next_file_number_{2};
  std::atomic<uint64_t> log_number_{0};
  std::atomic<SequenceNumber> last_sequence_{0};
};

}  // namespace nokv
