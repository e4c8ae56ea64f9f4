# shellcheck shell=bash
# Sourced by the smoke scripts: named steps with an expected exit code, counted, timed; and a fake AWS on
# 127.0.0.1 to check against. The caller ends with `smoke_summary` (prints "N passed, N failed", fails if any did).
SMOKE_PASSED=0
SMOKE_FAILED=0
SMOKE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# step NAME EXPECTED_EXIT CMD...: runs CMD; passes when it exits EXPECTED_EXIT. Output is shown only on failure.
step() {
  local name=$1 expected=$2
  shift 2
  local log start code
  log=$(mktemp)
  start=$(now)
  "$@" >"$log" 2>&1
  code=$?
  if [ "$code" -eq "$expected" ]; then
    SMOKE_PASSED=$((SMOKE_PASSED + 1))
    echo "  ok    $name (exit $code, $(since "$start"))"
  else
    SMOKE_FAILED=$((SMOKE_FAILED + 1))
    echo "  FAIL  $name: exit $code, expected $expected ($(since "$start"))"
    tail -n 30 "$log" | sed 's/^/        /'
  fi
  rm -f "$log"
}

# live_step NAME EXPECTED_EXIT CMD...: a step against the fake AWS; it must also have made requests to it
# (a check that never reached the fake proves nothing about the network path).
live_step() {
  local before after
  before=$(wc -l <"$FAKE_AWS_DIR/requests.log")
  step "$@"
  after=$(wc -l <"$FAKE_AWS_DIR/requests.log")
  if [ "$after" -le "$before" ]; then
    SMOKE_PASSED=$((SMOKE_PASSED - 1))
    SMOKE_FAILED=$((SMOKE_FAILED + 1))
    echo "  FAIL  $1: made no request to the fake AWS"
  else
    echo "        ($((after - before)) requests to the fake AWS)"
  fi
}

# start_fake_aws: serves the demo account; exports AWS_ENDPOINT_URL & co. into this shell; stopped on exit.
start_fake_aws() {
  FAKE_AWS_DIR=$(mktemp -d)
  node "$SMOKE_ROOT/scripts/smoke/fake-aws.mjs" "$FAKE_AWS_DIR" &
  FAKE_AWS_PID=$!
  trap 'kill "$FAKE_AWS_PID" 2>/dev/null; wait "$FAKE_AWS_PID" 2>/dev/null' EXIT
  for _ in $(seq 1 100); do
    [ -s "$FAKE_AWS_DIR/env" ] && break
    kill -0 "$FAKE_AWS_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ ! -s "$FAKE_AWS_DIR/env" ]; then
    echo "the fake AWS did not start"
    return 1
  fi
  # shellcheck disable=SC1091
  . "$FAKE_AWS_DIR/env"
}

smoke_summary() {
  echo "$SMOKE_PASSED passed, $SMOKE_FAILED failed"
  [ "$SMOKE_FAILED" -eq 0 ]
}
