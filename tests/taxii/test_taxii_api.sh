# test_taxii_api.sh — every TAXII 2.1 endpoint, filter and error code of
# `accord serve`, black-box on 127.0.0.1: discovery, API root, collections,
# objects GET/POST, object GET/DELETE, manifest, versions, status; media
# types (406, 415), credentials (401 + WWW-Authenticate, Basic and Bearer),
# rights (403, 404), filters (match[id|type|version|spec_version],
# added_after, limit, next) and their 400s, 413, 422, duplicates, the
# X-TAXII-Date-Added headers, /healthz, /metrics, access logs, and the
# failed-login throttle (429).
source "$(dirname "$0")/lib.sh"
setup_store
start_server --set max_content_length=65536 --set page_max=4 \
  --set login_burst=10 --set login_max_wait=30
A=(-u alice:alice-pw)
IND=indicator--5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a51
C=/api/collections

# --- discovery, credentials ---
req GET /taxii2/
expect_status 401 "discovery without credentials"
hdr_has 'WWW-Authenticate: Basic realm="accord", Bearer' "401 challenge"
hdr_has 'Content-Type: application/taxii+json;version=2.1' "401 media type"
body_has '"http_status":"401"' "error body"
body_has '"title":"Unauthorized"' "error title"
req GET /taxii2/ "${A[@]}"
expect_status 200 "discovery, Basic"
hdr_has 'Content-Type: application/taxii+json;version=2.1' "media type"
body_has '"api_roots":["/api/"]' "api_roots"
body_has '"default":"/api/"' "default root"
req GET /taxii2/ -H "Authorization: Bearer $TOKEN"
expect_status 200 "discovery, Bearer"
req GET /taxii2/ -u alice:wrong
expect_status 401 "wrong password"
req GET /taxii2/ -H "Authorization: Bearer acc_00000000_nope"
expect_status 401 "unknown token"
req GET /taxii2/ -H "Authorization: Digest abc"
expect_status 401 "unknown scheme"

# --- content negotiation ---
req GET /taxii2/ "${A[@]}" -H 'Accept: application/json'
expect_status 406 "Accept application/json"
req GET /taxii2/ "${A[@]}" -H 'Accept: application/taxii+json;version=2.0'
expect_status 406 "Accept version 2.0"
req GET /taxii2/ "${A[@]}" -H 'Accept:'
expect_status 406 "no Accept"
req GET /taxii2/ "${A[@]}" -H 'Accept: application/taxii+json'
expect_status 200 "Accept without version"

# --- paths and methods ---
req GET /taxii2 "${A[@]}"
expect_status 404 "no trailing slash"
req GET /nowhere/ "${A[@]}"
expect_status 404 "unknown root"
req PUT /api/ "${A[@]}"
expect_status 405 "PUT"
hdr_has 'Allow: GET, HEAD' "Allow"
req DELETE $C/shared/objects/ "${A[@]}"
expect_status 405 "DELETE on objects"

# --- API root, collections ---
req GET /api/ "${A[@]}"
expect_status 200 "API root"
body_has '"versions":["application/taxii+json;version=2.1"]' "versions"
body_has '"max_content_length":65536' "max_content_length"
req GET $C/ "${A[@]}"
expect_status 200 "collections (alice)"
body_has '"title":"Shared"' "alice sees Shared"
body_has '"title":"Private"' "alice sees Private"
body_has '"can_read":true,"can_write":true' "alice rights"
cp "$T/body" "$T/coll1"
req GET $C/ "${A[@]}"
cmp -s "$T/body" "$T/coll1" || fail "collections order is not stable"
req GET $C/ -u bob:bob-pw
body_has '"title":"Shared"' "bob sees Shared"
body_lacks '"title":"Private"' "bob does not see Private"
body_has '"alias":"shared","can_read":true,"can_write":false' "bob rights"
req GET $C/ -u carol:carol-pw
expect_status 200 "collections (carol)"
expect_eq "$(cat "$T/body")" "{}" "no collections is an empty object"
req GET $C/shared/ "${A[@]}"
expect_status 200 "collection by alias"
SHARED_ID=$(json_field id)
req GET "$C/$SHARED_ID/" "${A[@]}"
expect_status 200 "collection by id"
body_has '"media_types":["application/stix+json;version=2.1"' "media_types"
req GET $C/private/ -u bob:bob-pw
expect_status 404 "collection without rights"
req GET $C/nosuch/ "${A[@]}"
expect_status 404 "unknown collection"
req GET $C/ -u root:root-pw
body_has '"title":"Drop"' "admin sees everything"

