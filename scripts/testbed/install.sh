#!/usr/bin/env bash
# Installs what the test bed runs, once; a warm run only checks and takes about a second.
#   - Debian packages (Keystone, Horizon, Apache + mod_auth_openidc, uwsgi, Redis, Chromium, openssl, curl, maven)
#   - the Keycloak distribution (Maven Central artifact) into the cache, unpacked and `kc.sh build`-optimized
#     so that keycloak.sh can use the fast `kc.sh start --optimized`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

APT_PACKAGES=(python3-keystone python3-openstackclient apache2-bin libapache2-mod-auth-openidc openstack-dashboard
  redis-server uwsgi-core uwsgi-plugin-python3 chromium openssl curl maven)

install_packages() {
  local pkg missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" = installed ] || missing+=("$pkg")
  done
  [ -x "$JAVA_HOME/bin/java" ] || missing+=(openjdk-17-jdk-headless)
  [ ${#missing[@]} -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages (${missing[*]}); run this script as root"
  log "install: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

fetch_keycloak() {
  [ -s "$KEYCLOAK_ARCHIVE" ] && return 0
  log "install: downloading Keycloak $KEYCLOAK_VERSION (Maven Central artifact, ~160 MB)"
  mkdir -p "$KEYCLOAK_CACHE_DIR"
  mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz" -DoutputDirectory="$KEYCLOAK_CACHE_DIR" \
    > "$KEYCLOAK_CACHE_DIR/download.log" 2>&1 || { log_tail "$KEYCLOAK_CACHE_DIR/download.log"; die "Keycloak download failed"; }
  [ -s "$KEYCLOAK_ARCHIVE" ] || die "Keycloak archive not found at $KEYCLOAK_ARCHIVE after download"
}

unpack_keycloak() {
  [ -x "$KEYCLOAK_HOME/bin/kc.sh" ] && return 0
  log "install: unpacking Keycloak into $KEYCLOAK_HOME"
  local tmp; tmp="$(mktemp -d "$KEYCLOAK_CACHE_DIR/unpack.XXXXXX")"
  tar -xzf "$KEYCLOAK_ARCHIVE" -C "$tmp" \
    || { rm -rf "$tmp" "$KEYCLOAK_ARCHIVE"; die "broken Keycloak archive (deleted); run install.sh again"; }
  rm -rf "$KEYCLOAK_HOME"
  mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$KEYCLOAK_HOME"
  rm -rf "$tmp"
}

# `kc.sh build` persists the build-time options in lib/quarkus; the stamp records which ones.
build_keycloak() {
  local stamp="$KEYCLOAK_HOME/.fedbroker-build"
  if [ -f "$KEYCLOAK_HOME/lib/quarkus/quarkus-application.dat" ] && [ "$(cat "$stamp" 2>/dev/null)" = "${KEYCLOAK_BUILD_OPTS[*]}" ]; then
    return 0
  fi
  if pid_alive "$KEYCLOAK_PID"; then die "Keycloak runs from $KEYCLOAK_HOME; stop it (keycloak.sh down) before rebuilding"; fi
  log "install: kc.sh build ${KEYCLOAK_BUILD_OPTS[*]}"
  rm -f "$stamp"
  "$KEYCLOAK_HOME/bin/kc.sh" build "${KEYCLOAK_BUILD_OPTS[@]}" > "$KEYCLOAK_CACHE_DIR/build.log" 2>&1 \
    || { log_tail "$KEYCLOAK_CACHE_DIR/build.log"; die "kc.sh build failed"; }
  echo "${KEYCLOAK_BUILD_OPTS[*]}" > "$stamp"
}

install_openstack_cli() {
  # A venv records its own path, so it is built in place; the stamp says the install completed.
  local stamp="$OPENSTACK_CLI_VENV/.fedbroker-installed" log_file="$CACHE_DIR/openstack-cli/install.log"
  [ -f "$stamp" ] && [ -x "$OPENSTACK_CLI" ] && return 0
  log "install: openstack CLI (${OPENSTACK_CLI_PINS[*]}) from PyPI into $OPENSTACK_CLI_VENV"
  rm -rf "$OPENSTACK_CLI_VENV"; mkdir -p "$(dirname "$OPENSTACK_CLI_VENV")"
  { /usr/bin/python3 -m venv "$OPENSTACK_CLI_VENV" && "$OPENSTACK_CLI_VENV/bin/pip" install -q --disable-pip-version-check "${OPENSTACK_CLI_PINS[@]}"; } \
    > "$log_file" 2>&1 || { log_tail "$log_file"; rm -rf "$OPENSTACK_CLI_VENV"; die "openstack CLI install failed"; }
  touch "$stamp"
}

ensure_dirs
install_packages
install_openstack_cli
fetch_keycloak
unpack_keycloak
build_keycloak
