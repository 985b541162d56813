// nokv stats: offline (a stopped workdir) or online (a running daemon's /debug/vars).
#include <cstdio>
#include <map>

#include "nlohmann/json.hpp"
#include "src/metrics/http_client.h"
#include "src/util/str_cat.h"
#include "tools/nokv/cli.h"

namespace nokv::cli {
namespace {

struct LevelSummary {
  uint64_t files = 0, bytes = 0, entries = 0, deletions = 0;
};

std::map<int, LevelSummary> Summarize(const Version& version) {
  std::map<int, LevelSummary> levels;
  for (int l = 0; l < kNumLevels; ++l) {
    LevelSummary& ls = levels[l];
    for (const auto& f : version.levels[l]) {
      ls.files++;
      ls.bytes += f->meta.file_size;
      ls.entries += f->meta.num_entries;
      ls.deletions += f->meta.num_deletions;
    }
  }
  return levels;
}

uint64_t LiveFiles(const Version& version) {
  uint64_t n = 0;
  for (int l = 0; l < kNumLevels; ++l) n += version.levels[l].size();
  return n;
}

}  // namespace

int CmdStatsOffline(VFS& vfs, const Args& args) {
  WorkdirView v = ReadWorkdir(vfs, args.workdir);
  const ManifestState& m = v.state.manifest;
  uint64_t wal_bytes = 0;
  // Segments at or above the MANIFEST's log number hold what was in the memtables when the
  // workdir was closed: the next Open replays them.
  uint64_t replay_records = 0, replay_ops = 0;
  for (const auto& seg : v.wal) {
    wal_bytes += seg.report.file_bytes;
    if (seg.replayed) {
      replay_records += seg.report.records;
      replay_ops += seg.ops;
    }
  }
  const auto levels = Summarize(m.version);
  const uint64_t live = LiveFiles(m.version);
  if (args.json) {
    std::string out = "{\"levels\":[";
    bool first = true;
    for (const auto& [l, ls] : levels) {
      if (!first) out += ",";
      first = false;
      out += StrCat("{\"level\":", U(l), ",\"files\":", U(ls.files), ",\"bytes\":", U(ls.bytes),
                    ",\"entries\":", U(ls.entries), ",\"deletions\":", U(ls.deletions), "}");
    }
    out += StrCat(
        "],\"live_files\":", U(live), ",\"wal_segments\":", U(v.wal.size()),
        ",\"wal_bytes\":", U(wal_bytes), ",\"memtable_replay_records\":", U(replay_records),
        ",\"memtable_replay_ops\":", U(replay_ops), ",\"last_sequence\":", U(m.last_sequence),
        ",\"next_file_number\":", U(m.next_file_number), ",\"log_number\":", U(m.log_number),
        ",\"problems\":", ProblemsJson(v.problems), ",\"notes\":", NotesJson(v.notes), "}");
    std::printf("%s\n", out.c_str());
  } else {
    std::printf("%-6s %8s %14s %12s %12s\n", "level", "files", "bytes", "entries", "deletions");
    for (const auto& [l, ls] : levels) {
      std::printf(
          "L%-5d %8llu %14llu %12llu %12llu\n", l, static_cast<unsigned long long>(ls.files),
          static_cast<unsigned long long>(ls.bytes), static_cast<unsigned long long>(ls.entries),
          static_cast<unsigned long long>(ls.deletions));
    }
    std::printf("live files:       %llu\n", static_cast<unsigned long long>(live));
    std::printf("wal segments:     %zu (%llu bytes)\n", v.wal.size(),
                static_cast<unsigned long long>(wal_bytes));
    std::printf("memtable replay:  %llu ops in %llu WAL records (unflushed at close)\n",
                static_cast<unsigned long long>(replay_ops),
                static_cast<unsigned long long>(replay_records));
    std::printf("last sequence:    %llu\n", static_cast<unsigned long long>(m.last_sequence));
    std::printf("next file number: %llu\n", static_cast<unsigned long long>(m.next_file_number));
    std::printf("log number:       %llu\n", static_cast<unsigned long long>(m.log_number));
    PrintNotes(v.notes);
    PrintProblems(v.problems);
  }
  return v.problems.empty() ? kExitOk : kExitCorruption;
}

// --- online stats (a running daemon's /debug/vars) --------------------------------------------

namespace {

uint64_t Num(const nlohmann::json& obj, const std::string& key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_number() ? it->get<uint64_t>() : 0;
}

std::string Latency(const nlohmann::json& e, const std::string& prefix) {
  return StrCat("p50 ", Num(e, prefix + ".p50"), " / p99 ", Num(e, prefix + ".p99"), " / p99.9 ",
                Num(e, prefix + ".p999"), " / max ", Num(e, prefix + ".max"), " us");
}

void PrintEngineSummary(const nlohmann::json& e) {
  std::printf("engine\n%-6s %8s %14s\n", "level", "files", "bytes");
  for (int level = 0;; ++level) {
    const std::string base = StrCat("lsm.level", level);
    if (!e.contains(base + ".files")) break;
    std::printf("L%-5d %8llu %14llu\n", level,
                static_cast<unsigned long long>(Num(e, base + ".files")),
                static_cast<unsigned long long>(Num(e, base + ".bytes")));
  }
  const uint64_t hits = Num(e, "block_cache.hits"), misses = Num(e, "block_cache.misses");
  const double hit_ratio = hits + misses == 0 ? 0.0 : 100.0 * hits / (hits + misses);
  std::printf("memtables:    %s bytes, %s waiting for flush\n", U(Num(e, "memtable.bytes")).c_str(),
              U(Num(e, "flush.pending_memtables")).c_str());
  std::printf("wal:          %s segments live, %s records, %s syncs\n",
              U(Num(e, "wal.segments_live")).c_str(), U(Num(e, "wal.records")).c_str(),
              U(Num(e, "wal.syncs")).c_str());
  std::printf("writes:       %s in %s groups; latency %s\n", U(Num(e, "write.requests")).c_str(),
              U(Num(e, "write.groups")).c_str(), Latency(e, "write.latency_us").c_str());
  std::printf("gets:         %s (%s found); latency %s\n", U(Num(e, "read.gets")).c_str(),
              U(Num(e, "read.get_hits")).c_str(), Latency(e, "read.get_latency_us").c_str());
  std::printf("block cache:  %.1f%% hits (%s hits, %s misses), %s of %s bytes\n", hit_ratio,
              U(hits).c_str(), U(misses).c_str(), U(Num(e, "block_cache.usage_bytes")).c_str(),
              U(Num(e, "block_cache.capacity_bytes")).c_str());
  std::printf("flushes:      %s, %s bytes, %s ms\n", U(Num(e, "flush.count")).c_str(),
              U(Num(e, "flush.bytes")).c_str(), U(Num(e, "flush.micros") / 1000).c_str());
  std::printf(
      "compactions:  %s, %s -> %s bytes, %s ms, %s errors\n", U(Num(e, "compaction.count")).c_str(),
      U(Num(e, "compaction.input_bytes")).c_str(), U(Num(e, "compaction.output_bytes")).c_str(),
      U(Num(e, "compaction.micros") / 1000).c_str(), U(Num(e, "compaction.errors")).c_str());
  std::printf("stalls:       %s (%s ms), %s slowdowns\n", U(Num(e, "stall.count")).c_str(),
              U(Num(e, "stall.micros") / 1000).c_str(), U(Num(e, "stall.slowdowns")).c_str());
  std::printf("last sequence %s, %s live snapshots\n", U(Num(e, "sequence.last")).c_str(),
              U(Num(e, "snapshots.live")).c_str());
}

// Prints every non-zero leaf as "a.b.c value", in the endpoint's key order.
void PrintFlattened(const std::string& path, const nlohmann::json& v) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.items()) PrintFlattened(path + "." + k, child);
    return;
  }
  if (v.is_number() && v.get<double>() == 0) return;
  std::printf("  %s %s\n", path.c_str(),
              v.is_string() ? v.get<std::string>().c_str() : v.dump().c_str());
}

}  // namespace

