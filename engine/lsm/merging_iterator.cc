#include "engine/lsm/merging_iterator.h"

#include <algorithm>

#include "engine/format/dbformat.h"

namespace nokv {
namespace {

// A binary heap of the valid children, ordered by their current key: a min-heap moving forward,
// a max-heap moving backward (RocksDB's MergingIterator). A step costs one child move and
// O(log n) comparisons, instead of a scan of every child; with memtables, L0 files and one
// iterator per level, n is small but stepped through millions of times.
class MergingIterator final : public InternalIterator {
 public:
  explicit MergingIterator(std::vector<std::unique_ptr<InternalIterator>> children)
      : children_(std::move(children)) {
    heap_.reserve(children_.size());
  }

  bool Valid() const override { return !heap_.empty() && status_.ok(); }

  void SeekToFirst() override {
    for (auto& c : children_) c->SeekToFirst();
    Rebuild(/*forward=*/true);
  }
  void SeekToLast() override {
    for (auto& c : children_) c->SeekToLast();
    Rebuild(/*forward=*/false);
  }
  void Seek(std::string_view target) override {
    for (auto& c : children_) c->Seek(target);
    Rebuild(/*forward=*/true);
  }
  void SeekForPrev(std::string_view target) override {
    for (auto& c : children_) c->SeekForPrev(target);
    Rebuild(/*forward=*/false);
  }

  void Next() override {
    if (!forward_) {
      // Bring every other child to the first entry after key().
      const std::string key(heap_.front()->key());
      InternalIterator* top = heap_.front();
      for (auto& c : children_) {
        if (c.get() == top) continue;
        c->Seek(key);
        if (c->Valid() && CompareInternalKeys(c->key(), key) == 0) c->Next();
      }
      top->Next();
      Rebuild(/*forward=*/true);
      return;
    }
    heap_.front()->Next();
    FixTop();
  }

  void Prev() override {
    if (forward_) {
      const std::string key(heap_.front()->key());
      InternalIterator* top = heap_.front();
      for (auto& c : children_) {
        if (c.get() == top) continue;
        c->SeekForPrev(key);
        if (c->Valid() && CompareInternalKeys(c->key(), key) == 0) c->Prev();
      }
      top->Prev();
      Rebuild(/*forward=*/false);
      return;
    }
    heap_.front()->Prev();
    FixTop();
  }

  std::string_view key() const override { return heap_.front()->key(); }
  std::string_view value() const override { return heap_.front()->value(); }
  absl::Status status() const override { return status_; }

 private:
  // Whether a belongs above b in the heap.
  bool Before(InternalIterator* a, InternalIterator* b) const {
    const int c = CompareInternalKeys(a->key(), b->key());
    return forward_ ? c < 0 : c > 0;
  }

  // A child that ran out: its error (if any) becomes the iterator's.
  void NoteExhausted(InternalIterator* c) {
    if (status_.ok()) status_ = c->status();
  }

  void Rebuild(bool forward) {
    forward_ = forward;
    status_ = absl::OkStatus();
    heap_.clear();
    for (auto& c : children_) {
      if (c->Valid()) {
        heap_.push_back(c.get());
      } else {
        NoteExhausted(c.get());
      }
    }
    // Floyd's heap construction.
    for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
  }

  // The top moved: restore the heap (drop it if exhausted).
  void FixTop() {
    InternalIterator* top = heap_.front();
    if (!top->Valid()) {
      NoteExhausted(top);
      heap_.front() = heap_.back();
      heap_.pop_back();
      if (heap_.empty()) return;
    }
    SiftDown(0);
  }

  void SiftDown(size_t i) {
    const size_t n = heap_.size();
    InternalIterator* item = heap_[i];
    while (true) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && Before(heap_[child + 1], heap_[child])) ++child;
      if (!Before(heap_[child], item)) break;
      heap_[i] = heap_[child];
      i = child;
    }
    heap_[i] = item;
  }

  std::vector<std::unique_ptr<InternalIterator>> children_;
  std::vector<InternalIterator*> heap_;  // valid children; heap_.front() is the current one
  bool forward_ = true;
  absl::Status status_;
};

}  // namespace

std::unique_ptr<InternalIterator> NewMergingIterator(
    std::vector<std::unique_ptr<InternalIterator>> children) {
  if (children.size() == 1) return std::move(children[0]);
  return std::make_unique<MergingIterator>(std::move(children));
}

}  // namespace nokv
