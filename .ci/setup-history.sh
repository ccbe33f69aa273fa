#!/usr/bin/env bash
# RollingUpgradeIT builds the previous release from git history (the commit named in
# signaling-node/src/test/resources/previous-release.txt). A shallow clone lacks it: deepen it from its origin.
set -euo pipefail
cd "$(dirname "$0")/.."
commit="$(grep -v '^#' signaling-node/src/test/resources/previous-release.txt | tr -d '[:space:]')"
if git cat-file -e "$commit^{commit}" 2>/dev/null; then
  echo "previous release $commit: in the clone"
  exit 0
fi
if [ "$(git rev-parse --is-shallow-repository)" = "true" ]; then
  git fetch --quiet --unshallow || git fetch --quiet --depth=100000
fi
git cat-file -e "$commit^{commit}"
echo "previous release $commit: fetched"
