#!/usr/bin/env bash
# Runs the contract suite (test/contract) against a REAL kube-apiserver: builds kube-apiserver and
# kube-controller-manager from the Go module proxy (or reuses them from ~/.cache/compchem-ci), starts
# etcd + kube-apiserver (+ the garbage collector) on loopback with TLS, static tokens and RBAC, installs
# Argo's CRDs from ARGO_REFERENCE_DIR (read at run time, never copied), writes a kubeconfig, runs
# `npm run test:contract` against it (minimal CRDs), then again for the full-schema cases with Argo's
# full CRDs, and stops everything.
#
# Usage: scripts/real-apiserver.sh [--keep] [jest args...]
#   KUBE_VERSION   k8s.io/kubernetes version to build (default v1.37.2)
#   KUBE_BIN_DIR   use the binaries in this directory instead of building them
#   ETCD_BIN       etcd binary (default: the version k8s.io/kubernetes requires, built from Go modules;
#                  Debian's etcd-server 3.4 lacks RequestWatchProgress, which the watch cases need)
#   --keep         leave the cluster running and print how to use it (stop with the printed kill command)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
HERE=$ROOT/scripts/real-apiserver
KUBE_VERSION=${KUBE_VERSION:-v1.37.2}
export ARGO_REFERENCE_DIR=${ARGO_REFERENCE_DIR:-../shared/argo}
CRD_DIR=$(cd "$ROOT" && realpath -m "$ARGO_REFERENCE_DIR/crds")
NAMESPACE=contract
KEEP=0
if [[ "${1:-}" == --keep ]]; then
  KEEP=1
  shift
fi

log() { printf '\n=== %s ===\n' "$*" >&2; }
[[ -d "$CRD_DIR" ]] || { echo "Argo CRDs not found at $CRD_DIR (set ARGO_REFERENCE_DIR)" >&2; exit 1; }

# --- binaries -------------------------------------------------------------------------------------------
log "kube-apiserver $KUBE_VERSION"
started=$SECONDS
if [[ -n "${KUBE_BIN_DIR:-}" ]]; then BIN_DIR=$KUBE_BIN_DIR; else BIN_DIR=$(bash "$HERE/build.sh" "$KUBE_VERSION"); fi
BUILD_SECONDS=$((SECONDS - started))
echo "binaries in $BIN_DIR ($BUILD_SECONDS s)" >&2
# Debian's etcd-server (3.4.23) starts, but lacks RequestWatchProgress: kube-apiserver 1.37 then refuses
# watches from resourceVersion 0 with bookmarks (500) and sends no bookmarks while its watch cache lags.
# So the default is the etcd that k8s.io/kubernetes itself requires, built from Go modules.
if [[ -z "${ETCD_BIN:-}" ]]; then
  started=$SECONDS
  ETCD_BIN=$(bash "$HERE/build-etcd.sh" "$KUBE_VERSION")/etcd
  BUILD_SECONDS=$((BUILD_SECONDS + SECONDS - started))
fi
ETCD_VERSION_TEXT=$("$ETCD_BIN" --version)
echo "${ETCD_VERSION_TEXT%%$'\n'*}" >&2

# --- working directory, ports, certificates, tokens -------------------------------------------------------
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/real-apiserver.XXXXXX")
PIDS=()
stop_all() {
  local pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[i]}
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$RUN_DIR"
}
trap 'stop_all; rm -rf "${ETCD_DATA:-}"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ETCD_PORT=$(free_port)
ETCD_PEER_PORT=$(free_port)
API_PORT=$(free_port)

bash "$HERE/certs.sh" "$RUN_DIR/pki" >&2
ADMIN_TOKEN=$(openssl rand -hex 16)
SERVICE_TOKEN=$(openssl rand -hex 16)
# token,user,uid,"groups": the admin is system:masters; `fileprocessor` gets exactly the chart's Role.
cat >"$RUN_DIR/tokens.csv" <<EOF
$ADMIN_TOKEN,contract-admin,contract-admin,"system:masters"
$SERVICE_TOKEN,fileprocessor,fileprocessor,"contract:service"
EOF

# --- etcd, kube-apiserver, kube-controller-manager ---------------------------------------------------------
log "starting etcd and kube-apiserver"
started=$SECONDS
DATA_ROOT=/dev/shm
[[ -w $DATA_ROOT ]] || DATA_ROOT=$RUN_DIR
ETCD_DATA=$(mktemp -d "$DATA_ROOT/contract-etcd.XXXXXX")
"$ETCD_BIN" --name contract --data-dir "$ETCD_DATA" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "contract=http://127.0.0.1:$ETCD_PEER_PORT" >"$RUN_DIR/etcd.log" 2>&1 &
PIDS+=($!)

