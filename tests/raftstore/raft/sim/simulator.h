// A deterministic simulation of a Raft group under a hostile network. Everything (message
// delivery order, delays, drops, duplicates, partitions, crashes, failpoints, client requests)
// derives from one seed, so a failing seed replays exactly.
//
// The group runs a small KV state machine (put/get/cas). Clients send writes through whichever
// node believes it leads (sometimes a random node, which forwards) and reads via ReadIndex or the
// leader lease. The run checks, after every step, that at most one leader exists per term,
// that committed entries never change and that new leaders hold every committed entry; at the
// end it checks the client history for linearizability and that the healed group makes progress.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nokv::raft::sim {

struct SimOptions {
  uint64_t seed = 1;
  int nodes = 3;
  // Simulation steps of the faulty phase (a tick happens every `steps_per_tick` steps).
  int steps = 3000;
  int steps_per_tick = 4;
  int clients = 4;
  int keys = 3;
  // Network: per-message probabilities and delay bound (in steps).
  double drop_probability = 0.05;
  double duplicate_probability = 0.03;
  int max_delay_steps = 10;
  // Per-step fault probabilities.
  double partition_probability = 0.002;
  double heal_probability = 0.004;
  double crash_probability = 0.0015;
  double failpoint_probability = 0.003;
  double transfer_probability = 0.001;
  double conf_change_probability = 0.002;
  bool pre_vote = true;
  bool check_quorum = true;
  bool lease_reads = true;
  bool membership_changes = true;
  // Snapshot + compact every this many applied entries (0 = never).
  int snapshot_interval = 25;
  // Print every trace line as it happens (replay mode).
  bool verbose = false;
};

struct SimStats {
  uint64_t ops_completed = 0;
  uint64_t ops_incomplete = 0;
  uint64_t reads_completed = 0;
  uint64_t lease_reads_completed = 0;
  uint64_t leaders_elected = 0;
  uint64_t crashes = 0;
  uint64_t failpoints_fired = 0;
  uint64_t snapshots_installed = 0;
  uint64_t conf_changes_applied = 0;
  uint64_t transfers = 0;
  uint64_t messages_delivered = 0;
};

struct SimResult {
  bool ok = true;
  std::string failure;
  // The last trace lines before the failure (or the whole trace in verbose mode).
  std::vector<std::string> trace_tail;
  SimStats stats;
};

SimResult RunSimulation(const SimOptions& options);

// The configuration a seed runs with in CI and raft-soak: 3 or 5 nodes by parity, and some seeds
// without check-quorum (so without lease reads and with long-lived stale leaders) or pre-vote.
SimOptions OptionsForSeed(uint64_t seed);

// Human-readable report of a failed run: seed, replay command, failure and trace tail.
std::string FormatFailure(const SimOptions& options, const SimResult& result);

}  // namespace nokv::raft::sim
