#!/usr/bin/env bash
# One Keycloak for all clouds (realms cloud-a/b/c from realms/), HTTPS only, as a plain background process.
#
#   keycloak.sh up|down|status
#
# Runs the cached, build-optimized distribution (install.sh) with `kc.sh start --optimized` from a
# per-test-bed home $TESTBED_DIR/keycloak: lib/, conf/, themes/, providers/ link to the cache, bin/kc.sh is
# a copy (kc.sh resolves its own symlinks), data/ is private (dev-file database, realm import folder, the
# truststore Keycloak generates, tmp). A fresh test-bed folder means a fresh Keycloak, and test beds in
# different folders (and ports) never share state. Realms are imported by --import-realm when the
# database does not have them yet (existing realms are left alone).
# Bootstrap admin: $KEYCLOAK_ADMIN_USER with password `secret keycloak-admin`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEYCLOAK_READY_TIMEOUT="${FEDBROKER_KEYCLOAK_READY_TIMEOUT:-180}"
KEYCLOAK_HEAP="${FEDBROKER_KEYCLOAK_HEAP:--Xms64m -Xmx1g}"

# The per-test-bed home; --import-realm reads <home>/data/import, refreshed from realms/ before every start.
make_home() {
  local dir
  mkdir -p "$KEYCLOAK_DATA_DIR/bin" "$KEYCLOAK_DATA_DIR/data/import"
  cp "$KEYCLOAK_HOME/bin/kc.sh" "$KEYCLOAK_DATA_DIR/bin/kc.sh"
  for dir in lib conf themes providers; do ln -sfn "$KEYCLOAK_HOME/$dir" "$KEYCLOAK_DATA_DIR/$dir"; done
  rm -f "$KEYCLOAK_DATA_DIR/data/import/"*.json
  cp "$REALMS_DIR"/cloud-*.json "$KEYCLOAK_DATA_DIR/data/import/"
}

start() {
  [ "$(cat "$KEYCLOAK_HOME/.fedbroker-build" 2>/dev/null)" = "${KEYCLOAK_BUILD_OPTS[*]}" ] \
    || die "Keycloak is not installed/built in $KEYCLOAK_HOME; run scripts/testbed/install.sh"
  [ -s "$CA_DIR/server.pem" ] || bash "$(dirname "${BASH_SOURCE[0]}")/ca.sh"
  local port; for port in "$KEYCLOAK_HTTPS_PORT" "$KEYCLOAK_MGMT_PORT"; do
    port_in_use "$port" && die "port $port is taken by another process (not ours: no live $KEYCLOAK_PID)"
  done
  make_home
  [ -f "$KEYCLOAK_LOG" ] && mv "$KEYCLOAK_LOG" "$KEYCLOAK_LOG.1"
  log "keycloak: starting $KEYCLOAK_URL (log $KEYCLOAK_LOG)"
  KC_BOOTSTRAP_ADMIN_USERNAME="$KEYCLOAK_ADMIN_USER" KC_BOOTSTRAP_ADMIN_PASSWORD="$(secret keycloak-admin)" \
  JAVA_OPTS_KC_HEAP="$KEYCLOAK_HEAP" \
    setsid nohup "$KEYCLOAK_DATA_DIR/bin/kc.sh" start --optimized \
      --cache=local \
      --http-enabled=false --http-host="$TESTBED_HOST" --https-port="$KEYCLOAK_HTTPS_PORT" \
      --https-certificate-file="$CA_DIR/server.pem" --https-certificate-key-file="$CA_DIR/server.key" \
      --hostname="$KEYCLOAK_URL" --http-management-port="$KEYCLOAK_MGMT_PORT" \
      --truststore-paths="$CA_DIR/ca.pem" \
      --http-access-log-enabled=true --http-access-log-pattern='access: %h %t "%r" %s %Dms correlation=%{i,X-Correlation-Id}' \
      --import-realm \
      > "$KEYCLOAK_LOG" 2>&1 < /dev/null &
  echo $! > "$KEYCLOAK_PID"
}

wait_ready() {
  local deadline=$((SECONDS + KEYCLOAK_READY_TIMEOUT))
  until keycloak_ready; do
    if ! pid_alive "$KEYCLOAK_PID"; then log_tail "$KEYCLOAK_LOG"; die "keycloak: process exited"; fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log_tail "$KEYCLOAK_LOG"; die "keycloak: not ready after ${KEYCLOAK_READY_TIMEOUT}s (still running, pid $(cat "$KEYCLOAK_PID"))"
    fi
    sleep 0.25
  done
}

up() {
  ensure_dirs
  if pid_alive "$KEYCLOAK_PID"; then
    keycloak_ready && { log "keycloak: already up at $KEYCLOAK_URL"; return 0; }
    log "keycloak: running but not ready yet, waiting"
  else
    start
  fi
  wait_ready
  log "keycloak: up at $KEYCLOAK_URL (realms ${CLOUDS[*]}; ${SECONDS}s)"
}

# kc.sh forwards TERM to the JVM; KILL the whole process group if it has not stopped after 30 s.
down() {
  stop_pidfile "$KEYCLOAK_PID" 30
  log "keycloak: down"
}

status() {
  local rc=0 cloud health
  health="$(tb_curl "$KEYCLOAK_MGMT_URL/health/ready" 2>/dev/null | tr -d ' \n' || true)"
  if pid_alive "$KEYCLOAK_PID" && [ -n "$health" ]; then
    echo "keycloak $KEYCLOAK_URL up (pid $(cat "$KEYCLOAK_PID"), health $health)"
  else
    echo "keycloak $KEYCLOAK_URL down"; rc=1
  fi
  for cloud in "${CLOUDS[@]}"; do
    if keycloak_realm_ready "$cloud"; then echo "realm $cloud $KEYCLOAK_URL/realms/$cloud up"
    else echo "realm $cloud $KEYCLOAK_URL/realms/$cloud down"; rc=1; fi
  done
  return $rc
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
