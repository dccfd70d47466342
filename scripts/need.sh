#!/usr/bin/env bash
# Makes sure the machine has what the named purposes need (scripts/packages.txt):
#
#   scripts/need.sh PURPOSE...    e.g. scripts/need.sh database tests browser
#   scripts/need.sh all           every purpose
#
# It installs the Debian packages that are missing when it runs as root with
# apt-get, and otherwise stops with the exact apt-get install command. After
# installing, it checks again that each program is there, so a package that
# does not provide what the list says fails here, not in a test.
set -euo pipefail
cd "$(dirname "$0")/.."

list=scripts/packages.txt
die() { echo "need.sh: $*" >&2; exit 1; }
[ $# -gt 0 ] || die "usage: $0 PURPOSE... | all (purposes: $(awk '!/^#/ && NF {print $1}' "$list" | sort -u | tr '\n' ' '))"

# has tells whether one thing a package provides is on the machine.
has() {
  case "$1" in
    python3:*) /usr/bin/python3 -c "import ${1#python3:}" 2>/dev/null ;;
    file:*) [ -e "${1#file:}" ] ;;
    *) command -v "$1" >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/$1" >/dev/null ;;
  esac
}

# missing prints "PACKAGE THING" for each thing of the purposes asked that is
# not on the machine.
missing() {
  local purpose package things thing want
  while read -r purpose package things; do
    case "$purpose" in ''|'#'*) continue ;; esac
    want=
    for p in "$@"; do [ "$p" = all ] || [ "$p" = "$purpose" ] && want=1; done
    [ -n "$want" ] || continue
    for thing in $things; do
      has "$thing" || echo "$package $thing"
    done
  done <"$list"
}

for p in "$@"; do
  [ "$p" = all ] || grep -qE "^$p[[:space:]]" "$list" || die "no purpose '$p' in $list"
done

gaps=$(missing "$@")
[ -z "$gaps" ] && exit 0

given=$(awk '$1 == "-" {print $2}' <<<"$gaps" | sort -u | tr '\n' ' ')
[ -z "$given" ] || die "${given% } not found: install Go 1.26 (https://go.dev/doc/install) and put it on PATH"
packages=$(awk '{print $1}' <<<"$gaps" | sort -u | tr '\n' ' ')
packages=${packages% }

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  die "missing $(awk '{print $2}' <<<"$gaps" | tr '\n' ' ')- install them with: sudo apt-get install -y $packages"
fi
echo "==> installing $packages (for: $*)" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp /tmp/billing-apt.XXXXXX)
{ apt-get update -qq && apt-get install -y -qq $packages; } >"$log" 2>&1 ||
  { tail -n 20 "$log" >&2; die "apt-get install -y $packages failed (log: $log)"; }
rm -f "$log"

gaps=$(missing "$@")
[ -z "$gaps" ] || die "after apt-get install -y $packages, still missing: $(awk '{print $2 " (" $1 ")"}' <<<"$gaps" | tr '\n' ' ')"
