#!/usr/bin/env bash
# Installs what the test suite needs and is missing, then returns: Debian's
# redis-server, nginx and chromium, and the npm dependencies. `npm test`
# runs it first (pretest), so a fresh machine needs that one command.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
missing=()
command -v "${REDIS_SERVER_BIN:-redis-server}" >/dev/null 2>&1 || missing+=(redis-server)
# redis-cli creates and reshards the test clusters (Debian's redis-tools).
command -v "${REDIS_CLI_BIN:-redis-cli}" >/dev/null 2>&1 || missing+=(redis-tools)
# Debian installs nginx in /usr/sbin, which is not on every user's PATH.
if [ -z "${NGINX_BIN:-}" ] && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  missing+=(nginx)
fi
[ -x "$chromium" ] || missing+=(chromium)

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    {
      echo "The tests need ${missing[*]}, which this machine lacks, and this"
      echo "script can install them only as root with apt-get. Install them,"
      echo "e.g. on Debian: sudo apt-get install -y ${missing[*]}"
      echo "(or point REDIS_SERVER_BIN, REDIS_CLI_BIN, NGINX_BIN, CHROMIUM_PATH at your own), then run again."
    } >&2
    exit 1
  fi
  echo "Installing ${missing[*]} from Debian's packages"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

# npm ci refuses this lockfile (see "Development" in README.md); npm install
# against it installs the same tree. Skipped when node_modules is current.
if [ ! -f node_modules/.package-lock.json ] ||
  [ package.json -nt node_modules/.package-lock.json ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
fi
