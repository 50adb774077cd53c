#!/usr/bin/env bash
# Runs a command the way a desktop session would: inside its own D-Bus session
# bus, with an unlocked gnome-keyring (the real Secret Service) when one is
# installed, and with every XDG directory in a fresh temporary folder so that
# tests never touch a real profile. Everything it starts is stopped and the
# temporary folder removed when the command ends. Usage: with-session.sh CMD ARGS...
set -euo pipefail
if [[ "${COUNTERSIGN_IN_SESSION:-}" == 1 ]]; then
  exec "$@"
fi
command -v dbus-run-session >/dev/null || { echo "with-session: dbus-run-session not found (install dbus)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{runtime,data,config,cache}
chmod 700 "$tmp/runtime"
export XDG_RUNTIME_DIR="$tmp/runtime" XDG_DATA_HOME="$tmp/data" XDG_CONFIG_HOME="$tmp/config" XDG_CACHE_HOME="$tmp/cache"
export COUNTERSIGN_IN_SESSION=1 COUNTERSIGN_KEYRING_PASSWORD="${COUNTERSIGN_KEYRING_PASSWORD:-countersign-test}"
set +e
dbus-run-session -- bash -c '
  keyring=""
  if command -v gnome-keyring-daemon >/dev/null; then
    printf %s "$COUNTERSIGN_KEYRING_PASSWORD" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
    keyring=$!
    for _ in $(seq 100); do
      dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
      sleep 0.05
    done
  fi
  "$@"; rc=$?
  [[ -n "$keyring" ]] && kill "$keyring" 2>/dev/null && wait "$keyring" 2>/dev/null
  exit $rc' bash "$@"
rc=$?
exit $rc
