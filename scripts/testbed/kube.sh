#!/usr/bin/env bash
# Kubernetes API servers of the test bed: one etcd shared by one kube-apiserver per cloud.
#
#   kube.sh up|down|status [cloud...]      (default: all clouds of lib.sh)
#
# Binaries come from scripts/testbed/kube-build.sh (cached per version). etcd keeps its data in
# $TESTBED_DIR/kube/etcd and listens on 127.0.0.1:ETCD_CLIENT_PORT; each cloud's apiserver uses its own
# --etcd-prefix=/registry-<cloud> and serves https://127.0.0.1:KUBE_API_PORT[cloud] with the test CA's
# server certificate. Per cloud, $TESTBED_DIR/kube/<cloud>/ holds the service-account key, the static
# token file (user fedbroker-admin in system:masters; token in secrets/kubernetes-admin-token-<cloud>)
# and authentication-config.yaml (structured JWT authenticator for the cloud's Keycloak realm). The
# broker renders that file later; it is written here only when missing or still our own, and the
# apiserver reloads it on change (~10-20 s, see docs/testbed-kubernetes.md). There is no
# controller-manager: deleted namespaces never finish deleting, no default service accounts.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KUBE_DIR="$TESTBED_DIR/kube"
KUBE_READY_TIMEOUT="${FEDBROKER_KUBE_READY_TIMEOUT:-120}"
ETCD_PID="$RUN_DIR/etcd.pid"
ETCD_LOG="$LOG_DIR/etcd.log"
ETCD_URL="http://$TESTBED_HOST:$ETCD_CLIENT_PORT"

# Servers run in a clean environment and their own session (survive the caller's process group); the
# command is exec'd directly so that $! is the server's pid.
CLEAN_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME="$HOME" setsid)
api_dir() { echo "$KUBE_DIR/$1"; }
api_pid() { echo "$RUN_DIR/kube-apiserver-$1.pid"; }
api_log() { echo "$LOG_DIR/kube-apiserver-$1.log"; }
api_url() { echo "https://$TESTBED_HOST:${KUBE_API_PORT[$1]}"; }
admin_token() { secret "kubernetes-admin-token-$1"; }

# Poll a command until it succeeds; fail at the deadline or as soon as the process behind the pid file died.
wait_for() {
  local what="$1" pidfile="$2" logfile="$3" started=$SECONDS; shift 3
  until "$@"; do
    if [ $((SECONDS - started)) -ge "$KUBE_READY_TIMEOUT" ] || ! pid_alive "$pidfile"; then
      log "$what: not ready after $((SECONDS - started))s; last log lines of $logfile:"
      tail -n 30 "$logfile" >&2 2>/dev/null || true
      return 1
    fi
    sleep 0.5
  done
}

etcd_ready() { local body; body="$(curl -sf --max-time 2 "$ETCD_URL/health")" && [[ "$body" == *'"health":"true"'* ]]; }
start_etcd() {
  if pid_alive "$ETCD_PID" && etcd_ready; then return 0; fi
  [ -x "$ETCD_BIN" ] || die "no etcd binary at $ETCD_BIN (run scripts/testbed/kube-build.sh)"
  mkdir -p "$KUBE_DIR/etcd"; chmod 700 "$KUBE_DIR/etcd"
  local peer="http://$TESTBED_HOST:$ETCD_PEER_PORT"
  "${CLEAN_ENV[@]}" "$ETCD_BIN" --name testbed --data-dir "$KUBE_DIR/etcd" \
    --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" --initial-cluster "testbed=$peer" \
    --unsafe-no-fsync --log-level warn < /dev/null >> "$ETCD_LOG" 2>&1 &
  echo $! > "$ETCD_PID"
  wait_for etcd "$ETCD_PID" "$ETCD_LOG" etcd_ready || die "etcd did not become healthy"
  log "etcd: up at $ETCD_URL"
}

# Initial structured authentication config: one JWT authenticator for the cloud's realm. A file the
# broker rendered (no marker line) is left alone; our own is refreshed (CA or Keycloak URL may change).
AUTH_MARKER="# Initial config written by scripts/testbed/kube.sh; the broker renders this file later."
write_auth_config() {
  local cloud="$1" file; file="$(api_dir "$1")/authentication-config.yaml"
  [ -s "$file" ] && [ "$(head -n 1 "$file")" != "$AUTH_MARKER" ] && return 0
  cat > "$file.tmp" <<EOF
$AUTH_MARKER
apiVersion: apiserver.config.k8s.io/v1
kind: AuthenticationConfiguration
jwt:
  - issuer:
      url: $KEYCLOAK_URL/realms/$cloud
      audiences: [kubernetes]
      certificateAuthority: |
$(sed 's/^/        /' "$CA_DIR/ca.pem")
    claimValidationRules:
      - expression: "!has(claims.groups) || !dyn(claims.groups).exists(g, string(g).startsWith('system:'))"
        message: "groups starting with system: are not accepted"
    claimMappings:
      username: {claim: preferred_username, prefix: "oidc:"}
      groups: {claim: groups, prefix: "oidc:"}
    userValidationRules:
      - expression: "!user.username.startsWith('system:')"
        message: "username must not start with system:"
EOF
  # Replace atomically and only on change: the apiserver watches this file.
  if cmp -s "$file.tmp" "$file"; then rm -f "$file.tmp"; else mv "$file.tmp" "$file"; fi
}

