// The iterator every engine structure exposes (memtable, SST block, table, merging, levels).
// Keys are internal keys (see dbformat.h); values are stored values.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace nokv {

// Not thread-safe. key()/value() stay valid until the iterator moves or is destroyed.
class InternalIterator {
 public:
  virtual ~InternalIterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // Positions at the first entry with key >= target (internal key order).
  virtual void Seek(std::string_view target) = 0;
  // Positions at the last entry with key <= target.
  virtual void SeekForPrev(std::string_view target) = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // An error stops iteration (Valid() becomes false) and stays here.
  virtual absl::Status status() const = 0;
};

// An iterator over nothing, optionally carrying an error.
class EmptyIterator final : public InternalIterator {
 public:
  explicit EmptyIterator(absl::Status status = absl::OkStatus()) : status_(std::move(status)) {}
  bool Valid() const override { return false; }
  void SeekToFirst() override {}
  void SeekToLast() override {}
  void Seek(std::string_view) override {}
  void SeekForPrev(std::string_view) override {}
  void Next() override {}
  void Prev() override {}
  std::string_view key() const override { return {}; }
  std::string_view value() const override { return {}; }
  absl::Status status() const override { return status_; }

 private:
  absl::Status status_;
};

}  // namespace nokv
