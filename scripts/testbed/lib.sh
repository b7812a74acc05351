#!/usr/bin/env bash
# Shared settings of the loopback test bed: paths, ports, versions.
# Sourced by the other scripts in this folder; every value can be overridden from the environment.
set -euo pipefail

TESTBED_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# All runtime state (certificates, databases, logs, pids) lives here; git-ignored.
TESTBED_DIR="${FEDBROKER_TESTBED_DIR:-$TESTBED_ROOT/.testbed}"
# Downloads and builds that survive a fresh clone (Keycloak archive, kube-apiserver, etcd).
CACHE_DIR="${FEDBROKER_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/scs-fed-broker}"

KEYCLOAK_VERSION="${FEDBROKER_KEYCLOAK_VERSION:-26.5.6}"
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
