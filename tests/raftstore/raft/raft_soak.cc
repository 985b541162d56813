// raft-soak: runs the deterministic Raft simulator for as many seeds as asked.
//   raft-soak --seeds=N [--first-seed=S] [--nodes=3|5|0] [--steps=K]
//   raft-soak --seed=S [--verbose]      replays one seed (prints its full trace with --verbose)
// --nodes=0 (default) alternates 3- and 5-node groups by seed parity. Exits non-zero on the first
// failing seed after printing the seed, a replay command and the trace tail.
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "tests/raftstore/raft/sim/simulator.h"

namespace {

bool ParseFlag(std::string_view arg, std::string_view name, uint64_t* out) {
  std::string prefix = "--" + std::string(name) + "=";
  if (arg.substr(0, prefix.size()) != prefix) return false;
  *out = std::strtoull(std::string(arg.substr(prefix.size())).c_str(), nullptr, 10);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t seeds = 100, first_seed = 1, seed = 0, nodes = 0, steps = 0;
  bool single = false, verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (ParseFlag(arg, "seeds", &seeds) || ParseFlag(arg, "first-seed", &first_seed) ||
        ParseFlag(arg, "nodes", &nodes) || ParseFlag(arg, "steps", &steps)) {
      continue;
    }
    if (ParseFlag(arg, "seed", &seed)) {
      single = true;
      continue;
    }
    if (arg == "--verbose") {
      verbose = true;
      continue;
    }
    std::cerr << "unknown flag " << arg << "\n"
              << "usage: raft-soak [--seeds=N] [--first-seed=S] [--seed=S] [--nodes=3|5]"
                 " [--steps=K] [--verbose]\n";
    return 2;
  }
  if (single) {
    first_seed = seed;
    seeds = 1;
  }
  uint64_t ops = 0, crashes = 0, leaders = 0;
  for (uint64_t s = first_seed; s < first_seed + seeds; ++s) {
    nokv::raft::sim::SimOptions o = nokv::raft::sim::OptionsForSeed(s);
    if (nodes != 0) o.nodes = static_cast<int>(nodes);
    if (steps != 0) o.steps = static_cast<int>(steps);
    o.verbose = verbose;
    nokv::raft::sim::SimResult r = nokv::raft::sim::RunSimulation(o);
    if (!r.ok) {
      std::cerr << nokv::raft::sim::FormatFailure(o, r);
      return 1;
    }
    ops += r.stats.ops_completed;
    crashes += r.stats.crashes;
    leaders += r.stats.leaders_elected;
    if (single) {
      std::cout << "seed " << s << " ok: " << r.stats.ops_completed << " ops, "
                << r.stats.leaders_elected << " leaders, " << r.stats.crashes << " crashes, "
                << r.stats.failpoints_fired << " failpoints\n";
    } else if ((s - first_seed + 1) % 100 == 0) {
      std::cout << (s - first_seed + 1) << " seeds ok" << std::endl;
    }
  }
  std::cout << "all " << seeds << " seeds passed (first " << first_seed << "): " << ops
            << " ops completed, " << leaders << " leaders, " << crashes << " crashes\n";
  return 0;
}
