#!/usr/bin/env bash
# Checks the Helm chart: `helm lint` and `helm template` with the default values and with every option
# on (ci/all-on-values.yaml), writing the rendered YAML to a directory the manifest tests read.
#
#   scripts/helm-check.sh            copies up to date, lint, render; prints the output directory last
#   scripts/helm-check.sh sync       copy config/catalog.yaml and workflow-templates/ into the chart
#   scripts/helm-check.sh sync-check fail when the chart's copies differ from the originals
#
# A chart cannot read files outside its directory, so the catalog and the WorkflowTemplates it ships
# are copies, refreshed by `sync` and compared by `sync-check` (and by test/unit/helm/chart-files.test.ts).
# helm: $HELM_BIN, else `helm` on PATH. Output directory: $HELM_OUT, else a new temporary one.
set -euo pipefail
cd "$(dirname "$0")/.."
CHART=helm/compchem-fileprocessor
FILES=$CHART/files

sync_into() {
  local target=$1
  rm -rf "$target/workflow-templates"
  mkdir -p "$target/workflow-templates/volume" "$target/workflow-templates/artifacts"
  cp config/catalog.yaml "$target/catalog.yaml"
  cp workflow-templates/*.yaml "$target/workflow-templates/volume/"
  cp workflow-templates/artifacts/*.yaml "$target/workflow-templates/artifacts/"
}

check_copies() {
  local fresh
  fresh=$(mktemp -d)
  sync_into "$fresh"
  local item
  for item in catalog.yaml workflow-templates; do
    if ! diff -r "$fresh/$item" "$FILES/$item" >/dev/null 2>&1; then
      rm -rf "$fresh"
      echo "$FILES/$item differs from the original: run scripts/helm-check.sh sync" >&2
      return 1
    fi
  done
  rm -rf "$fresh"
  echo "chart copies of config/catalog.yaml and workflow-templates/ are up to date"
}

case "${1:-check}" in
  sync)
    sync_into "$FILES"
    echo "copied config/catalog.yaml and workflow-templates/ into $FILES"
    exit 0
    ;;
  sync-check)
    check_copies
    exit 0
    ;;
  check) ;;
  *)
    echo "usage: $0 [check|sync|sync-check]" >&2
    exit 2
    ;;
esac

HELM=${HELM_BIN:-$(command -v helm || true)}
if [ -z "$HELM" ]; then
  echo "helm not found: set HELM_BIN or put helm on PATH" >&2
  exit 2
fi
OUT=${HELM_OUT:-$(mktemp -d /tmp/helm-check.XXXXXX)}
# A helm built with `go install` believes the cluster is Kubernetes 1.20; render for a current one.
KUBE_VERSION=${KUBE_VERSION:-1.31.0}
mkdir -p "$OUT"

"$HELM" version --short
check_copies
echo "--- helm lint (default values)"
"$HELM" lint --strict --kube-version "$KUBE_VERSION" "$CHART"
echo "--- helm lint (every option on)"
"$HELM" lint --strict --kube-version "$KUBE_VERSION" "$CHART" -f "$CHART/ci/all-on-values.yaml"

render() {
  local name=$1
  shift
  "$HELM" template fileprocessor "$CHART" --namespace compchem --kube-version "$KUBE_VERSION" "$@" >"$OUT/$name.yaml"
  echo "rendered $OUT/$name.yaml ($(grep -c '^kind:' "$OUT/$name.yaml") objects)"
}
echo "--- helm template"
render default
render all-on -f "$CHART/ci/all-on-values.yaml"

echo "--- values.schema.json refuses a wrong type"
if "$HELM" template fileprocessor "$CHART" --kube-version "$KUBE_VERSION" --set replicaCount=two >"$OUT/bad.yaml" 2>"$OUT/bad.err"; then
  echo "helm template accepted replicaCount=two" >&2
  exit 1
fi
grep -i 'replicaCount' "$OUT/bad.err" >/dev/null || {
  cat "$OUT/bad.err" >&2
  exit 1
}
echo "refused as expected: $(head -n 3 "$OUT/bad.err" | tr '\n' ' ')"
echo "$OUT"
