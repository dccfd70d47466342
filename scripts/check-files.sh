#!/usr/bin/env bash
# make check-files: render the scenario files (the sample data, plus JPY and
# KWD accounts and a credit) and open every one with three independent
# readers: LibreOffice headless, openpyxl in read-only mode, and poppler
# (pdftotext, pdftoppm). Installs Debian's packages when root and missing
# (scripts/packages.txt); fails, never skips, when they cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/need.sh given database files
make build >/dev/null
exec go run ./tools/filecheck "$@"
