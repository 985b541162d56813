#include "nokv/write_batch.h"

#include "src/db/write_batch_format.h"
#include "src/util/coding.h"
#include "src/util/status_macros.h"
#include "src/util/str_cat.h"

namespace nokv {
namespace batch {

void AppendRecord(std::string* dst, const Record& record) {
  dst->push_back(static_cast<char>(record.kind));
  PutLengthPrefixed(dst, record.key);
  if (record.kind != static_cast<uint8_t>(ValueKind::kDeletion)) {
    PutLengthPrefixed(dst, record.value);
  }
}

absl::Status ForEachRecord(std::string_view rep,
                           const std::function<absl::Status(const Record&)>& fn) {
  if (rep.size() < kHeaderSize) return absl::DataLossError("Corruption: write batch too short");
  uint32_t count = DecodeFixed32(rep.data() + 8);
  std::string_view input = rep.substr(kHeaderSize);
  uint32_t seen = 0;
  while (!input.empty()) {
    Record r;
    r.kind = static_cast<uint8_t>(input[0]);
    input.remove_prefix(1);
    if (!GetLengthPrefixed(&input, &r.key)) {
      return absl::DataLossError(StrCat("Corruption: write batch record ", seen, ": bad key"));
    }
    switch (r.kind) {
      case static_cast<uint8_t>(ValueKind::kDeletion):
        break;
      case static_cast<uint8_t>(ValueKind::kValue):
      case static_cast<uint8_t>(ValueKind::kRangeDeletion):
      case kValueRelativeTtl:
        if (!GetLengthPrefixed(&input, &r.value)) {
          return absl::DataLossError(
              StrCat("Corruption: write batch record ", seen, ": bad value"));
        }
        break;
      default:
        return absl::DataLossError(
            StrCat("Corruption: write batch record ", seen, ": unknown kind ", int{r.kind}));
    }
    NOKV_RETURN_IF_ERROR(fn(r));
    ++seen;
  }
  if (seen != count) {
    return absl::DataLossError(
        StrCat("Corruption: write batch count ", count, " but ", seen, " records"));
  }
  return absl::OkStatus();
}

absl::Status AppendRecordsForWal(std::string_view rep, uint64_t now_millis, std::string* group) {
  std::string stored;
  return ForEachRecord(rep, [&](const Record& r) {
    if (r.kind != kValueRelativeTtl) {
      AppendRecord(group, r);
      return absl::OkStatus();
    }
    StoredValue sv;
    if (!DecodeStoredValue(r.value, &sv)) {
      return absl::DataLossError("Corruption: write batch: bad TTL value");
    }
    stored.clear();
    AppendStoredValue(&stored, sv.value, now_millis + sv.expires_at_millis);
    AppendRecord(group, Record{static_cast<uint8_t>(ValueKind::kValue), r.key, stored});
    return absl::OkStatus();
  });
}

}  // namespace batch

WriteBatch::WriteBatch() { Clear(); }

void WriteBatch::Clear() {
  rep_.assign(batch::kHeaderSize, '\0');
  count_ = 0;
  validity_ = absl::OkStatus();
}

namespace {

void BumpCount(std::string* rep, uint32_t count) { EncodeFixed32(rep->data() + 8, count); }

void AppendStoredValueRecord(std::string* rep, uint8_t kind, std::string_view key,
                             std::string_view value, uint64_t expiry_field) {
  rep->push_back(static_cast<char>(kind));
  PutLengthPrefixed(rep, key);
  size_t stored_size = 1 + (expiry_field ? 8 : 0) + value.size();
  PutVarint64(rep, stored_size);
  AppendStoredValue(rep, value, expiry_field);
}

}  // namespace

void WriteBatch::Set(std::string_view key, std::string_view value) {
  if (key.empty() || value.empty()) {
    if (validity_.ok()) {
      validity_ = absl::InvalidArgumentError(key.empty() ? "Set: empty key" : "Set: empty value");
    }
    return;
  }
  AppendStoredValueRecord(&rep_, static_cast<uint8_t>(ValueKind::kValue), key, value, 0);
  BumpCount(&rep_, ++count_);
}

void WriteBatch::SetWithTTL(std::string_view key, std::string_view value, uint64_t ttl_millis) {
  if (key.empty() || value.empty() || ttl_millis == 0) {
    if (validity_.ok()) {
      validity_ = absl::InvalidArgumentError(key.empty()     ? "SetWithTTL: empty key"
                                             : value.empty() ? "SetWithTTL: empty value"
                                                             : "SetWithTTL: ttl must be > 0");
    }
    return;
  }
  AppendStoredValueRecord(&rep_, batch::kValueRelativeTtl, key, value, ttl_millis);
  BumpCount(&rep_, ++count_);
}

void WriteBatch::Delete(std::string_view key) {
  if (key.empty()) {
    if (validity_.ok()) validity_ = absl::InvalidArgumentError("Delete: empty key");
    return;
  }
  batch::AppendRecord(&rep_, batch::Record{static_cast<uint8_t>(ValueKind::kDeletion), key, {}});
  BumpCount(&rep_, ++count_);
}

void WriteBatch::DeleteRange(std::string_view begin, std::string_view end) {
  if (begin.empty() || (!end.empty() && begin >= end)) {
    if (validity_.ok()) {
      validity_ = absl::InvalidArgumentError(begin.empty() ? "DeleteRange: empty begin key"
                                                           : "DeleteRange: begin must be < end");
    }
    return;
  }
  batch::AppendRecord(&rep_,
                      batch::Record{static_cast<uint8_t>(ValueKind::kRangeDeletion), begin, end});
  BumpCount(&rep_, ++count_);
}

}  // namespace nokv
