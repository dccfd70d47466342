#!/usr/bin/env bash
# make demo: build billing, start (or reuse) the project-local PostgreSQL unless
# BILLING_DATABASE_URL names one, migrate, load the sample data in examples/,
# run the pipeline on it and show the invoices and their spreadsheets.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/need.sh given database
echo "==> building bin/billing"
go build -o bin/billing ./cmd/billing

if [ -z "${BILLING_DATABASE_URL:-}" ]; then
  data=.pgdata
  if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$PWD"; then
    # The postgres user cannot reach this checkout (a parent folder is closed to it).
    data=/var/tmp/billing-demo-$(printf '%s' "$PWD" | sha256sum | cut -c1-12)
    echo "==> the postgres user cannot enter $PWD; keeping the demo database in $data"
  fi
  port=${BILLING_DEMO_PORT:-54329}
  echo "==> starting the demo PostgreSQL (data in $data, 127.0.0.1:$port; 'make demo-stop' stops it)"
  BILLING_DATABASE_URL=$(scripts/postgres.sh start "$data" "$port")
  export BILLING_DATABASE_URL
fi

echo "==> migrating"
bin/billing migrate

echo "==> importing examples/"
for kind in accounts customers products prices tax-rates late-fees orders usage; do
  bin/billing import "$kind" "examples/$kind.csv"
done

# Pinewood Software (P1) keeps a sandbox card on file, so the run's collect
# stage charges its invoices (§9); the number goes to the gateway only.
if [ -z "$(bin/billing payment-methods list --account P1 --json | tr -d '[:space:][]')" ]; then
  echo "==> billing payment-methods add --account P1 (sandbox card 4242 4242 4242 4242)"
  bin/billing payment-methods add --account P1 --card "4242 4242 4242 4242" --exp 12/30 --cvc 123 --name "Pat Pine"
fi

# The sample data is dated June 2026; a run as of August 8 closes its June and
# July windows (catching up on every window due, oldest first) and writes the
# invoice files. Running the demo again issues nothing new.
as_of=${BILLING_DEMO_AS_OF:-2026-08-08T00:00:00Z}
echo "==> billing run --as-of $as_of"
bin/billing run --as-of "$as_of" --log-level warn

echo "==> billing invoices"
bin/billing invoices

echo "==> billing invoice INV-2026-000001 (§4.1's four scenarios)"
bin/billing invoice INV-2026-000001

out=${BILLING_OUTPUT_DIR:-out}
echo "==> files in $out/"
find "$out" -name '*.xlsx' | sort

echo "==> billing payments (P1's invoices were charged to its card)"
bin/billing payments

echo "==> billing summary --account P1"
bin/billing summary --account P1

echo "==> billing verify --files full (§12's guarantees)"
bin/billing verify --files full
