#!/usr/bin/env bash
# Installs what EvoLab needs on a fresh Debian machine: Debian's Chromium (for the browser
# tests; Playwright's own browser download cannot work offline), Debian's Fashion-MNIST (the
# registry's tests read it from /usr/share/datasets/fashion-mnist) and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian's ${missing[*]}…"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "setup: installing npm packages…"
npm ci --no-audit --no-fund
