#!/usr/bin/env bash
# Keystone (Zed, sqlite) per cloud behind Apache + mod_auth_openidc, the way SCS deploys it.
#
#   keystone.sh up|down|status [cloud...]      (default: all clouds of lib.sh)
#
# Per cloud, state lives in $TESTBED_DIR/keystone/<cloud>/ (keystone.conf, keystone.db, key
# repositories, apache.conf). uwsgi serves keystone-wsgi-public on 127.0.0.1:KEYSTONE_UWSGI_PORT
# (uwsgi protocol, one process, one thread); Apache terminates TLS on 127.0.0.1:KEYSTONE_HTTPS_PORT
# with the test CA's server certificate and proxies everything to uwsgi. On
# /v3/OS-FEDERATION/identity_providers/<idp>/protocols/openid/auth Apache accepts only a bearer token
# signed by the cloud's Keycloak realm and hands its claims to Keystone as OIDC-<claim> variables.
# The first `up` runs db_sync, key setup and bootstrap (admin password: `secret keystone-admin-<cloud>`);
# later ones are warm starts. `down` keeps the data; delete $TESTBED_DIR/keystone for a cold start.
# Environment: FEDBROKER_KEYSTONE_DEBUG=true (Keystone logs each request's WSGI environment),
# FEDBROKER_KEYSTONE_OIDC_LOGLEVEL=debug (mod_auth_openidc), FEDBROKER_KEYSTONE_READY_TIMEOUT (s, default 90).
# Facts and quirks: docs/testbed-keystone.md.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY=/usr/bin/python3
APACHE_MODULES=/usr/lib/apache2/modules
KEYSTONE_READY_TIMEOUT="${FEDBROKER_KEYSTONE_READY_TIMEOUT:-90}"

# Keystone tools and servers run with Debian's python and a clean environment (no pyenv, no proxies).
clean_env() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"; }

ks_dir() { echo "$TESTBED_DIR/keystone/$1"; }
uwsgi_pid() { echo "$RUN_DIR/keystone-$1.pid"; }
apache_pid() { echo "$RUN_DIR/apache-keystone-$1.pid"; }
uwsgi_log() { echo "$LOG_DIR/keystone-$1.log"; }
apache_log() { echo "$LOG_DIR/apache-keystone-$1.log"; }
keystone_url() { echo "https://$TESTBED_HOST:${KEYSTONE_HTTPS_PORT[$1]}"; }
realm_issuer() { echo "$KEYCLOAK_URL/realms/$1"; }


write_keystone_conf() {
  local cloud="$1" dir; dir="$(ks_dir "$1")"
  cat > "$dir/keystone.conf" <<EOF
[DEFAULT]
public_endpoint = $(keystone_url "$cloud")
debug = ${FEDBROKER_KEYSTONE_DEBUG:-false}
use_stderr = true

[database]
connection = sqlite:///$dir/keystone.db

[fernet_tokens]
key_repository = $dir/fernet-keys
max_active_keys = 3

[fernet_receipts]
key_repository = $dir/fernet-keys

[credential]
key_repository = $dir/credential-keys

[identity]
password_hash_rounds = 4

[cache]
enabled = true
backend = dogpile.cache.memory

[auth]
methods = password,token,openid,mapped,application_credential

[openid]
remote_id_attribute = OIDC-iss

[federation]
assertion_prefix = OIDC-
# 0 (Zed's default, stated here on purpose): group memberships carried over from a mapping do not
# persist, so the broker's persistent memberships (role sync) are the only ones that outlive a token.
default_authorization_ttl = 0
$(websso_conf "$cloud")

[token]
provider = fernet
expiration = 3600
EOF
}

# Keystone's WebSSO for a cloud with Horizon: the dashboard it may hand tokens to, and the page that
# hands them over (a form that posts the token to the dashboard).
websso_conf() {
  local cloud="$1"
  has_horizon "$cloud" || { echo "# no dashboard: WebSSO is closed (apache.conf denies its route)"; return 0; }
  echo "trusted_dashboard = $(horizon_url "$cloud")/auth/websso/"
  echo "sso_callback_template = $(ks_dir "$cloud")/sso_callback_template.html"
}

write_sso_callback_template() {
  cat > "$(ks_dir "$1")/sso_callback_template.html" <<'HTML'
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Signing in to the dashboard</title></head>
<body>
<form id="sso" name="sso" action="$host" method="post">
  <input type="hidden" name="token" id="token" value="$token">
  <noscript><button type="submit">Continue to the dashboard</button></noscript>
</form>
<script>document.getElementById("sso").submit();</script>
</body>
</html>
HTML
}

