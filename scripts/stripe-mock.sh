#!/usr/bin/env bash
# Prints the path of Stripe's official API mock, stripe-mock, which the
# Stripe gateway's contract tests run on 127.0.0.1, building the pinned
# version from the Go module proxy into the user's cache the first time.
#
#   e.g. BILLING_STRIPE_MOCK=$(scripts/stripe-mock.sh) go test ./payments/gateway
set -euo pipefail
version=v0.203.0
bin=${XDG_CACHE_HOME:-$HOME/.cache}/billing/stripe-mock-$version
if [ ! -x "$bin/stripe-mock" ]; then
  mkdir -p "$bin"
  GOBIN=$bin go install "github.com/stripe/stripe-mock@$version" >&2 ||
    { echo "stripe-mock.sh: could not build github.com/stripe/stripe-mock@$version from the Go module proxy" >&2; exit 1; }
fi
echo "$bin/stripe-mock"
