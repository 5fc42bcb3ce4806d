#!/usr/bin/env bash
# The desktop benchmark: cold start of the app on a profile of 100,000 messages in 50
# conversations, opening the largest chat, scrolling its whole history, idle memory.
#
#   bench/desktop/run.sh [full|smoke]
#
# One run of the script:
#   1. starts a fresh tincand (TLS with its self-signed certificate, empty data directory,
#      bench/tincand-bench.conf: cheap password hashing) and keeps it running;
#   2. seeds one profile with tincan-bench-seed (the account registered on that daemon by a real
#      client core, the database key in the keychain, then the history written into the
#      SQLCipher database; see bench/desktop/SeedProfile.cpp);
#   3. for each platform (offscreen, then Xvfb when it is installed) and each server state
#      (online: the daemon runs, the app connects in the background; then offline: the daemon is
#      stopped and the app cannot connect), RUNS fresh processes of tincan-bench-desktop, each on
#      a fresh copy of the seeded profile (the app writes to it: last conversation, read marks):
#      cold start, 5 s idle, open the largest chat, scroll it to the top (see DesktopBench.cpp);
#   4. prints a summary per platform and server state: median and worst of the runs.
# The page cache is warm: the profile was just copied, and dropping caches needs root.
#
# Output: JSON lines ({"bench":"desktop",...}); the first says when, where and at which commit
# ("run":"start"), then the seed's line, one line per run, the summaries last.
#
# Environment:
#   BUILD_DIR      where the binaries are (default build/release, built with the release preset
#                  when missing); or TINCAND, SEED and DESKTOP for each binary
#   RUNS           runs per platform and server state (full 5, smoke 1)
#   MESSAGES, CONVERSATIONS   the profile (full 100000 and 50; smoke 2000 and 10)
#   IDLE           seconds of idle before the idle memory reading (full 5, smoke 1)
#   PLATFORMS      "offscreen xvfb" (smoke: offscreen); xvfb is skipped without Xvfb
#   SERVER_STATES  "online offline" (smoke: online)
# Runs itself under scripts/with-test-keyring.sh (a throwaway D-Bus session and keyring) unless
# it is already inside one; exit status 77 (the CTest skip code) without gnome-keyring.
set -euo pipefail
shopt -s inherit_errexit
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
mode="${1:-full}"
case "$mode" in
  full) defaults=(5 100000 50 5 "offscreen xvfb" "online offline") ;;
  smoke) defaults=(1 2000 10 1 "offscreen" "online") ;;
  *) echo "usage: $0 [full|smoke]" >&2; exit 2 ;;
esac
RUNS="${RUNS:-${defaults[0]}}"
MESSAGES="${MESSAGES:-${defaults[1]}}"
CONVERSATIONS="${CONVERSATIONS:-${defaults[2]}}"
IDLE="${IDLE:-${defaults[3]}}"
PLATFORMS="${PLATFORMS:-${defaults[4]}}"
SERVER_STATES="${SERVER_STATES:-${defaults[5]}}"

if [ -z "${TINCAN_DESKTOP_BENCH_IN_KEYRING:-}" ]; then
  if ! command -v gnome-keyring-daemon >/dev/null || ! command -v dbus-run-session >/dev/null; then
    echo "SKIP: gnome-keyring-daemon or dbus-run-session missing (scripts/install-deps.sh)"
    exit 77
  fi
  BUILD_DIR="${BUILD_DIR:-$root/build/release}"
  if [ -z "${TINCAND:-}" ] || [ -z "${SEED:-}" ] || [ -z "${DESKTOP:-}" ]; then
    if [ ! -x "$BUILD_DIR/bench/tincan-bench-desktop" ]; then
      (cd "$root" && cmake --preset release >/dev/null &&
        nice -n 19 cmake --build build/release -j1 --target tincand tincan-bench-seed \
          tincan-bench-desktop) >&2
    fi
    TINCAND="${TINCAND:-$BUILD_DIR/server/tincand}"
    SEED="${SEED:-$BUILD_DIR/bench/tincan-bench-seed}"
    DESKTOP="${DESKTOP:-$BUILD_DIR/bench/tincan-bench-desktop}"
  fi
  # The keyring wrapper changes HOME: make the paths absolute first.
  TINCAND="$(realpath "$TINCAND")" SEED="$(realpath "$SEED")" DESKTOP="$(realpath "$DESKTOP")"
  export TINCAND SEED DESKTOP RUNS MESSAGES CONVERSATIONS IDLE PLATFORMS SERVER_STATES
  export TINCAN_DESKTOP_BENCH_IN_KEYRING=1 TMPDIR="${TMPDIR:-/tmp}"
  exec bash "$root/scripts/with-test-keyring.sh" bash "$here/run.sh" "$mode"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/tincan-desktop.XXXXXX")"
