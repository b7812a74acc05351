#!/usr/bin/env bash
# Shared settings of the loopback test bed: paths, ports, versions.
# Sourced by the other scripts in this folder; every value can be overridden from the environment.
set -euo pipefail

# The servers these scripts start must not inherit the caller's descriptors: a lock such as
# `flock FILE scripts/testbed/up.sh` holds would otherwise stay held by Keycloak or Apache for good.
for _fd in /proc/$$/fd/*; do
  _fd="${_fd##*/}"
  if [ "$_fd" -gt 2 ] && [ "$_fd" -lt 255 ]; then eval "exec $_fd>&-" 2>/dev/null || true; fi
done
unset _fd

TESTBED_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# All runtime state (certificates, databases, logs, pids) lives here; git-ignored.
TESTBED_DIR="${FEDBROKER_TESTBED_DIR:-$TESTBED_ROOT/.testbed}"
# Downloads and builds that survive a fresh clone (Keycloak archive, kube-apiserver, etcd).
CACHE_DIR="${FEDBROKER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/scs-fed-broker}"

KEYCLOAK_PINNED_VERSION=26.7.3
# The version `npm run test:matrix` checks besides the pinned one (the previous pin).
KEYCLOAK_MATRIX_VERSION=26.5.6
KEYCLOAK_VERSION="${FEDBROKER_KEYCLOAK_VERSION:-$KEYCLOAK_PINNED_VERSION}"
TESTBED_HOST=127.0.0.1
KEYCLOAK_HTTPS_PORT="${FEDBROKER_KEYCLOAK_PORT:-18443}"
KEYCLOAK_MGMT_PORT="${FEDBROKER_KEYCLOAK_MGMT_PORT:-19000}"
KEYCLOAK_URL="https://$TESTBED_HOST:$KEYCLOAK_HTTPS_PORT"
KEYCLOAK_ADMIN_USER="${FEDBROKER_KEYCLOAK_ADMIN_USER:-admin}"

REDIS_PORT="${FEDBROKER_REDIS_PORT:-16379}"

CLOUDS=(cloud-a cloud-b cloud-c)
# Keystone per cloud: uwsgi on an internal loopback http port, Apache (TLS, mod_auth_openidc) in front.
declare -A KEYSTONE_HTTPS_PORT=([cloud-a]=16001 [cloud-b]=16002 [cloud-c]=16003)
declare -A KEYSTONE_UWSGI_PORT=([cloud-a]=16101 [cloud-b]=16102 [cloud-c]=16103)
# Horizon (Debian's openstack-dashboard) for the clouds listed here: uwsgi on an internal port, Apache
# (TLS) in front; Keystone's WebSSO route of that cloud is opened for it (scripts/testbed/horizon.sh).
HORIZON_CLOUDS=(cloud-b)
declare -A HORIZON_HTTPS_PORT=([cloud-b]=16012)
declare -A HORIZON_UWSGI_PORT=([cloud-b]=16212)
# The openstack CLI with a keystoneauth1 that has the OIDC device authorization grant (Debian's 5.0.0
# has none), in a virtual environment of Debian's Python, cached: PyPI versions pinned here.
OPENSTACK_CLI_PINS=(keystoneauth1==5.18.1 python-openstackclient==10.5.0)
OPENSTACK_CLI_VENV="$CACHE_DIR/openstack-cli/keystoneauth1-5.18.1-osc-10.5.0"
OPENSTACK_CLI="$OPENSTACK_CLI_VENV/bin/openstack"
has_horizon() { local c; for c in "${HORIZON_CLOUDS[@]}"; do [ "$c" = "$1" ] && return 0; done; return 1; }
horizon_url() { echo "https://$TESTBED_HOST:${HORIZON_HTTPS_PORT[$1]}"; }

CA_DIR="$TESTBED_DIR/ca"
LOG_DIR="$TESTBED_DIR/logs"
RUN_DIR="$TESTBED_DIR/run"
SECRETS_DIR="$TESTBED_DIR/secrets"

