#!/usr/bin/env bash
# Runs the benchmarks against a fresh tincand with its defaults (plus bench/tincand-bench.conf).
#   bench/run-bench.sh smoke   a few seconds; used by the `bench` CTest label
#   bench/run-bench.sh full    the figures in docs/benchmarks.md (groups included)
#   bench/run-bench.sh groups        only the groups fan-out figures (fan-out on write, then on read)
#   bench/run-bench.sh groups-smoke  2 groups of 10 members, a few seconds; `bench` CTest label
# TINCAND and LOADGEN may point at binaries; otherwise the release preset is built.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode="${1:-full}"

if [ -z "${TINCAND:-}" ] || [ -z "${LOADGEN:-}" ]; then
  (cd "$here/.." && bash scripts/install-deps.sh && cmake --preset release >/dev/null && cmake --build --preset release)
  TINCAND="$here/../build/release/server/tincand"
  LOADGEN="$here/../build/release/bench/tincan-loadgen"
fi

data="$(mktemp -d)"
log="$data/tincand.log"
cleanup() {
  if [ -n "${pid:-}" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# start_server [EXTRA_INI_LINES]: the extra lines are appended to tincand-bench.conf.
start_server() {
  config="$data/tincand.conf"
  cat "$here/tincand-bench.conf" >"$config"
  [ -n "${1:-}" ] && printf '%s\n' "$1" >>"$config"
  "$TINCAND" --config "$config" --data-dir "$data/db" --listen 127.0.0.1:0 >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do
    port=$(grep -o 'listening on https://127.0.0.1:[0-9]*' "$log" 2>/dev/null | grep -o '[0-9]*$' || true)
    # The daemon's self-signed certificate, which the load generator accepts like a pinning client.
    fingerprint=$(grep -o 'fingerprint [0-9A-F:]*' "$log" 2>/dev/null | cut -d' ' -f2 || true)
    [ -n "$port" ] && [ -n "$fingerprint" ] && return 0
    sleep 0.05
  done
  echo "tincand did not start:"; cat "$log"; exit 1
}

stop_server() {
  kill "$pid"; wait "$pid" || true; pid=""; rm -rf "$data/db"
}

run() {
  echo "+ tincan-loadgen $*" >&2
  "$LOADGEN" --server "https://127.0.0.1:$port" --server-fingerprint "$fingerprint" --server-pid "$pid" "$@"
}

# Groups fan-out (issue 4): 20 groups of 100 online members. --rate 0 searches the saturation
# rate, then measures at half of it. Default config: 100 member devices <= the threshold of 200,
# so fan-out on write; then the threshold at 50, so fan-out on read.
groups_full() {
  start_server
  run --scenario groups --groups 20 --members 100 --connections 64 --rate 0 --sweep-from 100 --warmup 3 --duration 15 \
      --label "fanout=write (default fanout_read_threshold=200)"
  stop_server; start_server "$(printf '[groups]\nfanout_read_threshold=50')"
  run --scenario groups --groups 20 --members 100 --connections 64 --rate 0 --sweep-from 100 --warmup 3 --duration 15 \
      --label "fanout=read (fanout_read_threshold=50)"
  stop_server
}

groups_smoke() {
  local extra label
  for threshold in 200 5; do
    if [ "$threshold" = 200 ]; then label=write; else label=read; fi
    start_server "$(printf '[groups]\nfanout_read_threshold=%s' "$threshold")"
    out=$(run --scenario groups --groups 2 --members 10 --rate 100 --warmup 0.5 --duration 2 \
              --drain 10 --label "fanout=$label")
    echo "$out"
    echo "$out" | grep -q '"scenario":"groups"' || { echo "groups smoke ($label) failed"; exit 1; }
    echo "$out" | grep -q '"error"' && { echo "groups smoke ($label) failed"; exit 1; }
    echo "$out" | grep -Eq '"refused":0[,}]' || { echo "groups smoke ($label): refused messages"; exit 1; }
    echo "$out" | grep -Eq '"incomplete_messages":0[,}]' ||
      { echo "groups smoke ($label): a message missed a member"; exit 1; }
    echo "$out" | grep -Eq '"window_messages":200[,}]' ||
      { echo "groups smoke ($label): not 200 messages in the window"; exit 1; }
    stop_server
  done
}

case "$mode" in
  groups)
    groups_full ;;
  groups-smoke)
    groups_smoke ;;
  smoke)
    start_server
    out=$(run --scenario relay --pairs 2 --rate 200 --warmup 0.5 --duration 1)
    echo "$out"
    echo "$out" | grep -q '"delivered_per_s"' || { echo "relay smoke failed"; exit 1; }
    echo "$out" | grep -q '"error"' && { echo "relay smoke failed"; exit 1; }
    echo "$out" | grep -q '"refused":0,' || { echo "relay smoke: the server refused messages"; exit 1; }
    echo "$out" | grep -q '"payload":"e2ee"' || { echo "relay smoke: payloads were not E2EE"; exit 1; }
    out=$(run --scenario idle --idle 300 --rate 50 --warmup 0.5 --duration 1)
    echo "$out"
    echo "$out" | grep -q '"idle_connected":300' || { echo "idle smoke failed"; exit 1; }
    stop_server
    ;;
  full)
    start_server
    run --scenario relay --pairs 64 --rate 0 --connections 64 --warmup 3 --duration 15
    stop_server; start_server
    # The same with opaque payloads of the same size: the server's capacity without the load
    # generator's own Signal-protocol work on these 2 cores.
    run --scenario relay --pairs 64 --rate 0 --connections 64 --warmup 3 --duration 15 --payload opaque
    stop_server; start_server
    run --scenario relay --pairs 50 --rate 2000 --connections 32 --warmup 3 --duration 15
    stop_server; start_server
    run --scenario relay --pairs 50 --rate 5000 --connections 64 --warmup 3 --duration 15
    stop_server; start_server
    run --scenario idle --idle 10000 --sources 4 --rate 200 --warmup 3 --duration 15
    stop_server
    groups_full
    ;;
  *)
    echo "usage: $0 smoke|full|groups|groups-smoke"; exit 1 ;;
esac
