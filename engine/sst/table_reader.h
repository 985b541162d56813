// The immutable state of an open table, shared by Table::Get, the table iterator and
// VerifyChecksums. Everything here is fixed after Table::Open, so concurrent readers need no
// locks; the file's pread and the block cache are thread-safe themselves.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/sst/block_cache.h"
#include "engine/sst/filter.h"
#include "engine/sst/format.h"
#include "engine/sst/table.h"

namespace nokv {
namespace sst {

struct TableCore {
  TableOptions options;
  std::unique_ptr<RandomAccessFile> file;
  std::string file_name;
  uint64_t file_number = 0;
  // Non-zero for an ingested file: points read as this sequence, range tombstones as one less
  // (FileMetaData::global_seq).
  uint64_t global_seq = 0;
  BlockCache* cache = nullptr;
  uint64_t file_size = 0;
  uint64_t data_limit = 0;  // footer offset: every block ends at or before it
  Footer footer;
  std::shared_ptr<const std::string> index_block;
  std::shared_ptr<const std::string> filter_block;  // null without a filter
  BloomFilterReader filter;
  std::vector<RangeTombstone> tombstones;
  TableProperties properties;

  // A data block: from the cache when present (unless `verify_checksums`: then always from
  // the file), else read, checksum-verified, structurally validated and (with fill_cache)
  // inserted.
  absl::StatusOr<std::shared_ptr<const std::string>> ReadDataBlock(const BlockHandle& handle,
                                                                   bool fill_cache,
                                                                   bool verify_checksums) const;
  // Decodes an index entry's value; Corruption naming the index block on failure.
  absl::Status DecodeIndexValue(std::string_view value, BlockHandle* handle) const;
};

// Two-level iterator over every point entry (index block -> data blocks). Holds `owner` so the
// table outlives the iterator.
std::unique_ptr<InternalIterator> NewTableIterator(std::shared_ptr<const Table> owner,
                                                   const TableCore* core, bool fill_cache,
                                                   bool verify_checksums);

}  // namespace sst
}  // namespace nokv