# --- POST ---
ENV="$TAXII_DATA/envelope.json"
req POST $C/shared/objects/ "${A[@]}" -H "$TAXII_CT" --data-binary "@$ENV"
expect_status 202 "POST envelope"
body_has '"status":"complete"' "status complete"
body_has '"total_count":6,"success_count":6' "counts"
body_has '"failure_count":0' "no failures"
body_has '"pending_count":0' "no pending"
body_has "{\"id\":\"$IND\",\"version\":\"2024-03-01T00:00:00.123Z\"}" \
  "success with id and version"
STATUS_ID=$(json_field id)
cp "$T/body" "$T/status1"
req POST $C/shared/objects/ "${A[@]}" -H "$TAXII_CT" --data-binary "@$ENV"
expect_status 202 "POST the same envelope again"
body_has '"success_count":6' "duplicates are successes"
body_has '"failure_count":0' "duplicates are not failures"
req POST $C/shared/objects/ "${A[@]}" -H "$TAXII_CT" \
  --data-binary "@$TAXII_DATA/bad_objects.json"
expect_status 202 "POST with bad objects"
body_has '"success_count":1' "one good"
body_has '"failure_count":2' "two bad"
body_has '"id":"indicator--9d4e5f6a-7b8c-4d9e-8f0a-1b2c3d4e5f65","version":"2024-04-01T00:00:00.000Z","message":"object 0 (line 2): missing required property' \
  "failure with id, version, message"
body_has 'already stored with different content' "conflict is a failure"
req POST $C/shared/objects/ -u bob:bob-pw -H "$TAXII_CT" --data-binary "@$ENV"
expect_status 403 "POST without write access"
req POST $C/private/objects/ -u bob:bob-pw -H "$TAXII_CT" --data-binary "@$ENV"
expect_status 404 "POST to an invisible collection"
req POST $C/shared/objects/ "${A[@]}" -H 'Content-Type: application/json' \
  --data-binary "@$ENV"
expect_status 415 "POST application/json"
req POST $C/shared/objects/ "${A[@]}" -H 'Content-Type:' --data-binary "@$ENV"
expect_status 415 "POST without Content-Type"
req POST $C/shared/objects/ "${A[@]}" -H "$TAXII_CT" -H 'Accept: text/html' \
  --data-binary "@$ENV"
expect_status 406 "POST with a bad Accept"
req POST $C/shared/objects/ "${A[@]}" -H "$TAXII_CT" --data-binary '{"objects": [{"a": 1'
expect_status 422 "POST malformed JSON"
req POST $C/shared/objects/ "${A[@]}" -H "$TAXII_CT" \
  --data-binary '{"type": "bundle", "id": "bundle--5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a51", "objects": []}'
expect_status 422 "POST a bundle"
body_has 'envelope' "422 says an envelope is wanted"
head -c 70000 /dev/zero | tr '\0' ' ' >"$T/big"
req POST $C/shared/objects/ "${A[@]}" -H "$TAXII_CT" --data-binary "@$T/big"
expect_status 413 "POST above max_content_length"
req POST $C/shared/objects/ "${A[@]}" -H "$TAXII_CT" -H 'Transfer-Encoding: chunked' \
  --data-binary "@$T/big"
[ "$S" = 413 ] || [ "$S" = 000 ] || fail "chunked POST above the cap: HTTP $S"
req POST $C/drop/objects/ -u bob:bob-pw -H "$TAXII_CT" --data-binary "@$ENV"
expect_status 202 "POST to a write-only collection"

# --- status ---
req GET "/api/status/$STATUS_ID/" "${A[@]}"
expect_status 200 "GET status"
cmp -s "$T/body" "$T/status1" || fail "GET status differs from the POST answer"
req GET "/api/status/$STATUS_ID/" -u bob:bob-pw
expect_status 404 "another client's status"
req GET "/api/status/$STATUS_ID/" -u root:root-pw
expect_status 200 "admin reads any status"
req GET /api/status/00000000-0000-4000-8000-000000000000/ "${A[@]}"
expect_status 404 "unknown status"
req GET /api/status/nonsense/ "${A[@]}"
expect_status 404 "malformed status id"

# --- objects and filters ---
O=$C/shared/objects/
req GET $O "${A[@]}" --data-urlencode 'limit=4' -G
expect_status 200 "objects"
hdr_has 'X-TAXII-Date-Added-First: ' "Date-Added-First"
hdr_has 'X-TAXII-Date-Added-Last: ' "Date-Added-Last"
grep -qiE '^X-TAXII-Date-Added-First: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}Z' "$T/hdr" ||
  fail "Date-Added-First is not a microsecond timestamp"
