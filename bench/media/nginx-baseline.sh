#!/usr/bin/env bash
# The media benchmark's physical limit: the same bytes copied through Debian's nginx on
# loopback, up with `curl -T` (a WebDAV PUT: nginx writes the body to a temporary file and
# renames it into place) and down with `curl -o` (static file, sendfile on, as Debian's
# nginx.conf has it). Prints one JSON line per operation:
#   {"bench":"media","path":"nginx","op":"upload","bytes":N,"seconds":S,"MBps":X,
#    "server_peak_rss_kib":K,"client_peak_rss_kib":C,"sink":"file"}
# MBps = bytes / seconds / 10^6. seconds = curl's time_total (connection included).
# server_peak_rss_kib = VmHWM of the nginx worker, reset (/proc/PID/clear_refs) before the
# operation; client_peak_rss_kib = curl's maximum RSS from /usr/bin/time (null without it).
#
#   bench/media/nginx-baseline.sh [SIZE]       SIZE bytes (default 1 GiB, suffixes K M G)
# Environment:
#   FILE=path       use these bytes instead of a fresh random file (SIZE is then its size)
#   WORKDIR=dir     where the random file, nginx's prefix and the copies go (default: a new
#                   directory in ${TMPDIR:-/tmp}, removed at the end); the copies need 2 x SIZE
#   SINK=file|null  download into a file in WORKDIR (default: like a client, which keeps what
#                   it downloads) or into /dev/null (network path only)
#   VERIFY=1|0      compare the uploaded and downloaded copies with the original (default 1;
#                   not timed)
# Nothing here drops the page cache: the source file is usually in memory, which holds for the
# tincand runs of the same session too.
#
# For bench/media/run.sh: `source` this file to get the helpers without running anything:
# make_random_file, nginx_start/nginx_stop, nginx_worker_pid, peak_reset/peak_read_kib,
# timed_curl, json_line, and nginx_baseline FILE (the two nginx figures for FILE), so that the
# tincand + tincan-cli figures come from the same run and the same bytes.
set -euo pipefail

# make_random_file PATH SIZE
make_random_file() {
  head -c "$2" /dev/urandom >"$1"
  [ "$(stat -c %s "$1")" = "$2" ] || { echo "make_random_file: short file $1" >&2; return 1; }
}

# to_bytes 1G -> 1073741824 (K, M, G: powers of 1024; plain numbers as they are)
to_bytes() {
  case "$1" in
    *[kK]) echo $(( ${1%?} * 1024 )) ;;
    *[mM]) echo $(( ${1%?} * 1024 * 1024 )) ;;
    *[gG]) echo $(( ${1%?} * 1024 * 1024 * 1024 )) ;;
    *) echo $(( $1 )) ;;
  esac
}

# peak_reset PID: makes VmHWM start again from the current RSS.
peak_reset() { echo 5 >"/proc/$1/clear_refs"; }
# peak_read_kib PID: VmHWM in KiB.
peak_read_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

# json_line PATH OP BYTES SECONDS SERVER_KIB CLIENT_KIB [EXTRA_JSON_FIELDS]
json_line() {
  local mbps
  mbps=$(awk -v b="$3" -v s="$4" 'BEGIN { printf "%.1f", (s > 0 ? b / s / 1e6 : 0) }')
  printf '{"bench":"media","path":"%s","op":"%s","bytes":%s,"seconds":%s,"MBps":%s,"server_peak_rss_kib":%s,"client_peak_rss_kib":%s%s}\n' \
    "$1" "$2" "$3" "$4" "$mbps" "${5:-null}" "${6:-null}" "${7:+,$7}"
}

# timed_curl ARGS...: runs curl, prints "SECONDS HTTP_CODE CLIENT_PEAK_KIB" (the last is null
# without /usr/bin/time).
timed_curl() {
  local out rss=null timef
  timef="$(mktemp)"
  if [ -x /usr/bin/time ]; then
    out=$(/usr/bin/time -f %M -o "$timef" curl -sS -w '%{time_total} %{http_code}' "$@")
    rss=$(tail -n 1 "$timef")
  else
    out=$(curl -sS -w '%{time_total} %{http_code}' "$@")
  fi
  rm -f "$timef"
  echo "$out $rss"
}

