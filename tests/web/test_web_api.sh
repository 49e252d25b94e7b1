#!/usr/bin/env bash
# Black-box: the /api/v1 resources the web interface reads, on a real
# server — stats counted over visible objects only, search (value as a
# whole token, text, type, TLP, source, dates, paging, bad parameters),
# the object page (versions, relationships both ways, an invisible object
# 404 exactly like an absent one, an invisible relationship not listed),
# import of STIX and MISP with per-object errors and write rights, and the
# audit log for administrators only.  Users: alice (acme, owns everything),
# bob (other: may read the collection, not acme's AMBER), carol (no grant).
. "$(dirname "$0")/../taxii/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
setup_store
"$ACCORD" import --as alice --tlp green "$here/data/green.json" >/dev/null 2>&1
"$ACCORD" import --as alice --tlp amber --share-with acme "$here/data/amber.json" >/dev/null 2>&1
"$ACCORD" grant other default --read >/dev/null
start_server
J='Accept: application/json'
CT='Content-Type: application/json'
AL=(-u alice:alice-pw) BO=(-u bob:bob-pw) CA=(-u carol:carol-pw) RO=(-u root:root-pw)
AMBER=indicator--8d2f3e4a-5b6c-4d7e-9f8a-0b1c2d3e4f01
AREL=relationship--8d2f3e4a-5b6c-4d7e-9f8a-0b1c2d3e4f02
GREEN=malware--7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e01
GIND=indicator--7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e02

# ---- stats ----
req GET /api/v1/stats -H "$J" "${AL[@]}"
expect_status 200 "stats"
body_has '"objects":5' "alice sees five"
body_has '{"name":"AMBER","count":2}' "alice's AMBER"
body_has '{"name":"GREEN","count":3}' "alice's GREEN"
body_has '{"name":"acme","count":5}' "by source"
body_has '"name":"Amber secret C2"' "recent arrivals"
req GET /api/v1/stats -H "$J" "${BO[@]}"
body_has '"objects":3' "bob sees three"
body_has '{"name":"AMBER","count":0}' "bob counts no AMBER"
body_lacks 'Amber secret' "bob: nothing of the AMBER objects"
body_lacks "$AMBER" "bob: not the id either"
req GET /api/v1/stats -H "$J" "${CA[@]}"
body_has '"objects":0' "carol: no grant, nothing counted"
req GET '/api/v1/stats?days=0' -H "$J" "${AL[@]}"
expect_status 400 "days out of range"
body_has 'days must be' "names the parameter"

