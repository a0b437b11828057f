#!/usr/bin/env bash
# Installs the Debian packages the local cloud, the media pipeline and the web console's build
# (Node.js and npm) need, where missing; packages named as arguments too (`make test` asks for
# chromium, the browser the end-to-end tests drive). Not root and something missing: stop and
# print the exact command to run.
set -euo pipefail

declare -A binary_of=([mosquitto]=mosquitto [ffmpeg]=ffmpeg [espeak-ng]=espeak-ng [faketime]=faketime
  [nodejs]=node [npm]=npm)
for pkg in "$@"; do binary_of[$pkg]=$pkg; done  # Debian's chromium package installs `chromium`
missing=()
for pkg in "${!binary_of[@]}"; do
  bin=${binary_of[$pkg]}
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Thiếu gói hệ thống / missing system packages: ${missing[*]}" >&2
  echo "Chạy / run:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Cài gói hệ thống / installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt (unattended upgrades, a second make) instead of failing on its lock.
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian enables and starts the mosquitto service on install where systemd runs; the local
# cloud starts its own broker on free ports, so the system one is not used.
