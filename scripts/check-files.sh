#!/usr/bin/env bash
# make check-files: render the scenario files (the sample data, plus JPY and
# KWD accounts and a credit) and open every one with three independent
# readers: LibreOffice headless, openpyxl in read-only mode, and poppler
# (pdftotext, pdftoppm). Installs Debian's packages when root and missing;
# fails, never skips, when they cannot be had.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v soffice >/dev/null || need+=(libreoffice-calc-nogui)
/usr/bin/python3 -c 'import openpyxl' 2>/dev/null || need+=(python3-openpyxl)
{ command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null; } || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing ${need[*]} for the file checks" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
  else
    echo "check-files: the file checks need ${need[*]}; install them with: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
make build >/dev/null
exec go run ./cmd/billing-files "$@"
