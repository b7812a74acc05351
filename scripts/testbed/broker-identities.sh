#!/usr/bin/env bash
# The broker's own identities with the narrowest rights each system allows: Keycloak client `fedbroker`
# (client credentials, master), Keystone user `fedbroker`, Kubernetes ServiceAccount kube-system/fedbroker
# bound to ClusterRole `fedbroker`. Idempotent: run it again on a running test bed to add or repair them.
#
#   broker-identities.sh [keycloak] [keystone] [kubernetes]      (default: all three)
#
# Secrets: secrets/keycloak-broker-client-secret, secrets/keystone-broker-<cloud>,
# secrets/kubernetes-broker-token-<cloud> (what config/federation.example.yaml points at).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_dirs
env_args=(CA_FILE="$CA_DIR/ca.pem" SECRETS_DIR="$SECRETS_DIR" CLOUDS="${CLOUDS[*]}"
  KEYCLOAK_URL="$KEYCLOAK_URL" KEYCLOAK_ADMIN_USER="$KEYCLOAK_ADMIN_USER")
for cloud in "${CLOUDS[@]}"; do
  env_args+=("KEYSTONE_URL_${cloud//-/_}=https://$TESTBED_HOST:${KEYSTONE_HTTPS_PORT[$cloud]}"
    "KUBE_URL_${cloud//-/_}=https://$TESTBED_HOST:${KUBE_API_PORT[$cloud]}")
done
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "${env_args[@]}" \
  /usr/bin/python3 "$TESTBED_ROOT/scripts/testbed/broker-identities.py" "$@"
