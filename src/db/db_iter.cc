#include "src/db/db_iter.h"

#include <string>

namespace nokv {
namespace {

class DBIter final : public Iterator {
 public:
  DBIter(std::unique_ptr<InternalIterator> internal, RangeDelIndex range_del,
         SequenceNumber sequence, uint64_t now_millis, const ReadOptions& options,
         std::shared_ptr<const void> pin)
      : pin_(std::move(pin)),
        iter_(std::move(internal)),
        range_del_(std::move(range_del)),
        sequence_(sequence),
        now_millis_(now_millis),
        lower_(options.lower_bound),
        upper_(options.upper_bound),
        prefix_(options.prefix) {
    if (!prefix_.empty()) {
      // The prefix narrows the bounds: [prefix, successor(prefix)).
      if (lower_ < prefix_) lower_ = prefix_;
      std::string succ = prefix_;
      while (!succ.empty() && static_cast<unsigned char>(succ.back()) == 0xff) succ.pop_back();
      if (!succ.empty()) {
        succ.back() = static_cast<char>(static_cast<unsigned char>(succ.back()) + 1);
        if (upper_.empty() || succ < upper_) upper_ = succ;
      }
    }
  }

  bool Valid() const override { return valid_; }

  void SeekToFirst() override {
    if (!lower_.empty()) {
      Seek(lower_);
      return;
    }
    iter_->SeekToFirst();
    skip_.clear();
    has_skip_ = false;
    FindNextUserEntry();
  }

  void SeekToLast() override {
    if (!upper_.empty()) {
      iter_->SeekForPrev(MakeInternalKey(upper_, kMaxSequenceNumber, kValueKindForSeek));
    } else {
      iter_->SeekToLast();
    }
    FindPrevUserEntry();
  }

  void Seek(std::string_view target) override {
    std::string_view t = (!lower_.empty() && target < lower_) ? std::string_view(lower_) : target;
    iter_->Seek(MakeInternalKey(t, sequence_, kValueKindForSeek));
    has_skip_ = false;
    FindNextUserEntry();
  }

  void SeekForPrev(std::string_view target) override {
    std::string t(target);
    if (!upper_.empty() && t >= upper_) {
      SeekToLast();
      return;
    }
    // Last entry <= (target, 0): every version of target precedes it.
    iter_->SeekForPrev(MakeInternalKey(t, 0, ValueKind::kDeletion));
    FindPrevUserEntry();
  }

  void Next() override {
    if (!valid_) return;
    if (!forward_) {
      iter_->Seek(MakeInternalKey(key_, kMaxSequenceNumber, kValueKindForSeek));
      skip_ = key_;  // moving forward, skip_ already holds the current key
    }
    has_skip_ = true;
    FindNextUserEntry();
  }

  void Prev() override {
    if (!valid_) return;
    if (forward_) {
      iter_->SeekForPrev(MakeInternalKey(cur_key_, kMaxSequenceNumber, kValueKindForSeek));
      // SeekForPrev lands on the last entry <= (key, max): an entry of an earlier key, unless
      // an entry with exactly that tag exists (impossible: sequences stay below the max).
    }
    FindPrevUserEntry();
  }

  std::string_view key() const override { return cur_key_; }
  std::string_view value() const override { return cur_value_; }
  uint64_t expires_at_millis() const override { return expires_at_; }
  absl::Status status() const override { return status_.ok() ? iter_->status() : status_; }

 private:
  // Whether the newest visible entry (kind, seq, stored value) makes the key live.
  bool Live(const ParsedInternalKey& ikey, std::string_view stored, StoredValue* out) {
    if (ikey.kind != ValueKind::kValue) return false;
    if (range_del_.IsDeleted(ikey.user_key, ikey.sequence)) return false;
    if (!DecodeStoredValue(stored, out)) {
      status_ = absl::DataLossError("Corruption: malformed stored value during iteration");
      return false;
    }
    return !IsExpired(out->expires_at_millis, now_millis_);
  }

