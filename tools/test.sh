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
# The writer queue, flush/compaction threads and readers under ThreadSanitizer. Only db_test is
# built here to keep CI short; `cmake --preset tsan && cmake --build --preset tsan` builds all.
echo "=== preset: tsan (db_test) ==="
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs" --target db_test
ctest --preset tsan -j "$jobs" -R '^DBTest\.' "$@" || status=1
exit $status
