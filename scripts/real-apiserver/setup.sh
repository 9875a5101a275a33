#!/usr/bin/env bash
# Puts on a fresh API server what the contract suite needs: its namespace, the chart's Role bound to the
# `fileprocessor` token's user, and Argo's CRDs (read from the reference folder at run time).
# Usage: setup.sh SERVER CA_FILE ADMIN_TOKEN NAMESPACE CRD_DIR minimal|full
# `full` swaps the workflows and workflowtemplates CRDs for Argo's full-schema ones.
set -euo pipefail
server=$1 ca=$2 token=$3 namespace=$4 crd_dir=$5 mode=$6
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RULES=$ROOT/helm/compchem-fileprocessor/files/rbac/service-rules.yaml
ANSWER=$(mktemp)
trap 'rm -f "$ANSWER"' EXIT

call() { # method path [curl args] -> prints the HTTP code; a body comes as YAML
  local method=$1 path=$2
  shift 2
  curl -sS --cacert "$ca" -H "Authorization: Bearer $token" -H 'Content-Type: application/yaml' \
    -o "$ANSWER" -w '%{http_code}' -X "$method" "$server$path" "$@"
}
create() { # path, YAML on stdin; an object that already exists is fine
  local code
  code=$(call POST "$1" --data-binary @-)
  [[ $code == 201 || $code == 409 ]] || { echo "setup: POST $1 -> $code: $(cat "$ANSWER")" >&2; exit 1; }
}
wait_for() { # code path
  for _ in $(seq 300); do [[ "$(call GET "$2")" == "$1" ]] && return 0; sleep 0.1; done
  echo "setup: GET $2 never answered $1: $(cat "$ANSWER")" >&2
  exit 1
}

CRDS=/apis/apiextensions.k8s.io/v1/customresourcedefinitions
if [[ $mode == full ]]; then
  for plural in workflows workflowtemplates; do
    call DELETE "$CRDS/$plural.argoproj.io" >/dev/null
    wait_for 404 "$CRDS/$plural.argoproj.io"
    create "$CRDS" <"$crd_dir/full-argoproj.io_$plural.yaml"
  done
else
  create /api/v1/namespaces <<<"{apiVersion: v1, kind: Namespace, metadata: {name: $namespace}}"
  create "/api/v1/namespaces/$namespace/serviceaccounts" \
    <<<"{apiVersion: v1, kind: ServiceAccount, metadata: {name: default}}"
  {
    echo 'apiVersion: rbac.authorization.k8s.io/v1'
    echo 'kind: Role'
    echo 'metadata: {name: fileprocessor}'
    echo 'rules:'
    sed 's/^/  /' "$RULES"
  } | create "/apis/rbac.authorization.k8s.io/v1/namespaces/$namespace/roles"
  create "/apis/rbac.authorization.k8s.io/v1/namespaces/$namespace/rolebindings" <<'YAML'
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: fileprocessor}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: fileprocessor}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: fileprocessor}]
YAML
  for plural in workflows workflowtemplates clusterworkflowtemplates; do
    create "$CRDS" <"$crd_dir/minimal-argoproj.io_$plural.yaml"
  done
fi
# Established: the resources answer.
wait_for 200 "/apis/argoproj.io/v1alpha1/namespaces/$namespace/workflows"
wait_for 200 "/apis/argoproj.io/v1alpha1/namespaces/$namespace/workflowtemplates"
wait_for 200 "/apis/argoproj.io/v1alpha1/clusterworkflowtemplates"
echo "setup: namespace $namespace, Role fileprocessor, $mode Argo CRDs"
