// nokv: inspection of a stopped NoKV workdir, or of a running daemon's metrics endpoint
// (see docs/cli.md). This file parses flags and dispatches; each command lives in its own file
// and reads workdirs only through the engine's readers (cli.h).
//
//   nokv stats    (--workdir DIR | --expvar URL) [--json]
//   nokv manifest --workdir DIR [--json]
//   nokv sst      --file F [--dump] [--verify] [--json]
//   nokv wal      --workdir DIR [--json]
//   nokv check    --workdir DIR [--json]
//   nokv regions  --coordinator ADDR [--json]
//   nokv coordinator status --coordinator ADDR [--json]
//   nokv tso      --coordinator ADDR [--count N] [--json]
//
// Exit codes: 0 ok, 1 corruption found, 2 usage error, 3 endpoint unreachable or bad reply.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "engine/vfs/vfs.h"
#include "src/util/str_cat.h"
#include "tools/nokv/cli.h"
#include "tools/nokv/cluster_commands.h"

ABSL_FLAG(std::string, workdir, "", "workdir of a stopped NoKV instance");
ABSL_FLAG(std::string, file, "", "path of one SST file");
ABSL_FLAG(std::string, expvar, "",
          "metrics endpoint of a running daemon: host:port or http://host:port/path "
          "(path defaults to /debug/vars)");
ABSL_FLAG(int, timeout_ms, 5000, "connect and read timeout for --expvar, in milliseconds");
ABSL_FLAG(bool, json, false, "print one JSON object on one line instead of tables");
ABSL_FLAG(bool, dump, false, "list every entry of the table");
ABSL_FLAG(bool, verify, false, "check every block checksum of the table");
ABSL_FLAG(std::string, coordinator, "",
          "address host:port of any coordinator (requests follow redirects to the holder)");
ABSL_FLAG(uint32_t, count, 1, "timestamps to ask for (tso)");

