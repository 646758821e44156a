#!/usr/bin/env bash
# Installs what EvoLab needs on a fresh Debian machine: Debian's Chromium (for the browser
# tests; Playwright's own browser download cannot work offline) and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Debian's chromium (for the browser tests)…"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "setup: installing npm packages…"
npm ci --no-audit --no-fund
