#!/usr/bin/env bash
# Prints the path of axe-core's axe.min.js, the accessibility rules the
# portal's browser tests audit every page with, fetching the pinned version
# from npm into the user's cache the first time.
#
#   scripts/axe.sh        e.g. BILLING_AXE=$(scripts/axe.sh) go test ./cmd/billing
set -euo pipefail
version=4.14.1
cache=${XDG_CACHE_HOME:-$HOME/.cache}/billing/axe-core-$version
file=$cache/node_modules/axe-core/axe.min.js
if [ ! -f "$file" ]; then
  mkdir -p "$cache"
  npm install --silent --no-save --no-audit --no-fund --prefix "$cache" "axe-core@$version" >&2 ||
    { echo "axe.sh: could not fetch axe-core $version from npm into $cache" >&2; exit 1; }
fi
echo "$file"
