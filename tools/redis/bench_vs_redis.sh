#!/usr/bin/env bash
# Side-by-side redis-benchmark of nokv-redis and Debian's redis-server (AOF, appendfsync
# everysec), both on 127.0.0.1, same client settings, one run. Prints a Markdown table.
#
#   tools/redis/bench_vs_redis.sh [path/to/nokv-redis]   (default ./build/nokv-redis)
#   env: REQUESTS (200000) CLIENTS (50) PIPELINE (16) VALUE_BYTES (100) KEYSPACE (100000)
#        NOKV_FLAGS (extra nokv-redis flags, e.g. --sync)
set -euo pipefail

NOKV=${1:-./build/nokv-redis}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
PIPELINE=${PIPELINE:-16}
VALUE_BYTES=${VALUE_BYTES:-100}
KEYSPACE=${KEYSPACE:-100000}
NOKV_FLAGS=${NOKV_FLAGS:-}

for tool in redis-server redis-cli redis-benchmark; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
[ -x "$NOKV" ] || { echo "no nokv-redis at $NOKV" >&2; exit 1; }

WORK=$(mktemp -d /tmp/nokv-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
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

REDIS_PORT=$(free_port)
mkdir -p "$WORK/redis"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$WORK/redis" --save '' \
  --appendonly yes --appendfsync everysec --daemonize no >"$WORK/redis.log" 2>&1 &
PIDS+=($!)
wait_ping "$REDIS_PORT"

NOKV_PORT=$(free_port)
# shellcheck disable=SC2086
"$NOKV" --workdir "$WORK/nokv" --addr "127.0.0.1:$NOKV_PORT" $NOKV_FLAGS >"$WORK/nokv.log" 2>&1 &
PIDS+=($!)
wait_ping "$NOKV_PORT"

bench() {  # port test pipeline -> requests per second
  redis-benchmark -p "$1" -t "$2" -n "$REQUESTS" -c "$CLIENTS" -P "$3" -d "$VALUE_BYTES" \
    -r "$KEYSPACE" --csv 2>/dev/null | tail -n 1 | cut -d, -f2 | tr -d '"'
}

echo "redis-benchmark -n $REQUESTS -c $CLIENTS -d $VALUE_BYTES -r $KEYSPACE; $(nproc) cores;" \
  "$(date -u +%Y-%m-%d)"
echo "nokv-redis flags: ${NOKV_FLAGS:-(none)}; redis-server $(redis-server --version | awk '{print $3}')" \
  "appendonly yes, appendfsync everysec"
echo
echo "| test | pipeline | nokv-redis ops/s | redis-server ops/s | ratio |"
echo "|---|---|---|---|---|"
for pipeline in 1 "$PIPELINE"; do
  for test in set get incr mset; do
    n=$(bench "$NOKV_PORT" "$test" "$pipeline")
    r=$(bench "$REDIS_PORT" "$test" "$pipeline")
    ratio=$(awk -v a="$n" -v b="$r" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
    echo "| ${test^^} | $pipeline | $n | $r | $ratio |"
  done
done
