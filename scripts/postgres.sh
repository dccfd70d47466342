#!/usr/bin/env bash
# Starts and stops a PostgreSQL cluster of the project's own.
#
#   scripts/postgres.sh start DIR [PORT]   initialise DIR if new, start the server, create
#                                          the database "billing", print its URL on stdout
#   scripts/postgres.sh stop DIR           stop the server whose data is in DIR
#   scripts/postgres.sh crash DIR          stop it at once (immediate mode), as a crash would
#
# With PORT the server listens on 127.0.0.1:PORT; without, only on a Unix socket
# inside DIR (throwaway test clusters: no port can clash). As root the server runs
# as the "postgres" user, because initdb and postgres refuse to run as root.
set -euo pipefail

die() { echo "postgres.sh: $*" >&2; exit 1; }

# located prints the folder holding initdb, pg_ctl and psql, if any: the
# newest of Debian's /usr/lib/postgresql/*/bin, else the one on PATH.
located() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/psql" ] && { echo "$d"; return; }
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null && command -v psql >/dev/null; then
    dirname "$(command -v initdb)"
  fi
}

# find_bindir prints that folder, installing Debian's postgresql package
# (scripts/packages.txt) first when the binaries are missing and we may.
find_bindir() {
  local d; d=$(located)
  if [ -z "$d" ]; then
    "$(dirname "$0")/need.sh" database >&2 || exit 1
    d=$(located)
  fi
  [ -n "$d" ] || die "PostgreSQL server binaries (initdb, pg_ctl, psql) not found; install them with: sudo apt-get install -y postgresql"
  echo "$d"
}

# as_owner runs a command as the cluster's owner: postgres when we are root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' user to own the cluster (it comes with Debian's postgresql package: apt-get install -y postgresql)"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local dir=$1 port=${2:-}
  local bin; bin=$(find_bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
    runuser -u postgres -- test -w "$dir" ||
      die "the postgres user cannot write $dir (a parent folder is closed to it); set BILLING_DATABASE_URL or move the project"
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-instructions >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; die "initdb failed for $dir/data"; }
  fi
  local listen="''" host="$dir"
  if [ -n "$port" ]; then listen=127.0.0.1; host=127.0.0.1; else port=5432; fi
  # Memory and WAL sized for bulk loads of millions of usage rows on a small machine.
  local opts="-c listen_addresses=$listen -p $port -k $dir -c max_connections=200 -c shared_buffers=512MB -c max_wal_size=4GB -c checkpoint_timeout=15min -c wal_buffers=32MB"
  if [ -n "${BILLING_PG_FAST:-}" ]; then opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
  if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    if [ "$host" = 127.0.0.1 ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      die "port $port on 127.0.0.1 is taken by another program; choose another with BILLING_DEMO_PORT=NNNNN"
    fi
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" start >/dev/null ||
      { tail -n 20 "$dir/server.log" >&2; die "PostgreSQL did not start (log: $dir/server.log)"; }
  fi
  if [ "$host" = 127.0.0.1 ]; then
    url="postgres://postgres@127.0.0.1:$port/billing?sslmode=disable"
  else
    url="postgres://postgres@/billing?host=$dir&port=$port&sslmode=disable"
  fi
  if ! "$bin/psql" -h "$host" -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'billing'" | grep -q 1; then
    "$bin/psql" -q -h "$host" -p "$port" -U postgres -d postgres -c "CREATE DATABASE billing" >/dev/null
  fi
  echo "$url"
}

stop() {
  local dir=$1
  [ -f "$dir/data/PG_VERSION" ] || return 0
  local bin; bin=$(find_bindir)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

# crash stops the server at once, as a power cut would: no checkpoint, the
# next start replays the write-ahead log (fault-injection tests).
crash() {
  local dir=$1
  [ -f "$dir/data/PG_VERSION" ] || return 0
  local bin; bin=$(find_bindir)
  as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) [ $# -ge 2 ] || die "usage: $0 start DIR [PORT]"; start "$2" "${3:-}" ;;
  stop)  [ $# -eq 2 ] || die "usage: $0 stop DIR"; stop "$2" ;;
  crash) [ $# -eq 2 ] || die "usage: $0 crash DIR"; crash "$2" ;;
  *) die "usage: $0 start DIR [PORT] | stop DIR | crash DIR" ;;
esac
