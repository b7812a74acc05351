#!/usr/bin/env bash
# Stops the whole test bed (Keystones, Keycloak, Redis). Data stays for a warm next start.
#   down.sh [--purge]      --purge also deletes $TESTBED_DIR (next `up` is a cold start; caches stay)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

purge=false
case "${1:-}" in
  --purge) purge=true ;;
  "") ;;
  *) echo "usage: $0 [--purge]" >&2; exit 2 ;;
esac

rc=0
bash "$HERE/kube.sh" down || rc=1
bash "$HERE/horizon.sh" down || rc=1
bash "$HERE/keystone.sh" down || rc=1
bash "$HERE/keycloak.sh" down || rc=1
bash "$HERE/redis.sh" down || rc=1

if $purge && [ -d "$TESTBED_DIR" ]; then
  # Only a folder that looks like a test bed, never / or $HOME by a wrong FEDBROKER_TESTBED_DIR.
  case "$(cd "$TESTBED_DIR" && pwd -P)" in /|"$HOME"|"$TESTBED_ROOT") die "refusing to delete $TESTBED_DIR" ;; esac
  [ -d "$TESTBED_DIR/run" ] || [ -d "$TESTBED_DIR/ca" ] || die "$TESTBED_DIR does not look like a test bed; not deleting"
  rm -rf "$TESTBED_DIR"
  log "down: deleted $TESTBED_DIR"
fi
exit $rc
