#!/usr/bin/env bash
# Installs the system packages Countersign needs to build, run and test, when
# they are missing. Debian and Ubuntu are handled with apt-get; elsewhere the
# script says what to install. Idempotent and quick when all is present.
set -euo pipefail

case "$(uname -s)" in
  Darwin)
    command -v go >/dev/null && command -v npm >/dev/null || { echo "Install Go 1.26+ and Node 20+ (e.g. brew install go node)." >&2; exit 2; }
    xcode-select -p >/dev/null 2>&1 || { echo "Install the Xcode command line tools: xcode-select --install" >&2; exit 2; }
    exit 0 ;;
  MINGW*|MSYS*|CYGWIN*)
    echo "On Windows, install Go 1.26+, Node 20+ and the WebView2 runtime (preinstalled on Windows 11)." >&2
    exit 0 ;;
esac

if ! command -v apt-get >/dev/null; then
  echo "Install: GTK 3 and WebKitGTK 4.1 development packages, pkg-config, a C compiler, Go 1.26+, Node 20+;" >&2
  echo "for the tests also Xvfb, xdotool, ImageMagick, dbus, gnome-keyring and Chromium." >&2
  exit 0
fi

# What building and running needs.
pkgs=(libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config build-essential ca-certificates git)
# What the tests need: a virtual display, input, screenshots, a session bus,
# the real Secret Service, a notification daemon, a tray watcher, a browser.
if [[ "${1:-}" == "--test" ]]; then
  pkgs+=(xvfb xauth x11-apps imagemagick xdotool dbus-x11 gnome-keyring dunst libnotify-bin
         haskell-status-notifier-item-utils chromium patch)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing system packages: ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${missing[@]}"
fi
for tool in go node npm; do
  command -v "$tool" >/dev/null || { echo "$tool is required (Go 1.26+, Node 20+)" >&2; exit 2; }
done
