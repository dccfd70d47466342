# The quick start: `make demo` runs the pipeline on the sample data, `make test`
# runs the whole test suite. Both set up PostgreSQL themselves.
.PHONY: build demo demo-stop test vet bench-import bench-xlsx

build:
	go build -o bin/billing ./cmd/billing

demo:
	scripts/demo.sh

# Stops the project-local demo PostgreSQL that `make demo` started.
demo-stop:
	scripts/postgres.sh stop .pgdata

test:
	scripts/test.sh

vet:
	go vet ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: the files above need formatting"; exit 1; }

# Import speed on 1,000,000 usage rows (rows/s and peak memory).
bench-import:
	scripts/bench-import.sh

# One invoice of 1,100,000 lines against a bare excelize StreamWriter.
bench-xlsx:
	go test -run '^$$' -bench 'BenchmarkReconciliation' -benchtime 1x -timeout 30m ./reports