pid=""
xvfb=""
cleanup() {
  for p in $pid $xvfb; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The benchmarks' settings (bench/tincand-bench.conf): cheap password hashing, no sign-in
# limits (the seed registers dozens of accounts); everything else is the daemon's default.
start_server() {
  "$TINCAND" --config "$here/../tincand-bench.conf" --data-dir "$work/server" --listen 127.0.0.1:0 \
    --no-advertise >"$work/tincand.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 400); do
    url=$(grep -o 'listening on https://127.0.0.1:[0-9]*' "$work/tincand.log" 2>/dev/null |
      cut -d' ' -f3 || true)
    fingerprint=$(grep -o 'fingerprint [0-9A-F:]*' "$work/tincand.log" 2>/dev/null |
      cut -d' ' -f2 || true)
    [ -n "$url" ] && [ -n "$fingerprint" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "tincand did not start:" >&2
  cat "$work/tincand.log" >&2
  return 1
}

stop_server() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
}

# An X server for the xvfb runs, started once (like the display of a desktop session).
start_xvfb() {
  exec 3>"$work/display"
  Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
  xvfb=$!
  exec 3>&-
  for _ in $(seq 1 200); do
    [ -s "$work/display" ] && break
    sleep 0.05
  done
  [ -s "$work/display" ] || { echo "Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; return 1; }
  display=":$(head -n 1 "$work/display")"
}

# measure PLATFORM SERVER_STATE RUN: one fresh process on a fresh copy of the seeded profile.
measure() {
  rm -rf "$work/profile"
  cp -a "$work/seeded" "$work/profile"
  local env=(QT_QPA_PLATFORM=offscreen)
  if [ "$1" = xvfb ]; then env=(QT_QPA_PLATFORM=xcb DISPLAY="$display"); fi
  # --t0 is taken by the shell that execs the program: exec and loading count.
  env "${env[@]}" bash -c 'exec "$@" --t0 "$EPOCHREALTIME"' bash "$DESKTOP" \
    --profile "$work/profile" --conversation "$largest" --idle-seconds "$IDLE" \
    --label "$1 $2 run $3" 2>"$work/desktop.err" | sed "s/^{\"bench\":\"desktop\",/&\"server\":\"$2\",\"run\":$3,/" ||
    { echo "tincan-bench-desktop failed:" >&2; cat "$work/desktop.err" >&2; return 1; }
}

# check_json LINE: fails unless LINE is one JSON object (with jq or python3, whichever exists).
check_json() {
  if command -v jq >/dev/null; then
    jq -e 'type == "object"' <<<"$1" >/dev/null
  elif command -v python3 >/dev/null; then
    python3 -c 'import json, sys; assert isinstance(json.loads(sys.stdin.read()), dict)' <<<"$1"
  else
    [[ "$1" == \{*\} ]]
  fi || { echo "not a JSON object: $1" >&2; return 1; }
}

# A number field of a JSON line (the first "key":N).
field() { grep -o "\"$2\":[0-9.]*" <<<"$1" | head -n 1 | cut -d: -f2; }

# stats KEY LINES...: {"median":M,"worst":W} over the lines; worst is the highest.
stats() {
  local key="$1"
  shift
  printf '%s\n' "$@" | while IFS= read -r l; do field "$l" "$key"; done | sort -g |
    awk '{ v[NR] = $1 } END {
      if (NR == 0) { printf "null"; exit }
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "{\"median\":%s,\"worst\":%s}", m, v[NR] }'
}

printf '{"bench":"desktop","run":"start","mode":"%s","date":"%s","commit":"%s","cpus":%s,"memTotalKiB":%s,"loadavg":"%s","runs":%s,"idleSeconds":%s,"pageCache":"warm"}\n' \
  "$mode" "$(date -u +%FT%TZ)" "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  "$(nproc)" "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)" "$(cut -d' ' -f1-3 /proc/loadavg)" \
  "$RUNS" "$IDLE"

start_server
seed_line=$(QT_QPA_PLATFORM=offscreen "$SEED" --server "$url" --fingerprint "$fingerprint" \
  --profile "$work/seeded" --messages "$MESSAGES" --conversations "$CONVERSATIONS")
check_json "$seed_line"
echo "$seed_line"
largest=$(grep -o '"largest":"[^"]*"' <<<"$seed_line" | cut -d'"' -f4)

platforms=()
for p in $PLATFORMS; do
  if [ "$p" = xvfb ] && ! command -v Xvfb >/dev/null; then
    echo "Xvfb missing: no xvfb runs (scripts/install-deps.sh)" >&2
    continue
  fi
  platforms+=("$p")
done
summaries=()
for state in $SERVER_STATES; do
  if [ "$state" = offline ]; then stop_server; fi
  for p in "${platforms[@]}"; do
    if [ "$p" = xvfb ] && [ -z "$xvfb" ]; then start_xvfb; fi
    lines=()
    for run in $(seq 1 "$RUNS"); do
      line=$(measure "$p" "$state" "$run")
      check_json "$line"
      for key in coldStartMs idleRssKiB openMs worstGapMs endRssKiB; do
        [ -n "$(field "$line" "$key")" ] || { echo "no $key in: $line" >&2; exit 1; }
      done
      echo "$line"
      lines+=("$line")
    done
    summaries+=("$(printf '{"bench":"desktop","summary":true,"platform":"%s","server":"%s","runs":%s,"messages":%s,"conversations":%s,"coldStartMs":%s,"openMs":%s,"scrollMs":%s,"scrollWorstGapMs":%s,"scrollPaints":%s,"idleRssKiB":%s,"endRssKiB":%s,"hwmKiB":%s,"targets":{"coldStartMs":1500,"openMs":100,"idleRssKiB":153600}}' \
      "$p" "$state" "$RUNS" "$MESSAGES" "$CONVERSATIONS" "$(stats coldStartMs "${lines[@]}")" \
      "$(stats openMs "${lines[@]}")" "$(stats ms "${lines[@]}")" \
      "$(stats worstGapMs "${lines[@]}")" "$(stats paints "${lines[@]}")" \
      "$(stats idleRssKiB "${lines[@]}")" "$(stats endRssKiB "${lines[@]}")" \
      "$(stats hwmKiB "${lines[@]}")")")
  done
done
for s in "${summaries[@]}"; do
  check_json "$s"
  echo "$s"
done
