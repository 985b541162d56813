// nokv::DB, the embedded key-value store.
//
// A DB is a sorted map from byte-string keys to byte-string values, persisted in a workdir.
// Every method is thread-safe, including against a concurrent Close(). Writes are atomic and
// durable according to WriteOptions::sync (the durability contract is in docs/format.md).
// Errors are absl::Status codes:
//   InvalidArgument  - empty key or value, begin >= end in DeleteRange, a batch over
//                      WriteBatch::kMaxByteSize (rejected before it is queued: nothing else
//                      is affected)
//   NotFound         - Get on a missing, deleted or expired key
//   DataLoss         - corruption detected (message names file and offset)
//   Internal         - I/O error;  ResourceExhausted - disk full
//   Unavailable      - workdir locked by another process
//   FailedPrecondition - the DB was closed (or Resume() after a fatal error)
// Background errors: a failed flush or compaction (a full disk, say) makes writes fail with
// that error while reads go on; the work is retried automatically with backoff, and writes
// resume by themselves once a retry succeeds (or after Resume()). A failed WAL append or fsync
// is fatal for the open instance: the log may be torn, or the kernel may have dropped pages
// it reported written, so nothing is acknowledged after it (every write returns that error,
// and so does Close()); reopen the DB.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nokv/iterator.h"
#include "nokv/options.h"
#include "nokv/write_batch.h"

namespace nokv {

// A point-in-time view. Obtain with DB::GetSnapshot, return with DB::ReleaseSnapshot.
class Snapshot {
 public:
  virtual uint64_t sequence() const = 0;

 protected:
  virtual ~Snapshot() = default;
};

// A value with its expiry, for callers that need the TTL (e.g. the Redis gateway).
struct ValueWithExpiry {
  std::string value;
  uint64_t expires_at_millis = 0;  // 0 = never
};

class DB {
 public:
  // Opens (and with options.create_if_missing, creates) the database in `workdir`, recovering
  // from the WAL whatever was acknowledged before a crash.
  static absl::StatusOr<std::unique_ptr<DB>> Open(const Options& options, std::string_view workdir);

  DB() = default;
  DB(const DB&) = delete;
  DB& operator=(const DB&) = delete;
  // Closes if not closed; errors are dropped (call Close() to see them).
  virtual ~DB() = default;

  virtual absl::Status Set(const WriteOptions& options, std::string_view key,
                           std::string_view value) = 0;
  // The key expires ttl_millis (> 0) after the write; expired keys are invisible at once and
  // reclaimed by compaction.
  virtual absl::Status SetWithTTL(const WriteOptions& options, std::string_view key,
                                  std::string_view value, uint64_t ttl_millis) = 0;
  virtual absl::Status Delete(const WriteOptions& options, std::string_view key) = 0;
  // Deletes every key in [begin, end). An empty `end` means "to the end of the key space";
  // otherwise begin < end is required.
  virtual absl::Status DeleteRange(const WriteOptions& options, std::string_view begin,
                                   std::string_view end) = 0;
  // Applies every update in the batch atomically (all or nothing, one sequence range).
  virtual absl::Status Write(const WriteOptions& options, const WriteBatch& batch) = 0;

  // Returns a copy of the value (the caller owns it), or NotFound.
  virtual absl::StatusOr<std::string> Get(const ReadOptions& options, std::string_view key) = 0;
  virtual absl::StatusOr<ValueWithExpiry> GetWithExpiry(const ReadOptions& options,
                                                        std::string_view key) = 0;

  // The caller owns the iterator. It reads the state pinned when it was created and stays usable
  // after Close() (it must be destroyed before the DB object itself).
  virtual std::unique_ptr<Iterator> NewIterator(const ReadOptions& options) = 0;

  virtual const Snapshot* GetSnapshot() = 0;
  virtual void ReleaseSnapshot(const Snapshot* snapshot) = 0;

  // Writes the current memtable to an SST and waits for it (and earlier ones) to be durable.
  virtual absl::Status Flush() = 0;
  // Flushes, then merges every file overlapping the key range [begin, end] (empty = unbounded on
  // that side) down to the bottom level, dropping what no snapshot can see. Returns when the
  // compaction covering this call's range is done (OK), or with the error that stopped it.
  virtual absl::Status CompactRange(std::string_view begin, std::string_view end) = 0;
  // After a background error: retries the failed flush/compaction at once and waits for the
  // outcome. OK when writes are accepted again; the error if it persists; FailedPrecondition
  // if the error is fatal for this instance (a failed WAL write: reopen instead).
  virtual absl::Status Resume() = 0;

  // Named properties ("nokv.stats", "nokv.num-files-at-level0", ...); see docs/architecture.md.
  virtual bool GetProperty(std::string_view name, std::string* value) = 0;
  // Engine counters as name -> value (stable names, used by metrics endpoints).
  virtual std::map<std::string, uint64_t> Stats() = 0;

  // Flushes nothing, waits for background work and for queued writes, makes every acknowledged
  // write durable (fsyncs the WAL), releases the workdir. Idempotent. Calls racing with it either
  // complete normally or return FailedPrecondition; after it, every call returns
  // FailedPrecondition. Memory is released by the destructor.
  virtual absl::Status Close() = 0;

  // Convenience overloads with default options.
  absl::Status Set(std::string_view key, std::string_view value) {
    return Set(WriteOptions(), key, value);
  }
  absl::Status SetWithTTL(std::string_view key, std::string_view value, uint64_t ttl_millis) {
    return SetWithTTL(WriteOptions(), key, value, ttl_millis);
  }
  absl::Status Delete(std::string_view key) { return Delete(WriteOptions(), key); }
  absl::Status DeleteRange(std::string_view begin, std::string_view end) {
    return DeleteRange(WriteOptions(), begin, end);
  }
  absl::Status Write(const WriteBatch& batch) { return Write(WriteOptions(), batch); }
  absl::StatusOr<std::string> Get(std::string_view key) { return Get(ReadOptions(), key); }
};

// Removes every file of the database in `workdir` (which must not be open).
absl::Status DestroyDB(const Options& options, std::string_view workdir);

}  // namespace nokv
