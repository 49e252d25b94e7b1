# test_sensor_spool.sh — no session lost while the TAXII server is away:
# the sensor spools its STIX while nothing listens, keeps it across a
# restart, and delivers it all — once — to the real `accord serve` when
# that comes up (Bearer token, the collection's objects URL).  A spool at
# its bound refuses new connections instead of dropping sessions.
source "$(dirname "$0")/lib.sh"

"$ACCORD" init >/dev/null
"$ACCORD" org add cert >/dev/null
"$ACCORD" user add sensor --org cert --no-password >/dev/null
"$ACCORD" grant cert default --read --write >/dev/null
"$ACCORD" token create sensor >"$T/token" 2>/dev/null
CID=$("$ACCORD" --json collection list | python3 -c '
import json, sys
for line in sys.stdin:
    c = json.loads(line)
    if c.get("alias") == "default":
        print(c["id"])')
[ -n "$CID" ] || { fail "no default collection"; pass; }
# a port for the server, free now and left free until it starts
start_serve --port 0
PORT=$SERVE_PORT
stop_serve
URL="http://127.0.0.1:$PORT/api/collections/$CID/objects/"
SET=(--set "taxii_url=$URL" --set "taxii_token_file=$T/token"
  --set batch=2 --set flush_ms=200 --set retry_max_s=1)

spooled() { cat "$T"/state/spool/*.jsonl 2>/dev/null | wc -l; }
session() { curl -s -o /dev/null -m 10 -u "u$1:p$1" \
  "http://127.0.0.1:$HTTP_PORT/s$1"; }

start_sensor "${SET[@]}"
for i in 1 2 3; do session "$i"; done
for _ in $(seq 100); do
  grep -q "sending .* failed" "$T/sensor.err" && break
  sleep 0.1
done
expect_in "$T/sensor.err" "next attempt in"
stop_sensor
expect_eq "$SENSOR_RC" 0 "sensor exit status (server down)"
expect_eq "$(spooled)" 3 "sessions spooled after the first run"

start_sensor "${SET[@]}"
session 4
stop_sensor
expect_eq "$(spooled)" 4 "sessions spooled after a restart"
expect_eq "$(count_type observed-data)" 0 "nothing delivered yet"

start_serve --port "$PORT"
start_sensor "${SET[@]}"
session 5
for _ in $(seq 150); do
  [ "$(spooled)" = 0 ] && [ "$(count_type observed-data)" = 5 ] && break
  sleep 0.1
done
expect_eq "$(spooled)" 0 "spool emptied"
expect_eq "$(count_type observed-data)" 5 "every session delivered"
"$ACCORD" export --type user-account >"$T/ua.json"
for i in 1 2 3 4 5; do
  expect_in "$T/ua.json" "\"account_login\":\"u$i\",\"credential\":\"p$i\""
done
expect_in "$T/serve.log" '"status":202'
stop_sensor

# a spool at its bound: the connection is refused, counted, not lost
stop_serve
start_sensor "${SET[@]}" --set spool_max=1 --set batch=1
session 6
for _ in $(seq 50); do [ "$(spooled)" = 1 ] && break; sleep 0.1; done
set +e
curl -s -o /dev/null -m 5 "http://127.0.0.1:$HTTP_PORT/refused"
CURL_RC=$?
set -e
[ "$CURL_RC" = 0 ] && fail "a connection was served with the spool full"
stop_sensor
expect_eq "$(jsonq eventid=accord.sensor.stats message=stopped -- \
  refused_spool | tail -1)" 1 "refused for a full spool"
expect_eq "$(spooled)" 1 "the spooled session is kept"
pass
