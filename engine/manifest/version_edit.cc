#include "engine/manifest/version_edit.h"

#include "src/util/coding.h"
#include "src/util/str_cat.h"

namespace nokv {
namespace {

// Field tags. New tags may be added; unknown tags are an error (the format version in the log
// header would be bumped for incompatible changes).
enum Tag : uint32_t {
  kLogNumber = 1,
  kNextFileNumber = 2,
  kLastSequence = 3,
  kDeletedFile = 4,
  kNewFile = 5,
  // An ingested file: the kNewFile fields, then varint64 global_seq.
  kNewIngestedFile = 6,
};

std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

std::string KeyString(std::string_view internal_key) {
  ParsedInternalKey parsed;
  if (!ParseInternalKey(internal_key, &parsed)) return "<bad key>";
  return StrCat("'", Hex(parsed.user_key), "'@", parsed.sequence, ":",
                static_cast<int>(parsed.kind));
}

}  // namespace

void VersionEdit::EncodeTo(std::string* dst) const {
  if (log_number_) {
    PutVarint32(dst, kLogNumber);
    PutVarint64(dst, *log_number_);
  }
  if (next_file_number_) {
    PutVarint32(dst, kNextFileNumber);
    PutVarint64(dst, *next_file_number_);
  }
  if (last_sequence_) {
    PutVarint32(dst, kLastSequence);
    PutVarint64(dst, *last_sequence_);
  }
  for (const auto& [level, number] : deleted_files_) {
    PutVarint32(dst, kDeletedFile);
    PutVarint32(dst, level);
    PutVarint64(dst, number);
  }
  for (const auto& [level, f] : new_files_) {
    PutVarint32(dst, f.global_seq != 0 ? kNewIngestedFile : kNewFile);
    PutVarint32(dst, level);
    PutVarint64(dst, f.number);
    PutVarint64(dst, f.file_size);
    PutLengthPrefixed(dst, f.smallest);
    PutLengthPrefixed(dst, f.largest);
    dst->push_back(f.unbounded_right ? 1 : 0);
    PutVarint64(dst, f.smallest_seq);
    PutVarint64(dst, f.largest_seq);
    PutVarint64(dst, f.num_entries);
    PutVarint64(dst, f.num_deletions);
    PutVarint64(dst, f.num_range_deletions);
    if (f.global_seq != 0) PutVarint64(dst, f.global_seq);
  }
}

absl::Status VersionEdit::DecodeFrom(std::string_view src, std::string_view where) {
  *this = VersionEdit();
  auto bad = [&](std::string_view what) {
    return absl::DataLossError(StrCat("Corruption: ", where, ": version edit: ", what));
  };
  while (!src.empty()) {
    uint32_t tag = 0;
    if (!GetVarint32(&src, &tag)) return bad("truncated tag");
    uint64_t v = 0;
    switch (tag) {
      case kLogNumber:
        if (!GetVarint64(&src, &v)) return bad("log number");
        log_number_ = v;
        break;
      case kNextFileNumber:
        if (!GetVarint64(&src, &v)) return bad("next file number");
        next_file_number_ = v;
        break;
      case kLastSequence:
        if (!GetVarint64(&src, &v)) return bad("last sequence");
        last_sequence_ = v;
        break;
      case kDeletedFile: {
        uint32_t level = 0;
        if (!GetVarint32(&src, &level) || level >= kNumLevels || !GetVarint64(&src, &v)) {
          return bad("deleted file");
        }
        deleted_files_.emplace_back(static_cast<int>(level), v);
        break;
      }
      case kNewFile:
      case kNewIngestedFile: {
        uint32_t level = 0;
        FileMetaData f;
        std::string_view smallest, largest;
        if (!GetVarint32(&src, &level) || level >= kNumLevels || !GetVarint64(&src, &f.number) ||
            !GetVarint64(&src, &f.file_size) || !GetLengthPrefixed(&src, &smallest) ||
            !GetLengthPrefixed(&src, &largest) || src.empty()) {
          return bad("new file");
        }
        f.unbounded_right = src[0] != 0;
        src.remove_prefix(1);
        if (!GetVarint64(&src, &f.smallest_seq) || !GetVarint64(&src, &f.largest_seq) ||
            !GetVarint64(&src, &f.num_entries) || !GetVarint64(&src, &f.num_deletions) ||
            !GetVarint64(&src, &f.num_range_deletions)) {
          return bad("new file counters");
        }
        if (tag == kNewIngestedFile && (!GetVarint64(&src, &f.global_seq) || f.global_seq == 0)) {
          return bad("ingested file sequence");
        }
        if (smallest.size() < 8 || largest.size() < 8) return bad("new file key range");
        f.smallest.assign(smallest);
        f.largest.assign(largest);
        new_files_.emplace_back(static_cast<int>(level), std::move(f));
        break;
      }
      default:
        return bad(StrCat("unknown field tag ", tag));
    }
  }
  return absl::OkStatus();
}

std::string VersionEdit::DebugString() const {
  std::string out;
  if (log_number_) StrAppend(&out, "  log_number: ", *log_number_, "\n");
  if (next_file_number_) StrAppend(&out, "  next_file_number: ", *next_file_number_, "\n");
  if (last_sequence_) StrAppend(&out, "  last_sequence: ", *last_sequence_, "\n");
  for (const auto& [level, number] : deleted_files_) {
    StrAppend(&out, "  delete L", level, " #", number, "\n");
  }
  for (const auto& [level, f] : new_files_) {
    StrAppend(&out, "  add L", level, " #", f.number, " size=", f.file_size,
              " entries=", f.num_entries, " seq=[", f.smallest_seq, ",", f.largest_seq, "] range=[",
              KeyString(f.smallest), " .. ", KeyString(f.largest),
              f.unbounded_right ? " .. +inf" : "", "]",
              f.global_seq != 0 ? StrCat(" ingested@", f.global_seq) : std::string(), "\n");
  }
  return out;
}

}  // namespace nokv
