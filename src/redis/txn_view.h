// TxnView: the store EXEC's queued commands run against.
//
// EXEC runs the whole MULTI block inside one KvStore::Transact. Each queued command is the
// ordinary handler, given this view instead of the server's store: reads go to the
// transaction's reader with the block's own earlier writes laid over them (a GET after a SET
// in the block sees the SET), and writes are appended, in order, to the transaction's mutation
// list, which reaches the store as one atomic batch when the body returns. So MULTI/EXEC is
// all-or-nothing and isolated exactly like any single command, on every backend.
//
// Databases: the view tracks SWAPDB and FLUSHDB/FLUSHALL of the block itself. Overlay entries
// and the reader use the database numbering as of the transaction's start ("base" databases);
// `perm_` maps the block's current numbering onto it. Mutations are recorded in the block's
// numbering at the time, which is exactly how KvStore applies a mutation list.
//
// Thread-safety: none; one EXEC at a time uses a view.
#pragma once

#include <array>
#include <map>
#include <utility>

#include "src/redis/kv_store.h"

namespace nokv::redis {

class TxnView : public KvStore, public TxnReader {
 public:
  // `reader` and `mutations` belong to the enclosing Transact; `store` is the real store (for
  // its clock and Stats). None is owned.
  TxnView(TxnReader* reader, std::vector<Mutation>* mutations, KvStore* store, uint64_t now_ms);

  // KvStore
  Clock* clock() override { return store_->clock(); }
  absl::Status MultiGet(int db, const std::vector<std::string_view>& keys,
                        std::vector<std::optional<Entry>>* out) override;
  absl::Status Apply(std::vector<Mutation> mutations) override;
  // Runs `body` on this view; `scope` needs no isolation of its own (the enclosing transaction
  // has it) and WATCH cannot be used inside MULTI.
  absl::Status Transact(const TxnScope& scope, const TxnBody& body) override;
  absl::Status Versions(int db, const std::vector<std::string_view>& keys,
                        std::vector<KeyVersion>* out) override;
  absl::Status Flush() override { return absl::OkStatus(); }  // the commit itself is durable
  std::map<std::string, uint64_t> Stats() override { return store_->Stats(); }

  // KvStore and TxnReader
  absl::Status Scan(int db, std::string_view start, size_t limit, std::vector<std::string>* keys,
                    std::optional<std::string>* next) override;
  absl::Status Count(int db, uint64_t* keys, uint64_t* keys_with_expiry) override;

  // TxnReader
  absl::StatusOr<std::optional<Entry>> Get(int db, std::string_view key) override;

 private:
  using OverlayKey = std::pair<int, std::string>;  // (base database, key)
  bool Live(const std::optional<Entry>& e) const {
    return e.has_value() && (e->expires_at_ms == 0 || e->expires_at_ms > now_ms_);
  }
  absl::StatusOr<std::optional<Entry>> BaseGet(int base, std::string_view key);

  TxnReader* const reader_;
  std::vector<Mutation>* const mutations_;
  KvStore* const store_;
  const uint64_t now_ms_;
  std::array<int, kDatabases> perm_;                    // block's db -> base db
  std::array<bool, kDatabases> cleared_{};              // base db flushed in the block
  std::map<OverlayKey, std::optional<Entry>> overlay_;  // nullopt = deleted in the block
};

}  // namespace nokv::redis
