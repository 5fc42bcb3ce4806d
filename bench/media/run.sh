#!/usr/bin/env bash
# The media benchmark (issue 5): upload and download throughput of one file over loopback, and
# peak memory, for tincand + tincan-cli and for nginx (the physical limit) in the same run, on
# the same bytes.
#
#   bench/media/run.sh [SIZE...]     SIZE bytes, suffixes K M G (powers of 1024); default 100M 1G
#
# For each size, in one run:
#   1. a random file (head -c SIZE /dev/urandom);
#   2. nginx: PUT then GET of that file (bench/media/nginx-baseline.sh; no fsync, sendfile);
#   3. a fresh tincand (plain HTTP on 127.0.0.1, empty data directory) and two tincan-cli
#      profiles, alice and bob:
#        upload    `tincan-cli --profile alice send-file bob FILE`: the whole command, i.e. the
#                  client's digest pass (encrypt + SHA-256 of the ciphertext), the reservation,
#                  the streaming encrypting PATCH, the server's hash + fdatasync, the message;
#        download  `tincan-cli --profile bob fetch-media ID OUT`: sync of the message, the
#                  download into the media cache (hashed as it arrives), the digest check and the
#                  decryption pass to OUT (same disk);
#      OUT must equal FILE (sha256sum), or the run fails;
#   4. the disk ("path":"disk"): `dd ... conv=fdatasync` of the file, since tincand makes an
#      upload durable before it answers and nginx does not;
#   5. the raw server path ("path":"tincan-raw"): a third account made with curl reserves a
#      media of the file's size and PATCHes the file's bytes to the signed upload URL with curl
#      (random bytes are what ciphertext looks like to the server), then GETs them back from the
#      signed download URL: the server and network cost without any client crypto.
#
# Output, one JSON line per operation (MBps = bytes / seconds / 10^6):
#   {"bench":"media","path":"tincan"|"tincan-raw"|"nginx"|"disk",
#    "op":"upload"|"download"|"write-fdatasync","size":"1G","bytes":N,"seconds":S,"MBps":X,
#    "peakRssKiB":{"server":K,"client":C},"cpuSeconds":{"server":..,"client":..},"phases":{...}}
# seconds: the whole client command (tincan-cli from exec to exit, curl's time_total).
# peakRssKiB.server: VmHWM of tincand (or of the nginx worker), reset through /proc/PID/clear_refs
# right before the operation; .client: the client's maximum RSS (GNU time %M).
# phases (tincan only), from the time stamps of the CLI's progress lines on stderr:
#   upload:   before = exec .. first progress line (start-up, digest pass, reservation),
#             transfer = first .. last progress line (the encrypting PATCH),
#             after = last line .. exit (server fdatasync + answer, message send)
#   download: before = exec .. first progress line (start-up, sync, download URL),
#             transfer = first .. last progress line, after = last line .. exit (decryption)
# then, per size, a summary line with the ratios tincan/nginx and tincan-raw/nginx. The first line
# says when, on what and at which commit the run was made ("run":"start").
# With BENCH_MEDIA (tincan-bench-media), the in-memory crypto rates come first (one line each).
#
# Environment:
#   TINCAND, CLI     the binaries; if either is unset the release preset is built and used (with
#                    tincan-bench-media for BENCH_MEDIA)
#   BENCH_MEDIA      tincan-bench-media: prints the client's crypto rates (CRYPTO_MB, default 256)
#   KEYSTORE         keyring (default when gnome-keyring-daemon and dbus-run-session exist: the
#                    script re-runs itself under scripts/with-test-keyring.sh, so the profiles'
#                    database keys come from a keychain as on a desktop) or passphrase
#                    (TINCAN_PASSPHRASE; every CLI start then runs Argon2id with 64 MiB, which
#                    shows in the client's peak RSS)
#   TMPDIR           where the work directories go (needs about 6 x SIZE free)
#   SETTLE           seconds of pause before each measured operation (default 20; 0 for the
#                    smoke test). On a VM whose balloon driver reports free pages to the host,
#                    memory the guest freed goes back to the host within seconds, and writing a
#                    file into such fresh memory costs several times more than into pages freed
#                    a moment ago (dd of 1 GiB into the page cache: about 500 MB/s against
#                    3.5 GB/s). Without the pause an operation that runs right after a file was
#                    deleted looks faster than the others; with it they all start alike, as far
#                    as a machine shared with other work allows. Repeat runs and take medians.
# Exit status 77 (the CTest skip code) when nginx or GNU time is missing.
set -euo pipefail
shopt -s inherit_errexit
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=bench/media/nginx-baseline.sh
source "$here/nginx-baseline.sh"