# ---- search ----
req GET '/api/v1/search?value=203.0.113.77' -H "$J" "${AL[@]}"
expect_status 200 "search by value"
body_has "\"id\":\"$AMBER\"" "finds the indicator by its IP"
body_has '"tlp":"AMBER"' "with its TLP"
req GET '/api/v1/search?value=203.0.113.7' -H "$J" "${AL[@]}"
body_lacks "$AMBER" "a value is a whole token (203.0.113.7 is not 203.0.113.77)"
req GET '/api/v1/search?value=203.0.113.77' -H "$J" "${BO[@]}"
body_has '"results":[]' "bob: nothing for the AMBER value"
req GET '/api/v1/search?q=AMBER%20SECRET' -H "$J" "${AL[@]}"
body_has "$AMBER" "text, any case"
req GET '/api/v1/search?q=amber%20secret' -H "$J" "${BO[@]}"
body_has '"results":[]' "bob: nothing by text either"
req GET '/api/v1/search?type=malware' -H "$J" "${AL[@]}"
body_has "$GREEN" "by type"
body_lacks "$AMBER" "only that type"
req GET '/api/v1/search?tlp=amber' -H "$J" "${AL[@]}"
[ "$(count '"tlp":"AMBER"')" = 2 ] || fail "tlp=amber: $(cat "$T/body")"
body_lacks '"tlp":"GREEN"' "only AMBER"
req GET '/api/v1/search?source=acme&type=indicator' -H "$J" "${AL[@]}"
[ "$(count '"type":"indicator"')" = 2 ] || fail "source+type: $(cat "$T/body")"
req GET '/api/v1/search?source=nobody-at-all' -H "$J" "${AL[@]}"
body_has '"results":[]' "unknown source"
req GET '/api/v1/search?from=2000-01-01&to=2000-01-02' -H "$J" "${AL[@]}"
body_has '"results":[]' "date range before anything"
req GET "/api/v1/search?from=$(date -u +%F)" -H "$J" "${AL[@]}"
[ "$(count '"id":')" = 5 ] || fail "from today: $(cat "$T/body")"
# Paging: newest first, two at a time, no repeats, all five.
seen=
cursor=
for _ in 1 2 3 4; do
  req GET "/api/v1/search?limit=2${cursor:+&cursor=$cursor}" -H "$J" "${AL[@]}"
  expect_status 200 "page"
  seen="$seen $(grep -o '"id":"[^"]*"' "$T/body" | tr '\n' ' ')"
  cursor=$(json_field next || true)
  grep -qF '"more":true' "$T/body" || break
done
[ "$(echo "$seen" | tr ' ' '\n' | grep -c '"id"')" = 5 ] || fail "paging saw: $seen"
[ "$(echo "$seen" | tr ' ' '\n' | grep '"id"' | sort -u | wc -l)" = 5 ] || fail "paging repeated: $seen"
req GET '/api/v1/search?tlp=purple' -H "$J" "${AL[@]}"
expect_status 400 "bad TLP"
body_has 'not a TLP level' "says why"
req GET '/api/v1/search?cursor=abc' -H "$J" "${AL[@]}"
expect_status 400 "bad cursor"
req GET '/api/v1/search?from=yesterday' -H "$J" "${AL[@]}"
expect_status 400 "bad date"

# ---- object page ----
req GET "/api/v1/objects/$AMBER" -H "$J" "${AL[@]}"
expect_status 200 "object"
body_has '"pattern":"[ipv4-addr:value = ' "the STIX JSON"
body_has '"outgoing_total":1' "one relationship from it"
body_has "\"other_ref\":\"$GREEN\"" "to the malware"
body_has '"name":"GreenWorm"' "with its summary"
body_has '"versions_total":1' "one version"
req GET "/api/v1/objects/$AMBER" -H "$J" "${BO[@]}"
expect_status 404 "bob: the AMBER indicator"
cp "$T/body" "$T/amber404"
req GET "/api/v1/objects/indicator--00000000-0000-4000-8000-000000000000" -H "$J" "${BO[@]}"
expect_status 404 "an absent object"
a=$(sed -e 's/indicator--[0-9a-f-]*/ID/' -e 's/"error_id":"[0-9a-f]*"//' "$T/amber404")
b=$(sed -e 's/indicator--[0-9a-f-]*/ID/' -e 's/"error_id":"[0-9a-f]*"//' "$T/body")
expect_eq "$a" "$b" "invisible reads exactly like absent"
req GET "/api/v1/objects/$GREEN" -H "$J" "${AL[@]}"
body_has '"incoming_total":2' "alice: both relationships to the malware"
req GET "/api/v1/objects/$GREEN" -H "$J" "${BO[@]}"
expect_status 200 "bob: the GREEN malware"
body_has '"incoming_total":1' "bob: only the GREEN relationship"
body_has "$GIND" "the GREEN indicator"
body_lacks "$AMBER" "not the AMBER indicator"
body_lacks "$AREL" "not the AMBER relationship"
req GET "/api/v1/objects/not-an-id" -H "$J" "${AL[@]}"
expect_status 400 "not an id"

# ---- import ----
req POST /api/v1/import -H "$J" -H "$CT" "${AL[@]}" --data-binary @"$here/data/upload_bad.json"
expect_status 200 "import"
body_has '"stored":1' "one stored"
body_has '"rejected":1' "one refused"
body_has '"id":"indicator--9e3a4f5b-6c7d-4e8f-8a9b-1c2d3e4f5a02"' "the bad one named"
body_has 'pattern' "why"
req GET /api/v1/stats -H "$J" "${AL[@]}"
body_has '"objects":6' "stats follow the import (the counts are not stale)"
req GET /api/v1/stats -H "$J" "${BO[@]}"
body_has '"objects":4' "bob counts the new object (unmarked: AMBER for the collection's readers)"
req POST /api/v1/import -H "$J" -H "$CT" "${AL[@]}" --data-binary @"$here/data/upload_bad.json"
body_has '"duplicate":1' "again: a duplicate"
req POST '/api/v1/import?collection=shared' -H "$J" -H "$CT" "${BO[@]}" --data-binary @"$here/data/upload_bad.json"
expect_status 403 "bob may only read shared"
body_has 'may not write' "says why"
req POST '/api/v1/import?collection=private' -H "$J" -H "$CT" "${BO[@]}" --data-binary @"$here/data/upload_bad.json"
expect_status 404 "a collection bob cannot see"
req POST /api/v1/import -H "$J" -H "$CT" "${AL[@]}" -d '{"not": "stix"'
expect_status 422 "not JSON"
body_has 'nothing was stored' "says so"
req POST '/api/v1/import?format=misp' -H "$J" -H "$CT" "${AL[@]}" --data-binary @"$ACC_TESTDATA/misp/all-types.json"
expect_status 200 "MISP import"
body_has '"format":"misp"' "as MISP"
grep -qE '"stored":[1-9]' "$T/body" || fail "MISP stored nothing: $(head -c 300 "$T/body")"
req POST '/api/v1/import' -H "$J" -H "$CT" "${AL[@]}" --data-binary @"$ACC_TESTDATA/misp/bad-events.json"
expect_status 200 "MISP recognised"
body_has '"format":"misp"' "auto: MISP"
req POST '/api/v1/import?format=yaml' -H "$J" -H "$CT" "${AL[@]}" -d '{}'
expect_status 400 "unknown format"

# ---- audit ----
req GET /api/v1/audit -H "$J" "${AL[@]}"
expect_status 403 "audit: administrators only"
req GET '/api/v1/audit?principal=bob&action=deny' -H "$J" "${RO[@]}"
expect_status 200 "audit for root"
body_has '"principal":"bob"' "bob's denials"
body_lacks '"principal":"alice"' "filtered"
body_has "$AMBER" "the AMBER indicator denied to bob"
req GET '/api/v1/audit?limit=1' -H "$J" "${RO[@]}"
body_has '"more":true' "paged"
n=$(json_field next || true)
req GET "/api/v1/audit?limit=1&before=$n" -H "$J" "${RO[@]}"
expect_status 200 "older page"
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
