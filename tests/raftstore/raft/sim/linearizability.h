// A linearizability checker for key-value histories (Wing & Gong's algorithm with Lowe's
// memoization, as in Porcupine). Linearizability is compositional (Herlihy & Wing), so the
// history is split by key and each key's register history is checked on its own.
//
// Operations whose outcome the client never learned (a write that timed out, a proposal on a
// node that crashed) are "incomplete": they may take effect at any point after their call, or
// never. Incomplete reads carry no information and should be left out of the history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nokv::raft::sim {

enum class KvOpKind { kPut, kGet, kCas };

struct KvOperation {
  int client = 0;
  KvOpKind kind = KvOpKind::kGet;
  std::string key;
  // kPut: value written. kCas: value written if the current value equals `expected`.
  std::string value;
  // kCas: expected current value (nullopt = key absent).
  std::optional<std::string> expected;
  // Logical times; `returned` is ignored for incomplete operations.
  uint64_t call = 0;
  uint64_t returned = 0;
  bool completed = true;
  // Outputs: kGet -> read value (nullopt = absent); kCas -> whether it swapped.
  std::optional<std::string> read_value;
  bool cas_swapped = false;

  std::string DebugString() const;
};

struct LinearizabilityResult {
  bool linearizable = true;
  // The search gave up (state budget exhausted); `linearizable` is then false.
  bool inconclusive = false;
  // For a failure: the offending key and its operations in call order.
  std::string explanation;
};

// Checks the whole history. `max_states_per_key` bounds the memoization cache per key.
LinearizabilityResult CheckKvLinearizable(const std::vector<KvOperation>& history,
                                          size_t max_states_per_key = 2'000'000);

}  // namespace nokv::raft::sim
