#include "engine/wal/log_reader.h"

#include <cstring>

#include "src/util/coding.h"
#include "src/util/errors.h"
#include "src/util/hash.h"
#include "src/util/status_macros.h"

namespace nokv::log {

absl::StatusOr<std::unique_ptr<Reader>> Reader::Open(VFS& vfs, const std::string& path,
                                                     FileKind expected_kind) {
  std::string data;
  NOKV_RETURN_IF_ERROR(ReadFileToString(vfs, path, &data));
  std::unique_ptr<Reader> reader(new Reader(path, std::move(data)));
  const std::string& d = reader->data_;
  if (d.size() < kFileHeaderSize) {
    reader->torn_tail_ = true;
    reader->valid_end_ = 0;
    reader->pos_ = d.size();
    return reader;
  }
  const bool bad_magic = std::memcmp(d.data(), kMagic, sizeof(kMagic)) != 0;
  if (bad_magic || Checksum64(std::string_view(d.data(), 24)) != DecodeFixed64(d.data() + 24)) {
    // A header is fsynced before anything relies on the file, so a damaged one with nothing
    // valid after it is a crash inside creation (the unsynced header reached the disk only in
    // part, or as zeros): a torn tail at offset 0. With valid records after it, it is damage.
    size_t ignored;
    for (size_t probe = kFileHeaderSize; probe + kRecordHeaderSize <= d.size(); ++probe) {
      if (reader->ValidRecordAt(probe, &ignored)) {
        return CorruptionError(path, 0,
                               bad_magic ? "bad magic (not a NoKV log file)"
                                         : "file header checksum mismatch");
      }
    }
    reader->torn_tail_ = true;
    reader->valid_end_ = 0;
    reader->pos_ = d.size();
    return reader;
  }
  uint32_t version = DecodeFixed32(d.data() + 8);
  if (version != kFormatVersion) {
    return CorruptionError(path, 8, "unsupported log format version " + std::to_string(version));
  }
  if (DecodeFixed32(d.data() + 12) != static_cast<uint32_t>(expected_kind)) {
    return CorruptionError(path, 12, "log file kind mismatch");
  }
  reader->file_number_ = DecodeFixed64(d.data() + 16);
  reader->pos_ = kFileHeaderSize;
  reader->valid_end_ = kFileHeaderSize;
  return reader;
}

bool Reader::ValidRecordAt(size_t offset, size_t* next) const {
  if (data_.size() - offset < kRecordHeaderSize) return false;
  const char* p = data_.data() + offset;
  uint32_t length = DecodeFixed32(p + 8);
  if (static_cast<uint8_t>(p[12]) != static_cast<uint8_t>(RecordType::kFull)) return false;
  if (length > kMaxRecordSize || data_.size() - offset - kRecordHeaderSize < length) return false;
  ChecksumBuilder checksum;
  checksum.Update(std::string_view(p + 8, 5));
  checksum.Update(std::string_view(p + kRecordHeaderSize, length));
  if (checksum.Digest() != DecodeFixed64(p)) return false;
  *next = offset + kRecordHeaderSize + length;
  return true;
}

bool Reader::ReadRecord(std::string_view* payload) {
  if (!status_.ok() || torn_tail_ || pos_ >= data_.size()) return false;
  size_t next = 0;
  if (ValidRecordAt(pos_, &next)) {
    last_record_offset_ = pos_;
    *payload =
        std::string_view(data_.data() + pos_ + kRecordHeaderSize, next - pos_ - kRecordHeaderSize);
    pos_ = next;
    valid_end_ = next;
    return true;
  }
  // A bad record. It is a torn tail only if no valid record follows anywhere after it: a crash
  // tears at most the records being appended, it never damages data before intact records.
  // The type byte filters almost every offset cheaply before any checksum is computed.
  for (size_t probe = pos_ + 1; probe + kRecordHeaderSize <= data_.size(); ++probe) {
    if (static_cast<uint8_t>(data_[probe + 12]) != static_cast<uint8_t>(RecordType::kFull)) {
      continue;
    }
    size_t ignored;
    if (ValidRecordAt(probe, &ignored)) {
      status_ = CorruptionError(path_, pos_,
                                "bad record (checksum or length) followed by valid records at "
                                "offset " +
                                    std::to_string(probe));
      return false;
    }
  }
  torn_tail_ = true;
  return false;
}

}  // namespace nokv::log
