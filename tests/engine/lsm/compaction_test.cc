// Data-driven tests of the compaction picker and the compaction iterator's drop rules
// (testdata/*.txt; NOKV_REWRITE_TESTDATA=1 regenerates the expected outputs for review).
#include <cstdio>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/lsm/compaction_iterator.h"
#include "engine/lsm/compaction_picker.h"
#include "engine/memtable/memtable.h"
#include "gtest/gtest.h"
#include "tests/util/datadriven.h"

namespace nokv {
namespace {

std::vector<std::string> Words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

std::string TestData(const char* name) {
  return std::string(NOKV_SOURCE_DIR) + "/tests/engine/lsm/testdata/" + name;
}

// Input lines:
//   snapshots S1 S2 ...      live snapshot sequences
//   bottommost yes|no        (default yes)
//   now MS                   the clock, for TTL (default 1000)
//   tombstone BEGIN END SEQ  END "-" = unbounded
//   put KEY SEQ VALUE [ttl=EXPIRES_AT]
//   del KEY SEQ
// Output: the surviving entries in order, the kept tombstones clipped to the surviving range,
// and the count of dropped entries.
std::vector<std::string> RunCompactionIterator(const test::DataCase& c) {
  CompactionIterator::Options options;
  options.now_millis = 1000;
  auto mem = std::make_shared<MemTable>();
  std::vector<RangeTombstone> tombstones;
  for (const std::string& line : c.input) {
    const auto w = Words(line);
    if (w[0] == "snapshots") {
      for (size_t i = 1; i < w.size(); ++i) options.snapshots.push_back(std::stoull(w[i]));
    } else if (w[0] == "bottommost") {
      options.bottommost = w[1] == "yes";
    } else if (w[0] == "now") {
      options.now_millis = std::stoull(w[1]);
    } else if (w[0] == "tombstone") {
      tombstones.push_back(RangeTombstone{w[1], w[2] == "-" ? "" : w[2], std::stoull(w[3])});
    } else if (w[0] == "put") {
      uint64_t expires = 0;
      if (w.size() > 4 && w[4].rfind("ttl=", 0) == 0) expires = std::stoull(w[4].substr(4));
      std::string stored;
      AppendStoredValue(&stored, w[3], expires);
      mem->Add(std::stoull(w[2]), ValueKind::kValue, w[1], stored);
    } else if (w[0] == "del") {
      mem->Add(std::stoull(w[2]), ValueKind::kDeletion, w[1], {});
    } else {
      return {"bad input line: " + line};
    }
  }
  auto input = mem->NewIterator(mem);
  CompactionIterator iter(input.get(), tombstones, options);
  std::vector<std::string> out;
  std::string first, last;
  for (iter.SeekToFirst(); iter.Valid(); iter.Next()) {
    ParsedInternalKey k;
    if (!ParseInternalKey(iter.key(), &k)) return {"unparsable output key"};
    std::string line = std::string(k.user_key) + "@" + std::to_string(k.sequence);
    if (k.kind == ValueKind::kDeletion) {
      line += " del";
    } else {
      StoredValue sv;
      if (!DecodeStoredValue(iter.value(), &sv)) return {"undecodable output value"};
      line += " put " + std::string(sv.value);
      if (sv.expires_at_millis != 0) line += " ttl=" + std::to_string(sv.expires_at_millis);
    }
    if (iter.starts_user_key()) line += "  (cut point)";
    out.push_back(line);
    if (first.empty()) first = k.user_key;
    last = k.user_key;
  }
  if (!iter.status().ok()) out.push_back("error: " + iter.status().ToString());
  if (!first.empty()) {
    for (const RangeTombstone& t : iter.KeptTombstones(first, last)) {
      std::string end = t.end;
      for (char& ch : end) {
        if (ch == '\0') ch = '0';  // "k\0" printed as "k0"
      }
      out.push_back("tombstone [" + t.begin + ", " + end + ")@" + std::to_string(t.sequence));
    }
  }
  out.push_back("dropped " + std::to_string(iter.dropped_entries()));
  return out;
}

TEST(CompactionIteratorTest, DropRules) {
  test::RunDataDriven(TestData("compaction_iterator.txt"), RunCompactionIterator);
}

// Input lines:
//   options [trigger=N] [base=BYTES] [multiplier=N] [target=BYTES] [shards=N]
//   L<n> NUMBER SMALLEST LARGEST [SIZE]   a file (L0: newest first); LARGEST ending in '!' is
//                                         an exclusive tombstone end; SIZE defaults to 100
//   busy NUMBER...                        files another compaction holds
//   manual LEVEL BEGIN END                a CompactRange step ("-" = unbounded)
// Output: the level layout (base level, targets and scores of the levels that have them) and
// the pick, or "nothing".
std::vector<std::string> RunPicker(const test::DataCase& c) {
  Version version;
  PickerOptions options;
  options.l0_compaction_trigger = 4;
  options.base_level_bytes = 1000;
  options.level_multiplier = 10;
  options.target_file_bytes = 100;
  options.ingest_shards = 1;
  std::optional<CompactionRequest> manual;
  std::set<uint64_t> busy;
  SequenceNumber seq = 1000;
  for (const std::string& line : c.input) {
    const auto w = Words(line);
    if (w[0] == "options") {
      for (size_t i = 1; i < w.size(); ++i) {
        const size_t eq = w[i].find('=');
        const std::string k = w[i].substr(0, eq);
        const uint64_t v = std::stoull(w[i].substr(eq + 1));
        if (k == "trigger") options.l0_compaction_trigger = static_cast<int>(v);
        if (k == "base") options.base_level_bytes = v;
        if (k == "multiplier") options.level_multiplier = static_cast<int>(v);
        if (k == "target") options.target_file_bytes = v;
        if (k == "shards") options.ingest_shards = static_cast<int>(v);
      }
    } else if (w[0].size() == 2 && w[0][0] == 'L') {
      const int level = w[0][1] - '0';
      auto f = std::make_shared<LiveFile>();
      f->meta.number = std::stoull(w[1]);
      f->meta.smallest = MakeInternalKey(w[2], seq, ValueKind::kValue);
      std::string largest = w[3];
      const bool exclusive = !largest.empty() && largest.back() == '!';
      if (exclusive) largest.pop_back();
      f->meta.largest =
          exclusive ? MakeInternalKey(largest, kMaxSequenceNumber, ValueKind::kRangeDeletion)
                    : MakeInternalKey(largest, seq, ValueKind::kValue);
      f->meta.file_size = w.size() > 4 ? std::stoull(w[4]) : 100;
      f->meta.largest_seq = seq--;
      version.levels[level].push_back(std::move(f));
    } else if (w[0] == "busy") {
      for (size_t i = 1; i < w.size(); ++i) busy.insert(std::stoull(w[i]));
    } else if (w[0] == "manual") {
      manual = CompactionRequest{std::stoi(w[1]), w[2] == "-" ? "" : w[2], w[3] == "-" ? "" : w[3]};
    } else {
      return {"bad input line: " + line};
    }
  }
  const LevelLayout layout = ComputeLevelLayout(version, options);
  std::string l = "layout: base L" + std::to_string(layout.base_level);
  char buf[64];
  for (int level = 0; level < kNumLevels; ++level) {
    if (layout.target_bytes[level] == 0 && layout.score[level] == 0) continue;
    std::snprintf(buf, sizeof(buf), " | L%d target %llu score %.2f", level,
                  static_cast<unsigned long long>(layout.target_bytes[level]), layout.score[level]);
    l += buf;
  }
  std::vector<std::string> out = {l};
  if (!layout.shard_bounds.empty()) {
    std::string b = "ingest buffer: depth " + std::to_string(layout.l0_depth) + ", bounds";
    for (const auto& k : layout.shard_bounds) b += " " + k;
    out.push_back(b);
  }
  auto plan = PickCompaction(version, options, manual ? &*manual : nullptr, busy);
  if (!plan) {
    out.push_back("nothing");
    return out;
  }
  auto numbers = [](const std::vector<LiveFilePtr>& files) {
    std::string out;
    for (const auto& f : files) out += " " + std::to_string(f->meta.number);
    return out.empty() ? std::string(" -") : out;
  };
  out.push_back("pick L" + std::to_string(plan->upper_level) + " -> L" +
                std::to_string(plan->output_level) + " (" + plan->reason + ")");
  out.push_back("  upper" + numbers(plan->upper_inputs) + " | lower" + numbers(plan->lower_inputs) +
                " | grandparents" + numbers(plan->grandparents));
  out.push_back(std::string("  ") + (plan->bottommost ? "bottommost" : "not bottommost") +
                (plan->trivial_move ? ", trivial move" : ""));
  return out;
}

TEST(CompactionPickerTest, Picks) {
  test::RunDataDriven(TestData("compaction_picker.txt"), RunPicker);
}

}  // namespace
}  // namespace nokv
