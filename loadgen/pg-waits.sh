#!/usr/bin/env bash
# Samples what the benchmark database's server processes are doing, every 50 ms for the given
# seconds, and prints how often each state and wait event was seen (wait events as PostgreSQL
# names them: `Lock/transactionid`, `IO/WALSync`, `Client/ClientRead`, ...). Run it beside a
# `loadgen/backends.sh pg ...` run to see where PostgreSQL's time goes.
#
# usage: loadgen/pg-waits.sh [seconds] [database]      (defaults: 20 sb_bench)
set -euo pipefail
seconds=${1:-20} db=${2:-sb_bench}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
end=$((SECONDS + seconds))
while [ "$SECONDS" -lt "$end" ]; do
  psql -Atq -h 127.0.0.1 -U postgres -d postgres -c "
    SELECT coalesce(backend_type, '?') || ' ' || coalesce(state, '-') || ' ' ||
           coalesce(wait_event_type || '/' || wait_event, 'on CPU')
    FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid()" >> "$out" || true
  sleep 0.05
done
echo "samples per state and wait event over ${seconds}s:"
sort "$out" | uniq -c | sort -rn