# The WebSSO route of a cloud with Horizon: exactly what `fedbroker render keystone-apache` prints for
# it from the demo spec (mod_auth_openidc: code + PKCE at the cloud's own realm). Without Horizon the
# route stays denied.
websso_apache() {
  local cloud="$1"
  if ! has_horizon "$cloud"; then
    printf '  <LocationMatch "^/v3/auth/OS-FEDERATION/">\n    Require all denied\n  </LocationMatch>\n'
    return 0
  fi
  [ -d "$TESTBED_ROOT/node_modules" ] || die "keystone $cloud: node_modules missing (npm install): the WebSSO config is rendered by fedbroker"
  (cd "$TESTBED_ROOT" && node bin/fedbroker.mjs render keystone-apache config/federation.example.yaml --cloud "$cloud") | sed 's/^/  /' \
    || die "keystone $cloud: fedbroker render keystone-apache failed"
}

write_apache_conf() {
  local cloud="$1" dir port; dir="$(ks_dir "$1")"; port="${KEYSTONE_HTTPS_PORT[$1]}"
  local issuer; issuer="$(realm_issuer "$cloud")"
  cat > "$dir/apache.conf" <<EOF
ServerRoot "$dir"
ServerName $TESTBED_HOST
Listen $TESTBED_HOST:$port
PidFile "$(apache_pid "$cloud")"
DefaultRuntimeDir "$dir/apache-run"
User www-data
Group www-data

LoadModule mpm_event_module $APACHE_MODULES/mod_mpm_event.so
LoadModule authn_core_module $APACHE_MODULES/mod_authn_core.so
LoadModule authz_core_module $APACHE_MODULES/mod_authz_core.so
LoadModule authz_user_module $APACHE_MODULES/mod_authz_user.so
LoadModule ssl_module $APACHE_MODULES/mod_ssl.so
LoadModule proxy_module $APACHE_MODULES/mod_proxy.so
LoadModule proxy_uwsgi_module $APACHE_MODULES/mod_proxy_uwsgi.so
LoadModule auth_openidc_module $APACHE_MODULES/mod_auth_openidc.so

StartServers 1
ServerLimit 1
ThreadsPerChild 16
MinSpareThreads 1
MaxSpareThreads 16
MaxRequestWorkers 16
ErrorLog "$(apache_log "$cloud")"
LogLevel warn ssl:error auth_openidc:${FEDBROKER_KEYSTONE_OIDC_LOGLEVEL:-warn}
LogFormat "%h %t \"%r\" %>s %b %Dus user=%u correlation=%{X-Correlation-Id}i" keystone
CustomLog "$(apache_log "$cloud")" keystone

<VirtualHost $TESTBED_HOST:$port>
  SSLEngine on
  SSLCertificateFile "$CA_DIR/server.pem"
  SSLCertificateKeyFile "$CA_DIR/server.key"

  OIDCOAuthVerifyJwksUri "$issuer/protocol/openid-connect/certs"
  OIDCCABundlePath "$(www_ca)"
  OIDCOAuthSSLValidateServer On
  OIDCOAuthRemoteUserClaim sub
  OIDCClaimPrefix "OIDC-"
  OIDCClaimDelimiter ";"
  OIDCPassClaimsAs both

  <LocationMatch "^/v3/OS-FEDERATION/identity_providers/[^/]+/protocols/openid/auth$">
    AuthType oauth20
    Require valid-user
  </LocationMatch>
$(websso_apache "$cloud")

  ProxyPass "/" "uwsgi://127.0.0.1:${KEYSTONE_UWSGI_PORT[$cloud]}/"
</VirtualHost>
EOF
}

# First start only: schema, WAL, key repositories, admin user/project/endpoint. Each step is checked
# explicitly (errexit does not apply inside a function called as `initialize || ...`).
initialize() {
  local cloud="$1" dir; dir="$(ks_dir "$1")"
  local manage=(clean_env "$PY" /usr/bin/keystone-manage --config-file "$dir/keystone.conf")
  log "keystone $cloud: initializing (db_sync, keys, bootstrap)"
  "${manage[@]}" db_sync || return 1
  "$PY" -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' "$dir/keystone.db" || return 1
  "${manage[@]}" fernet_setup --keystone-user root --keystone-group root || return 1
  "${manage[@]}" credential_setup --keystone-user root --keystone-group root || return 1
  "${manage[@]}" bootstrap \
    --bootstrap-username admin --bootstrap-password "$(secret "keystone-admin-$cloud")" \
    --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
    --bootstrap-public-url "$(keystone_url "$cloud")/v3" || return 1
  touch "$dir/.bootstrapped"
}

start_uwsgi() {
  local cloud="$1" dir; dir="$(ks_dir "$1")"
  pid_alive "$(uwsgi_pid "$cloud")" && return 0
  clean_env OS_KEYSTONE_CONFIG_DIR="$dir" /usr/bin/uwsgi \
    --plugin python3 --uwsgi-socket "127.0.0.1:${KEYSTONE_UWSGI_PORT[$cloud]}" \
    --wsgi-file /usr/bin/keystone-wsgi-public --processes 1 --threads 1 --need-app \
    --buffer-size 65535 --die-on-term \
    --pidfile "$(uwsgi_pid "$cloud")" --daemonize "$(uwsgi_log "$cloud")"
}

