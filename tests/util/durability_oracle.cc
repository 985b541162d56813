#include "tests/util/durability_oracle.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace nokv::test {

void ApplyModelOp(const ModelOp& op, ModelState* state) {
  switch (op.kind) {
    case ModelOp::kSet:
      (*state)[op.key] = ModelValue{op.value, op.expires_at};
      break;
    case ModelOp::kDelete:
      state->erase(op.key);
      break;
    case ModelOp::kDeleteRange: {
      auto first = state->lower_bound(op.key);
      auto last = op.value.empty() ? state->end() : state->lower_bound(op.value);
      state->erase(first, last);
      break;
    }
  }
}

ModelState VisibleAt(const ModelState& state, uint64_t now_ms) {
  ModelState out;
  for (const auto& [k, v] : state) {
    if (v.expires_at == 0 || v.expires_at > now_ms) out.emplace(k, v);
  }
  return out;
}

DurabilityOracle::DurabilityOracle(int clients) : clients_(clients) {}

size_t DurabilityOracle::Begin(int client, std::vector<ModelOp> ops, bool sync) {
  Write w;
  w.ops = std::move(ops);
  w.sync = sync;
  w.start = clock_.fetch_add(1);
  std::lock_guard<std::mutex> lock(mu_);
  clients_[client].writes.push_back(std::move(w));
  return clients_[client].writes.size() - 1;
}

void DurabilityOracle::Acknowledge(int client, size_t index) {
  const uint64_t t = clock_.fetch_add(1);
  std::lock_guard<std::mutex> lock(mu_);
  clients_[client].writes[index].ack = t;
}

size_t DurabilityOracle::writes(int client) const {
  std::lock_guard<std::mutex> lock(mu_);
  return clients_[client].writes.size();
}

namespace {

std::string Show(const ModelValue* v) {
  if (v == nullptr) return "(absent)";
  std::string s = v->value.size() > 40 ? v->value.substr(0, 40) + "..." : v->value;
  if (v->expires_at != 0) s += " @" + std::to_string(v->expires_at);
  return s;
}

// Keys whose visible value differs between the model and the recovered state.
class Mismatches {
 public:
  Mismatches(const ModelState& recovered, uint64_t now_ms) : recovered_(recovered), now_(now_ms) {}
  void Recheck(const ModelState& state, const std::string& key) {
    auto it = state.find(key);
    const bool visible =
        it != state.end() && (it->second.expires_at == 0 || it->second.expires_at > now_);
    auto r = recovered_.find(key);
    const bool equal =
        visible ? (r != recovered_.end() && r->second == it->second) : r == recovered_.end();
    if (equal) {
      keys_.erase(key);
    } else {
      keys_.insert(key);
    }
  }
  const std::set<std::string>& keys() const { return keys_; }

 private:
  const ModelState& recovered_;
  uint64_t now_;
  std::set<std::string> keys_;
};

}  // namespace

std::vector<size_t> DurabilityOracle::FeasiblePrefixes(const Client& c, const ModelState& recovered,
                                                       uint64_t now_ms) const {
  std::vector<size_t> feasible;
  ModelState state = c.base;
  Mismatches mismatches(recovered, now_ms);
  for (const auto& [k, v] : state) mismatches.Recheck(state, k);
  for (const auto& [k, v] : recovered) mismatches.Recheck(state, k);
  if (mismatches.keys().empty()) feasible.push_back(0);
  for (size_t i = 0; i < c.writes.size(); ++i) {
    for (const ModelOp& op : c.writes[i].ops) {
      std::vector<std::string> touched;
      if (op.kind == ModelOp::kDeleteRange) {
        auto first = state.lower_bound(op.key);
        auto last = op.value.empty() ? state.end() : state.lower_bound(op.value);
        for (auto it = first; it != last; ++it) touched.push_back(it->first);
      } else {
        touched.push_back(op.key);
      }
      ApplyModelOp(op, &state);
      for (const std::string& k : touched) mismatches.Recheck(state, k);
    }
    if (mismatches.keys().empty()) feasible.push_back(i + 1);
  }
  return feasible;
}

