#!/usr/bin/env bash
# Prints the entry point of the Standard Webhooks reference library for
# JavaScript (npm standardwebhooks), which the webhook tests verify
# deliveries with as a receiver would, fetching the pinned version from npm
# into the user's cache the first time.
#
#   e.g. BILLING_STANDARDWEBHOOKS=$(scripts/standardwebhooks.sh) go test ./webhooks
exec "$(dirname "$0")/npm-cache.sh" standardwebhooks 1.3.0 dist/index.js
