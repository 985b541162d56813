// Data-driven tests of the compaction picker and the compaction iterator's drop rules
// (testdata/*.txt; NOKV_REWRITE_TESTDATA=1 regenerates the expected outputs for review).
#include <memory>
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
//   trigger N                 l0_compaction_trigger (default 4)
//   l0 NUMBER SMALLEST LARGEST    newest first (later lines are older)
//   l1 NUMBER SMALLEST LARGEST    LARGEST ending in '!' is an exclusive tombstone end
//   manual BEGIN END          "-" = unbounded
// Output: the chosen inputs, or "nothing".
std::vector<std::string> RunPicker(const test::DataCase& c) {
  Version version;
  PickerOptions options;
  std::optional<CompactionRequest> manual;
  SequenceNumber seq = 1000;
  for (const std::string& line : c.input) {
    const auto w = Words(line);
    if (w[0] == "trigger") {
      options.l0_compaction_trigger = std::stoi(w[1]);
    } else if (w[0] == "l0" || w[0] == "l1") {
      auto f = std::make_shared<LiveFile>();
      f->meta.number = std::stoull(w[1]);
      f->meta.smallest = MakeInternalKey(w[2], seq, ValueKind::kValue);
      std::string largest = w[3];
      const bool exclusive = !largest.empty() && largest.back() == '!';
      if (exclusive) largest.pop_back();
      f->meta.largest =
          exclusive ? MakeInternalKey(largest, kMaxSequenceNumber, ValueKind::kRangeDeletion)
                    : MakeInternalKey(largest, seq, ValueKind::kValue);
      f->meta.largest_seq = seq--;
      version.levels[w[0] == "l0" ? 0 : 1].push_back(std::move(f));
    } else if (w[0] == "manual") {
      manual = CompactionRequest{w[1] == "-" ? "" : w[1], w[2] == "-" ? "" : w[2]};
    } else {
      return {"bad input line: " + line};
    }
  }
  auto plan = PickCompaction(version, options, manual ? &*manual : nullptr);
  if (!plan) return {"nothing"};
  std::string upper = "L" + std::to_string(plan->upper_level) + " ->";
  for (const auto& f : plan->upper_inputs) upper += " " + std::to_string(f->meta.number);
  std::string lower = "L" + std::to_string(plan->output_level) + ":";
  for (const auto& f : plan->lower_inputs) lower += " " + std::to_string(f->meta.number);
  return {upper, lower};
}

TEST(CompactionPickerTest, Picks) {
  test::RunDataDriven(TestData("compaction_picker.txt"), RunPicker);
}

}  // namespace
}  // namespace nokv
