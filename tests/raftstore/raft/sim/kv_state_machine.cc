#include "tests/raftstore/raft/sim/kv_state_machine.h"

#include <string>

#include "src/util/str_cat.h"

namespace nokv::raft::sim {
namespace {

constexpr char kSep = '\x1f';

std::vector<std::string> SplitString(std::string_view s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

}  // namespace

std::string EncodeCommand(const Command& c) {
  return StrCat(c.op_id, kSep, static_cast<int>(c.kind), kSep, c.key, kSep, c.value, kSep,
                c.expected ? "1" : "0", kSep, c.expected ? *c.expected : std::string());
}

bool DecodeCommand(std::string_view data, Command* c) {
  std::vector<std::string> p = SplitString(data, kSep);
  if (p.size() != 6) return false;
  c->op_id = std::stoull(p[0]);
  c->kind = static_cast<KvOpKind>(std::stoi(p[1]));
  c->key = p[2];
  c->value = p[3];
  if (p[4] == "1") c->expected = p[5];
  return true;
}

bool ApplyCommand(const Command& c, KvMap* kv, bool* duplicate) {
  std::string seen_key = StrCat("#applied-", c.op_id);
  auto seen = kv->find(seen_key);
  *duplicate = seen != kv->end();
  if (*duplicate) return seen->second == "1";  // the outcome of the first application
  std::optional<std::string> current;
  auto it = kv->find(c.key);
  if (it != kv->end()) current = it->second;
  if (c.kind == KvOpKind::kCas && current != c.expected) {
    (*kv)[seen_key] = "0";
    return false;
  }
  (*kv)[c.key] = c.value;
  (*kv)[seen_key] = "1";
  return true;
}

std::string SerializeKv(const KvMap& kv) {
  std::string out;
  for (const auto& [k, v] : kv) StrAppend(&out, k, kSep, v, '\n');
  return out;
}

KvMap DeserializeKv(std::string_view data) {
  KvMap kv;
  for (const std::string& line : SplitString(data, '\n')) {
    if (line.empty()) continue;
    std::vector<std::string> p = SplitString(line, kSep);
    if (p.size() == 2) kv[p[0]] = p[1];
  }
  return kv;
}

}  // namespace nokv::raft::sim