[ -x /usr/sbin/nginx ] || { echo "SKIP: /usr/sbin/nginx missing (scripts/install-deps.sh)"; exit 77; }
[ -x /usr/bin/time ] || { echo "SKIP: /usr/bin/time (GNU time) missing"; exit 77; }

if [ -z "${KEYSTORE:-}" ]; then
  if command -v gnome-keyring-daemon >/dev/null && command -v dbus-run-session >/dev/null; then
    KEYSTORE=keyring
  else
    KEYSTORE=passphrase
  fi
fi
if [ "$KEYSTORE" = keyring ] && [ -z "${TINCAN_MEDIA_BENCH_IN_KEYRING:-}" ]; then
  # The keyring wrapper changes HOME: make the paths we were given absolute first.
  for var in TINCAND CLI BENCH_MEDIA; do
    if [ -n "${!var:-}" ]; then export "$var=$(realpath "${!var}")"; fi
  done
  export KEYSTORE TINCAN_MEDIA_BENCH_IN_KEYRING=1 TMPDIR="${TMPDIR:-/tmp}"
  exec bash "$root/scripts/with-test-keyring.sh" bash "$here/run.sh" "$@"
fi
if [ "$KEYSTORE" = passphrase ]; then
  export TINCAN_PASSPHRASE="${TINCAN_PASSPHRASE:-media-bench-passphrase}"
else
  unset TINCAN_PASSPHRASE
fi

if [ -z "${TINCAND:-}" ] || [ -z "${CLI:-}" ]; then
  (cd "$root" && cmake --preset release >/dev/null &&
    nice -n 19 cmake --build build/release --target tincand tincan-cli tincan-bench-media) >&2
  TINCAND="$root/build/release/server/tincand"
  CLI="$root/build/release/app/cli/tincan-cli"
  BENCH_MEDIA="${BENCH_MEDIA:-$root/build/release/bench/tincan-bench-media}"
fi

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100M 1G)

work=""
pid=""
cleanup() {
  nginx_stop
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  pid=""
  if [ -n "$work" ]; then rm -rf "$work"; fi
  work=""
}
trap cleanup EXIT

# ----------------------------------------------------------------------------------- helpers

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? b / s / 1e6 : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# cpu_seconds PID: user + system time of the process so far.
cpu_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' \
    "/proc/$1/stat"
}
# A field of a JSON line: the number after "key": (first match).
field() { grep -o "\"$2\":[0-9.]*" <<<"$1" | head -n 1 | cut -d: -f2; }

# emit PATH OP BYTES SECONDS SERVER_KIB CLIENT_KIB [EXTRA_JSON_FIELDS]
emit() {
  local line
  line=$(printf '{"bench":"media","path":"%s","op":"%s","size":"%s","bytes":%s,"seconds":%s,"MBps":%s,"peakRssKiB":{"server":%s,"client":%s}%s}' \
    "$1" "$2" "$size" "$3" "$4" "$(mbps "$3" "$4")" "${5:-null}" "${6:-null}" "${7:+,$7}")
  echo "$line"
  results+=("$line")
}

settle() { sleep "${SETTLE:-20}"; }

# Prefixes every line of stdin with the time it was read.
stamp() { while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }

# phases START END STAMPED_PROGRESS_FILE: the before/transfer/after split (see the header).
phases() {
  awk -v start="$1" -v end="$2" '
    / [0-9]+% \(/ { if (first == "") first = $1; last = $1 }
    END {
      if (first == "") { printf "null"; exit }
      printf "{\"before\":%.3f,\"transfer\":%.3f,\"after\":%.3f}", first - start, last - first, end - last
    }' "$3"
}

start_server() {
  local config="$work/tincand.conf"
  cat >"$config" <<EOF
[tls]
enabled=false
[auth]
argon2_memory_kib=1024
argon2_iterations=1
[rate]
auth_per_minute=100000
auth_burst=100000
[media]
max_size=1125899906842624
EOF
  "$TINCAND" --config "$config" --data-dir "$work/server" --listen 127.0.0.1:0 >"$work/tincand.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/tincand.log" 2>/dev/null |
      grep -o '[0-9]*$' || true)
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "tincand did not start:" >&2
  cat "$work/tincand.log" >&2
  return 1
}

cli() { "$CLI" --profile "$work/$1" "${@:2}"; }

