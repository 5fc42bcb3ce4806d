#!/usr/bin/env bash
# Refreshes the README's screenshots (docs/screenshots/*.png): builds tincand and
# tincan-screenshots (release preset), then runs the demo offscreen in a throwaway keyring. The
# demo starts its own tincand, has alice, bob, carol and dave chat through it and photographs
# alice's main window (bench/desktop/Screenshots.cpp says what is staged).
#   scripts/screenshots.sh [OUTPUT_DIR]     default docs/screenshots
# TINCAN_BIN_DIR=DIR uses the binaries already built in DIR (DIR/server/tincand,
# DIR/bench/tincan-screenshots) instead of building.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
output="$(realpath -m "${1:-$root/docs/screenshots}")"

if [ -n "${TINCAN_BIN_DIR:-}" ]; then
  bin="$(realpath "$TINCAN_BIN_DIR")"
else
  (cd "$root" && cmake --preset release >/dev/null &&
    nice -n 19 cmake --build build/release --target tincand tincan-screenshots)
  bin="$root/build/release"
fi

# Offscreen, so the pictures do not depend on a window manager or the desktop's theme; the demo
# sets the theme and the language (English, United States) itself.
QT_QPA_PLATFORM=offscreen bash "$root/scripts/with-test-keyring.sh" \
  "$bin/bench/tincan-screenshots" --tincand "$bin/server/tincand" --output "$output"
