#!/usr/bin/env bash
# Builds kube-apiserver (and kube-controller-manager, for ownerReference garbage collection) from the Go
# module proxy, in a throw-away wrapper module: k8s.io/kubernetes replaces its staging modules with local
# paths, which `go install pkg@version` refuses, so the wrapper replaces each with its published v0.x.y.
# Usage: build.sh [KUBE_VERSION]  (prints the directory holding the binaries)
set -euo pipefail

KUBE_VERSION="${1:-${KUBE_VERSION:-v1.37.2}}"
CACHE_DIR="${COMPCHEM_CI_CACHE:-$HOME/.cache/compchem-ci}"
BIN_DIR="$CACHE_DIR/kubernetes-$KUBE_VERSION/bin"
WORK_DIR="$CACHE_DIR/kubernetes-$KUBE_VERSION/wrapper"
COMMANDS=(kube-apiserver kube-controller-manager)

have_all() {
  local cmd
  for cmd in "${COMMANDS[@]}"; do [[ -x "$BIN_DIR/$cmd" ]] || return 1; done
}

if have_all; then
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null || { echo 'build.sh: go is not on PATH' >&2; exit 1; }
mkdir -p "$WORK_DIR" "$BIN_DIR"
cd "$WORK_DIR"

# Staging modules share the minor version: k8s.io/kubernetes v1.N.P <-> k8s.io/<staging> v0.N.P.
STAGING_VERSION="v0.${KUBE_VERSION#v1.}"
KUBE_GOMOD="$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')"
[[ -f "$KUBE_GOMOD" ]] || { echo "build.sh: cannot download k8s.io/kubernetes@$KUBE_VERSION" >&2; exit 1; }
GO_DIRECTIVE="$(sed -n 's/^go \(.*\)$/\1/p' "$KUBE_GOMOD")"

{
  echo 'module compchem.local/kube-build'
  echo
  echo "go $GO_DIRECTIVE"
  echo
  echo "require k8s.io/kubernetes $KUBE_VERSION"
  echo
  echo 'replace ('
  sed -n 's#^\s*\(k8s\.io/[a-z0-9-]*\) => \./staging/src/k8s\.io/[a-z0-9-]*$#\1#p' "$KUBE_GOMOD" |
    while read -r module; do echo "	$module => $module $STAGING_VERSION"; done
  echo ')'
} >go.mod
# A blank import keeps k8s.io/kubernetes in the build list while `go mod tidy` resolves the rest.
cat >tools.go <<GO
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
GO

MINOR="${KUBE_VERSION#v1.}"
MINOR="${MINOR%%.*}"
LDFLAGS="-s -w"
for var in "gitVersion=$KUBE_VERSION" "gitMajor=1" "gitMinor=$MINOR" "gitTreeState=clean"; do
  LDFLAGS+=" -X k8s.io/component-base/version.$var -X k8s.io/client-go/pkg/version.$var"
done

started=$SECONDS
nice -n 19 go mod tidy -e >&2
for cmd in "${COMMANDS[@]}"; do
  nice -n 19 go build -trimpath -ldflags "$LDFLAGS" -o "$BIN_DIR/$cmd.tmp" "k8s.io/kubernetes/cmd/$cmd" >&2
  mv "$BIN_DIR/$cmd.tmp" "$BIN_DIR/$cmd"
done
echo "build.sh: built ${COMMANDS[*]} $KUBE_VERSION in $((SECONDS - started)) s" >&2
echo "$BIN_DIR"
