#!/usr/bin/env bash
# Prints the path of axe-core's axe.min.js, the accessibility rules the
# portal's browser tests audit every page with, fetching the pinned version
# from npm into the user's cache the first time.
#
#   scripts/axe.sh        e.g. BILLING_AXE=$(scripts/axe.sh) go test ./cmd/billing
exec "$(dirname "$0")/npm-cache.sh" axe-core 4.14.1 axe.min.js
