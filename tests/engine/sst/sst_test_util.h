// Shared fixtures for the SST tests: random internal-key data sets with a std::map reference
// model, and helpers that build / open tables through a VFS.
#pragma once

#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/format/dbformat.h"
#include "engine/format/range_tombstone.h"
#include "engine/sst/block_cache.h"
#include "engine/sst/table.h"
#include "engine/vfs/vfs.h"
#include "src/util/random.h"
#include "tests/test_seed.h"

namespace nokv {
namespace sst_test {

using Model = std::map<std::string, std::string, InternalKeyLess>;

// Base seed for randomized tests: NOKV_TEST_SEED overrides it to replay a failure.
inline uint64_t BaseSeed(uint64_t fallback) { return test::SeedFromEnv(fallback); }

inline std::string RandomBytes(Random& rnd, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rnd.Uniform(256));
  return s;
}

// User keys with shared prefixes (exercises prefix compression and separators), some containing
// 0xff and 0x00 bytes, plus the empty key now and then.
inline std::string RandomUserKey(Random& rnd, int space) {
  uint64_t n = rnd.Uniform(space);
  switch (rnd.Uniform(8)) {
    case 0:
      return std::string(n % 5, '\xff') + std::to_string(n);
    case 1:
      return n % 97 == 0 ? std::string() : std::string(1 + n % 3, '\0') + std::to_string(n);
    default: {
      char buf[32];
      std::snprintf(buf, sizeof(buf), "user%08llu", static_cast<unsigned long long>(n));
      return std::string(buf) + std::string(n % 7, 'x');
    }
  }
}

struct ModelOptions {
  int num_keys = 2000;  // distinct user keys attempted
  int key_space = 100000;
  int max_versions = 4;
  int max_value_len = 100;
  int deletion_one_in = 5;
};

// Internal-key -> value map with several versions per user key (distinct sequences).
inline Model RandomModel(Random& rnd, const ModelOptions& o) {
  Model m;
  for (int i = 0; i < o.num_keys; ++i) {
    std::string uk = RandomUserKey(rnd, o.key_space);
    int versions = 1 + static_cast<int>(rnd.Uniform(o.max_versions));
    for (int v = 0; v < versions; ++v) {
      SequenceNumber seq = 1 + rnd.Uniform(1000000);
      bool del = rnd.OneIn(o.deletion_one_in);
      std::string value = del ? std::string() : RandomBytes(rnd, rnd.Uniform(o.max_value_len + 1));
      m[MakeInternalKey(uk, seq, del ? ValueKind::kDeletion : ValueKind::kValue)] = value;
    }
  }
  return m;
}

inline absl::Status BuildTable(VFS& vfs, const std::string& path, const TableOptions& options,
                               const Model& model,
                               const std::vector<RangeTombstone>& tombstones = {},
                               TableProperties* props = nullptr) {
  auto file = vfs.NewWritableFile(path);
  if (!file.ok()) return file.status();
  TableBuilder builder(options, file->get(), path);
  for (const auto& [k, v] : model) builder.Add(k, v);
  for (const auto& t : tombstones) builder.AddRangeTombstone(t);
  absl::Status s = builder.Finish();
  if (!s.ok()) return s;
  if (builder.FileSize() != (*file)->Size()) return absl::InternalError("FileSize mismatch");
  if (props != nullptr) *props = builder.properties();
  s = (*file)->Sync();
  if (!s.ok()) return s;
  return (*file)->Close();
}

inline absl::StatusOr<std::shared_ptr<Table>> OpenTable(VFS& vfs, const std::string& path,
                                                        const TableOptions& options,
                                                        uint64_t file_number = 1,
                                                        BlockCache* cache = nullptr) {
  auto file = vfs.NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  return Table::Open(options, std::move(*file), path, file_number, cache);
}

// What Table::Get must return for (user_key, snapshot) according to the model.
inline TableGetResult ModelGet(const Model& m, std::string_view user_key, SequenceNumber seq) {
  TableGetResult r;
  auto it = m.lower_bound(MakeInternalKey(user_key, seq, kValueKindForSeek));
  if (it == m.end()) return r;
  ParsedInternalKey p;
  ParseInternalKey(it->first, &p);
  if (p.user_key != user_key) return r;
  r.found = true;
  r.sequence = p.sequence;
  r.kind = p.kind;
  if (p.kind == ValueKind::kValue) r.value = it->second;
  return r;
}

}  // namespace sst_test
}  // namespace nokv
