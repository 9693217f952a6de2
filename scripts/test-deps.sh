#!/usr/bin/env bash
# What `npm test` needs besides the npm packages, installed when missing: idempotent, and quick
# when everything is there. `npm test` runs it first (pretest), so the README's test command works
# alone on a fresh machine of this kind; .ci/run calls the same command.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's PyJWT, for the token interoperability tests.
if ! /usr/bin/python3 -c 'import jwt' 2>/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-deps: the PyJWT tests need Debian's python3-jwt: sudo apt-get install python3-jwt" >&2
    exit 1
  fi
  echo "test-deps: installing python3-jwt (Debian) for the PyJWT interoperability tests" >&2
  apt-get update -qq
  APT_UPDATED=1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-jwt >/dev/null
fi

# FerretDB v1 on SQLite stands in for MongoDB; built once from the Go module proxy.
if [ -z "${MONGODB_URI:-}" ] && [ -z "${FERRETDB_BIN:-}" ] &&
  [ ! -x "${HOLODULE_CACHE:-$HOME/.cache/holodule}/bin/ferretdb" ]; then
  echo "test-deps: building FerretDB into ${HOLODULE_CACHE:-$HOME/.cache/holodule} (once, a few minutes)" >&2
  DO_NOT_TRACK=1 bash scripts/build-ferretdb.sh
fi

# Debian's chromium, which playwright-core drives for the typed client's browser test.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-deps: the browser tests need Debian's chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
  echo "test-deps: installing chromium (Debian) for the browser tests" >&2
  [ -n "${APT_UPDATED:-}" ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
