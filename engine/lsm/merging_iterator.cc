#include "engine/lsm/merging_iterator.h"

#include "engine/format/dbformat.h"

namespace nokv {
namespace {

// A linear scan over the children picks the smallest (or largest) at each step. The number of
// children is small (memtables + L0 files + one per level), where a scan beats a heap and makes
// direction changes simple.
class MergingIterator final : public InternalIterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<InternalIterator>> children)
      : children_(std::move(children)) {}

  bool Valid() const override { return current_ != nullptr && status_ok(); }

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    FindSmallest();
    forward_ = true;
  }
  void SeekToLast() override {
    for (auto& c : children_) c->SeekToLast();
    FindLargest();
    forward_ = false;
  }
  void Seek(std::string_view target) override {
    for (auto& c : children_) c->Seek(target);
    FindSmallest();
    forward_ = true;
  }
  void SeekForPrev(std::string_view target) override {
    for (auto& c : children_) c->SeekForPrev(target);
    FindLargest();
    forward_ = false;
  }

  void Next() override {
    if (!forward_) {
      // Bring every other child to the first entry after key().
      std::string key(current_->key());
      for (auto& c : children_) {
        if (c.get() == current_) continue;
        c->Seek(key);
        if (c->Valid() && CompareInternalKeys(c->key(), key) == 0) c->Next();
      }
      forward_ = true;
    }
    current_->Next();
    FindSmallest();
  }

  void Prev() override {
    if (forward_) {
      std::string key(current_->key());
      for (auto& c : children_) {
        if (c.get() == current_) continue;
        c->SeekForPrev(key);
        if (c->Valid() && CompareInternalKeys(c->key(), key) == 0) c->Prev();
      }
      forward_ = false;
    }
    current_->Prev();
    FindLargest();
  }

  std::string_view key() const override { return current_->key(); }
  std::string_view value() const override { return current_->value(); }

  absl::Status status() const override {
    for (const auto& c : children_) {
      absl::Status s = c->status();
      if (!s.ok()) return s;
    }
    return absl::OkStatus();
  }

 private:
  bool status_ok() const {
    for (const auto& c : children_) {
      if (!c->status().ok()) return false;
    }
    return true;
  }
  void FindSmallest() {
    current_ = nullptr;
    for (auto& c : children_) {
      if (c->Valid() &&
          (current_ == nullptr || CompareInternalKeys(c->key(), current_->key()) < 0)) {
        current_ = c.get();
      }
    }
  }
  void FindLargest() {
    current_ = nullptr;
    for (auto& c : children_) {
      if (c->Valid() &&
          (current_ == nullptr || CompareInternalKeys(c->key(), current_->key()) > 0)) {
        current_ = c.get();
      }
    }
  }

  std::vector<std::unique_ptr<InternalIterator>> children_;
  InternalIterator* current_ = nullptr;
  bool forward_ = true;
};

}  // namespace

std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children) {
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace nokv
