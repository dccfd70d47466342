#!/usr/bin/env bash
# make test: start a throwaway PostgreSQL, run the whole test suite with the
# race detector against it, and stop the server whatever the outcome.
set -euo pipefail
cd "$(dirname "$0")/.."

# Everything the tests run: PostgreSQL, poppler, Debian's Chromium for the
# portal's browser tests and npm for the accessibility rules they audit each
# page with and the Standard Webhooks library the webhook tests verify
# deliveries with (scripts/packages.txt; they fail, never skip, without them),
# and Stripe's API mock the Stripe gateway's contract tests run, built by Go.
scripts/need.sh given database tests browser npm
BILLING_AXE=$(scripts/axe.sh)
BILLING_STANDARDWEBHOOKS=$(scripts/standardwebhooks.sh)
BILLING_STRIPE_MOCK=$(scripts/stripe-mock.sh)
export BILLING_AXE BILLING_STANDARDWEBHOOKS BILLING_STRIPE_MOCK

dir=$(mktemp -d /tmp/billing-test-pg.XXXXXX)
cleanup() { scripts/postgres.sh stop "$dir"; rm -rf "$dir"; }
trap cleanup EXIT
BILLING_PG_FAST=1 scripts/postgres.sh start "$dir" >"$dir.url"
BILLING_TEST_DATABASE_URL=$(cat "$dir.url")
rm -f "$dir.url"
export BILLING_TEST_DATABASE_URL
echo "==> go test -race ./... (PostgreSQL in $dir)"
go test -race -count=1 "$@" ./...
