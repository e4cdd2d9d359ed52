#!/usr/bin/env bash
# Switchboard's two set-up commands (see README.md):
#   scripts/dev.sh serve   build (release) and serve on the embedded SQLite default
#   scripts/dev.sh test    run the whole suite: cargo tests, then Playwright against a release build
#   scripts/dev.sh dist    build the release and pack dist/switchboard-<version>-linux-x86_64.tar.gz
# Each installs what is missing first and is quick to run again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The commit `switchboard --version` names (server/build.rs). Told here because checkouts on one
# machine share a target directory (link_build_cache): cargo would otherwise keep the commit a
# build script saw in another checkout, whose Git files have not moved.
if commit="$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null)"; then
  export SWITCHBOARD_COMMIT="$commit"
fi

CARGO_LEPTOS_VERSION="0.3.10"
WASM_BINDGEN_VERSION="0.2.130"
SCHEMATHESIS_VERSION="4.32.5"

# Each step says when it starts, with the minutes and seconds since the command began, so a
# slow machine shows where its time goes.
say() { printf '\033[1m==> [%d:%02d] %s\033[0m\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 1
  fi
}

apt_install() {
  # $1: what it is for; rest: Debian packages.
  local why="$1"; shift
  command -v apt-get >/dev/null 2>&1 || die "$why: install $* with your package manager."
  say "installing $* ($why)"
  if [ ! -f /tmp/.switchboard-apt-updated ]; then
    as_root apt-get update -qq || die "$why: run 'apt-get update' as root, then install $*."
    touch /tmp/.switchboard-apt-updated
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || die "$why: install these Debian packages as root: $*"
}

# A build cache outside the clone: target/ is a link to it, so a fresh clone on a machine that
# has built Switchboard before starts warm. On a fresh machine it is simply created empty.
link_build_cache() {
  local cache="${SWITCHBOARD_BUILD_CACHE:-$HOME/.cache/switchboard/target}"
  if [ ! -e target ] && [ ! -L target ]; then
    mkdir -p "$cache"
    ln -s "$cache" target
  fi
}

ensure_rust() {
  # Tools that cargo installs land here; cargo-leptos must find wasm-bindgen on PATH.
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  command -v cargo >/dev/null 2>&1 || die "Rust is missing: install rustup (https://rustup.rs), then run this again."
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  command -v cc >/dev/null 2>&1 || apt_install "a C compiler for native crates" gcc libc6-dev
  if ! cargo leptos --version 2>/dev/null | grep -q " ${CARGO_LEPTOS_VERSION}\$"; then
    say "installing cargo-leptos ${CARGO_LEPTOS_VERSION} (about 11 minutes on two cores, once)"
    # Its own release profile links with fat LTO in one codegen unit, the slowest part of its
    # install; a build tool run a few times a day needs none of that.
    CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      CARGO_PROFILE_RELEASE_OPT_LEVEL=2 \
      cargo install cargo-leptos --version "${CARGO_LEPTOS_VERSION}" --locked
  fi
  # cargo-leptos tries to download a wasm-bindgen matching Cargo.lock when none is on PATH.
  if ! wasm-bindgen --version 2>/dev/null | grep -q " ${WASM_BINDGEN_VERSION}\$"; then
    say "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION}"
    cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}"
  fi
}

ensure_node() {
  if ! command -v npm >/dev/null 2>&1; then
    apt_install "Node.js for Playwright and wasm-opt" nodejs npm
  fi
  # Playwright and binaryen's wasm-opt (used by release builds) come from end2end's lockfile.
  if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "installing end2end's npm packages"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
  export PATH="$ROOT/end2end/node_modules/.bin:$PATH"
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install "the browser for the end-to-end tests" chromium
  fi
  # The release tarball's test checks its systemd unit with systemd-analyze.
  if ! command -v systemd-analyze >/dev/null 2>&1; then
    apt_install "systemd-analyze, to check the service unit" systemd
  fi
}

# Schemathesis, from PyPI, fuzzes the REST API against its own OpenAPI document
# (end2end/tests/openapi.spec.ts), in a virtual environment beside the build cache.
ensure_schemathesis() {
  local venv="$HOME/.cache/switchboard/schemathesis"
  if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q " ${SCHEMATHESIS_VERSION}\$"; then
    command -v python3 >/dev/null 2>&1 || apt_install "Python for Schemathesis" python3 python3-venv
    python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install "Python's venv for Schemathesis" python3-venv
    say "installing Schemathesis ${SCHEMATHESIS_VERSION}"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==${SCHEMATHESIS_VERSION}"
  fi
  export SCHEMATHESIS="$venv/bin/schemathesis"
}

