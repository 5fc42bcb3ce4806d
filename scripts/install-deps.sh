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
  # media uploads stream through libcurl (its OpenSSL flavour: the pin is checked in OpenSSL)
  libcurl4-openssl-dev
  # the desktop app's translations: lupdate and lrelease (qt_add_translations)
  qt6-tools-dev qt6-l10n-tools
  # Qt's own strings (standard buttons, dialogs) in the app's languages
  qt6-translations-l10n
  # LAN discovery (DNS-SD): tincand and the app talk to avahi-daemon with its client library
  libavahi-client-dev
  # video poster frames and durations (app/core/VideoPoster): FFmpeg 5.1's libraries, probing
  # and decoding the sender's own video to make its preview (no ffmpeg program needed)
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
  # tests and tools: the keychain tests need a real Secret Service under dbus
  sqlite3 sqlcipher clang-format dbus gnome-keyring libsecret-1-0
  # the discovery tests run a throwaway avahi-daemon on a private system bus
  # (scripts/with-avahi.sh); unshare (util-linux) gives it a private /run/avahi-daemon
  avahi-daemon util-linux
  # the desktop app's end-to-end test: a real X server and real key events
  xvfb xauth xdotool
  # media: the nginx cache test and the benchmark baseline run /usr/sbin/nginx from a temporary
  # prefix. Debian's `nginx` package has the binary with auth_request, proxy cache, slice and
  # dav built in (nginx-light and nginx-core only add dynamic modules we do not use).
  nginx
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

# nginx's postinst starts a system nginx on port 80, avahi-daemon's a system avahi-daemon. We
# only run them from tests with our own config, so a temporary policy-rc.d (exit 101: "action
# forbidden") stops invoke-rc.d and deb-systemd-invoke from starting them. Removed afterwards,
# and only if we created it. (On a desktop that wants LAN discovery, start avahi-daemon yourself.)
policy=/usr/sbin/policy-rc.d
created_policy=""
remove_policy() {
  if [ -n "$created_policy" ]; then
    $sudo rm -f "$policy"
  fi
}
trap remove_policy EXIT
if [[ " ${missing[*]} " == *" nginx "* || " ${missing[*]} " == *" avahi-daemon "* ]] &&
  [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# Temporary, from tincan scripts/install-deps.sh: no service starts.\nexit 101\n' |
    $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  created_policy=1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
