#!/usr/bin/env bash
# Prints the path of a file of a pinned npm package, fetching the package into
# the user's cache the first time. The tests run what comes from npm this way
# (scripts/axe.sh, scripts/standardwebhooks.sh).
#
#   scripts/npm-cache.sh PACKAGE VERSION FILE
set -euo pipefail
[ $# = 3 ] || { echo "usage: scripts/npm-cache.sh PACKAGE VERSION FILE" >&2; exit 2; }
package=$1 version=$2
cache=${XDG_CACHE_HOME:-$HOME/.cache}/billing/$package-$version
file=$cache/node_modules/$package/$3
if [ ! -e "$file" ]; then
  mkdir -p "$cache"
  npm install --silent --no-save --no-audit --no-fund --prefix "$cache" "$package@$version" >&2 ||
    { echo "npm-cache.sh: could not fetch $package $version from npm into $cache" >&2; exit 1; }
fi
echo "$file"