# The PostgreSQL tests (store contract, two nodes) use the server at SWITCHBOARD_TEST_PG_URL.
# A machine's PostgreSQL that is installed but stopped is started. Without one, those tests are
# skipped and say so; in CI (CI=true) that is a failure.
PG_SKIP=()
ensure_postgres() {
  local url="${SWITCHBOARD_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432}"
  export SWITCHBOARD_TEST_PG_URL="$url"
  # Where it points, without user or password, for messages.
  local where="${url#*://}"; where="${where#*@}"; where="${where%%[/?]*}"
  pg_up() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -d "$url"; }
  if ! pg_up && command -v pg_lsclusters >/dev/null 2>&1; then
    say "starting the machine's PostgreSQL"
    pg_lsclusters -h | while read -r version cluster _ status _; do
      [ "$status" = online ] || as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start || true
    done
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
  if ! pg_up; then
    if [ "${CI:-}" = true ]; then
      die "PostgreSQL does not answer at $where; CI needs it (set SWITCHBOARD_TEST_PG_URL)"
    fi
    say "SKIPPING the PostgreSQL tests: no PostgreSQL answers at $where (set SWITCHBOARD_TEST_PG_URL)"
    PG_SKIP=(-- --skip postgres)
  fi
}

build_release() {
  say "building the release (server + wasm)"
  # --precompress writes .br and .gz beside each built file; the server sends those as they are.
  # Incremental compilation lets a fresh clone on a machine that built before reuse the
  # server's optimised code instead of compiling it again (the wasm's LTO cannot).
  # --split makes each dashboard page its own wasm chunk (app/src/routes.rs), loaded when shown.
  # The pkg directory starts empty: cargo-leptos names by content every file it finds there.
  rm -rf target/site/pkg
  CARGO_PROFILE_RELEASE_INCREMENTAL=true \
    cargo leptos build --release --precompress --split --frontend-only
  node scripts/short-imports.js target/site/pkg target/release/hash.txt switchboard
  node scripts/seal-split.js target/site/pkg target/release/hash.txt switchboard
  build_visitor_bundle
  # cargo-leptos' own gzip is about 17% larger than gzip -9; browsers without brotli get this.
  local file
  for file in target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css; do
    gzip -9 -n -k -f "$file"
  done
  # The server last: it carries the finished site inside it (server/build.rs), so that the
  # binary runs from any folder with nothing beside it.
  # The build script watches site-digest.txt, rewritten only when a file of the site changed:
  # the frontend build writes every file anew, and the server need not compile again for that.
  # The paths are the shared target directory's own, the same from every checkout.
  say "building the server, with the site inside it"
  local target digest
  target="$(readlink -f target)"
  digest="$(find target/site target/release/hash.txt target/release/visitor_lite-hash.txt \
    -type f | LC_ALL=C sort | xargs sha256sum | sha256sum)"
  if [ "$(cat target/release/site-digest.txt 2>/dev/null)" != "$digest" ]; then
    echo "$digest" > target/release/site-digest.txt
  fi
  SWITCHBOARD_EMBED_SITE="$target/site" SWITCHBOARD_EMBED_HASHES="$target/release" \
    CARGO_PROFILE_RELEASE_INCREMENTAL=true \
    cargo leptos build --release --precompress --split --server-only
}

# The bundle of the pages guests and customers open (the kiosk, the widget, the hosted chat):
# crate `visitor_lite`, which drives them without Leptos, built the way cargo-leptos builds the
# dashboard's: the same environment, wasm-bindgen, wasm-opt, a content hash in each name (listed
# in <name>-hash.txt beside the binary) and brotli. It is not split, so it has a target
# directory of its own: the split build's flags (relocations kept for wasm-split) would leave it
# ten times its size.
build_visitor_bundle() {
  say "building the visitors' bundle (kiosk, widget, hosted chat)"
  LEPTOS_OUTPUT_NAME=switchboard LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg \
    LEPTOS_SITE_ADDR=127.0.0.1:3000 LEPTOS_RELOAD_PORT=3001 LEPTOS_LIB_DIR=frontend \
    LEPTOS_BIN_DIR=server LEPTOS_JS_MINIFY=true LEPTOS_HASH_FILES=true \
    LEPTOS_HASH_FILE_NAME=hash.txt \
    cargo build --package=visitor_lite --lib --target-dir=target/visitor-front \
      --target=wasm32-unknown-unknown --no-default-features --profile=wasm-release
  seal_bundle visitor_lite
}

