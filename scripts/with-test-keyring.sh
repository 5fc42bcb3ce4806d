#!/usr/bin/env bash
# Runs a command inside its own D-Bus session with a throwaway, unlocked gnome-keyring (Secret
# Service), so that the client's keychain works in tests and nothing touches the keyring of the
# person running them. Usage: scripts/with-test-keyring.sh ctest --preset dev
set -euo pipefail
if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi
keyring_home="$(mktemp -d)"
trap 'rm -rf "$keyring_home"' EXIT
mkdir -p "$keyring_home/run" && chmod 700 "$keyring_home/run"
HOME="$keyring_home" XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/run" \
  dbus-run-session -- bash -c '
    eval "$(printf "test-keyring" | gnome-keyring-daemon --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL
    cd "$0" && exec "$@"
  ' "$PWD" "$@"
