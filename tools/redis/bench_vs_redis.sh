#!/usr/bin/env bash
# Side-by-side redis-benchmark of nokv-redis and Debian's redis-server (AOF on), both on
# 127.0.0.1, same client settings. Each run starts both servers fresh and runs every test
# against each, test by test; the table shows the median of RUNS runs and their range.
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

bench() {  # port test pipeline -> requests per second
  redis-benchmark -p "$1" -t "$2" -n "$REQUESTS" -c "$CLIENTS" -P "$3" -d "$VALUE_BYTES" \
    -r "$KEYSPACE" --csv 2>/dev/null | tail -n 1 | cut -d, -f2 | tr -d '"'
}

# results/<server>.<test>.<pipeline>: one ops/s figure per line, one line per run
mkdir -p "$WORK/results"
for run in $(seq 1 "$RUNS"); do
  rm -rf "$WORK/redis" "$WORK/nokv"
  mkdir -p "$WORK/redis"
  REDIS_PORT=$(free_port)
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" --save '' \
    --appendonly yes --appendfsync "$REDIS_APPENDFSYNC" --daemonize no >"$WORK/redis.log" 2>&1 &
  PIDS+=($!)
  NOKV_PORT=$(free_port)
  # shellcheck disable=SC2086
  "$NOKV" --workdir "$WORK/nokv" --addr "127.0.0.1:$NOKV_PORT" $NOKV_FLAGS >"$WORK/nokv.log" 2>&1 &
  PIDS+=($!)
  wait_ping "$REDIS_PORT"
  wait_ping "$NOKV_PORT"
  for pipeline in 1 "$PIPELINE"; do
    for test in ${TESTS//,/ }; do
      bench "$NOKV_PORT" "$test" "$pipeline" >>"$WORK/results/nokv.$test.$pipeline"
      bench "$REDIS_PORT" "$test" "$pipeline" >>"$WORK/results/redis.$test.$pipeline"
    done
  done
  stop_servers
  echo "run $run of $RUNS done" >&2
done

median() {  # file -> "median (min-max)"
  sort -g "$1" | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.0f (%.0f-%.0f)", m, v[1], v[NR] }'
}
median_value() { sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "redis-benchmark -n $REQUESTS -c $CLIENTS -d $VALUE_BYTES -r $KEYSPACE; $(nproc) cores;" \
  "$(date -u +%Y-%m-%d); median of $RUNS runs (range)"
echo "nokv-redis flags: ${NOKV_FLAGS:-(none)}; redis-server $(redis-server --version | awk '{print $3}')" \
  "appendonly yes, appendfsync $REDIS_APPENDFSYNC"
echo
echo "| test | pipeline | nokv-redis ops/s | redis-server ops/s | ratio |"
echo "|---|---|---|---|---|"
for pipeline in 1 "$PIPELINE"; do
  for test in ${TESTS//,/ }; do
    n="$WORK/results/nokv.$test.$pipeline"
    r="$WORK/results/redis.$test.$pipeline"
    ratio=$(awk -v a="$(median_value "$n")" -v b="$(median_value "$r")" \
      'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    echo "| ${test^^} | $pipeline | $(median "$n") | $(median "$r") | $ratio |"
  done
done
