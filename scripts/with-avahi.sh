#!/usr/bin/env bash
# Runs a command with an Avahi daemon (mDNS / DNS-SD) to talk to, so that the LAN discovery tests
# (tests/integration/tst_discovery.cpp) run in a container without systemd.
# Usage: scripts/with-avahi.sh ctest --preset ci
#
# If an Avahi daemon already answers on the D-Bus system bus this process would use (the
# machine's own, or an outer with-avahi.sh), the command simply runs. Otherwise the script starts
# a throwaway D-Bus system bus and avahi-daemon in a temporary directory, points
# DBUS_SYSTEM_BUS_ADDRESS at that bus for the command, and stops both afterwards.
#
# The throwaway daemon uses the loopback interface only (allow-interfaces=lo: it needs no
# multicast flag on lo, no extra privileges and no interface changes), so nothing it announces
# leaves the machine. It publishes only what resolving a service needs (the address records of a
# made-up host name, tincan-test-*.local), not the workstation, hinfo or domain records. When the
# kernel allows it (root with CAP_SYS_ADMIN), the daemon gets its own mount namespace with an
# empty /run/avahi-daemon and /etc/avahi/services, so it neither collides with another daemon's
# pid file nor publishes this machine's static services.
set -euo pipefail
if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

avahi_on_bus() {
  dbus-send --system --print-reply --reply-timeout=2000 --dest=org.freedesktop.DBus \
    /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Avahi \
    2>/dev/null | grep -q 'boolean true'
}

# NameHasOwner does not start the service (a method call to Avahi could, by bus activation).
if command -v dbus-send >/dev/null 2>&1 && avahi_on_bus; then
  exec "$@"
fi

for tool in dbus-daemon dbus-send avahi-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
    echo "with-avahi: $tool is missing; install avahi-daemon and dbus (scripts/install-deps.sh)" >&2
    exit 1
  fi
done
avahi_daemon="$(command -v avahi-daemon || echo /usr/sbin/avahi-daemon)"

dir="$(mktemp -d "${TMPDIR:-/tmp}/tincan-avahi.XXXXXX")"
bus_pid=""
avahi_pid=""
cleanup() {
  if [ -n "$avahi_pid" ]; then
    kill "$avahi_pid" 2>/dev/null || true
    wait "$avahi_pid" 2>/dev/null || true
  fi
  if [ -n "$bus_pid" ]; then
    kill "$bus_pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A system bus of our own: everyone may own names and call methods (it only lives in $dir).
cat >"$dir/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$dir/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
EOF

# A host name of its own, so that parallel runs and the machine's own daemon do not collide.
cat >"$dir/avahi-daemon.conf" <<EOF
[server]
host-name=tincan-test-$$-$RANDOM
use-ipv4=yes
use-ipv6=yes
allow-interfaces=lo
enable-dbus=yes
ratelimit-interval-usec=1000000
ratelimit-burst=1000
[wide-area]
enable-wide-area=no
[publish]
publish-addresses=yes
publish-hinfo=no
publish-workstation=no
publish-domain=no
disable-user-service-publishing=no
[reflector]
enable-reflector=no
[rlimits]
EOF

# --fork returns once the bus is listening.
bus_pid="$(dbus-daemon --config-file="$dir/bus.conf" --fork --print-pid)"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$dir/system_bus_socket"

avahi_args=(-f "$dir/avahi-daemon.conf" --no-drop-root --no-chroot --no-rlimits --no-proc-title)
mkdir -p "$dir/empty"
if unshare --mount --propagation private true 2>/dev/null; then
  # $0 = the daemon, $1 = an empty directory; the rest are the daemon's arguments.
  unshare --mount --propagation private sh -c '
    daemon="$1"; empty="$2"; shift 2
    mkdir -p /run/avahi-daemon
    mount -t tmpfs tincan-avahi /run/avahi-daemon
    if [ -d /etc/avahi/services ]; then mount --bind "$empty" /etc/avahi/services; fi
    exec "$daemon" "$@"
  ' sh "$avahi_daemon" "$dir/empty" "${avahi_args[@]}" >"$dir/avahi.log" 2>&1 &
else
  if "$avahi_daemon" --check 2>/dev/null; then
    echo "with-avahi: another avahi-daemon runs on this machine but not on the system bus, and" \
      "no private mount namespace is allowed here for a second one (it keeps its pid file in" \
      "/run/avahi-daemon). Run the tests where that daemon's bus is the system bus." >&2
    exit 1
  fi
  "$avahi_daemon" "${avahi_args[@]}" >"$dir/avahi.log" 2>&1 &
fi
avahi_pid=$!

# Ready once the server state (org.freedesktop.Avahi.Server.GetState) is 2, AVAHI_SERVER_RUNNING.
for _ in $(seq 1 200); do
  if ! kill -0 "$avahi_pid" 2>/dev/null; then
    echo "with-avahi: avahi-daemon exited:" >&2
    cat "$dir/avahi.log" >&2
    exit 1
  fi
  if dbus-send --system --print-reply --reply-timeout=1000 --dest=org.freedesktop.Avahi / \
    org.freedesktop.Avahi.Server.GetState 2>/dev/null | grep -q 'int32 2'; then
    break
  fi
  sleep 0.1
done
if ! dbus-send --system --print-reply --reply-timeout=1000 --dest=org.freedesktop.Avahi / \
  org.freedesktop.Avahi.Server.GetState 2>/dev/null | grep -q 'int32 2'; then
  echo "with-avahi: avahi-daemon did not come up within 20 s:" >&2
  cat "$dir/avahi.log" >&2
  exit 1
fi

# Not exec: the traps stop the daemons when the command ends.
status=0
"$@" || status=$?
exit "$status"
