#!/bin/sh
# Installs Debian's chromium (and a small CJK font) for the browser tests in e2e/, which drive it through
# playwright-core. We never download Playwright's own browser builds: machines here reach only Debian mirrors and
# the npm registry. Idempotent and quiet: does nothing when both are present.
set -eu
CHROMIUM=${LINGXI_CHROMIUM:-/usr/bin/chromium}
need=""
[ -x "$CHROMIUM" ] || need="chromium"
# Without a CJK font every Chinese character in the screenshots renders as a box; wqy-microhei is ~4 MB.
if ! fc-list :lang=zh 2>/dev/null | grep -q .; then need="$need fonts-wqy-microhei"; fi
[ -n "$need" ] || exit 0

SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-browser: need root to install:$need (Debian packages)" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when apt cannot see the package yet (update is slow and needs the network).
if ! apt-cache show chromium >/dev/null 2>&1; then
  $SUDO apt-get update -qq >/dev/null 2>&1 || { echo "install-browser: apt-get update failed" >&2; exit 1; }
fi
log=$(mktemp)
# shellcheck disable=SC2086 # $need is a word list on purpose
if ! $SUDO apt-get install -y -qq --no-install-recommends $need >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; exit 1
fi
rm -f "$log"
if [ ! -x "$CHROMIUM" ]; then
  echo "install-browser: apt-get ran but $CHROMIUM is still missing" >&2
  exit 1
fi
echo "install-browser: installed${need# } ($("$CHROMIUM" --version 2>/dev/null || echo chromium))"
