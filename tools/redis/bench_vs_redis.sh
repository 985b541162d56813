#!/usr/bin/env bash
# Side-by-side redis-benchmark of nokv-redis and Debian's redis-server (AOF on), both on
# 127.0.0.1, same client settings. Each run starts both servers fresh and runs every test
# against each, test by test, back to back. The table shows per test: the median ops/s of RUNS
# runs with their range, the median of the per-run ratios (each run's two figures were taken
# within seconds of each other, so the ratio is steadier than either figure on a shared
# machine), and each server's CPU time per request (from /proc/<pid>/stat), which does not
# depend on what else the machine runs.
#
#   tools/redis/bench_vs_redis.sh [path/to/nokv-redis]   (default ./build/nokv-redis)
#   env: RUNS (3) REQUESTS (200000) CLIENTS (50) PIPELINE (16) VALUE_BYTES (100)
#        KEYSPACE (100000) TESTS (set,get,incr,mset)
#        NOKV_FLAGS (extra nokv-redis flags, e.g. --sync)
#        REDIS_APPENDFSYNC (everysec; use always to compare with NOKV_FLAGS=--sync)
set -euo pipefail

NOKV=${1:-./build/nokv-redis}
RUNS=${RUNS:-3}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
PIPELINE=${PIPELINE:-16}
VALUE_BYTES=${VALUE_BYTES:-100}
KEYSPACE=${KEYSPACE:-100000}
TESTS=${TESTS:-set,get,incr,mset}
NOKV_FLAGS=${NOKV_FLAGS:-}
REDIS_APPENDFSYNC=${REDIS_APPENDFSYNC:-everysec}

for tool in redis-server redis-cli redis-benchmark; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
[ -x "$NOKV" ] || { echo "no nokv-redis at $NOKV" >&2; exit 1; }

WORK=$(mktemp -d /tmp/nokv-bench.XXXXXX)
PIDS=()
stop_servers() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  PIDS=()
}
cleanup() {
  stop_servers
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_ping() {  # port
  for _ in $(seq 1 500); do
    redis-cli -p "$1" PING 2>/dev/null | grep -q PONG && return 0
    sleep 0.02
  done
  echo "server on port $1 did not answer PING" >&2
  exit 1
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

bench() {  # pid port test pipeline -> "ops/s cpu-us-per-request"
  local before after rps
  before=$(cpu_ticks "$1")
  rps=$(redis-benchmark -p "$2" -t "$3" -n "$REQUESTS" -c "$CLIENTS" -P "$4" -d "$VALUE_BYTES" \
    -r "$KEYSPACE" --csv 2>/dev/null | tail -n 1 | cut -d, -f2 | tr -d '"')
  after=$(cpu_ticks "$1")
  awk -v r="$rps" -v a="$after" -v b="$before" -v n="$REQUESTS" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%s %.2f\n", r, (a - b) * 1e6 / hz / n }'
}

# results/<server>.<test>.<pipeline>: one ops/s figure per line, one line per run
mkdir -p "$WORK/results"
for run in $(seq 1 "$RUNS"); do
  rm -rf "$WORK/redis" "$WORK/nokv"
  mkdir -p "$WORK/redis"
  REDIS_PORT=$(free_port)
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" --save '' \
    --appendonly yes --appendfsync "$REDIS_APPENDFSYNC" --daemonize no >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  PIDS+=($!)
  NOKV_PORT=$(free_port)
  # shellcheck disable=SC2086
  "$NOKV" --workdir "$WORK/nokv" --addr "127.0.0.1:$NOKV_PORT" $NOKV_FLAGS >"$WORK/nokv.log" 2>&1 &
  NOKV_PID=$!
  PIDS+=($!)
  wait_ping "$REDIS_PORT"
  wait_ping "$NOKV_PORT"
  for pipeline in 1 "$PIPELINE"; do
    for test in ${TESTS//,/ }; do
      f="$WORK/results/$test.$pipeline"
      read -r n_rps n_cpu <<<"$(bench "$NOKV_PID" "$NOKV_PORT" "$test" "$pipeline")"
      read -r r_rps r_cpu <<<"$(bench "$REDIS_PID" "$REDIS_PORT" "$test" "$pipeline")"
      echo "$n_rps" >>"$f.nokv"
      echo "$r_rps" >>"$f.redis"
      echo "$n_cpu" >>"$f.nokv_cpu"
      echo "$r_cpu" >>"$f.redis_cpu"
      awk -v a="$n_rps" -v b="$r_rps" 'BEGIN { print (b > 0) ? a / b : 0 }' >>"$f.ratio"
    done
  done
  stop_servers
  echo "run $run of $RUNS done" >&2
done

median() {  # file format -> the median, or with a range format "median (min-max)"
  sort -g "$1" | awk -v fmt="$2" '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf fmt, m, v[1], v[NR] }'
}

echo "redis-benchmark -n $REQUESTS -c $CLIENTS -d $VALUE_BYTES -r $KEYSPACE; $(nproc) cores;" \
  "$(date -u +%Y-%m-%d); median of $RUNS runs (range)"
echo "nokv-redis flags: ${NOKV_FLAGS:-(none)}; redis-server $(redis-server --version | awk '{print $3}')" \
  "appendonly yes, appendfsync $REDIS_APPENDFSYNC"
echo
echo "| test | pipeline | nokv-redis ops/s | redis-server ops/s | ratio | nokv CPU us/op | redis CPU us/op |"
echo "|---|---|---|---|---|---|---|"
for pipeline in 1 "$PIPELINE"; do
  for test in ${TESTS//,/ }; do
    f="$WORK/results/$test.$pipeline"
    echo "| ${test^^} | $pipeline | $(median "$f.nokv" "%.0f (%.0f-%.0f)")" \
      "| $(median "$f.redis" "%.0f (%.0f-%.0f)") | $(median "$f.ratio" "%.2f")" \
      "| $(median "$f.nokv_cpu" "%.1f") | $(median "$f.redis_cpu" "%.1f") |"
  done
done
