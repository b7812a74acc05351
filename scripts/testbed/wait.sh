#!/usr/bin/env bash
# One readiness wait for the whole test bed: Redis, Keycloak (health + every realm), every Keystone,
# every Kubernetes API server, every Horizon.
# Fails on the first component that is not ready within the time left, with that component's log tail.
#
#   wait.sh [SECONDS]      (default 180, or FEDBROKER_TESTBED_WAIT)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE="$(dirname "${BASH_SOURCE[0]}")"
deadline=$((SECONDS + ${1:-${FEDBROKER_TESTBED_WAIT:-180}}))
left() { local n=$((deadline - SECONDS)); [ "$n" -gt 0 ] && echo "$n" || echo 1; }

keystone_ready() { bash "$HERE/keystone.sh" status >/dev/null 2>&1; }

kube_ready() { bash "$HERE/kube.sh" status >/dev/null 2>&1; }

horizon_ready() { bash "$HERE/horizon.sh" status >/dev/null 2>&1; }

wait_until "$(left)" redis_ready || { log_tail "$REDIS_LOG"; die "redis not ready at $REDIS_URL"; }
wait_until "$(left)" keycloak_ready || { log_tail "$KEYCLOAK_LOG"; die "keycloak not ready at $KEYCLOAK_URL"; }
if ! wait_until "$(left)" keystone_ready; then
  down="$(bash "$HERE/keystone.sh" status 2>/dev/null | awk '$NF == "down" {print $2}' || true)"
  for cloud in $down; do log_tail "$LOG_DIR/keystone-$cloud.log" 20; log_tail "$LOG_DIR/apache-keystone-$cloud.log" 20; done
  die "keystone not ready: ${down:-?}"
fi
if ! wait_until "$(left)" kube_ready; then
  bash "$HERE/kube.sh" status || true
  for f in "$LOG_DIR"/kube-apiserver-*.log "$LOG_DIR/etcd.log"; do [ -f "$f" ] && log_tail "$f" 15; done
  die "kubernetes not ready"
fi
if ! wait_until "$(left)" horizon_ready; then
  for cloud in "${HORIZON_CLOUDS[@]}"; do log_tail "$LOG_DIR/horizon-$cloud.log" 20; done
  die "horizon not ready"
fi
log "wait: test bed ready"
