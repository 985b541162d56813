// TableBuilder: streams data blocks to the file as they fill, keeps the index, filter hashes
// and range tombstones in memory, and writes them plus the footer in Finish().
#include <algorithm>
#include <optional>

#include "engine/sst/block_builder.h"
#include "engine/sst/filter.h"
#include "engine/sst/format.h"
#include "engine/sst/key_shortening.h"
#include "engine/sst/meta_blocks.h"
#include "engine/sst/table.h"
#include "src/util/str_cat.h"

namespace nokv {

using sst::BlockHandle;

struct TableBuilder::Rep {
  Rep(const TableOptions& opts, WritableFile* f, std::string name)
      : options(opts),
        file(f),
        file_name(std::move(name)),
        data_block(opts.restart_interval),
        index_block(1),  // every index entry a restart point: exact binary search
        compressor(opts.compression, opts.zstd_level) {
    if (options.bloom_bits_per_key > 0) filter.emplace(options.bloom_bits_per_key);
  }

  TableOptions options;
  WritableFile* file;
  std::string file_name;
  absl::Status status;
  uint64_t offset = 0;
  sst::BlockBuilder data_block;
  sst::BlockBuilder index_block;
  sst::BlockCompressor compressor;
  std::optional<sst::BloomFilterBuilder> filter;
  std::vector<RangeTombstone> tombstones;
  TableProperties props;
  bool have_seq = false;
  std::string last_key;
  // The index entry of a flushed block waits for the next key so its separator can be short.
  bool pending_index_entry = false;
  BlockHandle pending_handle;
  bool finished = false;
  std::string frame;       // reused output buffer for one framed block
  std::string handle_buf;  // reused encoding of an index value

  void NoteSequence(SequenceNumber seq) {
    if (!have_seq) {
      props.smallest_seq = props.largest_seq = seq;
      have_seq = true;
    } else {
      props.smallest_seq = std::min(props.smallest_seq, seq);
      props.largest_seq = std::max(props.largest_seq, seq);
    }
  }

  // Frames and appends one block; returns its handle (meaningless if status is not OK).
  BlockHandle WriteBlock(std::string_view contents, bool allow_compression) {
    compressor.Frame(contents, allow_compression, &frame);
    BlockHandle handle{offset, frame.size() - sst::kBlockTrailerSize};
    if (status.ok()) {
      status = file->Append(frame);
      if (status.ok()) offset += frame.size();
    }
    return handle;
  }

  void AddIndexEntry(const std::string& separator) {
    handle_buf.clear();
    pending_handle.EncodeVarintTo(&handle_buf);
    index_block.Add(separator, handle_buf);
    pending_index_entry = false;
  }