PKI=$RUN_DIR/pki
nice -n 5 "$BIN_DIR/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
  --client-ca-file "$PKI/ca.crt" \
  --token-auth-file "$RUN_DIR/tokens.csv" \
  --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --service-cluster-ip-range 10.96.0.0/24 --endpoint-reconciler-type none \
  --enable-priority-and-fairness=false \
  --v 1 >"$RUN_DIR/kube-apiserver.log" 2>&1 &
PIDS+=($!)

SERVER=https://127.0.0.1:$API_PORT
api() { curl -sS --cacert "$PKI/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" "$@"; }
for _ in $(seq 240); do
  [[ "$(api -o /dev/null -w '%{http_code}' "$SERVER/readyz" 2>/dev/null)" == 200 ]] && break
  if ! kill -0 "${PIDS[-1]}" 2>/dev/null; then
    tail -n 30 "$RUN_DIR/kube-apiserver.log" >&2
    echo 'kube-apiserver exited' >&2
    exit 1
  fi
  sleep 0.5
done
[[ "$(api -o /dev/null -w '%{http_code}' "$SERVER/readyz")" == 200 ]] || { tail -n 30 "$RUN_DIR/kube-apiserver.log" >&2; exit 1; }
STARTUP_SECONDS=$((SECONDS - started))
echo "kube-apiserver $(api "$SERVER/version" | sed -n 's/.*"gitVersion": "\([^"]*\)".*/\1/p') ready on $SERVER in $STARTUP_SECONDS s" >&2

KUBECONFIG_FILE=$RUN_DIR/kubeconfig
write_kubeconfig() { # file user token
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: contract
  cluster: {server: '$SERVER', certificate-authority: '$PKI/ca.crt'}
users:
- name: $2
  user: {token: '$3'}
contexts:
- name: contract
  context: {cluster: contract, user: $2, namespace: $NAMESPACE}
current-context: contract
EOF
}
write_kubeconfig "$KUBECONFIG_FILE" contract-admin "$ADMIN_TOKEN"
write_kubeconfig "$RUN_DIR/kubeconfig-service" fileprocessor "$SERVICE_TOKEN"

# Owner-reference garbage collection (and the namespace's default ServiceAccount) is the controller
# manager's job, not the API server's.
if [[ -x "$BIN_DIR/kube-controller-manager" ]]; then
  "$BIN_DIR/kube-controller-manager" --kubeconfig "$KUBECONFIG_FILE" \
    --controllers garbagecollector,serviceaccount,namespace --leader-elect=false \
    --secure-port 0 --use-service-account-credentials=false --v 1 >"$RUN_DIR/kube-controller-manager.log" 2>&1 &
  PIDS+=($!)
else
  echo 'no kube-controller-manager: the garbage collection cases will fail' >&2
fi

# --- what the suite needs on the server --------------------------------------------------------------------
bash "$HERE/setup.sh" "$SERVER" "$PKI/ca.crt" "$ADMIN_TOKEN" "$NAMESPACE" "$CRD_DIR" minimal >&2

if [[ $KEEP == 1 ]]; then
  echo "export KUBECONFIG=$KUBECONFIG_FILE CONTRACT_SERVICE_KUBECONFIG=$RUN_DIR/kubeconfig-service"
  echo "stop with: kill ${PIDS[*]}; rm -rf $RUN_DIR $ETCD_DATA"
  trap - EXIT
  exit 0
fi
run_suite() { # label, extra env..., -- jest args
  local label=$1
  shift
  local started=$SECONDS status=0
  log "contract suite on the real server: $label"
  env KUBECONFIG="$KUBECONFIG_FILE" CONTRACT_SERVICE_KUBECONFIG="$RUN_DIR/kubeconfig-service" \
    CONTRACT_NAMESPACE=$NAMESPACE "$@" 2>&1 | tee -a "$RUN_DIR/suite.log" || status=$?
  echo "suite ($label): $((SECONDS - started)) s, exit $status" >&2
  return $status
}

SUITE_STATUS=0
started=$SECONDS
run_suite 'minimal CRDs (as Argo installs them)' npm run test:contract -- "$@" || SUITE_STATUS=$?
bash "$HERE/setup.sh" "$SERVER" "$PKI/ca.crt" "$ADMIN_TOKEN" "$NAMESPACE" "$CRD_DIR" full >&2
run_suite 'full CRD schemas' env CONTRACT_CRDS=full node_modules/.bin/node --experimental-vm-modules \
  node_modules/jest/bin/jest.js test/contract/full-schema "$@" ||
  SUITE_STATUS=$?
SUITE_SECONDS=$((SECONDS - started))

log "timings"
echo "build (0 when cached): $BUILD_SECONDS s; kube-apiserver start: $STARTUP_SECONDS s; suite: $SUITE_SECONDS s"
if [[ $SUITE_STATUS != 0 ]]; then
  echo "--- last lines of kube-apiserver.log ---" >&2
  tail -n 20 "$RUN_DIR/kube-apiserver.log" >&2
fi
exit $SUITE_STATUS
