#!/usr/bin/env bash
# make bench-import: import speed on usage files of 250k, 1M and 2M rows
# against a throwaway PostgreSQL with default durability settings.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/billing-bench-pg.XXXXXX)
cleanup() { scripts/postgres.sh stop "$dir"; rm -rf "$dir"; }
trap cleanup EXIT
BILLING_TEST_DATABASE_URL=$(scripts/postgres.sh start "$dir")
export BILLING_TEST_DATABASE_URL
go test -run '^$' -bench 'BenchmarkImportUsage' -benchtime 1x -count "${COUNT:-1}" ./pipeline/ingest