# Turns the wasm of crate $1 into the site's files pkg/$1.<hash>.{js,wasm} (and .br).
seal_bundle() {
  local name=$1 pkg=target/site/pkg out=target/visitor-bundle/$1
  rm -rf "$out" && mkdir -p "$out"
  wasm-bindgen --target=web --out-name="$name" --out-dir="$out" --no-typescript \
    "target/visitor-front/wasm32-unknown-unknown/wasm-release/$name.wasm"
  wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$out/${name}_bg.wasm" -o "$out/$name.wasm"
  # One name for both, a hash of both: a server that carries its site inside it finds a
  # bundle's files by that one name (server/src/site.rs).
  local hash
  hash=$(cat "$out/$name.js" "$out/$name.wasm" | sha256sum | head -c 22)
  rm -f "$pkg/$name".*
  cp "$out/$name.js" "$pkg/$name.$hash.js"
  cp "$out/$name.wasm" "$pkg/$name.$hash.wasm"
  printf 'js: %s\nwasm: %s\n' "$hash" "$hash" > "target/release/$name-hash.txt"
  node -e '
    const fs = require("fs"), zlib = require("zlib");
    for (const file of process.argv.slice(1)) {
      const params = { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 };
      fs.writeFileSync(file + ".br", zlib.brotliCompressSync(fs.readFileSync(file), { params }));
    }' "$pkg/$name.$hash.js" "$pkg/$name.$hash.wasm"
}

cmd_serve() {
  link_build_cache
  ensure_rust
  ensure_node
  build_release
  # A stand-in shop on a second port embeds the widget from another origin, as a real site does.
  export SWITCHBOARD_DEMO_ADDR="${SWITCHBOARD_DEMO_ADDR:-127.0.0.1:3001}"
  say "serving on http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000} (SQLite: ${DATABASE_URL:-sqlite:data/switchboard.db})"
  say "demo shop with the widget: http://${SWITCHBOARD_DEMO_ADDR}/ (the inbox: http://${LEPTOS_SITE_ADDR:-127.0.0.1:3000}/inbox)"
  exec target/release/switchboard serve
}

cmd_test() {
  link_build_cache
  ensure_rust
  ensure_node
  ensure_chromium
  ensure_postgres
  ensure_schemathesis
  local logs
  logs="$(mktemp -d)"
  say "cargo tests: engine, app and server"
  cargo test --workspace --exclude frontend "${PG_SKIP[@]}" 2>&1 | tee "$logs/cargo.log"
  build_release
  say "Playwright end-to-end tests against the release build"
  (cd end2end && npx playwright test) 2>&1 | tee "$logs/e2e.log"
  # One closing line for the whole suite (both runners exited 0 to get here).
  local unit e2e
  unit=$(grep -Eo '[0-9]+ passed; [0-9]+ failed' "$logs/cargo.log" | awk '{p+=$1; f+=$3} END {print p+0, f+0}')
  e2e=$(grep -Eo '^ *[0-9]+ passed' "$logs/e2e.log" | tail -n 1 | tr -dc '0-9')
  set -- $unit
  if [ "${1:-0}" -eq 0 ] || [ "${e2e:-0}" -eq 0 ]; then
    die "a runner executed no tests (cargo: ${1:-0}, playwright: ${e2e:-0})"
  fi
  say "done"
  echo "tests: $(( $1 + e2e )) passed, $2 failed"
  rm -rf "$logs"
}

# The release as a server installs it: the binary, a systemd unit, an example environment file
# and the README's production notes (scripts/package.sh).
cmd_dist() {
  link_build_cache
  ensure_rust
  ensure_node
  build_release
  say "packing the release"
  scripts/package.sh target/release/switchboard dist
}

case "${1:-}" in
  serve) cmd_serve ;;
  test) cmd_test ;;
  dist) cmd_dist ;;
  *) echo "usage: scripts/dev.sh serve|test|dist" >&2; exit 2 ;;
esac