register() {
  echo "media bench password" | cli "$1" --server "http://127.0.0.1:$port" register "$1" \
    --password-stdin >/dev/null
}

# api METHOD PATH [JSON_BODY]: a JSON request of the curl-made account; prints the body.
api() {
  curl -sS -f -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "http://127.0.0.1:$port$2"
}
absolute() { case "$1" in http*) echo "$1" ;; *) echo "http://127.0.0.1:$port$1" ;; esac; }

# timed_cli OPNAME PROFILE ARGS...: runs tincan-cli under GNU time with its stderr stamped, the
# server's peak reset before; sets t_seconds, t_client_kib, t_client_cpu, t_server_kib,
# t_server_cpu, t_phases; its stdout goes to $work/OPNAME.out.
timed_cli() {
  local op="$1" start end cpu0
  peak_reset "$pid"
  cpu0=$(cpu_seconds "$pid")
  start=$(now)
  if ! { /usr/bin/time -f '%M %U %S' -o "$work/$op.time" "$CLI" --profile "$work/$2" "${@:3}" \
           2>&1 >"$work/$op.out"; } | stamp >"$work/$op.progress"; then
    echo "tincan-cli ${*:3} failed:" >&2
    cat "$work/$op.progress" "$work/$op.time" >&2
    tail -n 20 "$work/tincand.log" >&2
    return 1
  fi
  end=$(now)
  t_server_kib=$(peak_read_kib "$pid")
  t_server_cpu=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$pid")" 'BEGIN { printf "%.2f", b - a }')
  t_seconds=$(elapsed "$start" "$end")
  read -r t_client_kib user sys < <(tail -n 1 "$work/$op.time")
  t_client_cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  t_phases=$(phases "$start" "$end" "$work/$op.progress")
}

# timed_raw_curl ARGS...: curl under GNU time with the server's peak reset before; sets
# t_seconds, t_code, t_client_kib, t_server_kib, t_server_cpu.
timed_raw_curl() {
  local cpu0
  peak_reset "$pid"
  cpu0=$(cpu_seconds "$pid")
  read -r t_seconds t_code t_client_kib < <(timed_curl "$@")
  t_server_kib=$(peak_read_kib "$pid")
  t_server_cpu=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$pid")" 'BEGIN { printf "%.2f", b - a }')
}

# ------------------------------------------------------------------------------ one size

