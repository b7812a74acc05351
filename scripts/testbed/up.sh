#!/usr/bin/env bash
# Brings the whole loopback test bed up: install, CA, Redis, Keycloak, the Keystones, the Kubernetes
# clusters (kube-apiserver + etcd, built from source once and cached), the broker's own identities; then writes
# $TESTBED_DIR/testbed.json (what the tests read) and prints the time of each phase and the memory used.
# Idempotent: parts that already run and answer are only checked, so a second `up` takes seconds.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ensure_dirs

if pid_alive "$KEYCLOAK_PID"; then kind="already running"
elif [ -d "$KEYCLOAK_DATA_DIR/data/h2" ]; then kind="warm start"
else kind="cold start"; fi

# Peak RSS of the test-bed processes, sampled every second while `up` runs.
peak_file="$RUN_DIR/up-peak-rss"
echo 0 > "$peak_file"
(
  peak=0
  while sleep 1; do
    now="$(testbed_rss_kib)"
    if [ "$now" -gt "$peak" ]; then peak=$now; echo "$peak" > "$peak_file"; fi
  done
) &
sampler=$!
trap 'kill "$sampler" 2>/dev/null || true' EXIT

timings=()
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
phase() {
  local name="$1" t0="$EPOCHREALTIME"; shift
  "$@" || die "phase $name failed"
  timings+=("$name $(since "$t0")s")
}

write_testbed_json() {
  local clouds="" cloud
  for cloud in "${CLOUDS[@]}"; do clouds+="$cloud=${KEYSTONE_HTTPS_PORT[$cloud]}=${KUBE_API_PORT[$cloud]}=${HORIZON_HTTPS_PORT[$cloud]:-} "; done
  CA="$CA_DIR/ca.pem" KC_URL="$KEYCLOAK_URL" KC_USER="$KEYCLOAK_ADMIN_USER" SECRETS="$SECRETS_DIR" \
  REDIS="$REDIS_URL" HOST="$TESTBED_HOST" CLOUD_PORTS="$clouds" OUT="$TESTBED_JSON" KUBE_DIR="$TESTBED_DIR/kube" OPENSTACK_CLI="$OPENSTACK_CLI" \
  /usr/bin/python3 - <<'PY'
import json, os
e = os.environ
clouds = {}
for item in e["CLOUD_PORTS"].split():
    cloud, port, kube_port, horizon_port = item.split("=")
    clouds[cloud] = {
        "realm": cloud,
        "issuer": f"{e['KC_URL']}/realms/{cloud}",
        "keystone": {
            "url": f"https://{e['HOST']}:{port}",
            "adminUser": "admin",
            "adminPasswordFile": f"{e['SECRETS']}/keystone-admin-{cloud}",
            "identityProvider": "keycloak",
        },
        "kubernetes": {
            "url": f"https://{e['HOST']}:{kube_port}",
            "adminTokenFile": f"{e['SECRETS']}/kubernetes-admin-token-{cloud}",
            "authenticationConfigFile": f"{e['KUBE_DIR']}/{cloud}/authentication-config.yaml",
        },
    }
    if horizon_port:
        clouds[cloud]["horizon"] = {"url": f"https://{e['HOST']}:{horizon_port}"}
doc = {
    "caFile": e["CA"],
    "keycloak": {"url": e["KC_URL"], "adminUser": e["KC_USER"], "adminPasswordFile": f"{e['SECRETS']}/keycloak-admin"},
    "redis": {"url": e["REDIS"]},
    "openstackCli": e["OPENSTACK_CLI"],
    "clouds": clouds,
}
tmp = e["OUT"] + ".tmp"
with open(tmp, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
os.replace(tmp, e["OUT"])
PY
}

t_total="$EPOCHREALTIME"
phase install bash "$HERE/install.sh"
phase ca bash "$HERE/ca.sh"
# kube-apiserver and etcd are built (cold: minutes of Go compilation) while Redis, Keycloak and the
# Keystones start; the kube-build phase is the time waited for the build after those.
kube_build_log="$LOG_DIR/kube-build.log"
bash "$HERE/kube-build.sh" > "$kube_build_log" 2>&1 &
kube_build_pid=$!
wait_kube_build() { wait "$kube_build_pid" || { tail -n 30 "$kube_build_log" >&2; return 1; }; grep -h '^\[testbed\] built' "$kube_build_log" >&2 || true; }
phase redis bash "$HERE/redis.sh" up
phase keycloak bash "$HERE/keycloak.sh" up
phase keystone bash "$HERE/keystone.sh" up
phase horizon bash "$HERE/horizon.sh" up
phase kube-build wait_kube_build
phase kubernetes bash "$HERE/kube.sh" up
phase broker-identities bash "$HERE/broker-identities.sh"
phase testbed.json write_testbed_json
phase check bash "$HERE/wait.sh" 60
total="$(since "$t_total")"

kc_kib="$(testbed_rss_kib "$KEYCLOAK_PID")"
redis_kib="$(testbed_rss_kib "$REDIS_PID")"
all_kib="$(testbed_rss_kib)"
peak_kib="$(cat "$peak_file")"; [ "$peak_kib" -gt "$all_kib" ] || peak_kib="$all_kib"
mib() { echo "$(( $1 / 1024 )) MiB"; }
summary=""; for t in "${timings[@]}"; do summary+="${summary:+, }$t"; done
echo "test bed up ($kind) in ${total}s: $summary"
echo "memory (RSS): keycloak $(mib "$kc_kib"), redis $(mib "$redis_kib"), keystone+apache+kubernetes $(mib $((all_kib - kc_kib - redis_kib))); all $(mib "$all_kib"), peak during up $(mib "$peak_kib")"
echo "testbed.json: $TESTBED_JSON"
