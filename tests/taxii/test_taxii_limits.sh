# test_taxii_limits.sh — limits that hold under abuse, each provoked on
# 127.0.0.1: header size (connection memory), body size (413 from
# Content-Length and from a chunked body), connections per address,
# connections in all, the idle timeout, and the absolute request deadline
# against clients that trickle headers or a body byte by byte.
source "$(dirname "$0")/lib.sh"
: "${TAXII_PROBE:?TAXII_PROBE must point at taxii_probe}"
setup_store
start_server --threads 1 --set max_connections=6 --set per_ip_connections=3 \
  --set connection_timeout=3 --set request_timeout=3 \
  --set max_header_bytes=8K --set max_content_length=32K
A=(-u alice:alice-pw)

# Headers beyond the connection's memory: refused, never served.
PAD=$(head -c 12000 /dev/zero | tr '\0' 'a')
req GET /taxii2/ "${A[@]}" -H "X-Pad: $PAD"
case "$S" in 4*|000) ;; *) fail "oversized headers: HTTP $S" ;; esac
req GET /taxii2/ "${A[@]}"
expect_status 200 "normal request after oversized headers"

# Bodies: 413 from Content-Length before reading; chunked past the cap.
head -c 40000 /dev/zero | tr '\0' ' ' >"$T/big"
T0=$(date +%s%N)
req POST /api/collections/shared/objects/ "${A[@]}" -H "$TAXII_CT" \
  --data-binary "@$T/big"
expect_status 413 "Content-Length above max_content_length"
body_has '"http_status":"413"' "413 error body"
req POST /api/collections/shared/objects/ "${A[@]}" -H "$TAXII_CT" \
  -H 'Transfer-Encoding: chunked' --data-binary "@$T/big"
case "$S" in 413|000) ;; *) fail "chunked body above the cap: HTTP $S" ;; esac

# Per-address limit: 3 idle connections from 127.0.0.1 use it up.
"$TAXII_PROBE" hold 127.0.0.1 "$PORT" 127.0.0.1 3 30 >"$T/hold1" &
H1=$!
for _ in $(seq 50); do [ -s "$T/hold1" ] && break; sleep 0.1; done
expect_in "$T/hold1" "held 3"
S=$(curl -s -o /dev/null -w '%{http_code}' -H "$TAXII_ACCEPT" "$BASE/healthz" || true)
expect_eq "$S" 000 "4th connection from the same address refused"
S=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.2 \
  "http://127.0.0.1:$PORT/healthz" || true)
expect_eq "$S" 200 "another address is served"
# Connection limit: 3 more from 127.0.0.2 make 6, the maximum.
"$TAXII_PROBE" hold 127.0.0.1 "$PORT" 127.0.0.2 3 30 >"$T/hold2" &
H2=$!
for _ in $(seq 50); do [ -s "$T/hold2" ] && break; sleep 0.1; done
expect_in "$T/hold2" "held 3"
# (the library stops accepting: the 7th waits in the backlog, unserved)
S=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 --interface 127.0.0.3 \
  "http://127.0.0.1:$PORT/healthz" || true)
expect_eq "$S" 000 "connection beyond max_connections not served"
kill "$H1" "$H2" 2>/dev/null || true
wait "$H1" "$H2" 2>/dev/null || true
sleep 0.5
req GET /taxii2/ "${A[@]}"
expect_status 200 "served again once the connections are gone"

# Idle: closed after connection_timeout (3 s).
run 0 "$TAXII_PROBE" idle 127.0.0.1 "$PORT" 10
cat "$T/out"
# Trickled headers (a byte every 0.5 s, never idle 3 s): cut off by the
# request deadline (3 s, checked every second), not served.
run 0 "$TAXII_PROBE" trickle 127.0.0.1 "$PORT" 500 15 headers
cat "$T/out"
secs=$(sed -n 's/closed after \([0-9]*\).*/\1/p' "$T/out")
[ -n "$secs" ] && [ "$secs" -le 7 ] || fail "trickled headers lasted ${secs:-?} s"
# Trickled body of an authorised POST: same deadline.
PROBE_BASIC=$(printf 'alice:alice-pw' | base64) \
  run 0 "$TAXII_PROBE" trickle 127.0.0.1 "$PORT" 500 15 body
cat "$T/out"
secs=$(sed -n 's/closed after \([0-9]*\).*/\1/p' "$T/out")
[ -n "$secs" ] && [ "$secs" -le 7 ] || fail "trickled body lasted ${secs:-?} s"
req GET /metrics -H 'Accept:'
grep -qE '^accord_http_request_timeouts_total [2-9]' "$T/body" ||
  fail "timeouts not counted: $(grep timeouts_total "$T/body")"
req GET /taxii2/ "${A[@]}"
expect_status 200 "still serving"
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
