#!/usr/bin/env bash
# Black-box: /api/v1/cases over a real `accord serve` on loopback — a case
# created, given evidence, endorsed by a partner as that partner's user,
# its pack built and downloaded (and verified offline, byte-identical when
# downloaded twice); who may see and do what (404 for those who may not
# see the case, 403 for those who may see but not change it); malformed
# bodies answered 400 naming the member; the case served by TAXII to the
# partner under the sharing policy.
. "$(dirname "$0")/lib.sh"
setup_store
X=7d1a0c52-3b7e-4c1f-9a2d-5e6f7a8b9c
D="$TAXII_DATA/../../data/case"
"$ACCORD" -q import --collection shared --as alice "$D/scenario.json"
"$ACCORD" -q import --collection shared --as bob "$D/scenario-b.json" || true
start_server
J='Accept: application/json'
CT='Content-Type: application/json'
A=(-u alice:alice-pw -H "$J")
B=(-u bob:bob-pw -H "$J")
C=(-u carol:carol-pw -H "$J")
jq_() { python3 -c "import json,sys; d=json.load(open('$T/body')); print($1)"; }

SPEC='{"title":"API case","collection":"shared",
 "claim":{"operation":"campaign--'$X'02","actor":"intrusion-set--'$X'03",
          "state":{"type":"identity","name":"Republic of Nordmark (API)","tlp":"clear"}},
 "likelihood":{"scale":"icd203","term":"likely"},"analytic_confidence":"moderate",
 "norms":["f"],"nis2_sectors":["energy"],
 "eu_2019_796":{"actions":["system-interference"],"targets":["critical-infrastructure"]},
 "measures":["Listing under Regulation (EU) 2019/796"],
 "endorsement":{"rule":"unanimity","partners":["other"]}}'

# ---- malformed ----
req POST /api/v1/cases "${A[@]}" -H "$CT" --data '{"title":'
expect_status 400 "broken JSON"
body_has 'line 1' "position of the JSON error"
req POST /api/v1/cases "${A[@]}" -H "$CT" --data '{"title":"x","colour":"red"}'
expect_status 400 "unknown member"
body_has "'colour' is not a known member" "names the member"
req POST /api/v1/cases "${A[@]}" -H "$CT" --data "${SPEC/likely/probable}"
expect_status 400 "bad likelihood"
body_has "likelihood" "names likelihood"
req POST /api/v1/cases -H "$J" -H "$CT" --data "$SPEC"
expect_status 401 "anonymous"

# ---- create ----
req POST /api/v1/cases "${A[@]}" -H "$CT" --data "$SPEC"
expect_status 201 "case created"
CASE=$(jq_ "d['id']")
[ "$(jq_ "d['likelihood']['stix_confidence']")" = 70 ] || fail "confidence"
[ "$(jq_ "d['owner']")" = acme ] || fail "owner"
req GET /api/v1/cases "${A[@]}"
expect_status 200 "list"
body_has "$CASE" "listed for alice"
req GET /api/v1/cases "${B[@]}"
body_has "$CASE" "listed for the partner"
req GET /api/v1/cases "${C[@]}"
body_lacks "$CASE" "not listed for carol"
req GET "/api/v1/cases/$CASE" "${C[@]}"
expect_status 404 "invisible case reads as absent"
req GET "/api/v1/cases/${CASE#report--}" "${A[@]}"
expect_status 200 "by UUID"
req GET "/api/v1/cases/${CASE:8:12}" "${A[@]}"
expect_status 200 "by UUID prefix"

# ---- evidence ----
EVC='{"refs":["indicator--'$X'10"],"reliability":"A","credibility":2,
      "category":"infrastructure","supports":["actor","activity"],"summary":"C2"}'
req POST "/api/v1/cases/$CASE/evidence" "${B[@]}" -H "$CT" --data "$EVC"
expect_status 403 "partner may not add evidence"
req POST "/api/v1/cases/$CASE/evidence" "${C[@]}" -H "$CT" --data "$EVC"
expect_status 404 "outsider gets 404"
req POST "/api/v1/cases/$CASE/evidence" "${A[@]}" -H "$CT" --data '{"refs":[]}'
expect_status 400 "empty refs"
req POST "/api/v1/cases/$CASE/evidence" "${A[@]}" -H "$CT" --data "$EVC"
expect_status 200 "evidence added"
N1=$(jq_ "d['note']")
req POST "/api/v1/cases/$CASE/evidence" "${A[@]}" -H "$CT" \
  --data '{"refs":["report--'$X'23"],"reliability":"B","credibility":2,
           "category":"external-reporting","supports":["state"],"summary":"vendor",
           "source":"Vendor X","protect_source":true}'
