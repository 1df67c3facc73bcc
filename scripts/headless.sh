#!/usr/bin/env bash
# Runs a command with what a desktop session would give it, on a machine that has none:
# a private D-Bus session bus, an unlocked GNOME Keyring (Secret Service) in a throw-away store,
# and an Xvfb display. Used by `make test` and by `make run` on headless machines.
set -euo pipefail

if [ "${OUTPOST_HEADLESS_INNER:-}" = "1" ]; then
  # Inside the private bus: unlock a fresh keyring, then run the command on a virtual display.
  echo -n "outpost-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  if [ -n "${DISPLAY:-}" ] && [ "${OUTPOST_FORCE_XVFB:-}" != "1" ]; then
    exec "$@"
  fi
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$@"
fi

export XDG_DATA_HOME
XDG_DATA_HOME="$(mktemp -d -t outpost-keyring.XXXXXX)"
export OUTPOST_HEADLESS_INNER=1
exec dbus-run-session -- "$0" "$@"