run_size() {
  size="$1"
  local bytes file digest id
  bytes=$(to_bytes "$size")
  work="$(mktemp -d "${TMPDIR:-/tmp}/tincan-media.XXXXXX")"
  # shellcheck disable=SC2034 # read by nginx_baseline
  WORKDIR="$work"
  file="$work/source.bin"
  make_random_file "$file" "$bytes"
  digest=$(sha256sum "$file" | cut -d' ' -f1)
  results=()

  # nginx, converted to this script's line format.
  local line nginx_lines
  settle
  nginx_lines=$(SINK=file VERIFY=1 nginx_baseline "$file")
  while IFS= read -r line; do
    emit nginx "$(grep -o '"op":"[a-z]*"' <<<"$line" | cut -d'"' -f4)" "$bytes" \
      "$(field "$line" seconds)" "$(field "$line" server_peak_rss_kib)" \
      "$(field "$line" client_peak_rss_kib)"
  done <<<"$nginx_lines"

  # What durability costs on this disk: the same bytes copied and fdatasync'ed (tincand syncs a
  # complete upload before it answers; nginx's PUT does not).
  local d0
  settle
  d0=$(now)
  dd if="$file" of="$work/dd.bin" bs=1M conv=fdatasync status=none
  emit disk write-fdatasync "$bytes" "$(elapsed "$d0" "$(now)")"
  rm -f "$work/dd.bin"

  start_server
  register alice
  register bob

  # The fixed cost of one CLI command (process start, profile database, one request).
  local startup0 startup
  startup0=$(now)
  cli alice whoami >/dev/null
  startup=$(elapsed "$startup0" "$(now)")

  settle
  timed_cli upload alice send-file bob "$file"
  id=$(tail -n 1 "$work/upload.out")
  emit tincan upload "$bytes" "$t_seconds" "$t_server_kib" "$t_client_kib" \
    "\"cpuSeconds\":{\"server\":$t_server_cpu,\"client\":$t_client_cpu},\"phases\":$t_phases,\"cliStartupSeconds\":$startup,\"keystore\":\"$KEYSTORE\""

  settle
  timed_cli download bob fetch-media "$id" "$work/received.bin"
  emit tincan download "$bytes" "$t_seconds" "$t_server_kib" "$t_client_kib" \
    "\"cpuSeconds\":{\"server\":$t_server_cpu,\"client\":$t_client_cpu},\"phases\":$t_phases,\"keystore\":\"$KEYSTORE\""
  if [ "$(sha256sum "$work/received.bin" | cut -d' ' -f1)" != "$digest" ]; then
    echo "the downloaded file differs from the sent one" >&2
    return 1
  fi
  # The client cache (ciphertext) and the copy are not needed any more.
  rm -rf "$work/received.bin" "$work/bob/media"

  # The raw server path: curl, no client crypto.
  local reserved upload_url download_url
  token=$(curl -sS -f -H 'Content-Type: application/json' \
    --data '{"username":"raw","password":"media bench password","deviceName":"curl"}' \
    "http://127.0.0.1:$port/v1/accounts" | grep -o '"token":"[^"]*"' | cut -d'"' -f4)
  reserved=$(api POST /v1/media "{\"size\":$bytes}")
  local media_id
  media_id=$(grep -o '"id":"[^"]*"' <<<"$reserved" | cut -d'"' -f4)
  upload_url=$(absolute "$(grep -o '"uploadUrl":"[^"]*"' <<<"$reserved" | cut -d'"' -f4)")
  settle
  timed_raw_curl -X PATCH -T "$file" -o /dev/null -H 'Upload-Offset: 0' \
    -H 'Content-Type: application/offset+octet-stream' "$upload_url"
  [ "$t_code" = 204 ] || { echo "raw PATCH: HTTP $t_code" >&2; return 1; }
  emit tincan-raw upload "$bytes" "$t_seconds" "$t_server_kib" "$t_client_kib" \
    "\"cpuSeconds\":{\"server\":$t_server_cpu}"
  download_url=$(absolute "$(api POST "/v1/media/$media_id/download-url" |
    grep -o '"url":"[^"]*"' | cut -d'"' -f4)")
  settle
  timed_raw_curl -o "$work/raw.bin" "$download_url"
  [ "$t_code" = 200 ] || { echo "raw GET: HTTP $t_code" >&2; return 1; }
  emit tincan-raw download "$bytes" "$t_seconds" "$t_server_kib" "$t_client_kib" \
    "\"cpuSeconds\":{\"server\":$t_server_cpu},\"sink\":\"file\""
  cmp "$file" "$work/raw.bin" || { echo "raw download differs" >&2; return 1; }

  # Summary: tincan and tincan-raw against nginx.
  local r p o mb
  declare -A rate=()
  for r in "${results[@]}"; do
    p=$(grep -o '"path":"[a-z-]*"' <<<"$r" | cut -d'"' -f4)
    o=$(grep -o '"op":"[a-z-]*"' <<<"$r" | cut -d'"' -f4)
    mb=$(field "$r" MBps)
    rate["$p/$o"]=$mb
  done
  printf '{"bench":"media","summary":true,"size":"%s","bytes":%s,"ratio":{"upload":%s,"download":%s},"rawRatio":{"upload":%s,"download":%s},"target":0.5}\n' \
    "$size" "$bytes" \
    "$(ratio "${rate[tincan/upload]}" "${rate[nginx/upload]}")" \
    "$(ratio "${rate[tincan/download]}" "${rate[nginx/download]}")" \
    "$(ratio "${rate[tincan-raw/upload]}" "${rate[nginx/upload]}")" \
    "$(ratio "${rate[tincan-raw/download]}" "${rate[nginx/download]}")"

  cleanup
}

# Where and how this run was made.
printf '{"bench":"media","run":"start","date":"%s","commit":"%s","sizes":"%s","cpus":%s,"memTotalKiB":%s,"loadavg":"%s","keystore":"%s","settleSeconds":%s}\n' \
  "$(date -u +%FT%TZ)" "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  "${sizes[*]}" "$(nproc)" "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$KEYSTORE" "${SETTLE:-20}"
if [ -n "${BENCH_MEDIA:-}" ] && [ -x "$BENCH_MEDIA" ] && [ "${CRYPTO_MB:-256}" -gt 0 ]; then
  # The client's crypto alone, in memory, one core (tincan-bench-media's own format).
  "$BENCH_MEDIA" --mb "${CRYPTO_MB:-256}" --reps 3
fi
for s in "${sizes[@]}"; do
  run_size "$s"
done
