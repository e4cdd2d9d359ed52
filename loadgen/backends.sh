#!/usr/bin/env bash
# Starts Switchboard on one backend and runs loadgen against it: one node on SQLite, one node on
# PostgreSQL, or two nodes on one PostgreSQL database (pg2: operators on :3100, guests on :3101).
# A benchmark, not a test. Needs a release build (target/release/switchboard, or the binary in
# SWITCHBOARD_BIN, and target/release/loadgen) and, for pg/pg2, PostgreSQL at 127.0.0.1:5432
# (user postgres). It stops the servers an earlier run of it left behind (by process id, never by
# name) and recreates the database.
#
# usage: loadgen/backends.sh sqlite|pg|pg2 rate|idle|files [loadgen options]
#   loadgen/backends.sh sqlite rate --pairs 5000 --rate 1000 --seconds 30
#   loadgen/backends.sh sqlite idle --checkpoints 2000,10000,19000 --connect-rate 2000
#   loadgen/backends.sh pg files --uploads 20 --size-mib 10 --pairs 20 --rate 50 --seconds 40
set -euo pipefail
backend=$1 mode=$2
shift 2
cd "$(dirname "$0")/.."
work="${TMPDIR:-/tmp}/switchboard-bench"
mkdir -p "$work"
BIN="${SWITCHBOARD_BIN:-target/release/switchboard}"
LG=target/release/loadgen
export SWITCHBOARD_SOCKETS_PER_OPERATOR=100000 SWITCHBOARD_SEND_LIMIT=100000 SWITCHBOARD_MAX_CONNECTIONS=100000 SWITCHBOARD_UPLOADS_PER_MINUTE=100000 RUST_LOG=warn
# Every socket is a file descriptor on each side.
ulimit -n "$(ulimit -Hn)"
# A run that ended before its trap ran leaves its servers' ids here: stop those and only those,
# and only while the id still names a switchboard server (an id may have been reused).
pids="$work/pids"
if [ -f "$pids" ]; then
  while read -r pid; do
    if tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -qF -- "$BIN serve"; then
      kill "$pid" 2>/dev/null || true
    fi
  done < "$pids"
  rm -f "$pids"
  sleep 0.5
fi
case $backend in
  sqlite)
    rm -rf "$work/db" && mkdir -p "$work/db"
    export DATABASE_URL="sqlite:$work/db/s.db" ;;
  pg|pg2)
    psql -q -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS sb_bench WITH (FORCE)' -c 'CREATE DATABASE sb_bench' >/dev/null
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/sb_bench ;;
  *) echo "unknown backend $backend" >&2; exit 2 ;;
esac
echo 'loadgen-password-123' | "$BIN" create-operator --email lg@example.com --name LG --role admin >/dev/null
LEPTOS_SITE_ADDR=127.0.0.1:3100 "$BIN" serve > "$work/a.log" 2>&1 &
A=$!
echo "$A" >> "$pids"
GUEST=()
if [ "$backend" = pg2 ]; then
  LEPTOS_SITE_ADDR=127.0.0.1:3101 "$BIN" serve > "$work/b.log" 2>&1 &
  B=$!
  echo "$B" >> "$pids"
  [ "$mode" = rate ] && GUEST=(--guest-url http://127.0.0.1:3101)
fi
trap 'kill $A ${B:-} 2>/dev/null || true; rm -f "$pids"' EXIT
for port in 3100 ${B:+3101}; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/login" >/dev/null && break; sleep 0.2; done
done
"$LG" "$mode" --url http://127.0.0.1:3100 "${GUEST[@]}" --email lg@example.com \
  --password loadgen-password-123 --server-pid "$A" "$@"
if [ "$mode" = rate ]; then
  case $backend in
    sqlite) echo "stored: $(sqlite3 "$work/db/s.db" 'select count(*) from messages' 2>/dev/null || echo '?')" ;;
    *) echo "stored: $(psql -Atq -h 127.0.0.1 -U postgres -d sb_bench -c 'select count(*) from messages')" ;;
  esac
fi
