#!/usr/bin/env bash
# The whole test suite (README: `npm test`): lint, type check, unit tests, then integration tests
# against the real test bed, which this script installs and starts when it is not running.
# A test bed this script started is stopped at the end (its data is kept for a warm next start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh

echo "== lint and type check"
npx eslint .
npx tsc --noEmit

started_testbed=false
if ! bash scripts/testbed/status.sh >/dev/null 2>&1; then
  echo "== starting the test bed"
  bash scripts/testbed/up.sh
  started_testbed=true
fi
stop_testbed() { if [ "$started_testbed" = true ] && [ -z "${FEDBROKER_KEEP_TESTBED:-}" ]; then bash scripts/testbed/down.sh || true; fi; }
trap stop_testbed EXIT

node scripts/run-tests.mjs unit integration e2e
