#!/usr/bin/env bash
# What `npm test` needs besides the npm packages, installed when missing: idempotent, and quick
# when everything is there. `npm test` runs it first (pretest), so the README's test command works
# alone on a fresh machine of this kind; .ci/run calls the same command.
set -euo pipefail
cd "$(dirname "$0")/.."

# Installs Debian packages; `apt-get update` runs once per call of this script, and only when needed.
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Debian's PyJWT, for the token interoperability tests.
if ! /usr/bin/python3 -c 'import jwt' 2>/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-deps: the PyJWT tests need Debian's python3-jwt: sudo apt-get install python3-jwt" >&2
    exit 1
  fi
  echo "test-deps: installing python3-jwt (Debian) for the PyJWT interoperability tests" >&2
  apt_install python3 python3-jwt
fi

# Debian's nginx in front of the Node entry (test/integration/nginx.test.ts), openssl for its
# throwaway certificate, systemd-analyze for the unit's check (test/integration/systemd-unit.test.ts).
deb_missing=()
{ command -v nginx || [ -x /usr/sbin/nginx ]; } >/dev/null || deb_missing+=(nginx)
command -v openssl >/dev/null || deb_missing+=(openssl)
command -v systemd-analyze >/dev/null || deb_missing+=(systemd)
if [ ${#deb_missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "test-deps: the deployment tests need Debian's ${deb_missing[*]}: sudo apt-get install ${deb_missing[*]}" >&2
    exit 1
  fi
  echo "test-deps: installing ${deb_missing[*]} (Debian) for the deployment tests" >&2
  apt_install "${deb_missing[@]}"
  # Debian starts and enables its default site on port 80 where it can; the tests run their own
  # nginx on free ports, and nothing here should keep serving after them.
  if [[ " ${deb_missing[*]} " == *" nginx "* ]]; then
    if [ -d /run/systemd/system ]; then
      systemctl disable --now nginx >/dev/null 2>&1 || true
    else
      { service nginx stop && update-rc.d nginx disable; } >/dev/null 2>&1 || true
    fi
  fi
fi

# FerretDB v1 on SQLite stands in for MongoDB; built once from the Go module proxy.
if [ -z "${MONGODB_URI:-}" ] && [ -z "${FERRETDB_BIN:-}" ] &&
  [ ! -x "${HOLODULE_CACHE:-$HOME/.cache/holodule}/bin/ferretdb" ]; then
  echo "test-deps: building FerretDB into ${HOLODULE_CACHE:-$HOME/.cache/holodule} (once, a few minutes)" >&2
  DO_NOT_TRACK=1 bash scripts/build-ferretdb.sh
fi
