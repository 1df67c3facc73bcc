#!/usr/bin/env bash
# Installs what building, running and testing Outpost needs on Debian 12 / Ubuntu, when missing.
# Idempotent: a second run with everything present does nothing but check.
set -euo pipefail

PKGS=(
  # build
  build-essential pkg-config libssl-dev file libwebkit2gtk-4.1-dev libxdo-dev
  libayatana-appindicator3-dev librsvg2-dev
  # run and test: headless display, WebDriver, session bus and a Secret Service
  xvfb xauth webkit2gtk-driver dbus dbus-x11 gnome-keyring libsecret-tools libdbus-1-dev
  imagemagick
  # the package install test: xwininfo finds the installed app's window
  x11-utils
  # the UI component tests: Playwright drives Debian's Chromium (it downloads no browser of its own)
  chromium
)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  cat >&2 <<'MSG'
deps: this script installs system packages on Debian and Ubuntu only.
On macOS: install Xcode command line tools and Node 20; on Windows: WebView2 and the MSVC build tools.
See README.md, "Other systems".
MSG
  exit 1
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "deps: system packages present"
fi

# tauri-driver bridges WebDriver clients to WebKitWebDriver for the end-to-end tests.
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "deps: installing tauri-driver"
  cargo install tauri-driver@2.1.0 --locked
fi

# UI packages, from the lock file.
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ -f "$here/ui/package-lock.json" ]; then
  if [ ! -d "$here/ui/node_modules" ] || [ "$here/ui/package-lock.json" -nt "$here/ui/node_modules/.package-lock.json" ]; then
    echo "deps: npm ci in ui/"
    (cd "$here/ui" && npm ci --no-audit --no-fund)
  else
    echo "deps: ui/node_modules up to date"
  fi
fi
