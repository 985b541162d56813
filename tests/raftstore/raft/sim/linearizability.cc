#include "tests/raftstore/raft/sim/linearizability.h"

#include <algorithm>
#include <limits>
#include <map>
#include <unordered_set>

#include "src/util/str_cat.h"

namespace nokv::raft::sim {
namespace {

using Register = std::optional<std::string>;

// The sequential specification of one key. Returns whether `op` may run in `state` and produce
// its recorded output, and the state after it.
bool StepModel(const KvOperation& op, const Register& state, Register* next) {
  switch (op.kind) {
    case KvOpKind::kPut:
      *next = op.value;
      return true;
    case KvOpKind::kGet:
      *next = state;
      return !op.completed || op.read_value == state;
    case KvOpKind::kCas: {
      bool matches = state == op.expected;
      if (op.completed && op.cas_swapped != matches) return false;
      *next = matches ? Register(op.value) : state;
      return true;
    }
  }
  return false;
}

struct Event {
  bool is_call;
  size_t op;
  uint64_t time;
  int prev = -1;
  int next = -1;
  int match = -1;  // call <-> return
};

std::string CacheKey(const std::vector<uint64_t>& bits, const Register& state) {
  std::string key(reinterpret_cast<const char*>(bits.data()), bits.size() * sizeof(uint64_t));
  key.push_back(state ? '+' : '-');
  if (state) key += *state;
  return key;
}

// Wing-Gong-Lowe search over one key's operations.
LinearizabilityResult CheckOneKey(const std::vector<KvOperation>& ops, size_t max_states) {
  LinearizabilityResult result;
  const uint64_t kNever = std::numeric_limits<uint64_t>::max();
  std::vector<Event> events;
  for (size_t i = 0; i < ops.size(); ++i) {
    events.push_back(Event{true, i, ops[i].call});
    events.push_back(Event{false, i, ops[i].completed ? ops[i].returned : kNever});
  }
  // Calls sort before returns at equal times so that touching intervals count as concurrent.
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    if (a.time != b.time) return a.time < b.time;
    if (a.is_call != b.is_call) return a.is_call;
    return a.op < b.op;
  });
  std::vector<int> call_of(ops.size()), return_of(ops.size());
  for (size_t i = 0; i < events.size(); ++i) {
    (events[i].is_call ? call_of : return_of)[events[i].op] = static_cast<int>(i);
  }
  // Doubly linked list with a sentinel head at index events.size().
  const int head = static_cast<int>(events.size());
  events.push_back(Event{true, 0, 0});
  for (int i = 0; i < head; ++i) {
    events[i].prev = i == 0 ? head : i - 1;
    events[i].next = i + 1 < head ? i + 1 : -1;
    events[i].match = events[i].is_call ? return_of[events[i].op] : call_of[events[i].op];
  }
  events[head].next = head > 0 ? 0 : -1;

  auto lift = [&](int call) {
    int ret = events[call].match;
    events[events[call].prev].next = events[call].next;
    if (events[call].next >= 0) events[events[call].next].prev = events[call].prev;
    events[events[ret].prev].next = events[ret].next;
    if (events[ret].next >= 0) events[events[ret].next].prev = events[ret].prev;
  };
  auto unlift = [&](int call) {
    int ret = events[call].match;
    events[events[ret].prev].next = ret;
    if (events[ret].next >= 0) events[events[ret].next].prev = ret;
    events[events[call].prev].next = call;
    if (events[call].next >= 0) events[events[call].next].prev = call;
  };

  std::vector<uint64_t> linearized((ops.size() + 63) / 64, 0);
  std::unordered_set<std::string> cache;
  struct Frame {
    int call;
    Register state;
  };
  std::vector<Frame> stack;
  Register state;
  int entry = events[head].next;
  while (events[head].next >= 0) {
    if (entry < 0) {
      result.linearizable = false;
      return result;
    }
    Event& e = events[entry];
    if (e.is_call) {
      Register next;
      if (StepModel(ops[e.op], state, &next)) {
        linearized[e.op / 64] |= 1ULL << (e.op % 64);
        if (cache.insert(CacheKey(linearized, next)).second) {
          if (cache.size() > max_states) {
            result.linearizable = false;
            result.inconclusive = true;
            return result;
          }
          stack.push_back(Frame{entry, state});
          state = std::move(next);
          lift(entry);
          entry = events[head].next;
          continue;
        }
        linearized[e.op / 64] &= ~(1ULL << (e.op % 64));
      }
      entry = e.next;
    } else {
      // A return whose call is not linearized yet: backtrack.
      if (stack.empty()) {
        result.linearizable = false;
        return result;
      }
      Frame f = std::move(stack.back());
      stack.pop_back();
      state = std::move(f.state);
      size_t op = events[f.call].op;
      linearized[op / 64] &= ~(1ULL << (op % 64));
      unlift(f.call);
      entry = events[f.call].next;
    }
  }
  return result;
}

}  // namespace

std::string KvOperation::DebugString() const {
  std::string out =
      StrCat("c", client, " [", call, ", ", completed ? StrCat(returned) : std::string("?"), "] ");
  switch (kind) {
    case KvOpKind::kPut:
      out += StrCat("put(", key, ", ", value, ")");
      break;
    case KvOpKind::kGet:
      out += StrCat("get(", key, ")");
      if (completed) out += StrCat(" -> ", read_value ? *read_value : std::string("<absent>"));
      break;
    case KvOpKind::kCas:
      out += StrCat("cas(", key, ", ", expected ? *expected : std::string("<absent>"), " -> ",
                    value, ")");
      if (completed) out += cas_swapped ? " -> swapped" : " -> unchanged";
      break;
  }
  if (!completed) out += " (outcome unknown)";
  return out;
}

LinearizabilityResult CheckKvLinearizable(const std::vector<KvOperation>& history,
                                          size_t max_states_per_key) {
  std::map<std::string, std::vector<KvOperation>> by_key;
  for (const KvOperation& op : history) by_key[op.key].push_back(op);
  for (auto& [key, ops] : by_key) {
    LinearizabilityResult r = CheckOneKey(ops, max_states_per_key);
    if (!r.linearizable) {
      std::sort(ops.begin(), ops.end(),
                [](const KvOperation& a, const KvOperation& b) { return a.call < b.call; });
      r.explanation = StrCat(r.inconclusive ? "search budget exhausted" : "not linearizable",
                             " on key ", key, ":\n");
      // Narrow down: the shortest call-ordered prefix that already fails (a heuristic, since a
      // later-called concurrent operation can be what explains an earlier result).
      size_t lo = 1, hi = ops.size();
      while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        std::vector<KvOperation> prefix(ops.begin(), ops.begin() + mid);
        if (CheckOneKey(prefix, max_states_per_key).linearizable) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      size_t from = lo > 12 ? lo - 12 : 0;
      StrAppend(&r.explanation, "  first failing prefix ends at operation ", lo, " of ", ops.size(),
                "; operations ", from, "..", lo - 1, ":\n");
      for (size_t i = from; i < lo && i < ops.size(); ++i) {
        StrAppend(&r.explanation, "  ", ops[i].DebugString(), "\n");
      }
      return r;
    }
  }
  return LinearizabilityResult{};
}

}  // namespace nokv::raft::sim
