#!/usr/bin/env bash
# Horizon (Debian's openstack-dashboard, Zed) for the clouds in HORIZON_CLOUDS (lib.sh): the dashboard
# runs in uwsgi on an internal loopback port, an Apache instance of its own serves it with TLS from the
# test CA, plus the static files Debian compressed at install time. Its settings are the package's,
# overridden by a module in $TESTBED_DIR/horizon/<cloud>/: the test CA, and the federation's WebSSO
# settings as `fedbroker render horizon` prints them (keystone.sh opens Keystone's WebSSO route with
# what `fedbroker render keystone-apache` prints).
#   horizon.sh up|down|status
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APACHE_MODULES=/usr/lib/apache2/modules
HORIZON_READY_TIMEOUT="${FEDBROKER_HORIZON_READY_TIMEOUT:-90}"
HORIZON_STATIC=/var/lib/openstack-dashboard/static
clean_env() { env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"; }

hz_dir() { echo "$TESTBED_DIR/horizon/$1"; }
uwsgi_pid() { echo "$RUN_DIR/horizon-$1.pid"; }
apache_pid() { echo "$RUN_DIR/apache-horizon-$1.pid"; }
uwsgi_log() { echo "$LOG_DIR/horizon-$1.log"; }
apache_log() { echo "$LOG_DIR/apache-horizon-$1.log"; }

write_settings() {
  local cloud="$1" dir; dir="$(hz_dir "$1")"
  secret "horizon-secret-key-$cloud" > /dev/null
  cat > "$dir/fedbroker_horizon_settings.py" <<PY
# Horizon of test-bed cloud $cloud (written by scripts/testbed/horizon.sh): Debian's settings, then these.
from openstack_dashboard.settings import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["$TESTBED_HOST"]
with open("$SECRETS_DIR/horizon-secret-key-$cloud") as _f:
    SECRET_KEY = _f.read().strip()
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
OPENSTACK_SSL_CACERT = "$CA_DIR/ca.pem"
OPENSTACK_SSL_NO_VERIFY = False
# The test bed's clouds run no Nova: the default landing page (Project, Compute overview) would only say
# "not authorized". A signed-in user lands on Identity, Projects, instead.
HORIZON_CONFIG["user_home"] = "/identity/"
# The federation's part (Keystone URL, WebSSO choices, identity provider mapping, logout URL).
exec(open("$dir/websso_settings.py").read())
PY
  # The federation's part is exactly what `fedbroker render horizon` prints for this cloud from the demo spec.
  [ -d "$TESTBED_ROOT/node_modules" ] || die "horizon $cloud: node_modules missing (npm install): its WebSSO settings are rendered by fedbroker"
  (cd "$TESTBED_ROOT" && node bin/fedbroker.mjs render horizon config/federation.example.yaml --cloud "$cloud") > "$dir/websso_settings.py" \
    || die "horizon $cloud: fedbroker render horizon failed"
  cat > "$dir/wsgi.py" <<PY
import os
os.environ["DJANGO_SETTINGS_MODULE"] = "fedbroker_horizon_settings"
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
PY
}

write_apache_conf() {
  local cloud="$1" dir port; dir="$(hz_dir "$1")"; port="${HORIZON_HTTPS_PORT[$1]}"
  cat > "$dir/apache.conf" <<CONF
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
LoadModule alias_module $APACHE_MODULES/mod_alias.so
LoadModule mime_module $APACHE_MODULES/mod_mime.so
LoadModule ssl_module $APACHE_MODULES/mod_ssl.so
LoadModule proxy_module $APACHE_MODULES/mod_proxy.so
LoadModule proxy_uwsgi_module $APACHE_MODULES/mod_proxy_uwsgi.so
LoadModule auth_openidc_module $APACHE_MODULES/mod_auth_openidc.so
TypesConfig /etc/mime.types

StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
ErrorLog "$(apache_log "$cloud")"
LogLevel warn ssl:error auth_openidc:${FEDBROKER_HORIZON_OIDC_LOGLEVEL:-warn}
LogFormat "%h %t \"%r\" %>s %b %Dus" horizon
CustomLog "$(apache_log "$cloud")" horizon

<VirtualHost $TESTBED_HOST:$port>
  SSLEngine on
  SSLCertificateFile "$CA_DIR/server.pem"
  SSLCertificateKeyFile "$CA_DIR/server.key"
  # The dashboard itself sits behind an OIDC session at the cloud's realm (client horizon, code + PKCE):
  # when her realm session ends anywhere (a logout the broker relays), the realm's back-channel logout
  # ends this session too, and Horizon's next page sends her to sign in, whatever Horizon's own session says.
  OIDCProviderMetadataURL "$KEYCLOAK_URL/realms/$cloud/.well-known/openid-configuration"
  OIDCClientID horizon
  OIDCProviderTokenEndpointAuth none
  OIDCPKCEMethod S256
  OIDCScope "openid"
  OIDCRedirectURI "$(horizon_url "$cloud")/oidc/redirect"
  # Cookies do not tell ports apart: Keystone's mod_auth_openidc on the same host uses the default name.
  OIDCCookie fedbroker_horizon_session
  OIDCCryptoPassphrase "\${FEDBROKER_OIDC_CRYPTO_PASSPHRASE}"
  OIDCCABundlePath "$(www_ca)"
  OIDCSSLValidateServer On
  <Location "/">
    AuthType openid-connect
    Require valid-user
  </Location>
  Alias /static/ "$HORIZON_STATIC/"
  <Directory "$HORIZON_STATIC">
    Require all granted
  </Directory>
  <Location "/static/">
    Require all granted
  </Location>
  ProxyPass /static/ !
  # mod_auth_openidc answers its redirect URI (code exchange, back-channel logout) itself.
  ProxyPass /oidc/redirect !
  ProxyPass "/" "uwsgi://127.0.0.1:${HORIZON_UWSGI_PORT[$cloud]}/"
</VirtualHost>
CONF
}

start_uwsgi() {
  local cloud="$1" dir; dir="$(hz_dir "$1")"
  pid_alive "$(uwsgi_pid "$cloud")" && return 0
  clean_env PYTHONPATH="$dir" /usr/bin/uwsgi \
    --plugin python3 --uwsgi-socket "127.0.0.1:${HORIZON_UWSGI_PORT[$cloud]}" \
    --wsgi-file "$dir/wsgi.py" --processes 1 --threads 4 --need-app \
    --buffer-size 65535 --die-on-term \
    --pidfile "$(uwsgi_pid "$cloud")" --daemonize "$(uwsgi_log "$cloud")"
}

# Ready: the login page answers, with the sign-in form or (WebSSO by default) a redirect to Keystone.
ready() {
  local code; code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$CA_DIR/ca.pem" "$(horizon_url "$1")/auth/login/")"
  [ "$code" = 200 ] || [ "$code" = 302 ]
}

stop_pids() {
  local file pid
  for file in "$@"; do
    pid_alive "$file" || { rm -f "$file"; continue; }
    pid="$(cat "$file")"; kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$file"
  done
}

up_one() {
  local cloud="$1" dir started=$SECONDS; dir="$(hz_dir "$1")"
  if pid_alive "$(uwsgi_pid "$cloud")" && pid_alive "$(apache_pid "$cloud")" && ready "$cloud"; then
    register_in_realm "$cloud" || die "horizon $cloud: could not register Horizon in realm $cloud"
    log "horizon $cloud: already up at $(horizon_url "$cloud")"; return 0
  fi
  [ -d "$HORIZON_STATIC" ] || die "horizon: $HORIZON_STATIC missing (apt-get install openstack-dashboard; install.sh does)"
  mkdir -p "$dir/apache-run"
  register_in_realm "$cloud" || die "horizon $cloud: could not register Horizon in realm $cloud"
  write_settings "$cloud"
  write_apache_conf "$cloud"
  stop_pids "$(uwsgi_pid "$cloud")" "$(apache_pid "$cloud")"
  start_uwsgi "$cloud" || die "horizon $cloud: uwsgi did not start"
  publish_ca_for_www_data || die "horizon $cloud: cannot publish the CA bundle in $WWW_READABLE_DIR"
  clean_env FEDBROKER_OIDC_CRYPTO_PASSPHRASE="$(secret "horizon-oidc-crypto-$cloud")" /usr/sbin/apache2 -f "$dir/apache.conf" -k start || { log_tail "$(apache_log "$cloud")" 25; die "horizon $cloud: apache did not start"; }
  until ready "$cloud"; do
    if [ $((SECONDS - started)) -ge "$HORIZON_READY_TIMEOUT" ]; then
      log_tail "$(uwsgi_log "$cloud")" 30; log_tail "$(apache_log "$cloud")" 10
      die "horizon $cloud: not ready at $(horizon_url "$cloud")/auth/login/"
    fi
    sleep 0.3
  done
  log "horizon $cloud: up at $(horizon_url "$cloud") ($((SECONDS - started))s)"
}

register_in_realm() {
  local cloud="$1"
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 CA_FILE="$CA_DIR/ca.pem" SECRETS_DIR="$SECRETS_DIR" CLOUDS="${CLOUDS[*]}" \
    KEYCLOAK_URL="$KEYCLOAK_URL" KEYCLOAK_ADMIN_USER="$KEYCLOAK_ADMIN_USER" \
    /usr/bin/python3 "$HERE/horizon-realm.py" "$cloud=$(horizon_url "$cloud")=https://$TESTBED_HOST:${KEYSTONE_HTTPS_PORT[$cloud]}"
}

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
case "${1:-}" in
  up) ensure_dirs; for cloud in "${HORIZON_CLOUDS[@]}"; do up_one "$cloud"; done ;;
  down)
    for cloud in "${HORIZON_CLOUDS[@]}"; do stop_pids "$(apache_pid "$cloud")" "$(uwsgi_pid "$cloud")"; done
    log "horizon ${HORIZON_CLOUDS[*]}: down" ;;
  status)
    rc=0
    for cloud in "${HORIZON_CLOUDS[@]}"; do
      if pid_alive "$(uwsgi_pid "$cloud")" && pid_alive "$(apache_pid "$cloud")" && ready "$cloud"; then echo "horizon $cloud $(horizon_url "$cloud") up"
      else echo "horizon $cloud $(horizon_url "$cloud") down"; rc=1; fi
    done
    exit $rc ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
