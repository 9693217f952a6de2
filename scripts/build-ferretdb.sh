#!/usr/bin/env bash
# Builds FerretDB v1 (SQLite backend) for the test suite from the Go module proxy.
# `go install …/cmd/ferretdb@vX` alone yields a binary that panics at start: the module zip lacks
# build/version/version.txt, which FerretDB's release tooling generates. So we build from a writable
# copy of the module with that file written.
set -euo pipefail
VERSION="${FERRETDB_VERSION:-v1.24.2}"
OUT="${1:-${HOLODULE_CACHE:-$HOME/.cache/holodule}/bin/ferretdb}"
export PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod
command -v go >/dev/null || { echo "build-ferretdb: Go is not installed (need /usr/local/go/bin/go)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
dir="$(go mod download -json "github.com/FerretDB/FerretDB@${VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -n "$dir" ] || { echo "build-ferretdb: could not download FerretDB ${VERSION}" >&2; exit 1; }
cp -r "$dir" "$work/src"
chmod -R u+w "$work/src"
echo "$VERSION" > "$work/src/build/version/version.txt"
mkdir -p "$(dirname "$OUT")"
(cd "$work/src" && go build -trimpath -o "$OUT" ./cmd/ferretdb)
echo "build-ferretdb: built $OUT ($VERSION)"