start_apache() {
  local cloud="$1" dir; dir="$(ks_dir "$1")"
  [ -s "$CA_DIR/server.pem" ] && [ -s "$CA_DIR/server.key" ] || die "no server certificate in $CA_DIR (run ca.sh first)"
  publish_ca_for_www_data || die "keystone $cloud: cannot publish the CA bundle in $WWW_READABLE_DIR"
  mkdir -p "$dir/apache-run"
  # mod_auth_openidc's crypto passphrase reaches the rendered config as an Apache variable.
  clean_env FEDBROKER_OIDC_CRYPTO_PASSPHRASE="$(secret "keystone-oidc-crypto-$cloud")" /usr/sbin/apache2 -f "$dir/apache.conf" -k start
}

ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$CA_DIR/ca.pem" "$(keystone_url "$1")/v3")" = 200 ]; }

# Polls GET /v3 through Apache; gives up at the deadline, or early when a process died after its start.
wait_ready() {
  local cloud="$1" started=$SECONDS
  until ready "$cloud"; do
    if [ $((SECONDS - started)) -ge "$KEYSTONE_READY_TIMEOUT" ] || { [ $((SECONDS - started)) -ge 3 ] &&
        ! { pid_alive "$(uwsgi_pid "$cloud")" && pid_alive "$(apache_pid "$cloud")"; }; }; then
      log "keystone $cloud: not ready at $(keystone_url "$cloud")/v3"
      log_tail "$(uwsgi_log "$cloud")" 25; log_tail "$(apache_log "$cloud")" 25
      return 1
    fi
    sleep 0.2
  done
}

up_one() {
  local cloud="$1" dir; dir="$(ks_dir "$1")"
  if pid_alive "$(uwsgi_pid "$cloud")" && pid_alive "$(apache_pid "$cloud")" && ready "$cloud"; then
    log "keystone $cloud: already up at $(keystone_url "$cloud")"; return 0
  fi
  mkdir -p "$dir"
  write_keystone_conf "$cloud"
  write_apache_conf "$cloud"
  write_sso_callback_template "$cloud"
  [ -f "$dir/.bootstrapped" ] || initialize "$cloud" >> "$(uwsgi_log "$cloud")" 2>&1 \
    || { log_tail "$(uwsgi_log "$cloud")" 25; die "keystone $cloud: initialization failed"; }
  start_uwsgi "$cloud" || die "keystone $cloud: uwsgi did not start"
  stop_pids "$(apache_pid "$cloud")"
  start_apache "$cloud" || { log_tail "$(apache_log "$cloud")" 25; die "keystone $cloud: apache did not start"; }
  wait_ready "$cloud" || die "keystone $cloud: not ready"
  log "keystone $cloud: up at $(keystone_url "$cloud") (${SECONDS}s)"
}

# TERM the processes of the given pid files at once, wait up to 10 s, then KILL what is left
# (sqlite in WAL mode survives that).
stop_pids() {
  local file pids=() pid i alive
  for file in "$@"; do pid_alive "$file" && pids+=("$(cat "$file")"); done
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for i in $(seq 1 100); do
      alive=0; for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
      [ $alive = 1 ] || break; sleep 0.1
    done
    [ $alive = 0 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
  rm -f "$@"
}

status_one() {
  if pid_alive "$(uwsgi_pid "$1")" && pid_alive "$(apache_pid "$1")" && ready "$1"; then
    echo "keystone $1 $(keystone_url "$1")/v3 up"
  else
    echo "keystone $1 $(keystone_url "$1")/v3 down"; return 1
  fi
}

main() {
  local cmd="${1:-}"; shift || true
  local clouds=("$@"); [ ${#clouds[@]} -gt 0 ] || clouds=("${CLOUDS[@]}")
  local cloud
  for cloud in "${clouds[@]}"; do
    [ -n "${KEYSTONE_HTTPS_PORT[$cloud]:-}" ] || die "unknown cloud '$cloud' (known: ${CLOUDS[*]})"
  done
  case "$cmd" in
    up)
      ensure_dirs
      local pids=() rc=0 pid
      for cloud in "${clouds[@]}"; do up_one "$cloud" & pids+=($!); done
      for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
      return $rc ;;
    down)
      local files=()
      for cloud in "${clouds[@]}"; do files+=("$(apache_pid "$cloud")" "$(uwsgi_pid "$cloud")"); done
      stop_pids "${files[@]}"
      log "keystone ${clouds[*]}: down" ;;
    status)
      local rc=0
      for cloud in "${clouds[@]}"; do status_one "$cloud" || rc=1; done
      return $rc ;;
    *) echo "usage: $0 up|down|status [cloud...]" >&2; return 2 ;;
  esac
}

main "$@"
