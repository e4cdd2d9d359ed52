#!/usr/bin/env bash
# Runs loadgen against one node on SQLite, one node on PostgreSQL, or two nodes on one PostgreSQL
# database (pg2: operators on :3100, guests on :3101). A benchmark, not a test. Needs a release
# build (target/release/switchboard and loadgen) and PostgreSQL at 127.0.0.1:5432 (user postgres).
# It stops any running target/release/switchboard first and recreates the database sb_bench.
# usage: loadgen/backends.sh sqlite|pg|pg2 PAIRS RATE SECONDS
set -euo pipefail
mkdir -p "${TMPDIR:-/tmp}/switchboard-bench"
mode=$1 pairs=$2 rate=$3 secs=$4
cd "$(dirname "$0")/.."
BIN=target/release/switchboard
LG=target/release/loadgen
export SWITCHBOARD_SOCKETS_PER_OPERATOR=100000 SWITCHBOARD_SEND_LIMIT=100000 SWITCHBOARD_MAX_CONNECTIONS=100000 RUST_LOG=warn
ulimit -n $(ulimit -Hn)
pkill -f 'target/release/switchboard' || true; sleep 0.5
case $mode in
  sqlite) rm -rf ${TMPDIR:-/tmp}/switchboard-bench/db; mkdir -p ${TMPDIR:-/tmp}/switchboard-bench/db; export DATABASE_URL=sqlite:${TMPDIR:-/tmp}/switchboard-bench/db/s.db ;;
  pg|pg2) psql -q -h 127.0.0.1 -U postgres -c 'DROP DATABASE IF EXISTS sb_bench WITH (FORCE)' -c 'CREATE DATABASE sb_bench' >/dev/null; export DATABASE_URL=postgres://postgres@127.0.0.1:5432/sb_bench ;;
esac
echo 'loadgen-password-123' | $BIN create-operator --email lg@example.com --name LG >/dev/null
LEPTOS_SITE_ADDR=127.0.0.1:3100 $BIN serve > ${TMPDIR:-/tmp}/switchboard-bench/a.log 2>&1 &
A=$!
GUEST=()
PIDS="$A"
if [ "$mode" = pg2 ]; then
  LEPTOS_SITE_ADDR=127.0.0.1:3101 $BIN serve > ${TMPDIR:-/tmp}/switchboard-bench/b.log 2>&1 &
  B=$!; PIDS="$A,$B"
  GUEST=(--guest-url http://127.0.0.1:3101)
fi
for _ in $(seq 50); do curl -sf http://127.0.0.1:3100/login >/dev/null && break; sleep 0.2; done
[ "$mode" = pg2 ] && for _ in $(seq 50); do curl -sf http://127.0.0.1:3101/login >/dev/null && break; sleep 0.2; done
$LG --url http://127.0.0.1:3100 "${GUEST[@]}" --email lg@example.com --password loadgen-password-123 --pairs $pairs --rate $rate --seconds $secs --server-pid $A 2>&1 | tail -8
case $mode in
  sqlite) echo "stored: $(sqlite3 ${TMPDIR:-/tmp}/switchboard-bench/db/s.db 'select count(*) from messages' 2>/dev/null || echo '?')" ;;
  *) echo "stored: $(psql -Atq -h 127.0.0.1 -U postgres -d sb_bench -c 'select count(*) from messages')" ;;
esac
kill $A ${B:-} 2>/dev/null || true