# nginx_start PREFIX_DIR SERVER_BLOCK_TEXT: runs /usr/sbin/nginx in the foreground with
# everything (config, pid, logs, temp paths) in PREFIX_DIR, on 127.0.0.1 with a free port
# ("@PORT@" in SERVER_BLOCK_TEXT), as tests/common/NginxProcess does. Sets nginx_pid and
# nginx_port. Retries another port if one was taken.
nginx_start() {
  local prefix="$1" site="$2" port user=""
  [ -x /usr/sbin/nginx ] || { echo "nginx missing: run scripts/install-deps.sh" >&2; return 1; }
  mkdir -p "$prefix"
  # As root the workers would run as nobody, who cannot enter a private directory.
  [ "$(id -u)" -eq 0 ] && user="user root;"
  for _ in 1 2 3 4 5; do
    port=$(( 20000 + RANDOM % 40000 ))
    rm -f "$prefix/nginx.pid" "$prefix/error.log"
    cat >"$prefix/nginx.conf" <<EOF
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/error.log notice;
$user
events { worker_connections 1024; }
http {
    access_log $prefix/access.log;
    client_body_temp_path $prefix/client_body_temp;
    proxy_temp_path $prefix/proxy_temp;
    fastcgi_temp_path $prefix/fastcgi_temp;
    uwsgi_temp_path $prefix/uwsgi_temp;
    scgi_temp_path $prefix/scgi_temp;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
${site//@PORT@/$port}
}
EOF
    /usr/sbin/nginx -p "$prefix/" -e "$prefix/error.log" -c "$prefix/nginx.conf" \
      -g 'daemon off;' >>"$prefix/output.log" 2>&1 &
    nginx_pid=$!
    # Up when the pid file names our process (written after binding) and the port answers.
    local deadline=$(( SECONDS + 30 ))
    while [ $SECONDS -lt $deadline ] && kill -0 "$nginx_pid" 2>/dev/null; do
      if [ "$(cat "$prefix/nginx.pid" 2>/dev/null)" = "$nginx_pid" ] &&
         (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        nginx_port=$port
        return 0
      fi
      sleep 0.02
    done
    nginx_stop
    grep -q "Address already in use" "$prefix/error.log" 2>/dev/null || break
  done
  echo "nginx did not start:" >&2
  cat "$prefix/error.log" "$prefix/output.log" >&2 2>/dev/null || true
  return 1
}

# nginx_stop: SIGQUIT (graceful) and wait.
nginx_stop() {
  if [ -n "${nginx_pid:-}" ]; then
    kill -QUIT "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
    nginx_pid=""
  fi
}

# nginx_worker_pid: the (single) worker of the running nginx.
nginx_worker_pid() {
  local w
  for _ in $(seq 1 500); do
    w=$(awk '{print $1}' "/proc/$nginx_pid/task/$nginx_pid/children" 2>/dev/null)
    [ -n "$w" ] && { echo "$w"; return 0; }
    sleep 0.01
  done
  echo "nginx_worker_pid: no worker" >&2
  return 1
}

# nginx_baseline FILE: uploads FILE to nginx by PUT and downloads it again, printing a JSON
# line for each. Uses WORKDIR (must exist), SINK and VERIFY.
nginx_baseline() {
  local file="$1" bytes prefix root worker seconds code client server
  bytes=$(stat -c %s "$file")
  prefix="$WORKDIR/nginx"
  root="$WORKDIR/nginx/root"
  mkdir -p "$root"
  # The body temp files on the same file system as root: a PUT ends in a rename, not a copy.
  nginx_start "$prefix" "    server {
        listen 127.0.0.1:@PORT@;
        root $root;
        client_max_body_size 0;
        client_body_temp_path $prefix/dav_temp;
        location /media/ {
            dav_methods PUT;
            create_full_put_path on;
        }
    }"
  worker=$(nginx_worker_pid)
  local url="http://127.0.0.1:$nginx_port/media/blob.bin"

  peak_reset "$worker"
  read -r seconds code client < <(timed_curl -T "$file" -o /dev/null "$url")
  server=$(peak_read_kib "$worker")
  [ "$code" = 201 ] || [ "$code" = 204 ] || { echo "nginx PUT: HTTP $code" >&2; nginx_stop; return 1; }
  json_line nginx upload "$bytes" "$seconds" "$server" "$client"

  local out=/dev/null
  [ "${SINK:-file}" = file ] && out="$WORKDIR/download.bin"
  rm -f "$WORKDIR/download.bin"
  peak_reset "$worker"
  read -r seconds code client < <(timed_curl -o "$out" "$url")
  server=$(peak_read_kib "$worker")
  [ "$code" = 200 ] || { echo "nginx GET: HTTP $code" >&2; nginx_stop; return 1; }
  json_line nginx download "$bytes" "$seconds" "$server" "$client" "\"sink\":\"${SINK:-file}\""
  nginx_stop

  if [ "${VERIFY:-1}" = 1 ]; then
    cmp "$file" "$root/media/blob.bin" || { echo "nginx baseline: upload differs" >&2; return 1; }
    if [ "$out" != /dev/null ]; then
      cmp "$file" "$out" || { echo "nginx baseline: download differs" >&2; return 1; }
    fi
  fi
  rm -rf "$root" "$WORKDIR/download.bin"
}

media_baseline_main() {
  local size
  size=$(to_bytes "${1:-1G}")
  media_created_workdir=""
  if [ -z "${WORKDIR:-}" ]; then
    WORKDIR="$(mktemp -d)"
    media_created_workdir=1
  fi
  media_baseline_cleanup() {
    nginx_stop
    if [ -n "$media_created_workdir" ]; then rm -rf "$WORKDIR"; fi
  }
  trap media_baseline_cleanup EXIT
  local file="${FILE:-}"
  if [ -z "$file" ]; then
    file="$WORKDIR/source.bin"
    make_random_file "$file" "$size"
  fi
  nginx_baseline "$file"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  media_baseline_main "$@"
fi
