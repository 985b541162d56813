// Sorted string tables: immutable files of internal-key-ordered entries.
// Layout (docs/format.md "SST"): data blocks (prefix-compressed, restart points), a bloom
// filter over user keys, a range-tombstone block, a properties block, an index block, and a
// fixed-size footer with magic and format version. Every block carries a type byte
// (compression) and an XXH3 checksum, verified before its bytes are trusted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "engine/format/dbformat.h"
#include "engine/format/internal_iterator.h"
#include "engine/format/range_tombstone.h"
#include "engine/vfs/vfs.h"

namespace nokv {

class BlockCache;

enum class BlockCompression : uint8_t { kNone = 0, kZstd = 1 };

struct TableOptions {
  size_t block_bytes = 4096;
  int restart_interval = 16;
  int bloom_bits_per_key = 10;  // 0 = no filter
  BlockCompression compression = BlockCompression::kNone;
  int zstd_level = 1;
};

struct TableProperties {
  uint64_t num_entries = 0;          // point entries (values + deletions)
  uint64_t num_deletions = 0;        // point tombstones
  uint64_t num_range_deletions = 0;  // range tombstones
  uint64_t num_data_blocks = 0;
  uint64_t raw_key_bytes = 0;
  uint64_t raw_value_bytes = 0;
  uint64_t data_bytes = 0;  // on disk, after compression
  uint64_t index_bytes = 0;
  uint64_t filter_bytes = 0;
  SequenceNumber smallest_seq = 0;  // over points and range tombstones
  SequenceNumber largest_seq = 0;
  // Smallest / largest internal key of the point entries; empty if the table has none.
  std::string smallest_point_key;
  std::string largest_point_key;
};

// Writes one table. Not thread-safe. The caller owns `file` and must Sync/Close it after a
// successful Finish().
class TableBuilder {
 public:
  TableBuilder(const TableOptions& options, WritableFile* file, std::string file_name);
  ~TableBuilder();
  TableBuilder(const TableBuilder&) = delete;
  TableBuilder& operator=(const TableBuilder&) = delete;

  // Keys must be strictly increasing in internal-key order (checked; a violation is an
  // InvalidArgument status from Finish()). `internal_key` kind is kValue or kDeletion.
  void Add(std::string_view internal_key, std::string_view value);
  // Tombstones may be added in any order.
  void AddRangeTombstone(const RangeTombstone& tombstone);
  // First error seen by Add/Finish (I/O errors from the file included).
  absl::Status status() const;
  // Writes the remaining blocks, index and footer. Call at most once.
  absl::Status Finish();

  uint64_t NumEntries() const;
  // Bytes written to the file so far (after Finish: the file size).
  uint64_t FileSize() const;
  const TableProperties& properties() const;

 private:
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

// Result of a point lookup in one table.
struct TableGetResult {
  bool found = false;  // an entry for the user key with sequence <= the lookup's was found
  SequenceNumber sequence = 0;
  ValueKind kind = ValueKind::kValue;
  std::string value;  // stored value (see dbformat.h), only for kValue
};

// An open table. Thread-safe: any number of threads may call Get/NewIterator concurrently.
class Table {
 public:
  // Reads and validates the footer, index, filter, range tombstones and properties. Errors name
  // the file and offset. `cache` may be null (no caching); `file_number` keys cache entries.
  // `global_seq` non-zero opens an ingested table (written with sequence 0 by SstFileWriter):
  // its points read as that sequence, its range tombstones as one less.
  static absl::StatusOr<std::shared_ptr<Table>> Open(const TableOptions& options,
                                                     std::unique_ptr<RandomAccessFile> file,
                                                     std::string file_name, uint64_t file_number,
                                                     BlockCache* cache, uint64_t global_seq = 0);
  ~Table();

  // Finds the newest entry whose user key equals that of `lookup_key` (an internal key built
  // with kValueKindForSeek) and whose sequence is <= the lookup's. Consults the bloom filter
  // first. Range tombstones are NOT applied here (see range_tombstones()). Blocks read from the
  // file are always checksum-verified; `verify_checksums` also reads (and verifies) blocks the
  // cache holds, so damage on disk under cached data is seen.
  absl::Status Get(std::string_view lookup_key, TableGetResult* result, bool fill_cache = true,
                   bool verify_checksums = false) const;

  // Iterates every point entry. The iterator keeps the table alive.
  std::unique_ptr<InternalIterator> NewIterator(bool fill_cache = true,
                                                bool verify_checksums = false) const;

  const std::vector<RangeTombstone>& range_tombstones() const;
  const TableProperties& properties() const;
  bool KeyMayMatch(std::string_view user_key) const;
  uint64_t file_size() const;
  const std::string& file_name() const;

  // Reads every block and verifies its checksum (for `nokv check`).
  absl::Status VerifyChecksums() const;
  // Approximate offset in the file where the entries of `user_key` (or the first larger key)
  // begin: the start of the data block holding them, or the end of the data for keys past the
  // last. From the index alone (no data block is read); for size estimates of key ranges.
  uint64_t ApproximateOffsetOf(std::string_view user_key) const;

 private:
  struct Rep;
  explicit Table(std::unique_ptr<Rep> rep);
  std::shared_ptr<const Table> self() const;
  std::unique_ptr<Rep> rep_;
};

}  // namespace nokv
