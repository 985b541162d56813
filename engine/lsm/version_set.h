// The VersionSet owns the MANIFEST: it recovers the live file set at open, and applies
// VersionEdits durably (record appended and fsynced before the new Version is installed).
// Thread-safe: LogAndApply calls are serialized internally; current() may be called anytime.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/lsm/table_cache.h"
#include "engine/lsm/version.h"
#include "engine/manifest/version_edit.h"
#include "engine/vfs/vfs.h"
#include "engine/wal/log_writer.h"

namespace nokv {

std::string ManifestFileName(const std::string& dbdir, uint64_t number);
std::string CurrentFileName(const std::string& dbdir);

class VersionSet {
 public:
  // `obsolete_sink` receives numbers of SST files no Version references any more.
  VersionSet(VFS* vfs, std::string dbdir, std::function<void(uint64_t)> obsolete_sink);
  ~VersionSet();

  // Creates the MANIFEST and CURRENT of a new database.
  absl::Status CreateNew();
  // Loads the state named by CURRENT, then starts a fresh MANIFEST holding a snapshot of it.
  absl::Status Recover();

  // Appends `edit` (with the current counters) to the MANIFEST, fsyncs it and installs the new
  // Version. On error nothing is installed and the error is returned.
  absl::Status LogAndApply(VersionEdit* edit);

  std::shared_ptr<const Version> current() const;

  uint64_t NewFileNumber() { return next_file_number_.fetch_add(1); }
  // Marks `number` as used (recovery sees WAL segments the MANIFEST does not know).
  void MarkFileNumberUsed(uint64_t number);
  uint64_t log_number() const { return log_number_.load(); }
  SequenceNumber last_sequence() const { return last_sequence_.load(); }
  void SetLastSequence(SequenceNumber s) { last_sequence_.store(s); }
  uint64_t manifest_number() const { return manifest_number_; }
  uint64_t manifest_bytes() const;

 private:
  absl::Status ApplyToVersion(const VersionEdit& edit, const Version& base, Version* out,
                              std::vector<LiveFilePtr>* removed);
  absl::Status WriteSnapshotManifest();
  void AttachObsoleteHook(const std::vector<LiveFilePtr>& removed);

  VFS* vfs_;
  std::string dbdir_;
  std::function<void(uint64_t)> obsolete_sink_;

  std::mutex manifest_mu_;  // serializes LogAndApply
  std::unique_ptr<log::Writer> manifest_;
  uint64_t manifest_number_ = 0;
  bool manifest_broken_ = false;  // a failed append may have left a partial record

  mutable std::mutex current_mu_;
  std::shared_ptr<const Version> current_;

  std::atomic<uint64_t> next_file_number_{2};
  std::atomic<uint64_t> log_number_{0};
  std::atomic<SequenceNumber> last_sequence_{0};
};

}  // namespace nokv