log() { printf '[testbed] %s\n' "$*" >&2; }
die() { printf '[testbed] ERROR: %s\n' "$*" >&2; exit 1; }

ensure_dirs() { mkdir -p "$TESTBED_DIR" "$CA_DIR" "$LOG_DIR" "$RUN_DIR" "$SECRETS_DIR" "$CACHE_DIR"; chmod 700 "$SECRETS_DIR"; }

# Generate a secret once and keep it in the state folder.
secret() {
  local name="$1" file="$SECRETS_DIR/$1"
  if [ ! -s "$file" ]; then (umask 077; openssl rand -hex 16 > "$file"); fi
  cat "$file"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# --- Keycloak, Redis and the orchestration scripts (install/keycloak/redis/up/down/status/wait) ---
export JAVA_HOME="${FEDBROKER_JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
KEYCLOAK_CACHE_DIR="$CACHE_DIR/keycloak"
KEYCLOAK_ARCHIVE="$KEYCLOAK_CACHE_DIR/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz"
# Unpacked and `kc.sh build`-optimized once; read-only afterwards. KEYCLOAK_DATA_DIR is the per-test-bed
# Keycloak home (links to KEYCLOAK_HOME plus its own data/: database, realm import, truststore, tmp).
KEYCLOAK_HOME="$KEYCLOAK_CACHE_DIR/keycloak-$KEYCLOAK_VERSION"
# client-secret-rotation (preview): the secret-rotation client-policy executor, so that `fedbroker rotate-secrets`
# keeps the previous secret of a client valid until the partner has the new one.
KEYCLOAK_BUILD_OPTS=(--db=dev-file --health-enabled=true --features=client-secret-rotation)
# A Keycloak database is migrated forward by a newer server and cannot go back: another version than
# the pinned one (FEDBROKER_KEYCLOAK_VERSION, e.g. for `npm run test:matrix`) gets a data dir of its own.
if [ "$KEYCLOAK_VERSION" = "$KEYCLOAK_PINNED_VERSION" ]; then KEYCLOAK_DATA_DIR="$TESTBED_DIR/keycloak"
else KEYCLOAK_DATA_DIR="$TESTBED_DIR/keycloak-$KEYCLOAK_VERSION"; fi
KEYCLOAK_MGMT_URL="https://$TESTBED_HOST:$KEYCLOAK_MGMT_PORT"
KEYCLOAK_PID="$RUN_DIR/keycloak.pid"
KEYCLOAK_LOG="$LOG_DIR/keycloak.log"
REALMS_DIR="$TESTBED_ROOT/realms"
REDIS_DIR="$TESTBED_DIR/redis"
REDIS_PID="$RUN_DIR/redis.pid"
REDIS_LOG="$LOG_DIR/redis.log"
REDIS_URL="redis://$TESTBED_HOST:$REDIS_PORT"
TESTBED_JSON="$TESTBED_DIR/testbed.json"

# curl to a test-bed HTTPS endpoint, trusting the test CA only.
tb_curl() { curl -fsS --max-time 5 --cacert "$CA_DIR/ca.pem" "$@"; }
# wait_until SECONDS COMMAND...: run COMMAND every 0.25 s until it succeeds; fails when time is up.
wait_until() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ "$SECONDS" -lt "$deadline" ] || return 1; sleep 0.25; done
}
keycloak_realm_ready() { tb_curl -o /dev/null "$KEYCLOAK_URL/realms/$1/.well-known/openid-configuration" 2>/dev/null; }
keycloak_ready() {
  tb_curl -o /dev/null "$KEYCLOAK_MGMT_URL/health/ready" 2>/dev/null || return 1
  local cloud; for cloud in "${CLOUDS[@]}"; do keycloak_realm_ready "$cloud" || return 1; done
}
redis_ready() { [ "$(redis-cli -h "$TESTBED_HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
# Last lines of a log file on stderr (for failures).
log_tail() { log "last ${2:-40} lines of $1:"; tail -n "${2:-40}" "$1" >&2 2>/dev/null || true; }
# RSS in KiB of the process groups of all live pid files in RUN_DIR (or of the pid files given).
testbed_rss_kib() {
  local file pgids=() files=("$@")
  [ $# -gt 0 ] || files=("$RUN_DIR"/*.pid)
  for file in "${files[@]}"; do
    pid_alive "$file" && pgids+=("$(ps -o pgid= -p "$(cat "$file")" | tr -d ' ' || true)")
  done
  [ ${#pgids[@]} -gt 0 ] || { echo 0; return; }
  printf '%s\n' "${pgids[@]}" | sort -u | while read -r g; do ps -o rss= -g "$g" || true; done | awk '{s+=$1} END {print s+0}'
}

# Kubernetes test clusters (scripts/testbed/kube.sh): one etcd shared by one kube-apiserver per cloud.
# Versions come from the build recipes in tools/kube and tools/etcd (built by scripts/testbed/kube-build.sh).
KUBE_VERSION="$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$TESTBED_ROOT/tools/kube/go.mod")"
ETCD_VERSION="$(awk '$1 == "require" && $2 == "go.etcd.io/etcd/server/v3" { print $3 }' "$TESTBED_ROOT/tools/etcd/go.mod")"
KUBE_APISERVER_BIN="$CACHE_DIR/kube/$KUBE_VERSION/kube-apiserver"
ETCD_BIN="$CACHE_DIR/etcd/$ETCD_VERSION/etcd"
ETCD_CLIENT_PORT="${FEDBROKER_ETCD_CLIENT_PORT:-16479}"
ETCD_PEER_PORT="${FEDBROKER_ETCD_PEER_PORT:-16480}"
declare -A KUBE_API_PORT=([cloud-a]=16441 [cloud-b]=16442 [cloud-c]=16443)
# stop_pidfile FILE [SECONDS]: TERM the pid, wait (default 30 s), then KILL its process group; removes FILE.
stop_pidfile() {
  local file="$1" pid
  if pid_alive "$file"; then
    pid="$(cat "$file")"
    kill -TERM "$pid" 2>/dev/null || true
    wait_until "${2:-30}" pid_gone "$pid" || kill -KILL -- "-$pid" "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}
pid_gone() { ! kill -0 "$1" 2>/dev/null; }
# True when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() { (: < "/dev/tcp/$TESTBED_HOST/$1") 2>/dev/null; }

# Apache's workers run as www-data and mod_auth_openidc reads the CA bundle from them, on every JWKS
# fetch. A checkout may sit below a folder www-data cannot enter (`mktemp -d` makes 0700 folders), so
# the bundle lives in a world-traversable folder of its own, one per test-bed folder.
WWW_READABLE_DIR="${FEDBROKER_WWW_READABLE_DIR:-/tmp/scs-fed-broker-www-$(id -u)-$(printf '%s' "$TESTBED_DIR" | sha256sum | cut -c1-12)}"
www_ca() { echo "$WWW_READABLE_DIR/ca.pem"; }

publish_ca_for_www_data() {
  # The clouds start in parallel and publish the same bundle: each writes a file of its own and renames
  # it into place (atomic), since two `install`s onto one path can fail with "File exists".
  local tmp
  install -d -m 755 "$WWW_READABLE_DIR" && tmp="$(mktemp "$WWW_READABLE_DIR/.ca.pem.XXXXXX")" || return 1
  if ! { cat "$CA_DIR/ca.pem" > "$tmp" && chmod 644 "$tmp" && mv -f "$tmp" "$(www_ca)"; }; then rm -f "$tmp"; return 1; fi
  if id -u www-data >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    setpriv --reuid=www-data --regid=www-data --clear-groups test -r "$(www_ca)" ||
      die "www-data cannot read $(www_ca): make every folder above it traversable (chmod o+x) or set FEDBROKER_WWW_READABLE_DIR"
  fi
}
