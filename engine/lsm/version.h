// A Version is an immutable snapshot of the live SST files per level. Readers take a
// shared_ptr to the current Version and read without locks; files stay on disk until no
// Version references them.
//
// Level invariants: L0 files may overlap and are ordered newest first; every level >= 1 holds
// non-overlapping files sorted by key, and for any user key, every entry (point or tombstone)
// in level N+1 is older than every entry for that key in level N.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engine/format/internal_iterator.h"
#include "engine/lsm/table_cache.h"
#include "engine/manifest/version_edit.h"

namespace nokv {

// A live file. When the last reference drops after the file left every Version, it is
// reported to the obsolete-file sink, which deletes it from disk.
struct LiveFile {
  FileMetaData meta;
  std::function<void(uint64_t)> on_obsolete;  // set when a VersionEdit deletes the file
  ~LiveFile() {
    if (on_obsolete) on_obsolete(meta.number);
  }
};
using LiveFilePtr = std::shared_ptr<LiveFile>;

struct PointLookupResult {
  bool found = false;    // a point entry was found
  bool deleted = false;  // ... and it is a deletion, or a range tombstone hides the key
  SequenceNumber sequence = 0;
  std::string stored_value;
};

class Version {
 public:
  std::vector<LiveFilePtr> levels[kNumLevels];

  // Point lookup through the levels, applying range tombstones found on the way: the result is
  // deleted if a tombstone newer than the point entry covers it. (Memtable tombstones are
  // applied by the caller before it gets here.)
  absl::Status Get(TableCache* cache, std::string_view user_key, SequenceNumber snapshot,
                   const TableReadOptions& read, PointLookupResult* result) const;

  // Appends one iterator per L0 file and one concatenating iterator per non-empty level.
  void AddIterators(TableCache* cache, const TableReadOptions& read,
                    std::vector<std::unique_ptr<InternalIterator>>* out) const;
  // Appends every range tombstone of every file (for iterators).
  absl::Status CollectRangeTombstones(TableCache* cache, std::vector<RangeTombstone>* out) const;

  int NumFiles(int level) const { return static_cast<int>(levels[level].size()); }
  uint64_t LevelBytes(int level) const;
  // Files of `level` whose user-key range overlaps [begin, end] (inclusive; empty = unbounded).
  std::vector<LiveFilePtr> OverlappingFiles(int level, std::string_view begin,
                                            std::string_view end) const;
  std::string DebugString() const;
};

// Whether a file's user-key range overlaps [begin, end] (empty = unbounded on that side).
bool FileOverlapsRange(const FileMetaData& f, std::string_view begin, std::string_view end);

// Iterator over a sorted run of non-overlapping files, opening one table at a time.
std::unique_ptr<InternalIterator> NewLevelIterator(TableCache* cache,
                                                   std::vector<LiveFilePtr> files,
                                                   const TableReadOptions& read);

}  // namespace nokv
