# lib.sh — helpers for the black-box TAXII tests: a scratch store with
# organisations, users, a token and collections, a server on 127.0.0.1 on
# a free port (chosen by the kernel, reported through --port-file), and
# curl wrappers.  Sources the CLI tests' helpers (run, fail, pass, ...).
# shellcheck source=../cli/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh"
: "${TAXII_DATA:=$(dirname "${BASH_SOURCE[0]}")/data}"
SERVER_PID=
TAXII_ACCEPT='Accept: application/taxii+json;version=2.1'
TAXII_CT='Content-Type: application/taxii+json;version=2.1'
trap 'stop_server; rm -rf "$T"' EXIT

# setup_store: orgs acme (rw on shared, private, default), other (r on
# shared, w on drop), nobody; users alice (acme), bob (other), carol
# (nobody), root (admin); a token for alice in $TOKEN.
setup_store() {
  "$ACCORD" init >/dev/null
  "$ACCORD" org add acme >/dev/null
  "$ACCORD" org add other >/dev/null
  "$ACCORD" org add nobody >/dev/null
  echo 'alice-pw' | "$ACCORD" user add alice --org acme --password-stdin >/dev/null
  echo 'bob-pw' | "$ACCORD" user add bob --org other --password-stdin >/dev/null
  echo 'carol-pw' | "$ACCORD" user add carol --org nobody --password-stdin >/dev/null
  echo 'root-pw' | "$ACCORD" user add root --org acme --admin --password-stdin >/dev/null
  TOKEN=$("$ACCORD" token create alice 2>/dev/null)
  "$ACCORD" collection add Shared --alias shared >/dev/null
  "$ACCORD" collection add Private --alias private >/dev/null
  "$ACCORD" collection add Drop --alias drop >/dev/null
  "$ACCORD" grant acme shared --read --write >/dev/null
  "$ACCORD" grant acme private --read --write >/dev/null
  "$ACCORD" grant acme default --read --write >/dev/null
  "$ACCORD" grant acme drop --read --write >/dev/null
  "$ACCORD" grant other shared --read >/dev/null
  "$ACCORD" grant other drop --write >/dev/null
}

# start_server [ARGS...]: start `accord serve` on 127.0.0.1, port in $PORT,
# base URL in $BASE, log in $T/server.log.
start_server() {
  rm -f "$T/port"
  "$ACCORD" serve --listen 127.0.0.1 --port 0 --port-file "$T/port" "$@" \
    2>>"$T/server.log" &
  SERVER_PID=$!
  for _ in $(seq 300); do
    [ -s "$T/port" ] && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "server did not start:" >&2
      cat "$T/server.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  PORT=$(cat "$T/port")
  BASE="http://127.0.0.1:$PORT"
}

# stop_server: SIGTERM, and wait for a clean exit (status in $STOP_RC).
stop_server() {
  STOP_RC=
  if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID"
    set +e
    wait "$SERVER_PID"
    STOP_RC=$?
    set -e
  fi
  SERVER_PID=
}

# req METHOD PATH [CURL-ARGS...]: status in $S, body in $T/body, headers
# in $T/hdr.  Sends the TAXII Accept header unless the arguments set one.
req() {
  local m=$1 p=$2
  shift 2
  local acc=(-H "$TAXII_ACCEPT") a
  for a in "$@"; do
    case "$a" in [Aa]ccept:*) acc=() ;; esac
  done
  S=$(curl -sg -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$m" \
        "${acc[@]}" "$@" "$BASE$p" || true)
}

# expect_status CODE WHAT
expect_status() {
  if [ "$S" != "$1" ]; then
    fail "$2: HTTP $S (wanted $1): $(head -c 400 "$T/body")"
  fi
}

# body_has TEXT WHAT / body_lacks TEXT WHAT
body_has() {
  grep -qF -- "$1" "$T/body" || fail "$2: body lacks $1: $(head -c 400 "$T/body")"
}
body_lacks() {
  if grep -qF -- "$1" "$T/body"; then fail "$2: body has $1"; fi
}
hdr_has() {
  grep -qiF -- "$1" "$T/hdr" || fail "$2: headers lack $1: $(tr -d '\r' <"$T/hdr" | head -20)"
}

# count TEXT: occurrences of TEXT in the body.
count() { grep -oF -- "$1" "$T/body" | wc -l | tr -d ' '; }

# json_field NAME: the string value of "NAME":"..." (first one) in the body.
json_field() {
  # sed reads all of grep's output, so no SIGPIPE under pipefail.
  grep -o "\"$1\":\"[^\"]*\"" "$T/body" | sed -n '1{s/.*:"\(.*\)"/\1/;p;}'
}
