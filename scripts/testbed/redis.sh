#!/usr/bin/env bash
# Redis for the broker's state, queues and locks: Debian's redis-server as a plain daemon on 127.0.0.1.
#
#   redis.sh up|down|status
#
# Data (append-only file) in $TESTBED_DIR/redis, kept across down/up.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

up() {
  ensure_dirs
  if pid_alive "$REDIS_PID" && redis_ready; then log "redis: already up at $REDIS_URL"; return 0; fi
  port_in_use "$REDIS_PORT" && die "port $REDIS_PORT is taken by another process (not ours: no live $REDIS_PID)"
  command -v redis-server >/dev/null || die "redis-server is not installed; run scripts/testbed/install.sh"
  mkdir -p "$REDIS_DIR"
  redis-server --port "$REDIS_PORT" --bind "$TESTBED_HOST" --daemonize yes \
    --dir "$REDIS_DIR" --appendonly yes --save '' \
    --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" >/dev/null
  wait_until 10 redis_ready || { log_tail "$REDIS_LOG"; die "redis: no PONG on $REDIS_URL"; }
  log "redis: up at $REDIS_URL"
}

down() {
  stop_pidfile "$REDIS_PID" 10
  log "redis: down"
}

status() {
  if pid_alive "$REDIS_PID" && redis_ready; then
    echo "redis $REDIS_URL up (pid $(cat "$REDIS_PID"), $(redis-cli -h "$TESTBED_HOST" -p "$REDIS_PORT" dbsize) keys)"
  else
    echo "redis $REDIS_URL down"; return 1
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
