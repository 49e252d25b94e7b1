# test_taxii_lifecycle.sh — what must survive the process: SIGTERM during
# an upload lets the accepted POST finish (202, every object stored) while
# new connections are refused; after a restart, status resources and
# `next` tokens issued before it still work; configuration file and flags.
source "$(dirname "$0")/lib.sh"
setup_store
cat >"$T/accord.conf" <<CONF
# test configuration
api_root = trust1
title = "Lifecycle test"
page_default = 3
CONF
start_server --config "$T/accord.conf" --set page_default=2
A=(-u alice:alice-pw)
req GET /trust1/ "${A[@]}"
expect_status 200 "api_root from the configuration file"
body_has '"title":"Lifecycle test"' "title from the file"
req GET /api/ "${A[@]}"
expect_status 404 "the default root is gone"
"$ACCORD" collection add Trust --alias t1 --api-root trust1 >/dev/null
"$ACCORD" grant acme t1 --read --write >/dev/null
O=/trust1/collections/t1/objects/
req POST $O "${A[@]}" -H "$TAXII_CT" --data-binary "@$TAXII_DATA/envelope.json"
expect_status 202 "POST"
STATUS_ID=$(json_field id)
cp "$T/body" "$T/status1"
req GET "/trust1/collections/t1/manifest/?match[version]=all" "${A[@]}"
expect_eq "$(count '"date_added"')" 2 "page_default from --set overrides the file"
NEXT=$(json_field next)

# A slow upload (about 3 s) in flight when SIGTERM arrives.
"$ACCORD" generate synthetic --count 3000 --seed 7 -o "$T/syn.json" 2>/dev/null
# An envelope of the synthetic objects: {"objects": [...]} from the bundle.
sed -e 's/"type": *"bundle",//; s/"id": *"bundle--[^"]*",//' "$T/syn.json" >"$T/env.json"
SIZE=$(wc -c <"$T/env.json")
curl -s -o "$T/slow" -w '%{http_code}' -u alice:alice-pw -H "$TAXII_ACCEPT" \
  -H "$TAXII_CT" --limit-rate $((SIZE / 3)) --data-binary "@$T/env.json" \
  "$BASE$O" >"$T/slow_code" &
CURL_PID=$!
for _ in $(seq 100); do
  curl -s "$BASE/metrics" | grep -c '^accord_http_requests_in_flight [2-9]' >/dev/null && break
  sleep 0.05
done
kill -TERM "$SERVER_PID"
sleep 0.3
S=$(curl -s -o /dev/null -w '%{http_code}' -H "$TAXII_ACCEPT" "$BASE/healthz" || true)
expect_eq "$S" 000 "no new connections after SIGTERM"
wait "$CURL_PID" || true
expect_eq "$(cat "$T/slow_code")" 202 "the POST in flight completed"
grep -q '"failure_count":0' "$T/slow" || fail "slow POST: $(head -c 300 "$T/slow")"
set +e
wait "$SERVER_PID"
STOP_RC=$?
set -e
SERVER_PID=
expect_eq "$STOP_RC" 0 "exit status after SIGTERM"
grep -q '"event":"stopped"' "$T/server.log" || fail "no stopped event"

start_server --config "$T/accord.conf" --set page_default=2
req GET "/trust1/status/$STATUS_ID/" "${A[@]}"
expect_status 200 "status after a restart"
cmp -s "$T/body" "$T/status1" || fail "status changed across the restart"
req GET "/trust1/collections/t1/manifest/?match[version]=all&next=$NEXT" "${A[@]}"
expect_status 200 "next issued before the restart"
req GET "/trust1/collections/t1/manifest/?match[type]=indicator&limit=1000" "${A[@]}"
n=$(count '"date_added"')
want=$(grep -o '"type":"indicator","spec_version":"2.1","id":"[^"]*"' "$T/env.json" | sort -u | wc -l)
[ "$n" -eq $((want + 1)) ] || fail "the slow POST's objects are stored: $n indicators; $(head -c 300 "$T/body")"
stop_server
expect_eq "$STOP_RC" 0 "clean stop"

# Refusals at start.
run 2 "$ACCORD" serve --listen 0.0.0.0 --port 0
expect_in "$T/err" "refusing plain HTTP on 0.0.0.0"
run 2 "$ACCORD" serve --listen 192.0.2.1 --port 0
expect_in "$T/err" "not a loopback address"
run 2 "$ACCORD" serve --set nonsense=1
expect_in "$T/err" "unknown setting 'nonsense'"
run 2 "$ACCORD" serve --config "$T/missing.conf"
run 2 "$ACCORD" serve --tls-cert "$T/accord.conf" --port 0
expect_in "$T/err" "both a certificate"
pass
