// LCS: the longest common subsequence of two string values (Redis 7's algorithm and replies,
// including its ranges, which are found walking back from the end of both strings).
#include <cstdint>
#include <memory>
#include <new>

#include "src/redis/command.h"

namespace nokv::redis::handlers {

void Lcs(CommandContext& c) {
  std::vector<std::optional<Entry>> values;
  absl::Status s = c.store->MultiGet(c.db(), {c.argv[1], c.argv[2]}, &values);
  if (!s.ok()) return ReplyStoreError(c, s);
  bool get_len = false;
  bool get_idx = false;
  bool with_match_len = false;
  int64_t min_match_len = 0;
  for (size_t j = 3; j < c.argv.size(); ++j) {
    std::string_view opt = c.argv[j];
    if (EqualsIgnoreCase(opt, "idx")) {
      get_idx = true;
    } else if (EqualsIgnoreCase(opt, "len")) {
      get_len = true;
    } else if (EqualsIgnoreCase(opt, "withmatchlen")) {
      with_match_len = true;
    } else if (EqualsIgnoreCase(opt, "minmatchlen") && j + 1 < c.argv.size()) {
      if (!ParseInt64Strict(c.argv[++j], &min_match_len)) return AppendError(c.out, kErrNotInteger);
      if (min_match_len < 0) min_match_len = 0;
    } else {
      return AppendError(c.out, kErrSyntax);
    }
  }
  if (get_idx && get_len) {
    return AppendError(c.out, "ERR If you want both the length and indexes, please just use IDX.");
  }
  const std::string empty;
  const std::string& a = values[0].has_value() ? values[0]->value : empty;
  const std::string& b = values[1].has_value() ? values[1]->value : empty;
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    return AppendError(c.out, "ERR String too long for LCS");
  }
  const auto alen = static_cast<uint32_t>(a.size());
  const auto blen = static_cast<uint32_t>(b.size());
  // The (alen+1) x (blen+1) table is bounded the way Redis bounds it.
  const uint64_t cells = static_cast<uint64_t>(alen + 1) * (blen + 1);
  if (cells * sizeof(uint32_t) > static_cast<uint64_t>(c.server->config.proto_max_bulk_len())) {
    return AppendError(c.out,
                       "ERR Insufficient memory, transient memory for LCS exceeds "
                       "proto-max-bulk-len");
  }
  std::unique_ptr<uint32_t[]> table(new (std::nothrow) uint32_t[cells]);
  if (!table) {
    return AppendError(c.out,
                       "ERR Insufficient memory, failed allocating transient memory for LCS");
  }
  auto lcs = [&](uint32_t i, uint32_t j) -> uint32_t& { return table[j + i * (blen + 1)]; };
  for (uint32_t i = 0; i <= alen; ++i) {
    for (uint32_t j = 0; j <= blen; ++j) {
      if (i == 0 || j == 0) {
        lcs(i, j) = 0;
      } else if (a[i - 1] == b[j - 1]) {
        lcs(i, j) = lcs(i - 1, j - 1) + 1;
      } else {
        lcs(i, j) = std::max(lcs(i - 1, j), lcs(i, j - 1));
      }
    }
  }
  uint32_t idx = lcs(alen, blen);
  const bool compute = get_idx || !get_len;
  std::string result(compute ? idx : 0, '\0');
  std::string ranges;
  int64_t range_count = 0;
  uint32_t a_start = alen;  // alen = no range in progress
  uint32_t a_end = 0;
  uint32_t b_start = 0;
  uint32_t b_end = 0;
  uint32_t i = alen;
  uint32_t j = blen;
  while (compute && i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (a_start == alen) {
        a_start = a_end = i - 1;
        b_start = b_end = j - 1;
      } else if (a_start == i && b_start == j) {
        --a_start;  // the range extends backwards
        --b_start;
      } else {
        emit = true;
      }
      if (a_start == 0 || b_start == 0) emit = true;
      --idx;
      --i;
      --j;
    } else {
      if (lcs(i - 1, j) > lcs(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (a_start != alen) emit = true;
    }
    const uint32_t match_len = a_end - a_start + 1;
    if (emit) {
      if (get_idx && (min_match_len == 0 || match_len >= min_match_len)) {
        AppendArrayHeader(&ranges, with_match_len ? 3 : 2);
        AppendArrayHeader(&ranges, 2);
        AppendInteger(&ranges, a_start);
        AppendInteger(&ranges, a_end);
        AppendArrayHeader(&ranges, 2);
        AppendInteger(&ranges, b_start);
        AppendInteger(&ranges, b_end);
        if (with_match_len) AppendInteger(&ranges, match_len);
        ++range_count;
      }
      a_start = alen;
    }
  }
  if (get_idx) {
    AppendMapHeader(c.out, 2, c.protocol());
    AppendBulk(c.out, "matches");
    AppendArrayHeader(c.out, range_count);
    c.out->append(ranges);
    AppendBulk(c.out, "len");
    AppendInteger(c.out, lcs(alen, blen));
  } else if (get_len) {
    AppendInteger(c.out, idx);
  } else {
    AppendBulk(c.out, result);
  }
}

}  // namespace nokv::redis::handlers
