// Names of the files in a workdir, in one place (docs/format.md "Workdir layout"):
//   LOCK, CURRENT, MANIFEST-NNNNNN, wal/NNNNNN.log, sst/NNNNNN.sst, lost/ (quarantine)
// MANIFESTs, WAL segments and SSTs share one file-number counter.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/vfs/vfs.h"

namespace nokv {

inline constexpr std::string_view kWalDirName = "wal";
inline constexpr std::string_view kSstDirName = "sst";
// Files recovery will not delete but no longer uses (orphans found next to a torn MANIFEST
// tail) are moved here for an operator to inspect; nothing reads them.
inline constexpr std::string_view kLostDirName = "lost";
inline constexpr std::string_view kManifestPrefix = "MANIFEST-";

namespace filename_internal {
inline std::string Numbered(uint64_t number, const char* suffix) {
  char name[40];
  std::snprintf(name, sizeof(name), "%06llu%s", static_cast<unsigned long long>(number), suffix);
  return name;
}
}  // namespace filename_internal

inline std::string WalDir(std::string_view dbdir) { return JoinPath(dbdir, kWalDirName); }
inline std::string SstDir(std::string_view dbdir) { return JoinPath(dbdir, kSstDirName); }
inline std::string LostDir(std::string_view dbdir) { return JoinPath(dbdir, kLostDirName); }

// `wal_dir` is the directory of the segments (WalDir(dbdir) for a DB).
inline std::string WalFileName(std::string_view wal_dir, uint64_t number) {
  return JoinPath(wal_dir, filename_internal::Numbered(number, ".log"));
}
inline std::string SstFileName(std::string_view dbdir, uint64_t number) {
  return JoinPath(SstDir(dbdir), filename_internal::Numbered(number, ".sst"));
}
inline std::string ManifestFileName(std::string_view dbdir, uint64_t number) {
  return JoinPath(dbdir, std::string(kManifestPrefix) + filename_internal::Numbered(number, ""));
}
inline std::string CurrentFileName(std::string_view dbdir) { return JoinPath(dbdir, "CURRENT"); }
inline std::string LockFileName(std::string_view dbdir) { return JoinPath(dbdir, "LOCK"); }

// Parses "000123<suffix>" ("000123.log", "000123.sst", or "000123" after a prefix is removed);
// false for any other name.
inline bool ParseNumberedName(std::string_view name, std::string_view suffix, uint64_t* number) {
  if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix) {
    return false;
  }
  std::string_view digits = name.substr(0, name.size() - suffix.size());
  if (digits.empty() || digits.size() > 19 ||
      digits.find_first_not_of("0123456789") != std::string_view::npos) {
    return false;
  }
  *number = std::strtoull(std::string(digits).c_str(), nullptr, 10);
  return true;
}

// "MANIFEST-000123" -> 123.
inline bool ParseManifestName(std::string_view name, uint64_t* number) {
  if (name.substr(0, kManifestPrefix.size()) != kManifestPrefix) return false;
  return ParseNumberedName(name.substr(kManifestPrefix.size()), "", number);
}

}  // namespace nokv
