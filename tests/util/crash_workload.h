// A random write workload for crash and fault tests, shared by the power-cut test (MemVFS, in
// process), the kill -9 test (real disk, child process) and the fault-index sweep. Each client
// owns the keys under ClientPrefix(client); every generated write is one atomic WriteBatch (or
// the single-op DB call it is equivalent to), recorded in a DurabilityOracle.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nokv/db.h"
#include "src/util/clock.h"
#include "src/util/random.h"
#include "tests/util/durability_oracle.h"

namespace nokv::test {

// Wall time stands still unless the test moves it (so TTL deadlines are exact); monotonic time
// and sleeps are real (so background retries and write throttling behave as in production).
class StillWallClock final : public Clock {
 public:
  uint64_t NowUnixMillis() override { return wall_ms_.load(); }
  uint64_t NowMonotonicMicros() override { return Clock::Real()->NowMonotonicMicros(); }
  void SleepForMicros(uint64_t micros) override { Clock::Real()->SleepForMicros(micros); }
  void AdvanceMillis(uint64_t ms) { wall_ms_.fetch_add(ms); }

 private:
  std::atomic<uint64_t> wall_ms_{1'700'000'000'000};
};

struct WorkloadOptions {
  int keys_per_client = 48;
  int max_ops_per_batch = 6;
  int sync_percent = 25;     // writes with WriteOptions::sync
  bool ttl = true;           // SetWithTTL (needs a wall clock that stands still during a round)
  bool large_values = true;  // now and then a value larger than an SST block
};

// One atomic write: the ops as the model sees them (expiry already absolute) and the TTLs the
// DB is given (0 = no TTL; one per op).
struct WorkloadWrite {
  std::vector<ModelOp> ops;
  std::vector<uint64_t> ttl_ms;
  bool sync = false;
};

std::string ClientPrefix(int client);
std::string ClientKey(int client, int k);

// The next write of `client`, number `index`, committed while the DB's wall clock reads
// `now_ms`. Deterministic in `rng`; values name the client and index, so a stray value is
// recognisable.
WorkloadWrite GenerateWrite(Random* rng, const WorkloadOptions& options, int client, uint64_t index,
                            uint64_t now_ms);

// Issues the write (a single op through its DB method, several through one WriteBatch).
absl::Status ExecuteWrite(DB* db, const WorkloadWrite& write);

// Every client's visible entries (with expiry), read through iterators.
absl::StatusOr<std::vector<ModelState>> ReadClientStates(DB* db, int clients);

}  // namespace nokv::test