req GET "$O?match[type]=indicator" "${A[@]}"
expect_eq "$(count '"type": "indicator"')" 1 "match[type]=indicator: one latest"
body_has 'bad address, v3' "latest version by default"
req GET "$O?match[type]=indicator,malware" "${A[@]}"
expect_eq "$(count '"id": "')" 3 "match[type] list"
req GET "$O?match[id]=$IND" "${A[@]}"
expect_eq "$(count '"id": "')" 1 "match[id]"
req GET "$O?match[id]=$IND&match[version]=all" "${A[@]}"
expect_eq "$(count '"id": "')" 3 "match[version]=all"
req GET "$O?match[id]=$IND&match[version]=first" "${A[@]}"
body_has 'bad address, v1' "match[version]=first"
body_lacks 'v3' "first only"
req GET "$O?match[id]=$IND&match[version]=first,last" "${A[@]}"
expect_eq "$(count '"id": "')" 2 "first,last"
req GET "$O?match[id]=$IND&match[version]=2024-02-01T00:00:00.000Z" "${A[@]}"
body_has 'bad address, v2' "match[version]=timestamp"
expect_eq "$(count '"id": "')" 1 "one version at that timestamp"
req GET "$O?match[spec_version]=2.0" "${A[@]}"
expect_eq "$(count '"id": "')" 1 "match[spec_version]=2.0"
body_has '"identity_class"' "the 2.0 identity"
req GET "$O?match[spec_version]=2.1&match[type]=identity" "${A[@]}"
expect_eq "$(cat "$T/body")" '{"more":false}' "empty envelope"
for bad in 'match[version]=all,first' 'match[version]=last,last' \
  'match[version]=soon' 'match[spec_version]=two' 'added_after=yesterday' \
  'added_after=2024-01-01T00:00:00Z&added_after=2024-01-01T00:00:00Z' \
  'limit=0' 'limit=-3' 'limit=x' 'match[type]=a&match[type]=b' 'next=AAAA'; do
  req GET "$O?$bad" "${A[@]}"
  expect_status 400 "$bad"
  body_has '"http_status":"400"' "$bad error body"
done
req GET "$O?limit=100" "${A[@]}"
expect_eq "$(count '"id": "')" 4 "limit is capped at page_max"
body_has '"more":true' "more when capped"

# --- pagination with next ---
M=$C/shared/manifest/
req GET "$M?match[version]=all" "${A[@]}"
expect_eq "$(count '"date_added"')" 4 "manifest capped at page_max"
body_has '"more":true' "manifest more"
ALL=7 # 6 records of envelope.json and the good malware of bad_objects.json
seen="$T/seen"
: >"$seen"
next=
for i in $(seq 20); do
  req GET "$M?match[version]=all&limit=3${next:+&next=$next}" "${A[@]}"
  expect_status 200 "manifest page $i"
  grep -o '"id":"[^"]*","date_added":"[^"]*"' "$T/body" >>"$seen"
  if grep -qF '"more":true' "$T/body"; then
    next=$(json_field next)
    [ -n "$next" ] || { fail "more without next"; break; }
  else
    break
  fi
done
expect_eq "$(wc -l <"$seen" | tr -d ' ')" "$ALL" "pages cover everything"
expect_eq "$(sort -u "$seen" | wc -l | tr -d ' ')" "$ALL" "pages never repeat"
sort -c -t'"' -k8 "$seen" 2>/dev/null || fail "manifest not in date_added order"
req GET "$M?match[version]=all&limit=2" "${A[@]}"
next=$(json_field next)
req GET "$M?match[version]=all&limit=5&next=$next" "${A[@]}"
expect_status 200 "next with another limit"
req GET "$M?match[version]=first&limit=2&next=$next" "${A[@]}"
expect_status 400 "next replayed with another query"
req GET "$O?match[version]=all&limit=2&next=$next" "${A[@]}"
expect_status 400 "next replayed on another endpoint"
req GET "$M?match[version]=all&limit=2&next=$next" -u root:root-pw
expect_status 400 "next replayed by another user"
tampered=$(printf '%s' "$next" | sed 's/^\(.\{10\}\)./\1A/;t;s/^/x/')
[ "$tampered" = "$next" ] && tampered="B${next#?}"
req GET "$M?match[version]=all&limit=2&next=$tampered" "${A[@]}"
expect_status 400 "tampered next"
req GET "$M?match[version]=all&limit=4" "${A[@]}"
LAST=$(grep -i '^X-TAXII-Date-Added-Last:' "$T/hdr" | tr -d '\r' | awk '{print $2}')
req GET "$M?match[version]=all&added_after=$LAST" "${A[@]}"
expect_eq "$(count '"date_added"')" "$((ALL - 4))" "added_after = Date-Added-Last"
body_has '"more":false' "added_after: the rest"

# --- manifest, object, versions ---
req GET "$M?match[id]=$IND" "${A[@]}"
body_has '"version":"2024-03-01T00:00:00.123Z","media_type":"application/stix+json;version=2.1"' \
  "manifest record"