  void FlushDataBlock() {
    if (!status.ok() || data_block.num_entries() == 0) return;
    uint64_t before = offset;
    pending_handle = WriteBlock(data_block.Finish(), /*allow_compression=*/true);
    data_block.Reset();
    if (!status.ok()) return;
    props.data_bytes += offset - before;
    ++props.num_data_blocks;
    pending_index_entry = true;
  }
};

TableBuilder::TableBuilder(const TableOptions& options, WritableFile* file, std::string file_name)
    : rep_(std::make_unique<Rep>(options, file, std::move(file_name))) {}

TableBuilder::~TableBuilder() = default;

void TableBuilder::Add(std::string_view internal_key, std::string_view value) {
  Rep& r = *rep_;
  if (!r.status.ok()) return;
  if (r.finished) {
    r.status = absl::FailedPreconditionError(StrCat(r.file_name, ": Add after Finish"));
    return;
  }
  ParsedInternalKey parsed;
  if (!ParseInternalKey(internal_key, &parsed) || parsed.kind == ValueKind::kRangeDeletion) {
    r.status = absl::InvalidArgumentError(
        StrCat(r.file_name, ": not a point internal key (size ", internal_key.size(), ")"));
    return;
  }
  if (r.props.num_entries > 0 && CompareInternalKeys(internal_key, r.last_key) <= 0) {
    r.status = absl::InvalidArgumentError(
        StrCat(r.file_name, ": keys out of order at entry ", r.props.num_entries,
               " (user key size ", parsed.user_key.size(), ", sequence ", parsed.sequence, ")"));
    return;
  }
  if (r.pending_index_entry) r.AddIndexEntry(sst::IndexSeparator(r.last_key, internal_key));
  if (r.filter && (r.props.num_entries == 0 || parsed.user_key != ExtractUserKey(r.last_key))) {
    r.filter->AddKey(parsed.user_key);
  }
  r.last_key.assign(internal_key);

  TableProperties& p = r.props;
  if (p.num_entries == 0) p.smallest_point_key.assign(internal_key);
  ++p.num_entries;
  if (parsed.kind == ValueKind::kDeletion) ++p.num_deletions;
  p.raw_key_bytes += internal_key.size();
  p.raw_value_bytes += value.size();
  r.NoteSequence(parsed.sequence);

  r.data_block.Add(internal_key, value);
  if (r.data_block.CurrentSizeEstimate() >= r.options.block_bytes) r.FlushDataBlock();
}

void TableBuilder::AddRangeTombstone(const RangeTombstone& tombstone) {
  Rep& r = *rep_;
  if (!r.status.ok()) return;
  if (r.finished) {
    r.status = absl::FailedPreconditionError(StrCat(r.file_name, ": Add after Finish"));
    return;
  }
  if ((!tombstone.end.empty() && tombstone.end <= tombstone.begin) ||
      tombstone.sequence > kMaxSequenceNumber) {
    r.status = absl::InvalidArgumentError(StrCat(
        r.file_name, ": empty or invalid range tombstone (sequence ", tombstone.sequence, ")"));
    return;
  }
  r.tombstones.push_back(tombstone);
  ++r.props.num_range_deletions;
  r.NoteSequence(tombstone.sequence);
}

absl::Status TableBuilder::status() const { return rep_->status; }

absl::Status TableBuilder::Finish() {
  Rep& r = *rep_;
  if (r.finished) {
    return absl::FailedPreconditionError(StrCat(r.file_name, ": Finish called twice"));
  }
  r.finished = true;
  r.FlushDataBlock();
  if (!r.status.ok()) return r.status;
  if (r.props.num_entries > 0) r.props.largest_point_key = r.last_key;

  sst::Footer footer;
  if (r.filter) {
    std::string filter;
    r.filter->Finish(&filter);
    uint64_t before = r.offset;
    footer.filter = r.WriteBlock(filter, /*allow_compression=*/false);
    r.props.filter_bytes = r.offset - before;
  }

  std::stable_sort(r.tombstones.begin(), r.tombstones.end(),
                   [](const RangeTombstone& a, const RangeTombstone& b) {
                     if (a.begin != b.begin) return a.begin < b.begin;
                     return a.sequence > b.sequence;
                   });
  std::string range_del;
  sst::EncodeRangeTombstones(r.tombstones, &range_del);
  footer.range_del = r.WriteBlock(range_del, /*allow_compression=*/false);

  if (r.pending_index_entry) r.AddIndexEntry(sst::IndexSuccessor(r.last_key));
  uint64_t before = r.offset;
  footer.index = r.WriteBlock(r.index_block.Finish(), /*allow_compression=*/true);
  r.props.index_bytes = r.offset - before;

  std::string props;
  sst::EncodeProperties(r.props, &props);
  footer.properties = r.WriteBlock(props, /*allow_compression=*/false);

  std::string encoded;
  footer.EncodeTo(&encoded);
  if (r.status.ok()) {
    r.status = r.file->Append(encoded);
    if (r.status.ok()) r.offset += encoded.size();
  }
  return r.status;
}

uint64_t TableBuilder::NumEntries() const { return rep_->props.num_entries; }
uint64_t TableBuilder::FileSize() const { return rep_->offset; }
const TableProperties& TableBuilder::properties() const { return rep_->props; }

}  // namespace nokv
