#!/usr/bin/env bash
# Builds Tincan with the CI preset (warnings are errors) and runs every test.
# Usage: scripts/run-tests.sh [extra ctest arguments, e.g. -L unit]
#
# The client keeps its database key in the OS keychain, and the tests use the real one: ctest
# runs inside its own D-Bus session with a throwaway, unlocked gnome-keyring (Secret Service),
# see scripts/with-test-keyring.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

cmake --preset ci
cmake --build --preset ci

exec bash scripts/with-test-keyring.sh bash scripts/with-avahi.sh ctest --preset ci "$@"
