// Table: open-time validation, point lookups and whole-file verification.
#include "engine/sst/table_reader.h"

#include "engine/sst/block.h"
#include "engine/sst/meta_blocks.h"
#include "src/util/errors.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv {

using sst::BlockHandle;

namespace sst {

absl::StatusOr<std::shared_ptr<const std::string>> TableCore::ReadDataBlock(
    const BlockHandle& handle, bool fill_cache, bool verify_checksums) const {
  if (cache != nullptr && !verify_checksums) {
    if (auto hit = cache->Lookup(file_number, handle.offset)) return hit;
  }
  NOKV_ASSIGN_OR_RETURN(auto block, ReadBlock(*file, file_name, handle, data_limit));
  // Validated once here so cached blocks are trusted structurally by every later reader.
  NOKV_RETURN_IF_ERROR(ValidateBlock(*block, file_name, handle.offset));
  if (cache != nullptr && fill_cache) cache->Insert(file_number, handle.offset, block);
  return block;
}

absl::Status TableCore::DecodeIndexValue(std::string_view value, BlockHandle* handle) const {
  if (!handle->DecodeVarintFrom(&value) || !value.empty()) {
    return CorruptionError(file_name, footer.index.offset, "bad block handle in index");
  }
  return absl::OkStatus();
}

}  // namespace sst

struct Table::Rep {
  sst::TableCore core;
  std::weak_ptr<const Table> self;
};

