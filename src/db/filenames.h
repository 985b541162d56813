// Names of the files in a workdir (docs/format.md "Workdir layout"):
//   CURRENT, MANIFEST-NNNNNN, LOCK, wal/NNNNNN.log, sst/NNNNNN.sst
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/vfs/vfs.h"

namespace nokv {

inline std::string WalFileName(const std::string& wal_dir, uint64_t number) {
  char name[32];
  std::snprintf(name, sizeof(name), "%06llu.log", static_cast<unsigned long long>(number));
  return JoinPath(wal_dir, name);
}

// Parses "000123.log" / "000123.sst" given the suffix; false for any other name.
inline bool ParseNumberedName(const std::string& name, std::string_view suffix, uint64_t* number) {
  if (name.size() <= suffix.size() ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) != 0) {
    return false;
  }
  std::string digits = name.substr(0, name.size() - suffix.size());
  if (digits.empty() || digits.size() > 19 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *number = std::strtoull(digits.c_str(), nullptr, 10);
  return true;
}

}  // namespace nokv
