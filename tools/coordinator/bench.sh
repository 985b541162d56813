#!/usr/bin/env bash
# Measures the coordinator figures of docs/coordinator.md: TSO timestamps/s and request
# p50/p99 with 1, 16 and 64 concurrent clients against one coordinator (local meta) and three
# (replicated meta), each run REPEAT times; then the failover time over KILLS kills of the
# holder (three coordinators). Everything on 127.0.0.1, ports from BASE_PORT up.
#
#   tools/coordinator/bench.sh [BUILD_DIR] [OUT_DIR]
#   env: SECONDS_PER_RUN (5), REPEAT (3), KILLS (20), BASE_PORT (27000), LEASE_MS (3000)
set -euo pipefail
build=${1:-build}
out=${2:-$(mktemp -d /tmp/nokv-coordinator-bench-XXXXXX)}
secs=${SECONDS_PER_RUN:-5}
repeat=${REPEAT:-3}
kills=${KILLS:-20}
port=${BASE_PORT:-27000}
lease=${LEASE_MS:-3000}
mkdir -p "$out"

config() {  # config N FILE: N coordinators, three stores, two regions
  local n=$1 file=$2 coords=""
  for i in $(seq 1 "$n"); do
    coords+="{\"id\":$i,\"addr\":\"127.0.0.1:$((port + i))\",\"meta_raft_addr\":\"127.0.0.1:$((port + 10 + i))\",\"workdir\":\"$out/n$n-c$i\"}"
    [ "$i" -lt "$n" ] && coords+=","
  done
  cat > "$file" <<JSON
{"name":"bench$n","coordinators":[$coords],
 "stores":[{"store_id":1,"listen_addr":"127.0.0.1:$((port + 21))","workdir":"$out/s1"},
           {"store_id":2,"listen_addr":"127.0.0.1:$((port + 22))","workdir":"$out/s2"},
           {"store_id":3,"listen_addr":"127.0.0.1:$((port + 23))","workdir":"$out/s3"}],
 "regions":[{"id":1,"start_key":"","end_key":"m","leader_store_id":1,
             "peers":[{"peer_id":101,"store_id":1},{"peer_id":201,"store_id":2},{"peer_id":301,"store_id":3}]},
            {"id":2,"start_key":"m","end_key":"","leader_store_id":2,
             "peers":[{"peer_id":102,"store_id":1},{"peer_id":202,"store_id":2},{"peer_id":302,"store_id":3}]}],
 "timing":{"lease_ms":$lease,"renew_interval_ms":$((lease / 3)),"max_clock_drift_ms":250,"meta_tick_ms":50}}
JSON
}

pids=()
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap stop_all EXIT

for n in 1 3; do
  config "$n" "$out/bench$n.json"
  addrs=""
  for i in $(seq 1 "$n"); do
    "$build/nokv-coordinator" --config "$out/bench$n.json" --id "$i" > /dev/null 2> "$out/n$n-c$i.log" &
    pids+=($!)
    addrs+="127.0.0.1:$((port + i)),"
  done
  "$build/nokv" tso --coordinator "127.0.0.1:$((port + 1))" --timeout_ms 20000 > /dev/null
  for clients in 1 16 64; do
    for r in $(seq 1 "$repeat"); do
      "$build/nokv-coordinator-bench" tso --coordinators "${addrs%,}" --clients "$clients" \
        --seconds "$secs" | tee -a "$out/tso.jsonl"
    done
  done
  stop_all
  rm -rf "$out"/n$n-c*/
done

config 3 "$out/failover.json"
"$build/nokv-coordinator-bench" failover --config "$out/failover.json" \
  --coordinator_bin "$build/nokv-coordinator" --kills "$kills" --log_dir "$out" \
  2> "$out/failover.log" | tee "$out/failover.jsonl"
echo "results in $out"
