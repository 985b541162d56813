#include "src/redis/config.h"

#include <algorithm>
#include <climits>
#include <set>

#include "src/redis/glob.h"
#include "src/redis/resp.h"
#include "src/util/str_cat.h"

namespace nokv::redis {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
  }
  return out;
}

// Redis's memtoull: digits with an optional unit (b, k, kb, m, mb, g, gb; any case).
bool ParseMemory(std::string_view s, int64_t* out) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0 || digits > 19) return false;
  const std::string unit = Lower(s.substr(digits));
  int64_t mul = 1;
  if (unit.empty() || unit == "b") {
    mul = 1;
  } else if (unit == "k") {
    mul = 1000;
  } else if (unit == "kb") {
    mul = 1024;
  } else if (unit == "m") {
    mul = 1000 * 1000;
  } else if (unit == "mb") {
    mul = 1024 * 1024;
  } else if (unit == "g") {
    mul = 1000LL * 1000 * 1000;
  } else if (unit == "gb") {
    mul = 1024LL * 1024 * 1024;
  } else {
    return false;
  }
  int64_t v = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (v > (INT64_MAX - (s[i] - '0')) / 10) return false;
    v = v * 10 + (s[i] - '0');
  }
  if (v > INT64_MAX / mul) return false;
  *out = v * mul;
  return true;
}

// Redis's `save` syntax: pairs of non-negative integers (seconds changes), or empty.
bool ValidSave(std::string_view s, std::string* canonical) {
  Argv parts;
  if (!SplitInlineArgs(s, &parts)) return false;
  if (parts.empty()) return s.empty();
  if (parts.size() % 2 != 0) return false;
  for (const auto& p : parts) {
    int64_t v = 0;
    if (!ParseInt64Strict(p, &v) || v < 0) return false;
  }
  canonical->clear();
  for (size_t i = 0; i < parts.size(); ++i) StrAppend(canonical, i ? " " : "", parts[i]);
  return true;
}

std::string SetFailed(std::string_view name, std::string_view why) {
  return StrCat("ERR CONFIG SET failed (possibly related to argument '", name, "') - ", why);
}

}  // namespace

RuntimeConfig::RuntimeConfig(const ServerConfig& startup)
    : workdir_(startup.workdir),
      proto_max_bulk_len_(startup.proto_max_bulk_len),
      maxclients_(startup.maxclients),
      timeout_seconds_(startup.timeout_seconds),
      sync_(startup.sync),
      requirepass_set_(!startup.requirepass.empty()),
      requirepass_(startup.requirepass) {
  auto add = [&](std::string name, Kind kind, std::string value, int64_t min = 0, int64_t max = 0) {
    params_[std::move(name)] = Param{kind, min, max, value, ""};
  };
  // Parameters that mean something here, and can change at run time.
  add("maxclients", Kind::kInt, StrCat(startup.maxclients), 1, 4294967295LL);
  add("proto-max-bulk-len", Kind::kMemory, StrCat(startup.proto_max_bulk_len), 1 << 20, INT64_MAX);
  add("timeout", Kind::kInt, StrCat(startup.timeout_seconds), 0, INT_MAX);
  add("requirepass", Kind::kString, startup.requirepass);
  add("appendfsync", Kind::kFsync, startup.sync ? "always" : "no");
  // Accepted and reported; every write is already in the WAL, so snapshots add nothing.
  add("save", Kind::kSave, "");
  // Fixed by how this server works: reported so clients can check them, not settable.
  add("appendonly", Kind::kImmutable, "yes");  // the WAL logs every write, like the AOF
  add("bind", Kind::kImmutable, startup.bind_addr);
  add("client-query-buffer-limit", Kind::kImmutable, "1073741824");
  add("databases", Kind::kImmutable, "16");
  add("dir", Kind::kImmutable, startup.workdir);
  // Not settable in Redis either: its error, whatever the value.
  params_["databases"].redis_immutable = "can't set immutable config";
  params_["dir"].redis_immutable = "can't set protected config";
  add("maxmemory", Kind::kImmutable, "0");
  add("maxmemory-policy", Kind::kImmutable, "noeviction");
  add("notify-keyspace-events", Kind::kImmutable, "");
  add("port", Kind::kImmutable, "0");
}

bool RuntimeConfig::CheckPassword(std::string_view password) const {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string& want = requirepass_;
  unsigned char diff = want.size() == password.size() ? 0 : 1;
  const size_t n = std::max(want.size(), password.size());
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < want.size() ? want[i] : 0);
    const auto y = static_cast<unsigned char>(i < password.size() ? password[i] : 0);
    diff |= x ^ y;
  }
  return diff == 0;
}

void RuntimeConfig::set_port(int port) {
  std::lock_guard<std::mutex> lock(mu_);
  params_["port"].value = StrCat(port);
}

void RuntimeConfig::set_sync_hook(std::function<void(bool)> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  sync_hook_ = std::move(hook);
}