# Per-cloud files: service-account key pair, static admin token, authentication config.
prepare_cloud() {
  local cloud="$1" dir; dir="$(api_dir "$1")"
  mkdir -p "$dir"; chmod 700 "$dir"
  [ -s "$CA_DIR/server.pem" ] && [ -s "$CA_DIR/server.key" ] || die "no server certificate in $CA_DIR (run ca.sh first)"
  if [ ! -s "$dir/sa.key" ]; then
    (umask 077; openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/sa.key" 2>/dev/null)
    openssl pkey -in "$dir/sa.key" -pubout -out "$dir/sa.pub"
  fi
  (umask 077; printf '%s,fedbroker-admin,fedbroker-admin,"system:masters"\n' "$(admin_token "$cloud")" > "$dir/tokens.csv")
  write_auth_config "$cloud"
}

api_ready() {
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 --cacert "$CA_DIR/ca.pem" \
    -H "Authorization: Bearer $(admin_token "$1")" "$(api_url "$1")/readyz")" = 200 ]
}
start_apiserver() {
  local cloud="$1" dir url; dir="$(api_dir "$1")"; url="$(api_url "$1")"
  [ -x "$KUBE_APISERVER_BIN" ] || die "no kube-apiserver binary at $KUBE_APISERVER_BIN (run scripts/testbed/kube-build.sh)"
  "${CLEAN_ENV[@]}" "$KUBE_APISERVER_BIN" \
    --etcd-servers="$ETCD_URL" --etcd-prefix="/registry-$cloud" \
    --bind-address="$TESTBED_HOST" --advertise-address="$TESTBED_HOST" --secure-port="${KUBE_API_PORT[$cloud]}" \
    --tls-cert-file="$CA_DIR/server.pem" --tls-private-key-file="$CA_DIR/server.key" \
    --authorization-mode=RBAC \
    --token-auth-file="$dir/tokens.csv" \
    --authentication-config="$dir/authentication-config.yaml" \
    --service-account-issuer="$url" --service-account-key-file="$dir/sa.pub" \
    --service-account-signing-key-file="$dir/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 --allow-privileged=true \
    --disable-admission-plugins=ServiceAccount --endpoint-reconciler-type=none \
    --profiling=false --enable-priority-and-fairness=false < /dev/null >> "$(api_log "$cloud")" 2>&1 &
  echo $! > "$(api_pid "$cloud")"
}

# TERM the processes of the given pid files at once, wait up to 15 s, then KILL what is left.
stop_pids() {
  local file pids=() pid alive=0
  for file in "$@"; do pid_alive "$file" && pids+=("$(cat "$file")"); done
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 150); do
      alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ $alive = 1 ] || break; sleep 0.1
    done
    [ $alive = 0 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
  rm -f "$@"
}

rss_mib() { pid_alive "$1" && awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$(cat "$1")/status" || echo 0; }
status_one() {
  if pid_alive "$(api_pid "$1")" && api_ready "$1"; then
    echo "kubernetes $1 $(api_url "$1") up rss=$(rss_mib "$(api_pid "$1")")MiB"
  else
    echo "kubernetes $1 $(api_url "$1") down"; return 1
  fi
}

main() {
  local cmd="${1:-}"; shift || true
  local clouds=("$@"); [ ${#clouds[@]} -gt 0 ] || clouds=("${CLOUDS[@]}")
  local cloud rc=0 pid pids=() started=()
  for cloud in "${clouds[@]}"; do
    [ -n "${KUBE_API_PORT[$cloud]:-}" ] || die "unknown cloud '$cloud' (known: ${CLOUDS[*]})"
  done
  case "$cmd" in
    up)
      ensure_dirs
      start_etcd
      for cloud in "${clouds[@]}"; do
        if pid_alive "$(api_pid "$cloud")" && api_ready "$cloud"; then log "kubernetes $cloud: already up"; continue; fi
        stop_pids "$(api_pid "$cloud")"
        prepare_cloud "$cloud"
        start_apiserver "$cloud"; started+=("$cloud")
      done
      for cloud in "${started[@]}"; do
        (wait_for "kube-apiserver $cloud" "$(api_pid "$cloud")" "$(api_log "$cloud")" api_ready "$cloud" &&
          log "kubernetes $cloud: up at $(api_url "$cloud") (${SECONDS}s)") & pids+=($!)
      done
      for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
      [ $rc = 0 ] || die "kubernetes: not all API servers became ready"
      # No kube-controller-manager here: fill the aggregated ClusterRoles (view, edit, admin) once.
      for cloud in "${clouds[@]}"; do
        /usr/bin/python3 "$TESTBED_ROOT/scripts/testbed/kube-aggregate-roles.py" "$(api_url "$cloud")" "$CA_DIR/ca.pem" "$SECRETS_DIR/kubernetes-admin-token-$cloud" >/dev/null \
          || die "kubernetes $cloud: filling the aggregated ClusterRoles failed"
      done
      ;;
    down)
      local files=()
      for cloud in "${clouds[@]}"; do files+=("$(api_pid "$cloud")"); done
      stop_pids "${files[@]}"
      # etcd is shared: stop it once no apiserver is left.
      local any=0; for cloud in "${CLOUDS[@]}"; do pid_alive "$(api_pid "$cloud")" && any=1; done
      [ $any = 1 ] || stop_pids "$ETCD_PID"
      log "kubernetes ${clouds[*]}: down" ;;
    status)
      if pid_alive "$ETCD_PID" && etcd_ready; then echo "etcd $ETCD_URL up rss=$(rss_mib "$ETCD_PID")MiB"
      else echo "etcd $ETCD_URL down"; rc=1; fi
      for cloud in "${clouds[@]}"; do status_one "$cloud" || rc=1; done
      return $rc ;;
    *) echo "usage: $0 up|down|status [cloud...]" >&2; return 2 ;;
  esac
}
main "$@"
