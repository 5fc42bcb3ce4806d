#!/usr/bin/env bash
# Runs the benchmarks against a fresh tincand with its defaults (plus bench/tincand-bench.conf).
#   bench/run-bench.sh smoke   a few seconds; used by the `bench` CTest label
#   bench/run-bench.sh full    the figures in docs/benchmarks.md
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

start_server() {
  "$TINCAND" --config "$here/tincand-bench.conf" --data-dir "$data/db" --listen 127.0.0.1:0 >"$log" 2>&1 &
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

case "$mode" in
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
    ;;
  *)
    echo "usage: $0 smoke|full"; exit 1 ;;
esac