absl::Status DurabilityOracle::CheckAndAdvance(const std::vector<ModelState>& recovered,
                                               uint64_t now_ms, Mode mode, std::string* summary) {
  std::lock_guard<std::mutex> lock(mu_);
  const size_t n = clients_.size();
  if (recovered.size() != n) return absl::InvalidArgumentError("one state per client expected");
  std::vector<std::vector<size_t>> feasible(n);
  for (size_t c = 0; c < n; ++c) {
    feasible[c] = FeasiblePrefixes(clients_[c], recovered[c], now_ms);
    if (!feasible[c].empty()) continue;
    // No prefix matches: show the differences from the closest one.
    std::ostringstream why;
    why << "client " << c << ": the recovered state is no prefix of its "
        << clients_[c].writes.size()
        << " writes (lost or corrupted data, or a later write without an earlier one)";
    ModelState state = clients_[c].base;
    size_t best = SIZE_MAX, best_p = 0;
    std::vector<std::string> best_keys;
    for (size_t p = 0;; ++p) {
      Mismatches m(recovered[c], now_ms);
      for (const auto& [k, v] : state) m.Recheck(state, k);
      for (const auto& [k, v] : recovered[c]) m.Recheck(state, k);
      if (best == SIZE_MAX || m.keys().size() <= best) {  // ties: the longest prefix
        best = m.keys().size();
        best_p = p;
        best_keys.assign(m.keys().begin(), m.keys().end());
      }
      if (p == clients_[c].writes.size()) break;
      for (const ModelOp& op : clients_[c].writes[p].ops) ApplyModelOp(op, &state);
    }
    state = clients_[c].base;
    for (size_t p = 0; p < best_p; ++p) {
      for (const ModelOp& op : clients_[c].writes[p].ops) ApplyModelOp(op, &state);
    }
    const ModelState visible = VisibleAt(state, now_ms);
    why << "; closest prefix " << best_p << " differs at " << best << " keys:";
    for (size_t i = 0; i < best_keys.size() && i < 5; ++i) {
      auto e = visible.find(best_keys[i]);
      auto g = recovered[c].find(best_keys[i]);
      why << " [" << best_keys[i] << " expected " << Show(e == visible.end() ? nullptr : &e->second)
          << " got " << Show(g == recovered[c].end() ? nullptr : &g->second) << "]";
    }
    return absl::DataLossError(why.str());
  }

  // Lower bounds from durability.
  std::vector<size_t> need(n, 0);
  auto acked_before = [&](size_t u, uint64_t t) {  // writes of u acknowledged before ticket t
    size_t count = 0;
    for (size_t i = 0; i < clients_[u].writes.size(); ++i) {
      const Write& w = clients_[u].writes[i];
      if (w.ack != 0 && w.ack < t) count = i + 1;
    }
    return count;
  };
  for (size_t c = 0; c < n; ++c) {
    for (size_t i = 0; i < clients_[c].writes.size(); ++i) {
      const Write& w = clients_[c].writes[i];
      if (w.ack == 0) continue;
      if (mode == Mode::kAllAcknowledged || w.sync) need[c] = std::max(need[c], i + 1);
      if (w.sync) {
        for (size_t u = 0; u < n; ++u) need[u] = std::max(need[u], acked_before(u, w.start));
      }
    }
  }
  // Smallest feasible prefixes that satisfy the bounds, closed under real-time order.
  std::vector<size_t> chosen(n, 0);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t c = 0; c < n; ++c) {
      auto it = std::lower_bound(feasible[c].begin(), feasible[c].end(), need[c]);
      if (it == feasible[c].end()) {
        std::ostringstream why;
        why << "client " << c << ": " << need[c]
            << " writes must have survived (acknowledged with sync, or acknowledged before a "
               "surviving write started), but the recovered state matches only prefixes {";
        for (size_t i = 0; i < feasible[c].size() && i < 8; ++i)
          why << (i ? "," : "") << feasible[c][i];
        why << (feasible[c].size() > 8 ? ",..." : "") << "} of " << clients_[c].writes.size();
        return absl::DataLossError(why.str());
      }
      if (*it != chosen[c]) {
        chosen[c] = *it;
        changed = true;
      }
      if (chosen[c] == 0) continue;
      const uint64_t start = clients_[c].writes[chosen[c] - 1].start;
      for (size_t u = 0; u < n; ++u) {
        const size_t before = acked_before(u, start);
        if (before > need[u]) {
          need[u] = before;
          changed = true;
        }
      }
    }
  }
  if (summary != nullptr) {
    std::ostringstream s;
    for (size_t c = 0; c < n; ++c) {
      s << (c ? " " : "") << "c" << c << ":" << chosen[c] << "/" << clients_[c].writes.size();
    }
    *summary = s.str();
  }
  for (size_t c = 0; c < n; ++c) {
    clients_[c].base = recovered[c];
    clients_[c].writes.clear();
  }
  return absl::OkStatus();
}

}  // namespace nokv::test
