#!/usr/bin/env bash
# Installs Tincan's build and test dependencies on Debian 12 / Ubuntu with apt.
# Does nothing when everything is already present. Uses sudo when not root.
set -euo pipefail

packages=(
  # build
  cmake g++ ninja-build ccache pkg-config
  # libraries
  qt6-base-dev qt6-websockets-dev qt6-httpserver-dev libqt6sql6-sqlite
  libargon2-dev libssl-dev libsqlite3-dev
  libsignal-protocol-c-dev libsqlcipher-dev qtkeychain-qt6-dev libqrencode-dev
  # tests and tools: the keychain tests need a real Secret Service under dbus
  sqlite3 sqlcipher clang-format dbus gnome-keyring libsecret-1-0
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: apt-get not found; install these by hand: ${missing[*]}" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
