#!/usr/bin/env bash
# Install the npm dependencies when node_modules is missing or older than package-lock.json, then
# compile src/ to dist/ when it is out of date (scripts/build.sh).
# `npm install` (not `npm ci`): where npm's `omit-lockfile-registry-resolved` is set,
# npm 11 leaves other platforms' optional packages out of the lock file and `npm ci`
# then refuses it; `npm install` still installs exactly the locked versions.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[deps] npm install (from package-lock.json)" >&2
  npm install --no-audit --no-fund --loglevel=error
fi
# The compiled CLI and service (dist/), when a source changed since the last build.
bash scripts/build.sh