int CmdStatsOnline(const Args& args) {
  auto target = metrics::ParseHttpUrl(args.expvar, "/debug/vars");
  if (!target.ok()) {
    std::fprintf(stderr, "nokv stats: %s\n", std::string(target.status().message()).c_str());
    return kExitUsage;
  }
  const std::string source = StrCat("http://", target->host, ":", target->port, target->path);
  auto body = metrics::FetchHttp(*target, args.timeout_ms);
  if (!body.ok()) {
    std::fprintf(stderr, "nokv stats: %s\n", std::string(body.status().message()).c_str());
    return kExitUnreachable;
  }
  nlohmann::json vars = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
  if (vars.is_discarded() || !vars.is_object()) {
    std::fprintf(stderr, "nokv stats: %s: the reply is not a JSON object (%zu bytes)\n",
                 source.c_str(), body->size());
    return kExitUnreachable;
  }
  if (args.json) {
    nlohmann::json out = {{"source", source}, {"vars", vars}};
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  std::printf("source: %s\n", source.c_str());
  if (auto engine = vars.find("engine"); engine != vars.end() && engine->is_object()) {
    PrintEngineSummary(*engine);
  }
  std::printf("other metrics (zero values omitted; --json has everything)\n");
  for (const auto& [k, v] : vars.items()) {
    if (k != "engine") PrintFlattened(k, v);
  }
  return kExitOk;
}

}  // namespace nokv::cli
