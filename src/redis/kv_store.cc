#include "src/redis/kv_store.h"

namespace nokv::redis {

absl::StatusOr<std::optional<Entry>> GetOne(KvStore* store, std::string_view key) {
  std::vector<std::optional<Entry>> out;
  absl::Status s = store->MultiGet({key}, &out);
  if (!s.ok()) return s;
  return std::move(out[0]);
}

}  // namespace nokv::redis
