// RaftLogFile: what a meta member's Raft storage promises across power cuts and I/O faults.
// Bug caught: an entry or a term/vote acknowledged (returned OK) but lost in a power cut lets a
// member vote twice or lose an entry a quorum counted on; a rewrite that is not atomic
// truncates acknowledged entries. Verified by making Append skip its fsync: the power-cut test
// then fails.
#include "meta/raft_log_file.h"

#include <gtest/gtest.h>

#include "engine/vfs/fault_fs.h"
#include "engine/vfs/mem_vfs.h"
#include "src/util/random.h"
#include "tests/test_seed.h"

namespace nokv::meta {
namespace {

raftpb::Entry Entry(uint64_t index, uint64_t term) {
  raftpb::Entry e;
  e.set_index(index);
  e.set_term(term);
  e.set_data("entry-" + std::to_string(index) + "-" + std::to_string(term));
  return e;
}

// What the storage acknowledged so far.
struct Acked {
  std::map<uint64_t, uint64_t> terms;  // index -> term of acknowledged entries
  uint64_t term = 0, vote = 0;         // last acknowledged term/vote
  uint64_t compacted = 0;              // entries at or below are in the snapshot
};

// Runs `ops` random operations, stopping at the first error; returns what was acknowledged.
Acked Workload(RaftLogFile* log, Random* rnd, int ops, Acked acked) {
  for (int i = 0; i < ops; ++i) {
    switch (rnd->Uniform(6)) {
      case 0:
      case 1:
      case 2: {  // append 1-3 entries, sometimes replacing a suffix with a newer term
        uint64_t first = log->LastIndex() + 1;
        uint64_t term = std::max<uint64_t>(acked.term, 1);
        if (rnd->OneIn(4) && log->LastIndex() > acked.compacted + 2) first -= 2;
        std::vector<raftpb::Entry> entries;
        for (uint64_t k = 0; k < 1 + rnd->Uniform(3); ++k)
          entries.push_back(Entry(first + k, term));
        if (!log->Append(entries).ok()) return acked;
        for (auto it = acked.terms.lower_bound(first); it != acked.terms.end();) {
          it = acked.terms.erase(it);
        }
        for (const auto& e : entries) acked.terms[e.index()] = e.term();
        break;
      }
      case 3: {  // a new term and vote
        raftpb::HardState hs;
        hs.set_term(acked.term + 1);
        hs.set_vote(1 + rnd->Uniform(3));
        hs.set_commit(log->hard_state().commit());
        if (!log->SetHardState(hs).ok()) return acked;
        acked.term = hs.term();
        acked.vote = hs.vote();
        break;
      }
      case 4: {  // commit moves (not synced)
        raftpb::HardState hs = log->hard_state();
        hs.set_commit(log->LastIndex());
        if (!log->SetHardState(hs).ok()) return acked;
        break;
      }
      case 5: {  // snapshot + compaction of half the log
        const uint64_t at = (log->snapshot_index() + log->LastIndex() + 1) / 2;
        if (at <= log->snapshot_index() || at > log->LastIndex()) break;
        raftpb::ConfState cs;
        for (uint64_t v : {1, 2, 3}) cs.add_voters(v);
        if (!log->CreateSnapshot(at, cs, "state@" + std::to_string(at)).ok()) return acked;
        if (!log->Compact(at).ok()) return acked;
        acked.compacted = at;
        break;
      }
    }
  }
  return acked;
}

void ExpectKeeps(RaftLogFile* log, const Acked& acked, const std::string& context) {
  EXPECT_GE(log->hard_state().term(), acked.term) << context;
  if (log->hard_state().term() == acked.term) {
    EXPECT_EQ(log->hard_state().vote(), acked.vote) << context;
  }
  for (const auto& [index, term] : acked.terms) {
    if (index <= log->snapshot_index()) continue;
    auto t = log->Term(index);
    ASSERT_TRUE(t.ok()) << context << ": acknowledged entry " << index << " lost: " << t.status();
    EXPECT_EQ(*t, term) << context << ": entry " << index;
  }
}

TEST(RaftLogFileTest, PowerCutsKeepAcknowledgedEntriesAndVotes) {
  const uint64_t seed = nokv::test::SeedFromEnv(11);
  Random rnd(seed);
  MemVFS vfs;
  Acked acked;
  for (int round = 0; round < 40; ++round) {
    auto log = RaftLogFile::Open(vfs, "/raft", {1, 2, 3});
    ASSERT_TRUE(log.ok()) << "seed " << seed << " round " << round << ": " << log.status();
    ExpectKeeps(log->get(), acked,
                "seed " + std::to_string(seed) + " round " + std::to_string(round));
    auto init = (*log)->GetInitialState();
    ASSERT_TRUE(init.ok());
    EXPECT_EQ(init->conf_state.voters_size(), 3) << "the membership survives";
    acked = Workload(log->get(), &rnd, 1 + rnd.Uniform(12), acked);
    vfs.SimulatePowerCut();
  }
}

TEST(RaftLogFileTest, FaultAtEveryOperationRecovers) {
  int runs = 0;
  for (uint64_t nth = 1;; ++nth) {
    MemVFS base;
    FaultFS faults(&base);
    FaultRule rule;
    rule.nth = nth;
    rule.max_failures = 1;
    rule.kind = nth % 2 ? FaultKind::kIOError : FaultKind::kShortWrite;
    faults.AddRule(rule);
    Random rnd(nth);
    Acked acked;
    {
      auto log = RaftLogFile::Open(faults, "/raft", {1, 2, 3});
      if (log.ok()) acked = Workload(log->get(), &rnd, 30, acked);
    }
    ++runs;
    base.SimulatePowerCut();
    auto log = RaftLogFile::Open(base, "/raft", {1, 2, 3});
    ASSERT_TRUE(log.ok()) << "fault at op " << nth << ": " << log.status();
    ExpectKeeps(log->get(), acked, "fault at op " + std::to_string(nth));
    if (faults.InjectedCount() == 0) break;
    ASSERT_LT(nth, 5000u);
  }
  EXPECT_GT(runs, 20);
}

}  // namespace
}  // namespace nokv::meta
