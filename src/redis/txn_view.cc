#include "src/redis/txn_view.h"

#include <algorithm>

namespace nokv::redis {

TxnView::TxnView(TxnReader* reader, std::vector<Mutation>* mutations, KvStore* store,
                 uint64_t now_ms)
    : reader_(reader), mutations_(mutations), store_(store), now_ms_(now_ms) {
  for (int db = 0; db < kDatabases; ++db) perm_[static_cast<size_t>(db)] = db;
}

absl::StatusOr<std::optional<Entry>> TxnView::BaseGet(int base, std::string_view key) {
  auto it = overlay_.find(OverlayKey(base, std::string(key)));
  if (it != overlay_.end()) {
    return Live(it->second) ? it->second : std::optional<Entry>();
  }
  if (cleared_[static_cast<size_t>(base)]) return std::optional<Entry>();
  return reader_->Get(base, key);
}

absl::StatusOr<std::optional<Entry>> TxnView::Get(int db, std::string_view key) {
  return BaseGet(perm_[static_cast<size_t>(db)], key);
}

absl::Status TxnView::MultiGet(int db, const std::vector<std::string_view>& keys,
                               std::vector<std::optional<Entry>>* out) {
  out->clear();
  for (std::string_view k : keys) {
    absl::StatusOr<std::optional<Entry>> e = Get(db, k);
    if (!e.ok()) return e.status();
    out->push_back(std::move(*e));
  }
  return absl::OkStatus();
}

absl::Status TxnView::Apply(std::vector<Mutation> mutations) {
  for (Mutation& m : mutations) {
    switch (m.kind) {
      case Mutation::Kind::kPut:
      case Mutation::Kind::kDelete: {
        std::optional<Entry>& slot = overlay_[OverlayKey(perm_[static_cast<size_t>(m.db)], m.key)];
        if (m.kind == Mutation::Kind::kPut) {
          slot = Entry{ValueType::kString, m.value, m.expires_at_ms};
          if (!Live(slot)) slot.reset();  // a deadline in the past deletes
        } else {
          slot.reset();
        }
        break;
      }
      case Mutation::Kind::kClearDb: {
        const int base = perm_[static_cast<size_t>(m.db)];
        overlay_.erase(overlay_.lower_bound(OverlayKey(base, "")),
                       overlay_.lower_bound(OverlayKey(base + 1, "")));
        cleared_[static_cast<size_t>(base)] = true;
        break;
      }
      case Mutation::Kind::kClearAll:
        overlay_.clear();
        cleared_.fill(true);
        break;
      case Mutation::Kind::kSwapDb:
        std::swap(perm_[static_cast<size_t>(m.db)], perm_[static_cast<size_t>(m.db2)]);
        break;
    }
    mutations_->push_back(std::move(m));
  }
  return absl::OkStatus();
}

absl::Status TxnView::Transact(const TxnScope& /*scope*/, const TxnBody& body) {
  std::vector<Mutation> mutations;
  absl::Status s = body(*this, &mutations);
  if (!s.ok()) return s;
  return Apply(std::move(mutations));
}

absl::Status TxnView::Versions(int, const std::vector<std::string_view>&,
                               std::vector<KeyVersion>*) {
  return absl::FailedPreconditionError("redis: WATCH inside a transaction");
}

absl::Status TxnView::Scan(int db, std::string_view start, size_t limit,
                           std::vector<std::string>* keys, std::optional<std::string>* next) {
  keys->clear();
  next->reset();
  const int base = perm_[static_cast<size_t>(db)];
  const auto lo = overlay_.lower_bound(OverlayKey(base, std::string(start)));
  const auto hi = overlay_.lower_bound(OverlayKey(base + 1, ""));
  // The block's own entries can hide at most that many of the reader's keys, so reading that
  // many more than `limit` leaves enough to fill the page (or reaches the end).
  const auto shadowed = static_cast<size_t>(std::distance(lo, hi));
  std::vector<std::string> read;
  std::optional<std::string> read_next;
  if (!cleared_[static_cast<size_t>(base)]) {
    absl::Status s = reader_->Scan(base, start, limit + shadowed + 1, &read, &read_next);
    if (!s.ok()) return s;
  }
  // Merge both sorted sequences, up to where the reader stopped.
  std::vector<std::string> merged;
  auto r = read.begin();
  auto o = lo;
  while (r != read.end() || o != hi) {
    const bool take_overlay = r == read.end() || (o != hi && o->first.second <= *r);
    if (take_overlay) {
      if (read_next.has_value() && o->first.second >= *read_next) break;
      if (r != read.end() && o->first.second == *r) ++r;  // the block's entry replaces it
      if (Live(o->second)) merged.push_back(o->first.second);
      ++o;
    } else {
      merged.push_back(*r++);
    }
  }
  if (merged.size() > limit) {
    *next = merged[limit];
    merged.resize(limit);
  } else {
    *next = read_next;
  }
  *keys = std::move(merged);
  return absl::OkStatus();
}

absl::Status TxnView::Count(int db, uint64_t* keys, uint64_t* keys_with_expiry) {
  *keys = 0;
  *keys_with_expiry = 0;
  const int base = perm_[static_cast<size_t>(db)];
  const bool cleared = cleared_[static_cast<size_t>(base)];
  if (!cleared) {
    absl::Status s = reader_->Count(base, keys, keys_with_expiry);
    if (!s.ok()) return s;
  }
  const auto hi = overlay_.lower_bound(OverlayKey(base + 1, ""));
  for (auto it = overlay_.lower_bound(OverlayKey(base, "")); it != hi; ++it) {
    if (!cleared) {  // the reader counted the key as it was before the block changed it
      absl::StatusOr<std::optional<Entry>> before = reader_->Get(base, it->first.second);
      if (!before.ok()) return before.status();
      if (before->has_value()) {
        --*keys;
        if ((*before)->expires_at_ms != 0) --*keys_with_expiry;
      }
    }
    if (Live(it->second)) {
      ++*keys;
      if (it->second->expires_at_ms != 0) ++*keys_with_expiry;
    }
  }
  return absl::OkStatus();
}

}  // namespace nokv::redis
