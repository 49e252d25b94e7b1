# lib.sh — helpers for the federation tests: several Accord instances,
# each a data directory $T/NAME served on 127.0.0.1 on a port the kernel
# picks (--port 0 --port-file), the fake peer, and small STIX documents.
# Sources the CLI tests' helpers (run, fail, pass, expect_in, ...).
# shellcheck source=../cli/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
unset ACCORD_DATA
declare -A SPID PORT
FAKE_PID=
trap 'cleanup' EXIT

cleanup() {
  local n
  for n in "${!SPID[@]}"; do
    if [ -n "${SPID[$n]}" ] && kill -0 "${SPID[$n]}" 2>/dev/null; then
      kill -TERM "${SPID[$n]}" 2>/dev/null || true
      wait "${SPID[$n]}" 2>/dev/null || true
    fi
  done
  if [ -n "$FAKE_PID" ]; then
    kill -TERM "$FAKE_PID" 2>/dev/null || true
    wait "$FAKE_PID" 2>/dev/null || true
  fi
  rm -rf "$T"
}

# acc NAME ARGS...: accord on instance NAME.
acc() {
  local n=$1
  shift
  "$ACCORD" -d "$T/$n" "$@"
}

# inst NAME: a fresh instance.
inst() { acc "$1" init >/dev/null; }

# serve NAME [ARGS...]: start `accord serve` for NAME; port in ${PORT[NAME]}.
serve() {
  local n=$1
  shift
  rm -f "$T/$n.port"
  "$ACCORD" -d "$T/$n" serve --listen 127.0.0.1 --port 0 \
    --port-file "$T/$n.port" --set access_log=false "$@" 2>>"$T/$n.log" &
  SPID[$n]=$!
  local i
  for i in $(seq 300); do
    [ -s "$T/$n.port" ] && break
    if ! kill -0 "${SPID[$n]}" 2>/dev/null; then
      echo "server $n did not start:" >&2
      cat "$T/$n.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  PORT[$n]=$(cat "$T/$n.port")
}

# unserve NAME: SIGTERM and wait; exit status in $STOP_RC.
unserve() {
  local n=$1
  STOP_RC=
  if [ -n "${SPID[$n]:-}" ] && kill -0 "${SPID[$n]}" 2>/dev/null; then
    kill -TERM "${SPID[$n]}"
    set +e
    wait "${SPID[$n]}"
    STOP_RC=$?
    set -e
  fi
  SPID[$n]=
}

# fake [ARGS...]: start the misbehaving peer; port in $FAKE_PORT, its
# request log in $T/fake.log.
fake() {
  rm -f "$T/fake.port"
  "$FAKEPEER" "$T/fake.port" "$T/fake.log" "$@" 2>>"$T/fake.err" &
  FAKE_PID=$!
  local i
  for i in $(seq 100); do
    [ -s "$T/fake.port" ] && break
    sleep 0.1
  done
  FAKE_PORT=$(cat "$T/fake.port")
}

unfake() {
  if [ -n "$FAKE_PID" ]; then
    kill -TERM "$FAKE_PID" 2>/dev/null || true
    wait "$FAKE_PID" 2>/dev/null || true
  fi
  FAKE_PID=
}

# wait_for DESCRIPTION SECONDS CMD...: run CMD every 0.2 s until it
# succeeds (bounded); fail with DESCRIPTION otherwise.
wait_for() {
  local what=$1 secs=$2 i
  shift 2
  for i in $(seq $((secs * 5))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  fail "timed out after ${secs}s waiting for: $what"
  return 1
}

# has NAME ID: instance NAME holds object ID (as its operator).
has() { acc "$1" get "$2" >/dev/null 2>&1; }

TLP_CLEAR=marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487
TLP_GREEN=marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb
TLP_AMBER=marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421
TLP_STRICT=marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003
TLP_RED=marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1
EXT=extension-definition--5c6d7a1e-2f48-4b9c-8e3a-6d0f1b2c3e4a

# ind UUID-SUFFIX MARKING [ORG...]: one indicator as a JSON line, marked,
# naming ORGs as recipients when given.  The id is
# indicator--UUID-SUFFIX (give 8 hex digits; the rest is fixed).
ind() {
  local u=$1 m=$2
  shift 2
  local ext=""
  if [ $# -gt 0 ]; then
    local orgs="" o
    for o in "$@"; do orgs="$orgs${orgs:+,}\"$o\""; done
    ext=",\"extensions\":{\"$EXT\":{\"extension_type\":\"property-extension\",\"recipient_orgs\":[$orgs]}}"
  fi
  printf '{"type":"indicator","spec_version":"2.1","id":"indicator--%s-0000-4000-8000-000000000000","created":"2026-02-01T00:00:00.000Z","modified":"2026-02-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '"'"'10.1.2.3'"'"']","pattern_type":"stix","valid_from":"2026-02-01T00:00:00Z","object_marking_refs":["%s"]%s}\n' \
    "$u" "$m" "$ext"
}

# idof UUID-SUFFIX: the id ind made.
idof() { echo "indicator--$1-0000-4000-8000-000000000000"; }

# lines NAME [ARGS...]: instance NAME's objects (every version) as sorted
# JSON lines in $T/NAME.lines (as the operator, or --as USER).
lines() {
  local n=$1
  shift
  acc "$n" -q export --all-versions --format lines "$@" -o "$T/$n.raw"
  sort "$T/$n.raw" >"$T/$n.lines"
}

# versions NAME: the number of stored versions.
versions() {
  acc "$1" stats --json | sed -n 's/^  "versions": \([0-9]*\),$/\1/p'
}
