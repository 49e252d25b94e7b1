# test_sync_misbehave.sh — a peer that misbehaves (tests/sync/fakepeer.c):
# HTTP errors, 429/503 with Retry-After, garbage JSON, the wrong media
# type, slow answers, endless `more: true`, huge and endless bodies, deep
# nesting, redirects, missing credentials, an API root on another server,
# a push whose status never completes.  Each is bounded, ends in a clear
# error in `accord peer status`, and `accord serve` stays up through all
# of them and still stops cleanly.
source "$(dirname "$0")/lib.sh"

inst b
acc b org add fake-org >/dev/null
acc b grant fake-org default --read >/dev/null
fake --auth basic:fed:fed-pw
U="http://127.0.0.1:$FAKE_PORT"

# peer NAME MODE [OPTIONS...]: a pull peer on the fake's collection MODE.
peer() {
  local n=$1 m=$2
  shift 2
  run 0 acc b peer add "$n" --url "$U" --collection "$m" --org fake-org \
    --auth basic:fed:fed-pw --retries 0 --interval 1s "$@"
}

# sync_fails NAME TEXT: `accord sync NAME` fails (exit 3) and the peer's
# status names TEXT.
sync_fails() {
  run 3 acc b sync "$1"
  expect_in "$T/out" "FAILED"
  expect_in "$T/out" "$2"
  run 0 acc b peer status "$1"
  expect_in "$T/out" "failing"
  expect_in "$T/out" "$2"
}

# A well-behaved collection first: paging by next token, then by
# added_after alone; the TAXII media type and credentials are sent.
peer ok ok --local-collection default
run 0 acc b sync ok
expect_in "$T/out" "pulled 250 new"
grep -q 'GET /api/collections/ok/objects/ accept=application/taxii+json;version=2.1 auth=basic' "$T/fake.log" ||
  fail "no TAXII GET with Basic credentials in the fake's log"
grep -q '^unexpected user agent' "$T/fake.log" && fail "User-Agent is not accord's"
acc b collection add Other --alias other >/dev/null
peer nonext nonext --local-collection other
run 0 acc b sync nonext
expect_in "$T/out" "pulled 250 new"
expect_in "$T/out" "3 pages"
# 429 twice with Retry-After: 1, then fine.
acc b collection add Third --alias third >/dev/null
peer busy busy --local-collection third --retries 3
run 0 acc b sync busy
expect_in "$T/out" "pulled 250 new"
expect_in "$T/err" "HTTP 429"
# Failures, each bounded and named.
peer e500 http500
sync_fails e500 "HTTP 500: Internal failure"
peer e503 unavailable --retries 1 --retry-max 2s
sync_fails e503 "HTTP 503"
expect_in "$T/out" "gave up after 2 attempts"
peer garbage garbage
sync_fails garbage "not a TAXII envelope"
peer wrongtype wrongtype
sync_fails wrongtype "Content-Type 'text/html'"
peer slow slow --low-speed 100/2
sync_fails slow "too slow"
peer endless endless
sync_fails endless "nothing new"
peer endlessnew endless-new --max-pages 5
sync_fails endlessnew "stopped after 5 pages"
peer samenext samenext
sync_fails samenext "same next token twice"
peer huge huge --max-response 1M
sync_fails huge "larger than 1048576 bytes"
peer stream stream --max-response 1M
sync_fails stream "larger than 1048576 bytes"
peer deep deep
sync_fails deep "64 deep"
peer redirect redirect
sync_fails redirect "not followed"
run 0 acc b peer add noauth --url "$U" --collection ok --org fake-org --retries 0
sync_fails noauth "HTTP 401"
# An empty page ends a run, whatever `more` says.
peer empty endless-empty
run 0 acc b sync empty
expect_in "$T/out" "caught up"
# Objects that are not STIX: refused one by one, the run goes on.
peer badobjects badobjects
run 1 acc b sync badobjects
expect_in "$T/out" "2 rejected"
run 0 acc b peer status badobjects
expect_in "$T/out" "last refused object"
# Credentials are never printed.
run 0 acc b peer status
expect_not_in "$T/out" "fed-pw"
run 0 acc b peer show ok
expect_not_in "$T/out" "fed-pw"

# Push: accepted (status followed to complete), and a status that never
# completes (bounded by --status-wait).
printf '%s\n' "$(ind c0000001 "$TLP_CLEAR")" >"$T/mine.jsonl"
run 0 acc b import "$T/mine.jsonl"
peer pushok ok --direction push
run 0 acc b sync pushok
expect_in "$T/out" "pushed 1"
grep -q "^object $(idof c0000001)" "$T/fake.log" || fail "the pushed object did not reach the fake"
grep -q 'GET /api/status/11111111-2222-4333-8444-555555555555/' "$T/fake.log" ||
  fail "the status resource was not followed"
peer pushwait pending --direction push --status-wait 1s
sync_fails pushwait "still pending"
peer push500 http500 --direction push
sync_fails push500 "HTTP 500"

# An API root the discovery resource puts on another server: refused.
unfake
fake --offsite
peer offsite ok
run 0 acc b peer edit offsite --url "http://127.0.0.1:$FAKE_PORT" --auth none
sync_fails offsite "another server"
run 0 acc b peer remove offsite
unfake
fake --auth basic:fed:fed-pw
for p in $(acc b peer list --json | sed -n 's/.*"name":"\([^"]*\)".*/\1/p'); do
  acc b peer edit "$p" --url "http://127.0.0.1:$FAKE_PORT" >/dev/null
done

# All of them at once under `accord serve`: it stays up, answers, and
# reports each peer's trouble; then it stops cleanly.
echo 'root-pw' | acc b user add root --org fake-org --admin --password-stdin >/dev/null
serve b
all_tried() {
  acc b peer status --json >"$T/st.json" || return 1
  ! grep -q '"last_attempt":null' "$T/st.json"
}
wait_for "every peer to be tried by the server" 120 all_tried
# Let them go round once more while we talk to the server.
S=$(curl -s -o "$T/h" -w '%{http_code}' "http://127.0.0.1:${PORT[b]}/healthz" || true)
expect_eq "$S" 200 "the server answers while its peers misbehave"
S=$(curl -s -o "$T/api" -w '%{http_code}' -u root:root-pw \
  "http://127.0.0.1:${PORT[b]}/api/v1/peers")
expect_eq "$S" 200 "GET /api/v1/peers"
expect_in "$T/api" '"health":"failing"'
expect_in "$T/api" 'HTTP 500: Internal failure'
expect_not_in "$T/api" "fed-pw"
kill -0 "${SPID[b]}" || fail "the server died"
unserve b
expect_eq "$STOP_RC" 0 "the server stops cleanly while peers are slow"
run 0 acc b check
pass
