// Two-level table iterator. The index and data positions are plain BlockIters (no virtual
// dispatch per entry); the data block is pinned by a shared_ptr, so cache eviction never frees
// bytes the iterator points into.
#include "engine/sst/block.h"
#include "src/util/coding.h"
#include "engine/sst/table_reader.h"

namespace nokv {
namespace sst {
namespace {

class TableIterator final : public InternalIterator {
 public:
  TableIterator(std::shared_ptr<const Table> owner, const TableCore* core, bool fill_cache,
                bool verify_checksums)
      : owner_(std::move(owner)),
        core_(core),
        fill_cache_(fill_cache),
        verify_checksums_(verify_checksums) {
    status_ = index_.Init(*core_->index_block, &core_->file_name, core_->footer.index.offset);
  }

  bool Valid() const override { return status_.ok() && data_.Valid(); }

  void SeekToFirst() override {
    if (!status_.ok()) return;
    index_.SeekToFirst();
    InitDataBlock();
    if (has_block_) data_.SeekToFirst();
    SkipEmptyBlocksForward();
  }

  void SeekToLast() override {
    if (!status_.ok()) return;
    index_.SeekToLast();
    InitDataBlock();
    if (has_block_) data_.SeekToLast();
    SkipEmptyBlocksBackward();
  }

  void Seek(std::string_view target) override {
    if (core_->global_seq == 0) return PhysicalSeek(target);
    // An ingested file holds each user key once, at sequence 0, read as global_seq: find the
    // user key's entry, then step past it if it sorts before the target.
    if (target.size() < 8) return PhysicalSeek(target);
    const std::string_view user_key = ExtractUserKey(target);
    PhysicalSeek(MakeInternalKey(user_key, kMaxSequenceNumber, kValueKindForSeek));
    if (Valid() && ExtractUserKey(data_.key()) == user_key &&
        GlobalTag(data_.key()) > ExtractTag(target)) {
      Next();
    }
  }

  void SeekForPrev(std::string_view target) override {
    if (core_->global_seq == 0) return PhysicalSeekForPrev(target);
    if (target.size() < 8) return PhysicalSeekForPrev(target);
    const std::string_view user_key = ExtractUserKey(target);
    PhysicalSeekForPrev(MakeInternalKey(user_key, 0, ValueKind::kDeletion));
    if (Valid() && ExtractUserKey(data_.key()) == user_key &&
        GlobalTag(data_.key()) < ExtractTag(target)) {
      Prev();
    }
  }

 private:
  void PhysicalSeek(std::string_view target) {
    if (!status_.ok()) return;
    index_.Seek(target);
    InitDataBlock();
    if (has_block_) data_.Seek(target);
    SkipEmptyBlocksForward();
  }

  void PhysicalSeekForPrev(std::string_view target) {
    if (!status_.ok()) return;
    // The first block whose separator is >= target holds the answer, or the block before it.
    index_.Seek(target);
    if (!index_.Valid() && index_.status().ok()) index_.SeekToLast();
    InitDataBlock();
    if (has_block_) data_.SeekForPrev(target);
    SkipEmptyBlocksBackward();
  }

  // The tag an entry of an ingested file reads with: global_seq and the entry's kind.
  uint64_t GlobalTag(std::string_view physical_key) const {
    return PackTag(core_->global_seq, static_cast<ValueKind>(ExtractTag(physical_key) & 0xff));
  }

 public:
  void Next() override {
    if (!Valid()) return;
    data_.Next();
    SkipEmptyBlocksForward();
  }

  void Prev() override {
    if (!Valid()) return;
    data_.Prev();
    SkipEmptyBlocksBackward();
  }

  std::string_view key() const override {
    if (core_->global_seq == 0) return data_.key();
    const std::string_view physical = data_.key();
    key_buf_.assign(physical.data(), physical.size() - 8);
    PutFixed64(&key_buf_, GlobalTag(physical));
    return key_buf_;
  }
  std::string_view value() const override { return data_.value(); }
  absl::Status status() const override { return status_; }

 private:
  void SetError(absl::Status s) {
    status_ = std::move(s);
    ClearData();
  }

  void ClearData() {
    data_.Clear();
    block_.reset();
    has_block_ = false;
  }

  // Loads the data block the index points at (kept if it is already loaded).
  void InitDataBlock() {
    if (!index_.Valid()) {
      if (!index_.status().ok()) {
        SetError(index_.status());
      } else {
        ClearData();
      }
      return;
    }
    BlockHandle handle;
    absl::Status s = core_->DecodeIndexValue(index_.value(), &handle);
    if (!s.ok()) return SetError(std::move(s));
    if (has_block_ && handle.offset == block_offset_) return;
    auto block = core_->ReadDataBlock(handle, fill_cache_, verify_checksums_);
    if (!block.ok()) return SetError(block.status());
    block_ = *std::move(block);
    block_offset_ = handle.offset;
    has_block_ = true;
    s = data_.Init(*block_, &core_->file_name, handle.offset);
    if (!s.ok()) SetError(std::move(s));
  }

  void SkipEmptyBlocksForward() {
    while (status_.ok() && !data_.Valid()) {
      if (!data_.status().ok()) return SetError(data_.status());
      if (!index_.Valid()) return ClearData();
      index_.Next();
      InitDataBlock();
      if (has_block_) data_.SeekToFirst();
    }
  }

  void SkipEmptyBlocksBackward() {
    while (status_.ok() && !data_.Valid()) {
      if (!data_.status().ok()) return SetError(data_.status());
      if (!index_.Valid()) return ClearData();
      index_.Prev();
      InitDataBlock();
      if (has_block_) data_.SeekToLast();
    }
  }

  std::shared_ptr<const Table> owner_;
  const TableCore* core_;
  bool fill_cache_;
  bool verify_checksums_;
  BlockIter index_;
  BlockIter data_;
  std::shared_ptr<const std::string> block_;
  uint64_t block_offset_ = 0;
  bool has_block_ = false;
  absl::Status status_;
  mutable std::string key_buf_;  // the key with its global sequence (ingested files only)
};

}  // namespace

std::unique_ptr<InternalIterator> NewTableIterator(std::shared_ptr<const Table> owner,
                                                   const TableCore* core, bool fill_cache,
                                                   bool verify_checksums) {
  return std::make_unique<TableIterator>(std::move(owner), core, fill_cache, verify_checksums);
}

}  // namespace sst
}  // namespace nokv
