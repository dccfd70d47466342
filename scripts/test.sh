#!/usr/bin/env bash
# make test: start a throwaway PostgreSQL, run the whole test suite with the
# race detector against it, and stop the server whatever the outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null || { echo "test: Go is not installed (https://go.dev/doc/install)" >&2; exit 1; }

# The portal's browser tests drive Debian's Chromium (they fail, never
# skip, without it).
if [ -z "${BILLING_CHROMIUM:-}" ] && ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing chromium for the portal's browser tests" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
  else
    echo "test: the portal's browser tests need Chromium; install it with: sudo apt-get install -y chromium (or set BILLING_CHROMIUM)" >&2
    exit 1
  fi
fi

dir=$(mktemp -d /tmp/billing-test-pg.XXXXXX)
cleanup() { scripts/postgres.sh stop "$dir"; rm -rf "$dir"; }
trap cleanup EXIT
BILLING_PG_FAST=1 scripts/postgres.sh start "$dir" >"$dir.url"
BILLING_TEST_DATABASE_URL=$(cat "$dir.url")
rm -f "$dir.url"
export BILLING_TEST_DATABASE_URL
echo "==> go test -race ./... (PostgreSQL in $dir)"
go test -race -count=1 "$@" ./...
