#!/usr/bin/env bash
# Builds Tincan and starts the desktop app (which can host the server itself: "Host a server on
# this computer" in its first-run dialog). Extra arguments go to the app, e.g.
#   scripts/run-tincan.sh --profile ~/tincan-alice
# On a machine without a display, run the server alone instead (arguments go to tincand):
#   scripts/run-tincan.sh --server [--listen 0.0.0.0:7420 --data-dir /srv/tincan]
# TINCAN_BIN_DIR=DIR runs the binaries already built in DIR instead of building (the tests use
# it to check this script).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${TINCAN_BIN_DIR:-}" ]; then
  bin="$TINCAN_BIN_DIR"
else
  bash scripts/install-deps.sh
  cmake --preset release >/dev/null
  cmake --build --preset release
  bin="$PWD/build/release"
fi

if [ "${1:-}" != "--server" ]; then
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    cat >&2 <<EOT
Tincan's desktop app needs a graphical display, and this session has none (neither DISPLAY
nor WAYLAND_DISPLAY is set). Run this command in a desktop session, over "ssh -X", or under
Xvfb ("xvfb-run scripts/run-tincan.sh").

To run only the server on this machine (headless), use:
  scripts/run-tincan.sh --server [--listen 0.0.0.0:7420] [--data-dir DIR]
EOT
    exit 2
  fi
  exec "$bin/app/gui/tincan" "$@"
fi
shift
# The server's TLS certificate (created now on the first run); clients pin it on first use.
fingerprint="$("$bin/server/tincand" "$@" --print-fingerprint 2>/dev/null || true)"
if [ -z "$fingerprint" ]; then
  fingerprint="(printed by the server below)"
fi
cat <<EOT

Tincan is starting. Connect with the command-line client from another terminal:

  $bin/app/cli/tincan-cli --profile ~/tincan-alice register alice
  $bin/app/cli/tincan-cli --profile ~/tincan-bob register bob
  $bin/app/cli/tincan-cli --profile ~/tincan-alice send bob "hello"
  $bin/app/cli/tincan-cli --profile ~/tincan-bob listen

(--server https://HOST:PORT picks another server; it is remembered in the profile.)

The server's TLS certificate has the SHA-256 fingerprint
  $fingerprint
The client pins it on first use and prints it ("Pinned server certificate SHA-256 ..."):
check that the two match. Give it to other users, who can pin it up front with
--server-fingerprint.
Stop the server with Ctrl+C.

EOT
exec "$bin/server/tincand" "$@"