std::vector<std::pair<std::string, std::string>> RuntimeConfig::Get(
    const std::vector<std::string_view>& patterns) const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, std::string> matches;  // reply name -> value
  std::set<std::string> seen;                  // canonical names already matched
  for (std::string_view pattern : patterns) {
    const std::string lower = Lower(pattern);
    if (lower.find_first_of("*?[") == std::string::npos) {
      // Redis looks a plain name up directly and echoes it as the client spelled it.
      auto it = params_.find(lower);
      if (it != params_.end() && seen.insert(lower).second) {
        matches[std::string(pattern)] = it->second.value;
      }
      continue;
    }
    for (const auto& [name, param] : params_) {
      if (GlobMatch(lower, name) && seen.insert(name).second) matches[name] = param.value;
    }
  }
  return {matches.begin(), matches.end()};
}

std::optional<std::string> RuntimeConfig::Validate(std::string_view name, const Param& param,
                                                   std::string_view value,
                                                   std::string* canonical) const {
  *canonical = std::string(value);
  switch (param.kind) {
    case Kind::kImmutable:
    case Kind::kString:
      break;
    case Kind::kInt:
    case Kind::kMemory: {
      int64_t v = 0;
      if (param.kind == Kind::kInt && !ParseInt64Strict(value, &v)) {
        return SetFailed(name, "argument couldn't be parsed into an integer");
      }
      if (param.kind == Kind::kMemory && !ParseMemory(value, &v)) {
        return SetFailed(name, "argument must be a memory value");
      }
      if (v < param.min || v > param.max) {
        return SetFailed(
            name, StrCat("argument must be between ", param.min, " and ", param.max, " inclusive"));
      }
      *canonical = StrCat(v);
      break;
    }
    case Kind::kFsync: {
      *canonical = Lower(value);
      if (*canonical == "everysec") {
        // There is no timed fsync here: a write is fsynced before its reply, or not at all.
        return SetFailed(name, "everysec is not supported by nokv-redis (use always or no)");
      }
      if (*canonical != "always" && *canonical != "no") {
        return SetFailed(name, "argument(s) must be one of the following: everysec, always, no");
      }
      break;
    }
    case Kind::kSave:
      if (!ValidSave(value, canonical)) return SetFailed(name, "Invalid save parameters");
      break;
  }
  if (param.kind == Kind::kImmutable && *canonical != param.value) {
    // Redis can change it, this server cannot; setting the value it already has is harmless
    // (test harnesses re-state defaults).
    return SetFailed(name, "can't set immutable config");
  }
  return std::nullopt;
}

std::optional<std::string> RuntimeConfig::Set(
    const std::vector<std::pair<std::string_view, std::string_view>>& params) {
  std::function<void(bool)> hook;
  bool new_sync = false;
  bool sync_changed = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Redis 7.0's order: names first (the first unknown name wins, unless an immutable or
    // duplicate parameter came before it), then every value, then apply.
    std::vector<std::string> names;
    std::optional<std::string> unknown;
    std::optional<std::string> error;
    for (const auto& [name, value] : params) {
      std::string lower = Lower(name);
      auto it = params_.find(lower);
      if (it == params_.end()) {
        if (!error.has_value() && !unknown.has_value()) unknown = std::string(name);
        continue;
      }
      if (unknown.has_value() || error.has_value()) continue;
      if (!it->second.redis_immutable.empty()) {
        error = SetFailed(name, it->second.redis_immutable);
      } else if (std::count(names.begin(), names.end(), lower) > 0) {
        error = SetFailed(name, "duplicate parameter");
      }
      names.push_back(std::move(lower));
    }
    if (unknown.has_value()) {
      return StrCat("ERR Unknown option or number of arguments for CONFIG SET - '", *unknown, "'");
    }
    if (error.has_value()) return error;
    std::vector<std::string> values(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      if (auto e = Validate(names[i], params_[names[i]], params[i].second, &values[i])) return e;
    }
    for (size_t i = 0; i < params.size(); ++i) {
      if (names[i] == "appendfsync") {
        new_sync = values[i] == "always";
        sync_changed = new_sync != sync_.load(std::memory_order_relaxed);
      }
      ApplyLocked(names[i], values[i]);
    }
    hook = sync_hook_;
  }
  if (sync_changed && hook) hook(new_sync);
  return std::nullopt;
}

void RuntimeConfig::ApplyLocked(const std::string& name, const std::string& value) {
  params_[name].value = value;
  int64_t v = 0;
  if (name == "maxclients" && ParseInt64Strict(value, &v)) {
    maxclients_.store(v, std::memory_order_relaxed);
  } else if (name == "proto-max-bulk-len" && ParseInt64Strict(value, &v)) {
    proto_max_bulk_len_.store(v, std::memory_order_relaxed);
  } else if (name == "timeout" && ParseInt64Strict(value, &v)) {
    timeout_seconds_.store(v, std::memory_order_relaxed);
  } else if (name == "requirepass") {
    requirepass_ = value;
    requirepass_set_.store(!value.empty(), std::memory_order_relaxed);
  } else if (name == "appendfsync") {
    sync_.store(value == "always", std::memory_order_relaxed);
  }
}

}  // namespace nokv::redis
