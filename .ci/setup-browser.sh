#!/usr/bin/env bash
# Installs what the browser suites need: Debian's Chromium (never a downloaded browser) and Node.js with
# npm; the suites' npm packages come from e2e/package-lock.json (npm ci, locked versions).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  sudo_if_needed apt-get update -q
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
/usr/bin/chromium --version
node --version

(cd e2e && npm ci --no-audit --no-fund)
