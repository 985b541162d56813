#!/usr/bin/env bash
# The test command: install missing packages, build the default and asan presets, run ctest on
# both, then the engine's concurrency tests under TSan. Extra arguments go to ctest (e.g. -R wal).
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/deps.sh
# Let ccache hit across clones in different directories.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
jobs=$(nproc)
status=0
for preset in default asan; do
  echo "=== preset: $preset ==="
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs" --label-exclude soak "$@" || status=1
done
# The engine's writer queue, flush/compaction threads and readers, and the gateway's reactor and
# worker threads, transactions and WATCH races, under ThreadSanitizer. Only these tests are
# built here to keep CI short; `cmake --preset tsan && cmake --build --preset tsan` builds
# everything.
echo "=== preset: tsan (DB, durability, power-cut, replication, redis, meta, coordinator) ==="
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs" --target db_test db_durability_test db_power_cut_test \
  db_replication_test super_version_cache_test redis_server_test redis_commands_test redis_txn_test \
  meta_replicated_store_test meta_local_store_test coordinator_authority_test \
  coordinator_handler_test
ctest --preset tsan -j "$jobs" \
  -R '^(DBTest|LevelTargets/DBModelTest|SuperVersionCacheTest|DurabilityTest|ReplicationTest|Shards/PowerCutTest\.AcknowledgedWritesSurviveEveryCut/[01]|Backends/CommandsTest|Backends/TxnTest|EmbeddedDatabasesTest|Modes/ServerTest|ServerTest|ReplicatedMetaStoreTest|LocalMetaStoreTest|AuthorityTest|FencedWindowTest|CoordinatorTest|EraGuardTest)\.?' \
  -E 'OversizedBatch' "$@" || status=1
exit $status
