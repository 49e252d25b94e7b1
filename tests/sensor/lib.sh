# lib.sh — helpers for the black-box sensor tests: `accord sensor` on
# 127.0.0.1 with kernel-chosen ports (read from --port-file), waiting for
# events in its JSON lines, and queries over them (jsonq.py, python3
# standard library).  Sources the CLI tests' helpers (run, fail, pass...).
# shellcheck source=../cli/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
: "${SENSOR_TESTS:=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
SENSOR_PID=
SERVE_PID=
LOG="$T/state/sensor.json"
trap 'stop_sensor; stop_serve; rm -rf "$T"' EXIT

for tool in python3 curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not installed (deps/debian-packages.txt)"
    exit 77
  fi
done

# start_sensor [ARGS...]: the sensor with the test's defaults (loopback,
# free ports, no privilege drop) and ARGS; ports in $SSH_PORT,
# $TELNET_PORT, $HTTP_PORT; stderr in $T/sensor.err.
start_sensor() {
  rm -f "$T/ports"
  "$ACCORD" sensor --state "$T/state" --port-file "$T/ports" \
    --set listen=127.0.0.1 --set ssh_port=0 --set telnet_port=0 \
    --set http_port=0 --set user= --set name=test-sensor "$@" \
    2>>"$T/sensor.err" &
  SENSOR_PID=$!
  for _ in $(seq 600); do
    [ -s "$T/ports" ] && break
    if ! kill -0 "$SENSOR_PID" 2>/dev/null; then
      echo "sensor did not start:" >&2
      cat "$T/sensor.err" >&2
      exit 1
    fi
    sleep 0.1
  done
  SSH_PORT=$(awk '$1 == "ssh" {print $2}' "$T/ports")
  TELNET_PORT=$(awk '$1 == "telnet" {print $2}' "$T/ports")
  HTTP_PORT=$(awk '$1 == "http" {print $2}' "$T/ports")
}

# stop_sensor: SIGTERM and a clean exit (status in $SENSOR_RC).
stop_sensor() {
  SENSOR_RC=
  if [ -n "${SENSOR_PID:-}" ] && kill -0 "$SENSOR_PID" 2>/dev/null; then
    kill -TERM "$SENSOR_PID"
    set +e
    wait "$SENSOR_PID"
    SENSOR_RC=$?
    set -e
  fi
  SENSOR_PID=
}

# start_serve [ARGS...]: `accord serve` on the data directory ($BASE).
start_serve() {
  rm -f "$T/serve.port"
  "$ACCORD" serve --listen 127.0.0.1 --port-file "$T/serve.port" "$@" \
    2>>"$T/serve.log" &
  SERVE_PID=$!
  for _ in $(seq 300); do
    [ -s "$T/serve.port" ] && break
    if ! kill -0 "$SERVE_PID" 2>/dev/null; then
      echo "accord serve did not start:" >&2
      cat "$T/serve.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  SERVE_PORT=$(cat "$T/serve.port")
}

stop_serve() {
  if [ -n "${SERVE_PID:-}" ] && kill -0 "$SERVE_PID" 2>/dev/null; then
    kill -TERM "$SERVE_PID"
    wait "$SERVE_PID" 2>/dev/null || true
  fi
  SERVE_PID=
}

# jq-like queries over the event log: jsonq [FILTER=VALUE]... -- FIELD...
jsonq() {
  python3 "$SENSOR_TESTS/jsonq.py" "$LOG" "$@"
}

# wait_events N FILTER=VALUE...: until N matching events are logged (10 s).
wait_events() {
  local want=$1
  shift
  for _ in $(seq 100); do
    [ "$(jsonq "$@" -- eventid | wc -l)" -ge "$want" ] && return 0
    sleep 0.1
  done
  fail "timed out waiting for $want events $*"
  return 0
}

# expect_events WANT FILTER...: the number of matching events is WANT.
expect_events() {
  local want=$1
  shift
  local got
  got=$(jsonq "$@" -- eventid | wc -l)
  expect_eq "$got" "$want" "events $*"
}

# count_type TYPE: distinct objects of TYPE in the store.
count_type() {
  "$ACCORD" --json stats | python3 -c "
import json, sys
t = json.load(sys.stdin).get('types', {})
print(t.get('$1', {}).get('objects', 0))"
}
