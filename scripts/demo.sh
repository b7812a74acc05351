#!/usr/bin/env bash
# The demo federation (README: `npm run demo`): installs what is missing, starts the three-cloud test
# bed on 127.0.0.1, applies the demo spec, starts the broker in the background and prints a short guide
# (also written to .testbed/demo-guide.txt). Prints the time of each phase.
#   demo.sh                    everything above (idempotent: a second run checks and reuses what runs)
#   demo.sh broker             (re)start only the broker (the test bed must be up and applied)
#   demo.sh stop [--keep-testbed]   stop the broker (SIGTERM: it drains), then the test bed
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
STATE="${FEDBROKER_TESTBED_DIR:-$ROOT/.testbed}"
SPEC=config/federation.example.yaml
PIDFILE="$STATE/run/demo-broker.pid"
BROKER_LOG="$STATE/logs/demo-broker.log"
GUIDE="$STATE/demo-guide.txt"
REDIS_URL=redis://127.0.0.1:16379
BROKER_URL=https://127.0.0.1:17443

broker_alive() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

stop_broker() {
  broker_alive || { rm -f "$PIDFILE"; return 0; }
  local pid; pid="$(cat "$PIDFILE")"
  kill -TERM "$pid"
  # serve drains (in-flight deliveries finish or go back to the queue) within its grace period (30 s).
  for _ in $(seq 1 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then echo "[demo] broker $pid did not exit after 40 s; killing it" >&2; kill -KILL "$pid"; fi
  rm -f "$PIDFILE"
  echo "[demo] broker stopped (log: ${BROKER_LOG#"$ROOT"/})"
}

start_broker() {
  stop_broker >/dev/null
  mkdir -p "$STATE/logs" "$STATE/run"
  : > "$BROKER_LOG"
  # setsid: the broker outlives this script and the terminal's Ctrl-C; `demo.sh stop` ends it.
  FEDBROKER_REDIS_URL="$REDIS_URL" setsid node bin/fedbroker.mjs serve --spec "$SPEC" \
    --tls-cert "$STATE/ca/server.pem" --tls-key "$STATE/ca/server.key" \
    >> "$BROKER_LOG" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 600); do
    grep -q '"fedbroker serving"' "$BROKER_LOG" && return 0
    broker_alive || break
    sleep 0.1
  done
  echo "[demo] ERROR: the broker did not start; its log (${BROKER_LOG#"$ROOT"/}):" >&2
  tail -n 20 "$BROKER_LOG" >&2
  return 1
}

write_guide() {
  cat > "$GUIDE" <<EOF
The demo federation is running: three clouds (cloud-a, cloud-b, cloud-c) and the broker.
  Keycloak   https://127.0.0.1:18443 (one realm per cloud)    Keystone  https://127.0.0.1:16001 … 16003
  Broker     $BROKER_URL (pid $(cat "$PIDFILE"), log ${BROKER_LOG#"$ROOT"/})
  The certificates come from the demo's own CA, .testbed/ca/ca.pem: import it into your browser
  (or accept the warning once).

1. Open https://127.0.0.1:16012/ , Horizon of Cloud B. It sends you to Cloud B's sign-in page.
2. On Cloud B's sign-in page choose "Cloud A", then sign in as alice with password alice-cloud-a-pw
   at Cloud A: her home.
3. You are in Horizon of Cloud B as cloud-a.alice, on its "Projects" page (Identity), which lists
   p1: the policy gives her home group /projects/p1/members Keystone member on p1 in every partner cloud.
4. In a second terminal, from this folder:
   npx fedbroker explain $SPEC cloud-a:alice
   export FEDBROKER_REDIS_URL=$REDIS_URL
   npx fedbroker logout $SPEC cloud-a:alice
   npx fedbroker logout status <event id>
   npx fedbroker status $SPEC
   (explain: what alice gets in every cloud and why; logout: ends her sessions everywhere, prints an
   event id; logout status: the broker's delivery report per target; status: conditions per cloud.)
5. Reload Horizon: the logout ended her session there too, Horizon sends her to Cloud B's sign-in
   page, and choosing "Cloud A" asks for her home password again.

More users and passwords: realms/README.md. Stop everything: npm run demo:stop
EOF
}

since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
timings=()
phase() {
  local name="$1" t0="$EPOCHREALTIME"; shift
  "$@" || { echo "[demo] ERROR: phase $name failed" >&2; exit 1; }
  timings+=("$name $(since "$t0")s")
}

apply_spec() { node bin/fedbroker.mjs apply "$SPEC" --yes > "$STATE/logs/demo-apply.log" 2>&1 || { tail -n 30 "$STATE/logs/demo-apply.log" >&2; return 1; }; tail -n 1 "$STATE/logs/demo-apply.log"; }

case "${1:-}" in
  stop)
    stop_broker
    [ "${2:-}" = "--keep-testbed" ] || bash scripts/testbed/down.sh
    exit 0 ;;
  broker)
    start_broker
    echo "[demo] broker serving at $BROKER_URL (pid $(cat "$PIDFILE"), log ${BROKER_LOG#"$ROOT"/})"
    exit 0 ;;
  "") ;;
  *) echo "usage: $0 [broker | stop [--keep-testbed]]" >&2; exit 2 ;;
esac

t_total="$EPOCHREALTIME"
phase dependencies bash scripts/ensure-deps.sh
phase testbed bash scripts/testbed/up.sh
phase validate node bin/fedbroker.mjs validate "$SPEC"
phase apply apply_spec
phase broker start_broker
write_guide
summary=""; for t in "${timings[@]}"; do summary+="${summary:+, }$t"; done
echo
echo "demo up in $(since "$t_total")s: $summary"
echo
cat "$GUIDE"
