#!/usr/bin/env bash
# Build kube-apiserver and etcd from the Go module proxy (recipes in tools/kube and tools/etcd) into
# $CACHE_DIR/{kube,etcd}/<version>/, only when the cached binary for the pinned version is missing.
# The Go module and build caches live under $CACHE_DIR/go so later runs (and CI on this machine) reuse them.
# Prints wall time and the peak RSS of the largest build process for each binary.
# Usage: scripts/testbed/kube-build.sh [--force]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FORCE=0; [ "${1:-}" = "--force" ] && FORCE=1
GO="${FEDBROKER_GO:-$(command -v go || echo /usr/local/go/bin/go)}"

export GOMODCACHE="$CACHE_DIR/go/mod" GOCACHE="$CACHE_DIR/go/build"
export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" CGO_ENABLED=0
# Two cores: at most two compile jobs; a soft heap limit per compiler/linker keeps the peak bounded.
export GOMEMLIMIT="${FEDBROKER_GO_MEMLIMIT:-1500MiB}"
PARALLEL="${FEDBROKER_GO_PARALLEL:-2}"

# build <module dir> <package> <output> <ldflags>
build() {
  local dir="$1" pkg="$2" out="$3" ldflags="$4" tmp report
  if [ -x "$out" ] && [ "$FORCE" = 0 ]; then log "cached: $out"; return 0; fi
  [ -x "$GO" ] || die "go not found (put it on PATH or set FEDBROKER_GO)"
  [ -x /usr/bin/time ] || die "/usr/bin/time missing: apt-get install -y time"
  mkdir -p "$(dirname "$out")" "$LOG_DIR"
  tmp="$out.tmp.$$"; report="$LOG_DIR/build-$(basename "$out").time"
  log "building $pkg -> $out (log: $report)"
  (cd "$TESTBED_ROOT/$dir" &&
    /usr/bin/time -v -o "$report" "$GO" build -p "$PARALLEL" -trimpath -ldflags "$ldflags" -o "$tmp" "$pkg") ||
    { rm -f "$tmp"; tail -n 30 "$report" >&2 || true; die "build of $pkg failed"; }
  mv "$tmp" "$out"
  log "built $(basename "$out"): wall $(awk -F': ' '/Elapsed \(wall/ {print $2}' "$report")," \
    "peak RSS $(awk -F': ' '/Maximum resident/ {printf "%d MiB", $2/1024}' "$report")," \
    "size $(du -m "$out" | cut -f1) MiB"
}

ensure_dirs
BUILD_DATE="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
KMAJOR="${KUBE_VERSION#v}"; KMINOR="${KMAJOR#*.}"; KMINOR="${KMINOR%%.*}"; KMAJOR="${KMAJOR%%.*}"
kv=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kv+=" -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=$KMAJOR -X $p.gitMinor=$KMINOR"
  kv+=" -X $p.gitTreeState=clean -X $p.buildDate=$BUILD_DATE"
done

build tools/etcd go.etcd.io/etcd/server/v3 "$ETCD_BIN" "-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$ETCD_VERSION"
build tools/kube k8s.io/kubernetes/cmd/kube-apiserver "$KUBE_APISERVER_BIN" "-s -w$kv"
# Capture the whole output first: under pipefail, `etcd --version | head -1` fails at random when head
# exits before etcd has written its last line (etcd then dies of SIGPIPE).
report_version() {
  local out
  out="$("$1" --version 2>&1)" || die "$1 --version failed (exit $?): $out"
  printf '%s\n' "${out%%$'\n'*}" >&2
}
report_version "$ETCD_BIN"
report_version "$KUBE_APISERVER_BIN"
