#!/usr/bin/env bash
# Bring up the demo federation (README: `npm run demo`): installs what is missing, starts the
# three-cloud test bed on 127.0.0.1, validates the demo spec and prints where everything runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/testbed/up.sh
node bin/fedbroker.mjs validate config/federation.example.yaml
bash scripts/testbed/status.sh