namespace nokv::cli {
namespace {

int CmdStatsAny(VFS& vfs, const Args& args) {
  return args.expvar.empty() ? CmdStatsOffline(vfs, args) : CmdStatsOnline(args);
}

// --- cluster commands (tools/nokv/cluster_commands.cc) -----------------------------------------

ClusterArgs ToClusterArgs(const Args& args) {
  ClusterArgs c;
  c.coordinator = args.coordinator;
  c.json = args.json;
  c.timeout_ms = args.timeout_ms;
  c.count = args.count;
  return c;
}
int CmdRegionsOnline(VFS&, const Args& args) { return CmdRegions(ToClusterArgs(args)); }
int CmdCoordinatorStatusOnline(VFS&, const Args& args) {
  return CmdCoordinatorStatus(ToClusterArgs(args));
}
int CmdTsoOnline(VFS&, const Args& args) { return CmdTso(ToClusterArgs(args)); }

// --- usage --------------------------------------------------------------------------------------

struct CommandInfo {
  const char* name;
  const char* synopsis;
  const char* description;
  std::vector<std::string> flags;  // the flags this command accepts
  // Exactly one of these must be given (empty: no requirement).
  std::vector<std::string> one_of;
  int (*fn)(VFS&, const Args&);
};

const std::vector<CommandInfo>& Commands() {
  static const auto* kCommands = new std::vector<CommandInfo>{
      {"stats",
       "nokv stats (--workdir DIR | --expvar URL) [--json] [--timeout_ms N]",
       "Offline (--workdir): live files per level, WAL segments, last sequence and next file "
       "number from the MANIFEST replay.\n  Online (--expvar): a running daemon's metrics "
       "endpoint: levels, memtables, WAL, write/get latency, cache, flush, compaction, stalls, "
       "then every other metric.",
       {"workdir", "expvar", "json", "timeout_ms"},
       {"workdir", "expvar"},
       CmdStatsAny},
      {"manifest",
       "nokv manifest --workdir DIR [--json]",
       "Every version edit of the current MANIFEST and the final live files per level.",
       {"workdir", "json"},
       {"workdir"},
       CmdManifest},
      {"sst",
       "nokv sst --file F [--dump] [--verify] [--json]",
       "Table properties and range tombstones; --dump lists every entry, --verify checks every "
       "block checksum.",
       {"file", "dump", "verify", "json"},
       {"file"},
       CmdSst},
      {"wal",
       "nokv wal --workdir DIR [--json]",
       "Per WAL segment: records, bytes, ops, first/last sequence, torn tail or corruption.",
       {"workdir", "json"},
       {"workdir"},
       CmdWal},
      {"check",
       "nokv check --workdir DIR [--json]",
       "Verifies CURRENT, the MANIFEST, every live SST and every WAL segment; exit 1 if any "
       "problem.",
       {"workdir", "json"},
       {"workdir"},
       CmdCheck},
      {"regions",
       "nokv regions --coordinator ADDR [--json] [--timeout_ms N]",
       "Every region from the coordinator: key range, epoch, peers, and the leader from the "
       "freshest heartbeat.",
       {"coordinator", "json", "timeout_ms"},
       {"coordinator"},
       CmdRegionsOnline},
      {"coordinator status",
       "nokv coordinator status --coordinator ADDR [--json] [--timeout_ms N]",
       "One coordinator's view: tenure holder, era and handover stage, lease, meta backend and "
       "leader, allocator fences, topology size.",
       {"coordinator", "json", "timeout_ms"},
       {"coordinator"},
       CmdCoordinatorStatusOnline},
      {"tso",
       "nokv tso --coordinator ADDR [--count N] [--json] [--timeout_ms N]",
       "Asks the timestamp oracle for N timestamps; prints the first with its physical and "
       "logical parts and the era it was served under.",
       {"coordinator", "count", "json", "timeout_ms"},
       {"coordinator"},
       CmdTsoOnline},
  };
  return *kCommands;
}

constexpr const char* kExitCodes =
    "exit codes: 0 ok, 1 corruption found, 2 usage error, 3 endpoint unreachable or bad reply";

void PrintUsage(FILE* out) {
  std::fprintf(out, "usage: nokv <command> [flags]   (nokv <command> --help for its flags)\n\n");
  for (const auto& c : Commands()) std::fprintf(out, "%s\n  %s\n\n", c.synopsis, c.description);
  std::fprintf(out, "%s\n", kExitCodes);
}

void PrintCommandHelp(FILE* out, const CommandInfo& cmd) {
  std::fprintf(out, "%s\n  %s\n\nflags:\n", cmd.synopsis, cmd.description);
  for (const auto& name : cmd.flags) {
    const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::fprintf(out, "  --%-12s %s (default: %s)\n", name.c_str(), flag->Help().c_str(),
                 flag->DefaultValue().empty() ? "\"\"" : flag->DefaultValue().c_str());
  }
  std::fprintf(out, "\n%s\n", kExitCodes);
}

int UsageError(const CommandInfo& cmd, const std::string& message) {
  std::fprintf(stderr, "nokv %s: %s\n%s\n", cmd.name, message.c_str(), cmd.synopsis);
  return kExitUsage;
}

// Flags are declared with absl (types, defaults, help and value parsing are absl's); the set a
// command accepts, and the usage exit code 2, are the CLI's, so parsing goes through absl's
// flag reflection rather than absl::ParseCommandLine (which exits 1 on usage errors).
int Main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return kExitUsage;
  }
  std::string command = argv[1];
  int first_flag = 2;
  // Two-word commands ("coordinator status").
  if (argc > 2 && argv[2][0] != '-') {
    const std::string two = command + " " + argv[2];
    for (const auto& c : Commands()) {
      if (two == c.name) {
        command = two;
        first_flag = 3;
      }
    }
  }
  if (command == "--help" || command == "-h" || command == "help") {
    PrintUsage(stdout);
    return kExitOk;
  }
  const CommandInfo* cmd = nullptr;
  for (const auto& c : Commands()) {
    if (command == c.name) cmd = &c;
  }
  if (cmd == nullptr) {
    std::fprintf(stderr, "nokv: unknown command '%s'\n\n", command.c_str());
    PrintUsage(stderr);
    return kExitUsage;
  }
  std::vector<std::string> given;
  for (int i = first_flag; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      PrintCommandHelp(stdout, *cmd);
      return kExitOk;
    }
    if (arg.rfind("--", 0) != 0) return UsageError(*cmd, StrCat("unexpected argument '", arg, "'"));
    arg = arg.substr(2);
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    if (std::find(cmd->flags.begin(), cmd->flags.end(), name) == cmd->flags.end()) {
      return UsageError(*cmd, StrCat("unknown flag --", name));
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (flag->IsOfType<bool>()) {
      value = "true";
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return UsageError(*cmd, StrCat("--", name, " needs a value"));
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) return UsageError(*cmd, StrCat("--", name, ": ", error));
    given.push_back(name);
  }
  if (!cmd->one_of.empty()) {
    std::string names;
    size_t count = 0;
    for (const auto& name : cmd->one_of) {
      names += (names.empty() ? "--" : " or --") + name;
      count += std::count(given.begin(), given.end(), name) > 0;
    }
    if (count != 1)
      return UsageError(*cmd, StrCat(names, count == 0 ? " is required" : ": only one"));
  }
  Args args;
  args.workdir = absl::GetFlag(FLAGS_workdir);
  args.file = absl::GetFlag(FLAGS_file);
  args.expvar = absl::GetFlag(FLAGS_expvar);
  args.timeout_ms = absl::GetFlag(FLAGS_timeout_ms);
  args.json = absl::GetFlag(FLAGS_json);
  args.dump = absl::GetFlag(FLAGS_dump);
  args.verify = absl::GetFlag(FLAGS_verify);
  args.coordinator = absl::GetFlag(FLAGS_coordinator);
  args.count = absl::GetFlag(FLAGS_count);
  for (const auto& name : given) {
    if (absl::FindCommandLineFlag(name)->CurrentValue().empty()) {
      return UsageError(*cmd, StrCat("--", name, " is empty"));
    }
  }
  if (args.timeout_ms <= 0) return UsageError(*cmd, "--timeout_ms must be positive");
  if (args.count == 0 || args.count > (1u << 16)) {
    return UsageError(*cmd, "--count must be between 1 and 65536");
  }
  return cmd->fn(*VFS::Default(), args);
}

}  // namespace
}  // namespace nokv::cli

int main(int argc, char** argv) { return nokv::cli::Main(argc, argv); }
