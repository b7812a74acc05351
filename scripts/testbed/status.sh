#!/usr/bin/env bash
# What of the test bed runs where: Keycloak (+ health), its realms (discovery documents), the Keystones,
# the Kubernetes clusters, Redis. Exit status 1 when anything is down.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

rc=0
bash "$HERE/keycloak.sh" status || rc=1
bash "$HERE/keystone.sh" status || rc=1
bash "$HERE/horizon.sh" status || rc=1
bash "$HERE/kube.sh" status || rc=1
bash "$HERE/redis.sh" status || rc=1
if [ -f "$TESTBED_JSON" ]; then echo "testbed.json $TESTBED_JSON"; else echo "testbed.json missing ($TESTBED_JSON)"; rc=1; fi
exit $rc
