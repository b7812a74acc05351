#!/usr/bin/env bash
# The whole test suite on another Keycloak version than the pinned one (default: KEYCLOAK_MATRIX_VERSION
# of scripts/testbed/lib.sh, the previous pin):
#   npm run test:matrix [-- VERSION]
# It needs the test bed's ports, so a running test bed is stopped first (its data is kept). That
# version's Keycloak keeps its own data dir ($TESTBED_DIR/keycloak-VERSION), so the pinned one's
# database is never migrated; the test bed it starts is stopped at the end like `npm test` does.
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-$(bash -c 'source scripts/testbed/lib.sh && echo "$KEYCLOAK_MATRIX_VERSION"')}"
bash scripts/testbed/down.sh
echo "== test matrix: Keycloak $version"
FEDBROKER_KEYCLOAK_VERSION="$version" bash scripts/test.sh