Table::Table(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
Table::~Table() = default;

std::shared_ptr<const Table> Table::self() const { return rep_->self.lock(); }

absl::StatusOr<std::shared_ptr<Table>> Table::Open(const TableOptions& options,
                                                   std::unique_ptr<RandomAccessFile> file,
                                                   std::string file_name, uint64_t file_number,
                                                   BlockCache* cache, uint64_t global_seq) {
  auto rep = std::make_unique<Rep>();
  sst::TableCore& c = rep->core;
  c.options = options;
  c.global_seq = global_seq;
  c.file = std::move(file);
  c.file_name = std::move(file_name);
  c.file_number = file_number;
  c.cache = cache;
  c.file_size = c.file->Size();
  const std::string& name = c.file_name;

  constexpr size_t kFooterSize = sst::Footer::kEncodedLength;
  if (c.file_size < kFooterSize) {
    return CorruptionError(name, 0,
                           StrCat("file too short to be a table (", c.file_size, " bytes)"));
  }
  c.data_limit = c.file_size - kFooterSize;
  char footer_buf[kFooterSize];
  NOKV_ASSIGN_OR_RETURN(std::string_view footer_bytes,
                        c.file->Read(c.data_limit, kFooterSize, footer_buf));
  NOKV_ASSIGN_OR_RETURN(c.footer,
                        sst::Footer::Decode(footer_bytes, name, c.data_limit, c.file_size));

  NOKV_ASSIGN_OR_RETURN(c.index_block, sst::ReadBlock(*c.file, name, c.footer.index, c.data_limit));
  NOKV_RETURN_IF_ERROR(sst::ValidateBlock(*c.index_block, name, c.footer.index.offset));

  if (!c.footer.filter.IsNull()) {
    NOKV_ASSIGN_OR_RETURN(c.filter_block,
                          sst::ReadBlock(*c.file, name, c.footer.filter, c.data_limit));
    if (!c.filter.Init(*c.filter_block)) {
      return CorruptionError(name, c.footer.filter.offset, "malformed bloom filter");
    }
  }

  NOKV_ASSIGN_OR_RETURN(auto range_del,
                        sst::ReadBlock(*c.file, name, c.footer.range_del, c.data_limit));
  if (!sst::DecodeRangeTombstones(*range_del, &c.tombstones)) {
    return CorruptionError(name, c.footer.range_del.offset, "malformed range-tombstone block");
  }

  NOKV_ASSIGN_OR_RETURN(auto props,
                        sst::ReadBlock(*c.file, name, c.footer.properties, c.data_limit));
  if (!sst::DecodeProperties(*props, &c.properties)) {
    return CorruptionError(name, c.footer.properties.offset, "malformed properties block");
  }
  if (c.properties.num_range_deletions != c.tombstones.size()) {
    return CorruptionError(name, c.footer.properties.offset,
                           "range-tombstone count disagrees with properties");
  }
  if (global_seq != 0) {
    if (c.properties.largest_seq != 0) {
      return CorruptionError(name, c.footer.properties.offset,
                             "an ingested table must hold sequence 0 only");
    }
    for (RangeTombstone& t : c.tombstones) t.sequence = global_seq - 1;
  }

  // Walk the index once: every handle must decode and lie before the footer. This is
  // O(data blocks) and makes later reads fail only on data-block damage.
  sst::BlockIter index;
  NOKV_RETURN_IF_ERROR(index.Init(*c.index_block, &c.file_name, c.footer.index.offset));
  uint64_t blocks = 0;
  for (index.SeekToFirst(); index.Valid(); index.Next()) {
    BlockHandle h;
    NOKV_RETURN_IF_ERROR(c.DecodeIndexValue(index.value(), &h));
    if (h.offset > c.data_limit || h.size > c.data_limit - h.offset ||
        sst::kBlockTrailerSize > c.data_limit - h.offset - h.size) {
      return CorruptionError(name, h.offset, "index points outside the data area");
    }
    ++blocks;
  }
  NOKV_RETURN_IF_ERROR(index.status());
  if (blocks != c.properties.num_data_blocks) {
    return CorruptionError(name, c.footer.index.offset,
                           StrCat("index has ", blocks, " entries, properties say ",
                                  c.properties.num_data_blocks, " data blocks"));
  }

  std::shared_ptr<Table> table(new Table(std::move(rep)));
  table->rep_->self = table;
  return table;
}

absl::Status Table::Get(std::string_view lookup_key, TableGetResult* result, bool fill_cache,
                        bool verify_checksums) const {
  const sst::TableCore& c = rep_->core;
  *result = TableGetResult();
  if (lookup_key.size() < 8) {
    return absl::InvalidArgumentError("Table::Get: lookup key is not an internal key");
  }
  std::string_view user_key = ExtractUserKey(lookup_key);
  // An ingested file's entries all read as global_seq: invisible to older snapshots.
  if (c.global_seq != 0 && (ExtractTag(lookup_key) >> 8) < c.global_seq) return absl::OkStatus();
  if (c.filter_block != nullptr && !c.filter.KeyMayMatch(user_key)) return absl::OkStatus();

  sst::BlockIter index;
  NOKV_RETURN_IF_ERROR(index.Init(*c.index_block, &c.file_name, c.footer.index.offset));
  index.Seek(lookup_key);
  if (!index.Valid()) return index.status();
  BlockHandle handle;
  NOKV_RETURN_IF_ERROR(c.DecodeIndexValue(index.value(), &handle));
  NOKV_ASSIGN_OR_RETURN(auto block, c.ReadDataBlock(handle, fill_cache, verify_checksums));

  // Separators are >= every key of their block and < every key of the next, so if the block
  // has no key >= lookup_key, the next block's first key has a larger user key: not found.
  sst::BlockIter data;
  NOKV_RETURN_IF_ERROR(data.Init(*block, &c.file_name, handle.offset));
  data.Seek(lookup_key);
  if (!data.Valid()) return data.status();
  ParsedInternalKey parsed;
  if (!ParseInternalKey(data.key(), &parsed) || parsed.kind == ValueKind::kRangeDeletion) {
    return CorruptionError(c.file_name, handle.offset, "bad internal key in data block");
  }
  if (parsed.user_key != user_key) return absl::OkStatus();
  result->found = true;
  result->sequence = c.global_seq != 0 ? c.global_seq : parsed.sequence;
  result->kind = parsed.kind;
  if (parsed.kind == ValueKind::kValue) result->value.assign(data.value());
  return absl::OkStatus();
}

std::unique_ptr<InternalIterator> Table::NewIterator(bool fill_cache, bool verify_checksums) const {
  return sst::NewTableIterator(self(), &rep_->core, fill_cache, verify_checksums);
}

const std::vector<RangeTombstone>& Table::range_tombstones() const { return rep_->core.tombstones; }
const TableProperties& Table::properties() const { return rep_->core.properties; }

uint64_t Table::ApproximateOffsetOf(std::string_view user_key) const {
  const sst::TableCore& c = rep_->core;
  sst::BlockIter index;
  if (!index.Init(*c.index_block, &c.file_name, c.footer.index.offset).ok()) return 0;
  index.Seek(MakeInternalKey(user_key, kMaxSequenceNumber, kValueKindForSeek));
  BlockHandle handle;
  if (!index.Valid() || !c.DecodeIndexValue(index.value(), &handle).ok()) return c.data_limit;
  return handle.offset;
}

bool Table::KeyMayMatch(std::string_view user_key) const {
  const sst::TableCore& c = rep_->core;
  return c.filter_block == nullptr || c.filter.KeyMayMatch(user_key);
}

uint64_t Table::file_size() const { return rep_->core.file_size; }
const std::string& Table::file_name() const { return rep_->core.file_name; }

absl::Status Table::VerifyChecksums() const {
  const sst::TableCore& c = rep_->core;
  const BlockHandle* meta[] = {&c.footer.index, &c.footer.filter, &c.footer.range_del,
                               &c.footer.properties};
  for (const BlockHandle* h : meta) {
    if (h->IsNull()) continue;
    NOKV_RETURN_IF_ERROR(sst::ReadBlock(*c.file, c.file_name, *h, c.data_limit).status());
  }
  // Every data block from the file (not the cache), walked entry by entry, keys in order.
  sst::BlockIter index;
  NOKV_RETURN_IF_ERROR(index.Init(*c.index_block, &c.file_name, c.footer.index.offset));
  std::string prev_key;
  sst::BlockIter data;
  for (index.SeekToFirst(); index.Valid(); index.Next()) {
    BlockHandle h;
    NOKV_RETURN_IF_ERROR(c.DecodeIndexValue(index.value(), &h));
    NOKV_ASSIGN_OR_RETURN(auto block, sst::ReadBlock(*c.file, c.file_name, h, c.data_limit));
    NOKV_RETURN_IF_ERROR(sst::ValidateBlock(*block, c.file_name, h.offset));
    NOKV_RETURN_IF_ERROR(data.Init(*block, &c.file_name, h.offset));
    for (data.SeekToFirst(); data.Valid(); data.Next()) {
      if (!prev_key.empty() && CompareInternalKeys(prev_key, data.key()) >= 0) {
        return CorruptionError(c.file_name, h.offset, "keys out of order");
      }
      if (CompareInternalKeys(data.key(), index.key()) > 0) {
        return CorruptionError(c.file_name, h.offset, "key beyond its index separator");
      }
      prev_key.assign(data.key());
    }
    NOKV_RETURN_IF_ERROR(data.status());
  }
  return index.status();
}

}  // namespace nokv
