// Ordered iteration over a consistent view of the database.
#pragma once

#include <string_view>

#include "absl/status/status.h"

namespace nokv {

// Not thread-safe: one thread uses an iterator at a time. The iterator sees the snapshot it
// was created with (or the state at creation time) no matter what is written afterwards.
// key()/value() stay valid until the next move or destruction. Destroy every iterator before
// closing the DB.
class Iterator {
 public:
  virtual ~Iterator() = default;
  virtual bool Valid() const = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  // First key >= target.
  virtual void Seek(std::string_view target) = 0;
  // Last key <= target.
  virtual void SeekForPrev(std::string_view target) = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  // Milliseconds since the Unix epoch at which the current entry expires; 0 = never.
  virtual uint64_t expires_at_millis() const = 0;
  // Not OK if the iteration stopped because of an error (I/O, corruption).
  virtual absl::Status status() const = 0;
};

}  // namespace nokv
