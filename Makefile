# The quick start: `make demo` runs the pipeline on the sample data, `make test`
# runs the whole test suite. Both set up PostgreSQL themselves.
.PHONY: build demo demo-stop test vet chaos bench bench-import bench-webhooks bench-xlsx load-portal screenshots check-files lint-api

build:
	go build -o bin/billing ./cmd/billing

demo:
	scripts/demo.sh

# Stops the project-local demo PostgreSQL that `make demo` started.
demo-stop:
	scripts/postgres.sh stop .pgdata

test:
	scripts/test.sh

# The fault-injection suite: kill -9 in each stage, PostgreSQL restarts and
# crashes, concurrent runs and imports; each followed by billing verify and a
# comparison with a clean run. ROUNDS=N repeats every experiment N times.
ROUNDS ?= 3
chaos:
	scripts/need.sh given database
	go run ./tools/chaos --rounds $(ROUNDS)

vet:
	go vet ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: the files above need formatting"; exit 1; }

# Import speed on 1,000,000 usage rows (rows/s and peak memory).
bench-import:
	scripts/bench-import.sh

# One invoice of 1,100,000 lines against a bare excelize StreamWriter.
bench-xlsx:
	go test -run '^$$' -bench 'BenchmarkReconciliation|BenchmarkPDF' -benchtime 1x -timeout 30m ./reports

# A synthetic month at SCALE (default 1) against a throwaway PostgreSQL, with
# the limits measured on the same data. MONTHS=N bills N consecutive months
# one after another and reports how the last month's cost compares with the
# second's. WORKERS=N runs N billing worker processes beside each run
# (docs/SCALING.md). ARGS=--json prints one JSON object.
SCALE ?= 1
MONTHS ?= 1
WORKERS ?= 0
bench: build
	scripts/need.sh given database
	go run ./tools/bench --scale $(SCALE) --months $(MONTHS) --workers $(WORKERS) $(ARGS)

# EVENTS (default 100,000) events delivered to a receiver on 127.0.0.1 by
# the daemon and two workers: deliveries per second, the lag, memory.
EVENTS ?= 100000
bench-webhooks: build
	scripts/need.sh given database
	go run ./tools/webhookbench --events $(EVENTS) $(ARGS)

# The portal under load: CLIENTS concurrent clients for DURATION against a
# billing serve it starts on 127.0.0.1 (pages, API calls, downloads).
CLIENTS ?= 200
DURATION ?= 30s
load-portal: build
	scripts/need.sh given database
	go run ./tools/load --clients $(CLIENTS) --duration $(DURATION) $(ARGS)

# Screenshots of the portal's main pages for docs/PORTAL.md, taken by the
# browser test in headless Chromium.
screenshots:
	BILLING_SCREENSHOTS=$(CURDIR)/docs/portal scripts/test.sh -run '^TestPortalInABrowser$$'

# Every file every reader opens: the scenario files rendered and read back by
# LibreOffice, openpyxl (read-only) and poppler, compared with the database.
# SHOTS=DIR also pictures a USD, a JPY, a KWD and a credit invoice.
check-files:
	scripts/check-files.sh $(if $(SHOTS),--screenshots $(SHOTS))

# The API's OpenAPI document (portal/openapi.json, served at /api/v1/openapi.json)
# linted by Redocly's CLI with its recommended rules: no error.
REDOCLY ?= @redocly/cli@1.34.20
lint-api:
	scripts/need.sh given npm
	npx --yes $(REDOCLY) lint portal/openapi.json
