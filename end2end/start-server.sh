#!/usr/bin/env bash
# Starts the release build for the end-to-end suite: a fresh SQLite file, one known operator.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${E2E_PORT:-3107}"
dir="end2end/.tmp"
rm -rf "$dir" && mkdir -p "$dir"
export DATABASE_URL="sqlite:$dir/e2e.db"
export LEPTOS_SITE_ADDR="127.0.0.1:$port"
export SWITCHBOARD_PUBLIC_URL="http://127.0.0.1:$port"
# A known widget secret, so specs can sign customers' ids as a host site's back end does.
export SWITCHBOARD_WIDGET_SECRET="e2e-widget-secret-not-for-production"
# Reply emails after 2 s instead of 5 min, written as .eml files where email.spec.ts reads them.
export SWITCHBOARD_EMAIL_DELAY="2s"
export SWITCHBOARD_MAIL_DIR="$dir/mail"
# The demo shop (another origin) on the next port.
export SWITCHBOARD_DEMO_ADDR="127.0.0.1:$((port + 1))"
# Every browser of the suite comes from one address: the customer doors' per-address window is
# raised so that the specs' widgets together cannot trip it (its own tests are integration tests).
export SWITCHBOARD_WIDGET_RATE_PER_ADDRESS=100000
export SWITCHBOARD_WIDGET_NEW_VISITORS_PER_ADDRESS=100000
export RUST_LOG="${RUST_LOG:-warn}"
# The release build by default, which serves the site it carries inside it; SWITCHBOARD_BIN
# picks another (a debug build, to read its detailed hydration errors, which serves target/site).
bin="${SWITCHBOARD_BIN:-target/release/switchboard}"
# One operator per spec file (see tests/fixtures.ts), so no spec can trip another's limits.
for spec in end2end/tests/*.spec.ts end2end/bench/*.spec.ts; do
  name="$(basename "$spec" .spec.ts)"
  printf '%s\n' "e2e-operator-password" \
    | "$bin" create-operator --email "e2e-$name@example.com" --name "Erin Operator" \
        --role admin >/dev/null
done
# The log is kept for the teardown, which fails the run if the server panicked.
exec "$bin" serve 2> >(tee -a "$dir/server.log" >&2)
