#!/usr/bin/env bash
# Runs a command the way a desktop session would: inside its own D-Bus session
# bus, with an unlocked gnome-keyring (the real Secret Service) when one is
# installed, and with every XDG directory in a fresh temporary folder so that
# tests never touch a real profile. Usage: with-session.sh CMD ARGS...
set -euo pipefail
if [[ "${COUNTERSIGN_IN_SESSION:-}" == 1 ]]; then
  exec "$@"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{runtime,data,config,cache}
chmod 700 "$tmp/runtime"
export XDG_RUNTIME_DIR="$tmp/runtime" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"
export COUNTERSIGN_IN_SESSION=1
if ! command -v dbus-run-session >/dev/null; then
  echo "with-session: dbus-run-session not found (install dbus)" >&2
  exit 2
fi
exec dbus-run-session -- bash -c '
  if command -v gnome-keyring-daemon >/dev/null; then
    eval "$(printf countersign-test | gnome-keyring-daemon --unlock --components=secrets)"
    export GNOME_KEYRING_CONTROL
  fi
  exec "$@"' bash "$@"
