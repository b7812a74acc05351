#!/usr/bin/env bash
# Compiles src/ to dist/ (JavaScript, the same module layout) for the CLI and the service, when dist/
# is missing or older than a source: `fedbroker` then starts without compiling TypeScript at each call
# (bin/entry.mjs picks dist/ while it is fresh, the sources through tsx otherwise). Incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=dist/.build-stamp
if [ -f "$stamp" ] && [ -z "$(find src tsconfig.json tsconfig.build.json package-lock.json -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
started=$SECONDS
npx tsc -p tsconfig.build.json
touch "$stamp"
echo "[build] src/ compiled to dist/ in $((SECONDS - started)) s" >&2