  bool InUpper(std::string_view k) const { return upper_.empty() || k < upper_; }
  bool InLower(std::string_view k) const { return lower_.empty() || k >= lower_; }

  void FindNextUserEntry() {
    forward_ = true;
    valid_ = false;
    for (; iter_->Valid(); iter_->Next()) {
      ParsedInternalKey ikey;
      if (!ParseInternalKey(iter_->key(), &ikey)) {
        status_ = absl::DataLossError("Corruption: malformed internal key during iteration");
        return;
      }
      if (!InUpper(ikey.user_key)) return;
      if (ikey.sequence > sequence_) continue;
      if (has_skip_ && ikey.user_key == skip_) continue;
      // Newest visible version of a new key: it decides.
      skip_.assign(ikey.user_key);
      has_skip_ = true;
      StoredValue sv;
      if (Live(ikey, iter_->value(), &sv)) {
        // No copies moving forward: the key is skip_, the value a view into the child
        // iterator's current entry, which stays put until the next call moves iter_.
        cur_key_ = skip_;
        cur_value_ = sv.value;
        expires_at_ = sv.expires_at_millis;
        valid_ = true;
        return;
      }
      if (!status_.ok()) return;
    }
  }

  void FindPrevUserEntry() {
    forward_ = false;
    valid_ = false;
    bool have = false;  // saved_key_ holds a candidate key
    bool live = false;  // ... whose newest visible version seen so far is live
    std::string saved_key, saved_value;
    uint64_t saved_expiry = 0;
    for (; iter_->Valid(); iter_->Prev()) {
      ParsedInternalKey ikey;
      if (!ParseInternalKey(iter_->key(), &ikey)) {
        status_ = absl::DataLossError("Corruption: malformed internal key during iteration");
        return;
      }
      if (ikey.sequence > sequence_ || !InUpper(ikey.user_key)) continue;
      if (have && ikey.user_key < saved_key) {
        if (live) break;  // the saved key is the answer; iter_ rests on an earlier key
        have = false;
      }
      if (!InLower(ikey.user_key)) {
        if (!have || !live) return;
        break;
      }
      // Moving backwards, versions of one key arrive oldest first; the last one seen wins.
      saved_key.assign(ikey.user_key);
      have = true;
      StoredValue sv;
      live = Live(ikey, iter_->value(), &sv);
      if (!status_.ok()) return;
      if (live) {
        saved_value.assign(sv.value);
        saved_expiry = sv.expires_at_millis;
      }
    }
    if (have && live && InUpper(saved_key)) {
      key_ = std::move(saved_key);
      value_ = std::move(saved_value);
      cur_key_ = key_;
      cur_value_ = value_;
      expires_at_ = saved_expiry;
      valid_ = true;
    }
  }

  // Declared first so it is released last: the children below read what it keeps alive.
  std::shared_ptr<const void> pin_;
  std::unique_ptr<InternalIterator> iter_;
  RangeDelIndex range_del_;
  SequenceNumber sequence_;
  uint64_t now_millis_;
  std::string lower_, upper_, prefix_;
  bool valid_ = false;
  bool forward_ = true;
  // Moving backwards iter_ ends on an earlier key, so the answer is copied into key_/value_;
  // cur_key_/cur_value_ point at whichever holds the current entry.
  std::string key_, value_;
  std::string_view cur_key_, cur_value_;
  uint64_t expires_at_ = 0;
  std::string skip_;
  bool has_skip_ = false;
  absl::Status status_;
};

}  // namespace

std::unique_ptr<Iterator> NewDBIterator(std::unique_ptr<InternalIterator> internal,
                                        RangeDelIndex range_del, SequenceNumber sequence,
                                        uint64_t now_millis, const ReadOptions& options,
                                        std::shared_ptr<const void> pin) {
  return std::make_unique<DBIter>(std::move(internal), std::move(range_del), sequence, now_millis,
                                  options, std::move(pin));
}

}  // namespace nokv
