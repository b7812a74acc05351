#!/usr/bin/env bash
# Local test CA and a loopback server certificate (IP:127.0.0.1, DNS:localhost) in .testbed/ca.
# Idempotent: keeps existing files, renews the server certificate only when it expires within 7 days.
# Output: ca.pem, ca.key, server.pem (leaf + CA chain), server.key, truststore.p12 (CA only, password in secrets/truststore).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_dirs
cd "$CA_DIR"
umask 077

if [ ! -s ca.pem ] || [ ! -s ca.key ]; then
  log "ca: creating test CA"
  rm -f server.pem server.key truststore.p12
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 -days 3650 \
    -subj "/O=SCS Federation Broker test bed/CN=fedbroker test CA $(date +%Y%m%d%H%M%S)" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout ca.key -out ca.pem 2>/dev/null
fi

if [ ! -s server.key ] || [ ! -s server.pem ] || ! openssl x509 -in server.pem -noout -checkend 604800 >/dev/null; then
  log "ca: issuing server certificate for 127.0.0.1/localhost"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -sha256 \
    -subj "/O=SCS Federation Broker test bed/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
  printf '%s\n' "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" > server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 397 \
    -extfile server.ext -out server.leaf.pem 2>/dev/null
  cat server.leaf.pem ca.pem > server.pem
  rm -f server.csr server.ext server.leaf.pem ca.srl
fi

# Java truststore (PKCS#12) holding the CA, for Java tools; Keycloak itself reads ca.pem via --truststore-paths.
if [ ! -s truststore.p12 ]; then
  rm -f truststore.p12
  "$JAVA_HOME/bin/keytool" -importcert -noprompt -alias fedbroker-test-ca -file ca.pem -keystore truststore.p12 \
    -storetype PKCS12 -storepass "$(secret truststore)" >/dev/null 2>&1
fi
chmod 644 ca.pem server.pem truststore.p12
chmod 600 ca.key server.key
