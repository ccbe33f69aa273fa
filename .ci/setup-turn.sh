#!/usr/bin/env bash
# Installs what the TURN tests need: Debian's coturn (turnserver). The tests start their own turnserver on loopback
# with generated secrets; the package's system service is not used.
set -euo pipefail

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v turnserver >/dev/null 2>&1 && [ ! -x /usr/bin/turnserver ]; then
  echo "installing coturn"
  sudo_if_needed apt-get update -q
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -q --no-install-recommends coturn
fi
turnserver --version 2>/dev/null || /usr/bin/turnserver --version
