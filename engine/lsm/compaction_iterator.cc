#include "engine/lsm/compaction_iterator.h"

#include <algorithm>

namespace nokv {

CompactionIterator::CompactionIterator(InternalIterator* input,
                                       const std::vector<RangeTombstone>& tombstones,
                                       Options options)
    : input_(input), tombstones_(tombstones), options_(std::move(options)) {
  const std::vector<SequenceNumber>& snaps = options_.snapshots;
  if (!tombstones_.empty()) {
    for (size_t i = 0; i <= snaps.size(); ++i) {
      range_del_by_stripe_.emplace_back(tombstones_,
                                        i < snaps.size() ? snaps[i] : kMaxSequenceNumber);
    }
  }
  for (const RangeTombstone& t : tombstones_) {
    if (!options_.bottommost || Stripe(t.sequence) > 0) kept_tombstones_.push_back(t);
  }
}

size_t CompactionIterator::Stripe(SequenceNumber seq) const {
  const std::vector<SequenceNumber>& snaps = options_.snapshots;
  return std::lower_bound(snaps.begin(), snaps.end(), seq) - snaps.begin();
}

absl::Status CompactionIterator::status() const {
  if (!status_.ok()) return status_;
  return input_->status();
}

void CompactionIterator::SeekToFirst() {
  has_current_ = false;
  input_->SeekToFirst();
  FindNext();
}

void CompactionIterator::Next() {
  input_->Next();
  FindNext();
}

void CompactionIterator::FindNext() {
  valid_ = false;
  for (; input_->Valid(); input_->Next()) {
    ++input_entries_;
    ParsedInternalKey ikey;
    if (!ParseInternalKey(input_->key(), &ikey)) {
      status_ = absl::DataLossError("Corruption: compaction input has a malformed internal key");
      return;
    }
    if (!has_current_ || ikey.user_key != current_user_key_) {
      current_user_key_.assign(ikey.user_key);
      has_current_ = true;
      last_stripe_ = SIZE_MAX;
      emitted_current_key_ = false;
    }
    const size_t stripe = Stripe(ikey.sequence);
    bool drop = false;
    if (stripe == last_stripe_) {
      drop = true;  // shadowed by a newer version no snapshot can tell apart
    } else if (!range_del_by_stripe_.empty() &&
               range_del_by_stripe_[stripe].IsDeleted(ikey.user_key, ikey.sequence)) {
      drop = true;  // deleted by a tombstone no snapshot can see past
    }
    last_stripe_ = stripe;
    std::string_view value = input_->value();
    ValueKind kind = ikey.kind;
    if (!drop && kind == ValueKind::kValue) {
      StoredValue sv;
      if (DecodeStoredValue(value, &sv) && IsExpired(sv.expires_at_millis, options_.now_millis)) {
        kind = ValueKind::kDeletion;
        value = std::string_view();
      }
    }
    if (!drop && kind == ValueKind::kDeletion && options_.bottommost && stripe == 0) drop = true;
    if (drop) {
      ++dropped_entries_;
      continue;
    }
    if (kind == ikey.kind) {
      key_ = input_->key();
    } else {
      converted_.clear();
      AppendInternalKey(&converted_, ikey.user_key, ikey.sequence, kind);
      key_ = converted_;
    }
    value_ = value;
    starts_user_key_ = !emitted_current_key_;
    emitted_current_key_ = true;
    valid_ = true;
    return;
  }
}

std::vector<RangeTombstone> CompactionIterator::KeptTombstones(std::string_view lo,
                                                               std::string_view hi) const {
  std::vector<RangeTombstone> out;
  for (const RangeTombstone& t : kept_tombstones_) {
    RangeTombstone c;
    c.begin = lo.empty() ? t.begin : std::max(t.begin, std::string(lo));
    if (hi.empty()) {
      c.end = t.end;
    } else {
      c.end = t.end.empty() ? std::string(hi) : std::min(t.end, std::string(hi));
    }
    c.sequence = t.sequence;
    if (c.end.empty() || c.begin < c.end) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace nokv
