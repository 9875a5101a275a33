#!/usr/bin/env bash
# Builds etcd from the Go module proxy, for machines without Debian's etcd-server: a wrapper main that
# calls go.etcd.io/etcd/server/v3/etcdmain, at the etcd version k8s.io/kubernetes itself requires.
# Usage: build-etcd.sh [KUBE_VERSION]  (prints the directory holding `etcd`)
set -euo pipefail
KUBE_VERSION="${1:-${KUBE_VERSION:-v1.37.2}}"
CACHE_DIR="${COMPCHEM_CI_CACHE:-$HOME/.cache/compchem-ci}"
KUBE_GOMOD="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')"
ETCD_VERSION="$(sed -n 's#^\s*go\.etcd\.io/etcd/server/v3 \(v[0-9.]*\).*#\1#p' "$KUBE_GOMOD" | head -n 1)"
[[ -n "$ETCD_VERSION" ]] || { echo "build-etcd.sh: no etcd version in k8s.io/kubernetes@$KUBE_VERSION" >&2; exit 1; }
BIN_DIR="$CACHE_DIR/etcd-$ETCD_VERSION/bin"
if [[ -x "$BIN_DIR/etcd" ]]; then
  echo "$BIN_DIR"
  exit 0
fi
WORK_DIR="$CACHE_DIR/etcd-$ETCD_VERSION/wrapper"
mkdir -p "$WORK_DIR" "$BIN_DIR"
cd "$WORK_DIR"
cat >go.mod <<GOMOD
module compchem.local/etcd-build

go 1.25

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
GOMOD
cat >main.go <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
started=$SECONDS
nice -n 19 go mod tidy >&2
nice -n 19 go build -trimpath -ldflags '-s -w' -o "$BIN_DIR/etcd.tmp" . >&2
mv "$BIN_DIR/etcd.tmp" "$BIN_DIR/etcd"
echo "build-etcd.sh: built etcd $ETCD_VERSION in $((SECONDS - started)) s" >&2
echo "$BIN_DIR"
