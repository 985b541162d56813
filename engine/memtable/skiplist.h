// A concurrent skiplist over an arena (the structure of LevelDB's memtable): one writer at a
// time, any number of lock-free readers. Nodes are never deleted; the arena frees them all at
// once. Readers see a node only after it is fully linked (release stores / acquire loads on the
// next pointers), which is what makes writer-reader concurrency safe without locks.
#pragma once

#include <atomic>
#include <cassert>
#include <cstdint>

#include "src/util/arena.h"
#include "src/util/random.h"

namespace nokv {

// Compare: int operator()(const Key& a, const Key& b) const, <0/0/>0.
template <typename Key, class Compare>
class SkipList {
 private:
  struct Node;  // declared before Iterator, which holds a Node* (clang requires it)

 public:
  SkipList(Compare cmp, Arena* arena);
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  // Requires: no equal key is present; external synchronization among writers.
  void Insert(const Key& key);
  bool Contains(const Key& key) const;

  class Iterator {
   public:
    explicit Iterator(const SkipList* list) : list_(list), node_(nullptr) {}
    bool Valid() const { return node_ != nullptr; }
    const Key& key() const { return node_->key; }
    void Next() { node_ = node_->Next(0); }
    void Prev() {
      node_ = list_->FindLessThan(node_->key);
      if (node_ == list_->head_) node_ = nullptr;
    }
    // First node >= target.
    void Seek(const Key& target) { node_ = list_->FindGreaterOrEqual(target, nullptr); }
    // Last node <= target.
    void SeekForPrev(const Key& target) {
      Seek(target);
      if (!Valid()) {
        SeekToLast();
      } else if (list_->compare_(node_->key, target) > 0) {
        Prev();
      }
    }
    void SeekToFirst() { node_ = list_->head_->Next(0); }
    void SeekToLast() {
      node_ = list_->FindLast();
      if (node_ == list_->head_) node_ = nullptr;
    }

   private:
    const SkipList* list_;
    Node* node_;
  };

 private:
  static constexpr int kMaxHeight = 12;

  struct Node {
    explicit Node(const Key& k) : key(k) {}
    Key const key;
    Node* Next(int n) { return next_[n].load(std::memory_order_acquire); }
    void SetNext(int n, Node* x) { next_[n].store(x, std::memory_order_release); }
    Node* NoBarrierNext(int n) { return next_[n].load(std::memory_order_relaxed); }
    void NoBarrierSetNext(int n, Node* x) { next_[n].store(x, std::memory_order_relaxed); }

   private:
    // Length equals the node height; allocated past the end of the struct.
    std::atomic<Node*> next_[1];
  };

  Node* NewNode(const Key& key, int height);
  int RandomHeight();
  int MaxHeight() const { return max_height_.load(std::memory_order_relaxed); }
  bool KeyIsAfterNode(const Key& key, Node* n) const {
    return n != nullptr && compare_(n->key, key) < 0;
  }
  Node* FindGreaterOrEqual(const Key& key, Node** prev) const;
  Node* FindLessThan(const Key& key) const;
  Node* FindLast() const;

  Compare const compare_;
  Arena* const arena_;
  Node* const head_;
  std::atomic<int> max_height_;
  Random rnd_;
};

template <typename Key, class Compare>
typename SkipList<Key, Compare>::Node* SkipList<Key, Compare>::NewNode(const Key& key, int height) {
  char* mem = arena_->AllocateAligned(sizeof(Node) + sizeof(std::atomic<Node*>) * (height - 1));
  return new (mem) Node(key);
}

template <typename Key, class Compare>
int SkipList<Key, Compare>::RandomHeight() {
  // Branching factor 4: each level holds about a quarter of the level below.
  int height = 1;
  while (height < kMaxHeight && rnd_.OneIn(4)) ++height;
  return height;
}

template <typename Key, class Compare>
typename SkipList<Key, Compare>::Node* SkipList<Key, Compare>::FindGreaterOrEqual(
    const Key& key, Node** prev) const {
  Node* x = head_;
  int level = MaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (KeyIsAfterNode(key, next)) {
      x = next;
    } else {
      if (prev != nullptr) prev[level] = x;
      if (level == 0) return next;
      --level;
    }
  }
}

template <typename Key, class Compare>
typename SkipList<Key, Compare>::Node* SkipList<Key, Compare>::FindLessThan(const Key& key) const {
  Node* x = head_;
  int level = MaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next == nullptr || compare_(next->key, key) >= 0) {
      if (level == 0) return x;
      --level;
    } else {
      x = next;
    }
  }
}

template <typename Key, class Compare>
typename SkipList<Key, Compare>::Node* SkipList<Key, Compare>::FindLast() const {
  Node* x = head_;
  int level = MaxHeight() - 1;
  while (true) {
    Node* next = x->Next(level);
    if (next == nullptr) {
      if (level == 0) return x;
      --level;
    } else {
      x = next;
    }
  }
}

template <typename Key, class Compare>
SkipList<Key, Compare>::SkipList(Compare cmp, Arena* arena)
    : compare_(cmp),
      arena_(arena),
      head_(NewNode(Key{}, kMaxHeight)),
      max_height_(1),
      rnd_(0xdeadbeef) {
  for (int i = 0; i < kMaxHeight; ++i) head_->SetNext(i, nullptr);
}

template <typename Key, class Compare>
void SkipList<Key, Compare>::Insert(const Key& key) {
  Node* prev[kMaxHeight];
  Node* x = FindGreaterOrEqual(key, prev);
  assert(x == nullptr || compare_(key, x->key) != 0);
  int height = RandomHeight();
  if (height > MaxHeight()) {
    for (int i = MaxHeight(); i < height; ++i) prev[i] = head_;
    // Readers that see the new height before the node is linked just find null pointers at
    // the new levels from head_, which is harmless.
    max_height_.store(height, std::memory_order_relaxed);
  }
  x = NewNode(key, height);
  for (int i = 0; i < height; ++i) {
    x->NoBarrierSetNext(i, prev[i]->NoBarrierNext(i));
    prev[i]->SetNext(i, x);  // publish: x is fully initialised before it becomes reachable
  }
}

template <typename Key, class Compare>
bool SkipList<Key, Compare>::Contains(const Key& key) const {
  Node* x = FindGreaterOrEqual(key, nullptr);
  return x != nullptr && compare_(key, x->key) == 0;
}

}  // namespace nokv
