#!/usr/bin/env bash
# Installs what EvoLab needs on a fresh Debian machine: Debian's Chromium (for the browser
# tests; Playwright's own browser download cannot work offline), Debian's Fashion-MNIST (the
# registry's tests read it from /usr/share/datasets/fashion-mnist), munge and Slurm (the sweep
# tests bring up a one-node cluster with scripts/slurm-cluster.sh) and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || missing+=(dataset-fashion-mnist)
slurm=()
for package in munge slurmctld slurmd slurm-client; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || slurm+=("$package")
done
if [ ${#missing[@]} -gt 0 ] || [ ${#slurm[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian's ${missing[*]}…"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ${#slurm[@]} -gt 0 ]; then
  echo "setup: installing Debian's ${slurm[*]} (for the Slurm sweep tests)…"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${slurm[@]}" >/dev/null
fi

echo "setup: installing npm packages…"
npm ci --no-audit --no-fund
