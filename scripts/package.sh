#!/usr/bin/env bash
# Packs a release binary with what a server needs to run it as a service:
#   scripts/package.sh <switchboard binary> <output folder>
# writes <output folder>/switchboard-<version>-linux-x86_64.tar.gz holding one folder with the
# binary (symbols stripped; its site stays inside it), the systemd unit, an example environment
# file, and the README's "Production" section as PRODUCTION.md. Prints the tarball's path.
# `scripts/dev.sh dist` builds the release and calls this.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
binary="${1:?usage: scripts/package.sh <switchboard binary> <output folder>}"
out="${2:?usage: scripts/package.sh <switchboard binary> <output folder>}"

# "switchboard 0.1.0 (0123456789ab)" -> 0.1.0
version="$("$binary" --version | awk '{ print $2 }')"
[ -n "$version" ] || { echo "error: $binary did not tell its version" >&2; exit 1; }
name="switchboard-$version-linux-$(uname -m)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/$name"
install -m 0755 "$binary" "$work/$name/switchboard"
if command -v strip >/dev/null 2>&1; then
  strip "$work/$name/switchboard"
fi
install -m 0644 "$ROOT/packaging/switchboard.service" "$work/$name/switchboard.service"
install -m 0600 "$ROOT/packaging/switchboard.env" "$work/$name/switchboard.env"
# From "## Production" to the next second-level heading.
awk '/^## / { inside = ($0 == "## Production") } inside' "$ROOT/README.md" \
  > "$work/$name/PRODUCTION.md"
[ -s "$work/$name/PRODUCTION.md" ] || { echo "error: README.md has no Production section" >&2; exit 1; }

mkdir -p "$out"
tarball="$(cd "$out" && pwd)/$name.tar.gz"
tar -C "$work" --owner=0 --group=0 --numeric-owner --sort=name -czf "$tarball" "$name"
echo "$tarball"