req GET "$M?match[spec_version]=2.0" "${A[@]}"
body_has '"media_type":"application/stix+json;version=2.0"' "2.0 media type"
req GET "$O$IND/" "${A[@]}"
expect_status 200 "object"
expect_eq "$(count '"id": "')" 1 "object: latest only"
hdr_has 'X-TAXII-Date-Added-First' "object Date-Added-First"
grep -qF "$(sed -n '8p' "$ENV" | sed 's/^ *//; s/,$//')" "$T/body" ||
  fail "object not returned byte for byte"
req GET "$O$IND/?match[version]=all" "${A[@]}"
expect_eq "$(count '"id": "')" 3 "object: all versions"
req GET "${O}indicator--00000000-0000-4000-8000-000000000000/" "${A[@]}"
expect_status 404 "unknown object"
req GET "$O$IND/versions/" "${A[@]}"
expect_status 200 "versions"
expect_eq "$(cat "$T/body")" \
  '{"more":false,"versions":["2024-01-01T00:00:00.000Z","2024-02-01T00:00:00.000Z","2024-03-01T00:00:00.123Z"]}' \
  "versions list"
hdr_has 'X-TAXII-Date-Added-Last' "versions Date-Added-Last"
req GET "$O$IND/versions/?limit=2" "${A[@]}"
body_has '"more":true' "versions paginate"
req GET "$O$IND/" -u carol:carol-pw
expect_status 404 "object without any rights"
req GET $C/drop/objects/ -u bob:bob-pw
expect_status 403 "GET objects without read access"
req GET $C/drop/manifest/ -u bob:bob-pw
expect_status 403 "manifest without read access"

# --- DELETE (section 5.7's table) ---
req DELETE "$O$IND/" -u bob:bob-pw
expect_status 403 "DELETE with read only"
req DELETE "$C/drop/objects/$IND/" -u bob:bob-pw
expect_status 403 "DELETE with write only"
req DELETE "$C/private/objects/$IND/" -u carol:carol-pw
expect_status 404 "DELETE with neither"
req DELETE "$O$IND/?match[version]=first" "${A[@]}"
expect_status 200 "DELETE the first version"
req GET "$O$IND/versions/" "${A[@]}"
expect_eq "$(count '"20')" 2 "two versions left"
req GET "$O$IND/?match[version]=2024-01-01T00:00:00.000Z" "${A[@]}"
expect_status 404 "deleted version is gone"
req DELETE "$O$IND/" "${A[@]}"
expect_status 200 "DELETE the object"
req GET "$O$IND/" "${A[@]}"
expect_status 404 "deleted object is gone"
req GET "$M?match[id]=$IND" "${A[@]}"
body_lacks "$IND" "deleted object not in the manifest"
req DELETE "$O$IND/" "${A[@]}"
expect_status 404 "DELETE again"

# --- HEAD, healthz, metrics, logs ---
S=$(curl -s -o /dev/null -w '%{http_code}' -I -H "$TAXII_ACCEPT" -u alice:alice-pw "$BASE/taxii2/")
expect_eq "$S" 200 "HEAD"
req GET /healthz -H 'Accept:'
expect_status 200 "healthz without credentials"
req GET /metrics -H 'Accept:'
expect_status 200 "metrics"
hdr_has 'Content-Type: text/plain; version=0.0.4' "metrics media type"
body_has 'accord_http_requests_total{code="2xx"}' "requests by class"
body_has 'accord_http_requests_total{code="4xx"}' "4xx class"
body_has 'accord_http_request_duration_seconds_bucket{le="0.05"}' "histogram"
body_has 'accord_http_request_duration_seconds_count' "histogram count"
body_has 'accord_auth_failures_total' "auth failures"
grep -qE '^accord_objects_ingested_total ([89]|[1-9][0-9]+)$' "$T/body" ||
  fail "objects ingested: $(grep ingested "$T/body")"
grep -qE '^accord_auth_failures_total [1-9]' "$T/body" || fail "auth failures not counted"
grep -q '"event":"request","rid":"[0-9a-f]\{16\}","addr":"127.0.0.1","principal":"alice@acme","method":"GET","path":"/taxii2/","status":200,"bytes":[0-9]*,"ms":[0-9.]*' "$T/server.log" ||
  fail "access log line: $(grep '"request"' "$T/server.log" | head -2)"

# --- failed-login throttle (last: it locks 127.0.0.1 out) ---
for i in $(seq 10); do req GET /taxii2/ -u alice:nope; done
req GET /taxii2/ "${A[@]}"
expect_status 429 "throttled after 10 failures"
hdr_has 'Retry-After: ' "Retry-After"

stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