expect_status 200 "second evidence"
req POST "/api/v1/cases/$CASE/evidence" "${A[@]}" -H "$CT" \
  --data '{"refs":["indicator--'$X'12"],"reliability":"B","credibility":2,
           "category":"malware","summary":"AMBER-API-EVIDENCE"}'
expect_status 200 "amber evidence"
[ "$(jq_ "len(d['case']['evidence'])")" = 3 ] || fail "three items"
req POST "/api/v1/cases/$CASE/edit" "${B[@]}" -H "$CT" --data '{"title":"hijack"}'
expect_status 403 "partner may not edit"
req POST "/api/v1/cases/$CASE/edit" "${A[@]}" -H "$CT" --data '{"norms":["c","f"]}'
expect_status 200 "edit"
[ "$(jq_ "[n['norm'] for n in d['norms']]")" = "['c', 'f']" ] || fail "norms edited"

# ---- endorsement, as the partner's user ----
req POST "/api/v1/cases/$CASE/endorsement" "${C[@]}" -H "$CT" \
  --data '{"stance":"concur","statement":"x"}'
expect_status 404 "outsider cannot endorse"
req POST "/api/v1/cases/$CASE/endorsement" "${B[@]}" -H "$CT" \
  --data '{"stance":"maybe","statement":"x"}'
expect_status 400 "bad stance"
req GET "/api/v1/cases/$CASE" "${A[@]}"
[ "$(jq_ "d['endorsement']['met']")" = False ] || fail "rule met too early"
req POST "/api/v1/cases/$CASE/endorsement" "${B[@]}" -H "$CT" \
  --data '{"stance":"concur","statement":"other concurs"}'
expect_status 200 "endorsed"
[ "$(jq_ "d['case']['endorsement']['met']")" = True ] || fail "rule met"
[ "$(jq_ "d['case']['endorsement']['answered'][0]['by']")" = bob ] || fail "recorded by bob"

# ---- TAXII serves the case to the partner ----
req GET "/api/collections/shared/objects/?match[type]=report" -u bob:bob-pw
expect_status 200 "TAXII read"
body_has "$CASE" "TAXII serves the case to the partner"
req GET "/api/collections/shared/objects/?match[type]=opinion" -u alice:alice-pw
body_has '"opinion":"agree"' "the endorsement federates as an opinion"

# ---- the pack ----
req POST "/api/v1/cases/$CASE/pack" "${A[@]}" -H "$CT" --data '{"release":"clear"}'
expect_status 409 "no key yet"
body_has "accord key generate" "says what to do"
"$ACCORD" -q key generate --org acme >/dev/null
KEY=$("$ACCORD" key export --org acme)
req POST "/api/v1/cases/$CASE/pack" "${A[@]}" -H "$CT" --data '{"release":"amber"}'
expect_status 400 "amber pack"
req POST "/api/v1/cases/$CASE/pack" "${B[@]}" -H "$CT" --data '{"release":"clear"}'
expect_status 403 "partner may not release"
req POST "/api/v1/cases/$CASE/pack" "${A[@]}" -H "$CT" --data '{"release":"clear"}'
expect_status 200 "pack built"
[ "$(jq_ "d['exhibits']")" = 2 ] || fail "two exhibits"
[ "$(jq_ "d['withheld']")" = 1 ] || fail "one withheld"
body_has '"name":"MANIFEST.sig"' "files listed"
DL=$(jq_ "d['download']")
curl -sg -o "$T/p1.tar" -u alice:alice-pw -H "$J" "$BASE$DL"
curl -sg -o "$T/p2.tar" -u alice:alice-pw -H "$J" "$BASE$DL"
cmp -s "$T/p1.tar" "$T/p2.tar" || fail "two downloads differ"
req GET "$DL" "${A[@]}"
expect_status 200 "download"
hdr_has 'Content-Type: application/x-tar' "tar media type"
hdr_has 'Content-Disposition: attachment; filename="case-' "file name"
mkdir "$T/x"
tar -xf "$T/p1.tar" -C "$T/x"
P=$(ls -d "$T"/x/case-*)
run 0 "$ACCORD" pack verify "$P" --key "$KEY"
expect_in "$T/out" "2 exhibits, 1 withheld"
expect_not_in "$P/bundle.json" "indicator--${X}12"
expect_not_in "$P/bundle.json" "AMBER-API-EVIDENCE"
expect_not_in "$P/statement.html" "Vendor X"
req GET "/api/v1/cases/$CASE/pack?release=green" "${B[@]}"
expect_status 403 "partner may not download"
# the pack the API serves is the pack the CLI builds
run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/cli" --as alice --pdf never
for f in MANIFEST MANIFEST.sig bundle.json pack.json statement.html; do
  cmp -s "$P/$f" "$T/cli/$f" || fail "$f: API and CLI packs differ"
done
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
