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

# A demo broker (`npm run demo`) shares the test bed's broker port 17443, its Redis and its realms: the
# tests stop it (drained) so that they and the demo never act on each other; afterwards `npm run demo`
# applies the demo spec again (tests change the federation) and starts it again.
demo_pid_file="${FEDBROKER_TESTBED_DIR:-.testbed}/run/demo-broker.pid"
if [ -f "$demo_pid_file" ] && kill -0 "$(cat "$demo_pid_file")" 2>/dev/null; then
  echo "== the demo broker (pid $(cat "$demo_pid_file")) is stopped for the tests and started again afterwards"
  bash scripts/demo.sh stop --keep-testbed
  restart_demo() { bash scripts/demo.sh > "${FEDBROKER_TESTBED_DIR:-.testbed}/logs/demo-restart.log" 2>&1 && echo "== the demo broker runs again" || echo "the demo did not come back (see .testbed/logs/demo-restart.log): run npm run demo" >&2; }
  trap 'restart_demo; stop_testbed' EXIT
fi

node scripts/run-tests.mjs unit integration e2e
