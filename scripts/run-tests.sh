#!/usr/bin/env bash
# Builds Tincan with the CI preset (warnings are errors) and runs every test.
# Usage: scripts/run-tests.sh [extra ctest arguments, e.g. -L unit]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

cmake --preset ci
cmake --build --preset ci
ctest --preset ci "$@"
