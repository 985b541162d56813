// Shared pieces of the `nokv` CLI: exit codes, parsed arguments, output helpers, and the
// offline view of a workdir. The view is built only from the engine's own readers
// (InspectWorkdir, ReadManifest, wal::Replay, the write-batch parser, Table), so `nokv` judges a
// workdir exactly as DB::Open does: a fix to recovery is a fix here too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/vfs/vfs.h"
#include "engine/wal/wal.h"
#include "src/db/recovery.h"

namespace nokv::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCorruption = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

// The parsed flags of one invocation (each command reads only the flags it allows).
struct Args {
  std::string workdir;
  std::string file;
  std::string expvar;
  int timeout_ms = 0;
  bool json = false;
  bool dump = false;
  bool verify = false;
  std::string coordinator;
  uint32_t count = 1;
};

struct Problem {
  std::string file;
  std::string message;
};

std::string JsonEscape(std::string_view s);
// Printable form of a key: printable ASCII as is, other bytes as \xNN.
std::string Printable(std::string_view s);
std::string U(uint64_t v);
std::string ProblemsJson(const std::vector<Problem>& problems);
std::string NotesJson(const std::vector<std::string>& notes);
void PrintProblems(const std::vector<Problem>& problems);
void PrintNotes(const std::vector<std::string>& notes);
std::string KindName(uint8_t kind);

// One WAL segment as the CLI reports it.
struct WalSegmentView {
  wal::SegmentReport report;
  bool replayed = false;  // at or above the MANIFEST's log number: the next Open replays it
  uint64_t ops = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
};

struct WorkdirView {
  bool manifest_ok = false;  // InspectWorkdir succeeded (else see problems)
  WorkdirState state;
  std::vector<std::string> edits;  // DebugString of every MANIFEST edit, in order
  std::vector<WalSegmentView> wal;
  // What would make DB::Open refuse the workdir (or lose data); and benign findings (a torn
  // tail Open repairs, orphans it removes).
  std::vector<Problem> problems;
  std::vector<std::string> notes;
};

// Reads a stopped workdir without changing anything.
WorkdirView ReadWorkdir(VFS& vfs, const std::string& workdir);

int CmdStatsOffline(VFS& vfs, const Args& args);
int CmdStatsOnline(const Args& args);
int CmdManifest(VFS& vfs, const Args& args);
int CmdSst(VFS& vfs, const Args& args);
int CmdWal(VFS& vfs, const Args& args);
int CmdCheck(VFS& vfs, const Args& args);

}  // namespace nokv::cli
