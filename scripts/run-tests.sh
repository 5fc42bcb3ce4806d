#!/usr/bin/env bash
# Builds Tincan with the CI preset (warnings are errors) and runs every test.
# Usage: scripts/run-tests.sh [extra ctest arguments, e.g. -L unit]
#
# The client keeps its database key in the OS keychain, and the tests use the real one: ctest
# runs inside its own D-Bus session with a throwaway, unlocked gnome-keyring (Secret Service),
# so nothing touches the keyring of the person running the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

cmake --preset ci
cmake --build --preset ci

if [ -n "${TINCAN_IN_TEST_KEYRING:-}" ]; then
  exec ctest --preset ci "$@"
fi
keyring_home="$(mktemp -d)"
trap 'rm -rf "$keyring_home"' EXIT
export TINCAN_IN_TEST_KEYRING=1
mkdir -p "$keyring_home/run" && chmod 700 "$keyring_home/run"
HOME="$keyring_home" XDG_DATA_HOME="$keyring_home/data" XDG_RUNTIME_DIR="$keyring_home/run" \
  dbus-run-session -- bash -c '
    eval "$(printf "test-keyring" | gnome-keyring-daemon --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL
    cd "$0" && exec ctest --preset ci "${@}"
  ' "$PWD" "$@"
