#!/usr/bin/env bash
# Installs the built .deb on this machine, checks what it put there (the CLI on the PATH, the
# desktop entry, icons, the systemd user units), starts the installed app on Xvfb until its
# window appears, and removes the package again. Root only: it installs a system package.
#   scripts/dist-test.sh path/to/Outpost_x.y.z_amd64.deb
set -euo pipefail

deb="$(realpath "$1")"
[ -f "$deb" ] || { echo "dist-test: no package at $1" >&2; exit 1; }
if dpkg-query -W -f='${Status}' outpost 2>/dev/null | grep -q "install ok installed"; then
  echo "dist-test: a package named outpost is already installed; remove it first" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
apt_get() { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -y -q "$@"; }

work="$(mktemp -d -t outpost-dist-test.XXXXXX)"
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then apt_get remove outpost >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "dist-test: FAIL: $*" >&2; exit 1; }

apt_get install "$deb" >/dev/null
installed=1
echo "dist-test: installed $(dpkg-query -W -f='${Package} ${Version}' outpost)"

# The CLI is on the PATH and answers --version.
[ "$(command -v outpost)" = /usr/bin/outpost ] || fail "outpost is not /usr/bin/outpost on the PATH"
version="$(outpost --version)" || fail "outpost --version exited $?"
[[ "$version" == "outpost "* ]] || fail "unexpected --version output: $version"
echo "dist-test: $version"

# Desktop entry, icons at every size, systemd user units.
desktop=/usr/share/applications/Outpost.desktop
[ -f "$desktop" ] || fail "no desktop entry at $desktop"
exec_cmd="$(sed -n 's/^Exec=//p' "$desktop")"
[ -x "$(command -v "${exec_cmd%% *}")" ] || fail "the desktop entry's Exec ($exec_cmd) is not an installed program"
for size in 16 24 32 48 64 128 256 512; do
  [ -f "/usr/share/icons/hicolor/${size}x${size}/apps/outpost-desktop.png" ] || fail "no ${size}px icon"
done
for unit in outpost-sync.service outpost-sync.timer; do
  [ -f "/usr/lib/systemd/user/$unit" ] || fail "no systemd user unit $unit"
done
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /usr/lib/systemd/user/outpost-sync.service /usr/lib/systemd/user/outpost-sync.timer \
    || fail "systemd-analyze rejects the units"
fi
# What the service runs: with nothing due (a fresh data dir) it makes no call and exits 0.
unit_cmd="$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/user/outpost-sync.service)"
OUTPOST_DATA_DIR="$work/data" $unit_cmd || fail "the service's command ($unit_cmd) exited $?"
echo "dist-test: packaged files present; '$unit_cmd' exits 0 with nothing due"

# The installed app, started the way the desktop entry starts it in a desktop session (a session
# bus, a display), reaches its first window.
export OUTPOST_DIST_EXEC="$exec_cmd" OUTPOST_DIST_DATA="$work/app-data"
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  $OUTPOST_DIST_EXEC --data-dir "$OUTPOST_DIST_DATA" >"$OUTPOST_DIST_DATA.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { echo "the app exited early:"; cat "$OUTPOST_DIST_DATA.log"; exit 1; }
    if xwininfo -root -tree | grep -q "\"Outpost\""; then
      echo "dist-test: the installed app opened its window \"Outpost\""
      kill "$pid"; wait "$pid" 2>/dev/null || true
      exit 0
    fi
    sleep 0.1
  done
  echo "no window named Outpost within 30 s"; kill "$pid"; exit 1
' || fail "the installed app did not open its window"

apt_get remove outpost >/dev/null
installed=0
dpkg-query -W -f='${Status}' outpost 2>/dev/null | grep -q "install ok installed" && fail "still installed after remove"
for f in /usr/bin/outpost /usr/bin/outpost-desktop "$desktop" /usr/lib/systemd/user/outpost-sync.timer; do
  [ ! -e "$f" ] || fail "$f is left behind after apt-get remove"
done
echo "dist-test: removed cleanly"
