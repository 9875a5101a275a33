#!/usr/bin/env bash
# API fuzzing (`npm run fuzz`): schemathesis, driven by the service's own OpenAPI document, against
# the demo system (sandbox cluster, fake Invenio, service on embedded PostgreSQL; test/fuzz/fuzz-stack.ts)
# with valid tokens. Every response must be no 5xx and conform to the document: status code, content
# type and body schema. Two bounded passes:
#   wide  parameters as the document allows (mostly unknown records and runs: 4xx paths)
#   deep  record and run parameters pinned to the sample record and a real run, so starts, actions,
#         listings and streams run their handlers through
# Prints `fuzz: N passed, M failed` last (N, M: JUnit test cases summed over the passes, one per
# operation plus one for the stateful run) and exits 1 on failure.
#
# Environment:
#   FUZZ_VENV          virtualenv with schemathesis (default ~/.cache/compchem-ci/schemathesis-venv)
#   FUZZ_MAX_EXAMPLES  examples per operation and phase (default 25)
#   FUZZ_MAX_TIME      seconds per pass (default 90)
#   FUZZ_WORKERS       concurrent schemathesis workers (default 1)
#   FUZZ_SEED          fixed seed to reproduce a run
#   FUZZ_REPORT_DIR    where the reports and the stack's log go (default: a new temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# npm puts the pinned Node first on PATH; do the same when the script is run directly.
export PATH="$ROOT/node_modules/.bin:$PATH"

SCHEMATHESIS_VERSION=4.32.5
VENV=${FUZZ_VENV:-$HOME/.cache/compchem-ci/schemathesis-venv}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-25}
MAX_TIME=${FUZZ_MAX_TIME:-90}
# One worker: hypothesis parses lambda sources with ast, which races across threads on Python 3.11
# ("AST constructor recursion depth mismatch"); the service, not the client, is the bottleneck anyway.
WORKERS=${FUZZ_WORKERS:-1}
OUT=${FUZZ_REPORT_DIR:-$(mktemp -d /tmp/fuzz.XXXXXX)}
mkdir -p "$OUT"
STARTED=$(date +%s)

summary() {
  echo "fuzz: $1 passed, $2 failed"
}

# ── schemathesis in its own virtualenv, made once and reused ──────────────────────────────────
if [ ! -x "$VENV/bin/schemathesis" ] ||
  [ "$("$VENV/bin/schemathesis" --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
  echo "fuzz: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
"$VENV/bin/schemathesis" --version

# ── the system under test ─────────────────────────────────────────────────────────────────────
STATE="$OUT/stack.json"
STACK_LOG="$OUT/stack.log"
FUZZ_STATE_FILE="$STATE" tsx test/fuzz/fuzz-stack.ts >"$STACK_LOG" 2>&1 &
STACK_PID=$!
stop_stack() {
  if kill -0 "$STACK_PID" 2>/dev/null; then
    kill -TERM "$STACK_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$STACK_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$STACK_PID" 2>/dev/null || true
  fi
}
trap stop_stack EXIT

for _ in $(seq 1 240); do
  [ -s "$STATE" ] && break
  if ! kill -0 "$STACK_PID" 2>/dev/null; then
    echo "fuzz: the stack exited before it was ready; its log:" >&2
    tail -n 40 "$STACK_LOG" >&2
    summary 0 1
    exit 1
  fi
  sleep 0.5
done
if [ ! -s "$STATE" ]; then
  echo "fuzz: the stack was not ready within 120 s; its log is $STACK_LOG" >&2
  summary 0 1
  exit 1
fi
state() { "$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$STATE" "$1"; }
BASE_URL=$(state url)
export FUZZ_USER_TOKEN FUZZ_SERVICE_TOKEN FUZZ_HOOKS
FUZZ_USER_TOKEN=$(state userToken)
FUZZ_SERVICE_TOKEN=$(state serviceToken)
FUZZ_HOOKS="$ROOT/scripts/fuzz-hooks.py"
curl -fsS "$BASE_URL/api/v1/health/readiness" >/dev/null || {
  echo "fuzz: the service at $BASE_URL is not ready" >&2
  summary 0 1
  exit 1
}
echo "fuzz: service ready at $BASE_URL after $(($(date +%s) - STARTED)) s"

# ── the passes ────────────────────────────────────────────────────────────────────────────────
CONFIG="$ROOT/scripts/fuzz-schemathesis.toml"
DEEP_CONFIG="$OUT/deep.toml"
{
  cat "$CONFIG"
  printf '\n# deep pass: the sample record, a file of it and a real run\n[parameters]\n'
  printf '"path.recordId" = "%s"\n' "$(state recordId)"
  printf '"path.name" = "%s"\n' "$(state runName)"
  printf '"path.key" = "%s"\n' "$(state fileKey)"
} >"$DEEP_CONFIG"

PASSED=0
FAILED=0
STATUS=0
run_pass() {
  local name=$1 config=$2
  local junit="$OUT/$name.junit.xml"
  echo
  echo "=== fuzz pass: $name (max ${MAX_TIME} s, ${MAX_EXAMPLES} examples per operation) ==="
  local args=(run "$BASE_URL/api/v1/openapi.json" --url "$BASE_URL" --workers "$WORKERS"
    --max-examples "$MAX_EXAMPLES" --max-time "$MAX_TIME" --no-shrink
    --report junit --report-junit-path "$junit" --output-truncate true --no-color)
  [ -n "${FUZZ_SEED:-}" ] && args+=(--seed "$FUZZ_SEED")
  local rc=0
  # From the report directory: schemathesis keeps its example database in ./.schemathesis.
  (cd "$OUT" && "$VENV/bin/schemathesis" --config-file "$config" "${args[@]}") >"$OUT/$name.log" 2>&1 || rc=$?
  # The summary and the failures, without the long generated payloads.
  sed -n '/^=\+ FAILURES =\+$/,$p' "$OUT/$name.log" | cut -c1-240
  [ -s "$junit" ] || { tail -n 30 "$OUT/$name.log" | cut -c1-240; }
  local counts
  counts=$("$VENV/bin/python" - "$junit" <<'PY' 2>/dev/null || echo "0 1"
import sys
import xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().iter("testcase")
passed = failed = 0
for case in cases:
    if case.find("failure") is not None or case.find("error") is not None:
        failed += 1
    elif case.find("skipped") is None:
        passed += 1
print(passed, failed)
PY
)
  local p f
  read -r p f <<<"$counts"
  echo "fuzz pass $name: $p passed, $f failed (exit $rc)"
  PASSED=$((PASSED + p))
  FAILED=$((FAILED + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then FAILED=$((FAILED + 1)); fi
  if [ "$rc" -ne 0 ]; then STATUS=1; fi
}
run_pass wide "$CONFIG"
run_pass deep "$DEEP_CONFIG"

stop_stack
if grep -q '"level":50' "$STACK_LOG"; then
  echo "fuzz: the service logged errors (see $STACK_LOG):"
  grep '"level":50' "$STACK_LOG" | head -n 5 | cut -c1-400
fi
echo
echo "fuzz: reports in $OUT; took $(($(date +%s) - STARTED)) s"
summary "$PASSED" "$FAILED"
if [ "$FAILED" -gt 0 ] || [ "$PASSED" -eq 0 ]; then STATUS=1; fi
exit "$STATUS"
