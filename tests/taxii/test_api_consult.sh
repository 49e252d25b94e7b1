#!/usr/bin/env bash
# Black-box: /api/v1/consultations and /api/v1/poc over a real `accord
# serve` on loopback, two states hosted on one instance (acme consults
# other; nobody is no party): the directory added and listed through the
# API; malformed bodies answered 400 naming the member; a consultation
# opened (with a warning for a referred object the other state cannot
# read), acknowledged and answered by the other state's user; who may see
# and do what (404 for a non-party, 400 for a move the state machine
# refuses); overdue deadlines through ?overdue=1 and ?now=; /metrics.
. "$(dirname "$0")/lib.sh"
setup_store
"$ACCORD" key generate --org acme >/dev/null 2>&1
"$ACCORD" key generate --org other >/dev/null 2>&1
"$ACCORD" grant other default --read --write >/dev/null
"$ACCORD" grant nobody default --read >/dev/null
# acme's private indicator (AMBER for acme alone) and a shared incident.
TLP_AMBER=marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421
EXT=extension-definition--5c6d7a1e-2f48-4b9c-8e3a-6d0f1b2c3e4a
printf '%s\n' \
  '{"type":"incident","spec_version":"2.1","id":"incident--7c0a0b0c-1d1e-4f2a-8b3c-4d5e6f708192","created":"2026-11-30T00:00:00.000Z","modified":"2026-11-30T00:00:00.000Z","name":"Grid scanning","object_marking_refs":["'$TLP_AMBER'"]}' \
  '{"type":"indicator","spec_version":"2.1","id":"indicator--7c0a0b0c-1d1e-4f2a-8b3c-4d5e6f708193","created":"2026-11-30T00:00:00.000Z","modified":"2026-11-30T00:00:00.000Z","pattern":"[ipv4-addr:value = '"'"'198.51.100.7'"'"']","pattern_type":"stix","valid_from":"2026-11-30T00:00:00Z","object_marking_refs":["'$TLP_AMBER'"],"extensions":{"'$EXT'":{"extension_type":"property-extension","recipient_orgs":["acme"]}}}' \
  >"$T/refs.jsonl"
"$ACCORD" -q import --as alice "$T/refs.jsonl"
start_server
J='Accept: application/json'
CT='Content-Type: application/json'
A=(-u alice:alice-pw -H "$J")
B=(-u bob:bob-pw -H "$J")
C=(-u carol:carol-pw -H "$J")

# ---- the directory ----
req POST /api/v1/poc "${B[@]}" -H "$CT" --data \
  '{"level":"technical","name":"Other CERT","channels":["email:cert@other.example"],"languages":["en"],"hours":"24/7"}'
expect_status 201 "POST /poc"
POC=$(json_field id)
req POST /api/v1/poc "${B[@]}" -H "$CT" --data '{"level":"strategic","name":"x","channels":["email:x"]}'
expect_status 400 "bad level"
body_has "level" "names the member"
req POST /api/v1/poc "${B[@]}" -H "$CT" --data '{"org":"acme","level":"policy","name":"x","channels":["email:x"]}'
expect_status 400 "a user acts for its own organisation"
req GET /api/v1/poc "${A[@]}"
expect_status 200 "GET /poc"
body_has "\"id\":\"$POC\"" "entry listed"
body_has '"confirmation_period_days":365' "period"
body_has '"signature":"valid"' "signed with other's key"
req GET "/api/v1/poc/$POC" "${A[@]}"
expect_status 200 "GET /poc/ID"
body_has '"org":"other"' "entry"

# ---- malformed openings ----
req POST /api/v1/consultations "${A[@]}" -H "$CT" --data '{"to":'
expect_status 400 "broken JSON"
req POST /api/v1/consultations "${A[@]}" -H "$CT" --data \
  '{"to":"other","kind":"threat","subject":"s","message":"m"}'
expect_status 400 "bad kind"
body_has "'kind'" "names the member"
req POST /api/v1/consultations "${A[@]}" -H "$CT" --data \
  '{"to":"other","kind":"clarification","subject":"s","message":"m","colour":"red"}'
expect_status 400 "unknown member"
body_has "colour" "names the member"
req POST /api/v1/consultations "${A[@]}" -H "$CT" --data \
  '{"to":"acme","kind":"clarification","subject":"s","message":"m"}'
expect_status 400 "consulting itself"
req POST /api/v1/consultations "${A[@]}" -H "$CT" --data \
  '{"to":"other","kind":"clarification","subject":"s","message":"m","refs":["incident--00000000-1d1e-4f2a-8b3c-4d5e6f708192"]}'
expect_status 404 "a reference to nothing"

# ---- a consultation ----
req POST /api/v1/consultations "${A[@]}" -H "$CT" --data \
  '{"to":"other","kind":"activity-notification","urgency":"urgent","subject":"Grid scanning","message":"Can you look into it?","refs":["incident--7c0a0b0c-1d1e-4f2a-8b3c-4d5e6f708192","indicator--7c0a0b0c-1d1e-4f2a-8b3c-4d5e6f708193"],"ack_within":"2h"}'
expect_status 201 "POST /consultations"
CID=$(json_field id)
body_has '"state":"open"' "opened"
body_has "indicator--7c0a0b0c-1d1e-4f2a-8b3c-4d5e6f708193 (TLP:AMBER) is not shared with other" "warning for the private reference"
body_lacks "incident--7c0a0b0c-1d1e-4f2a-8b3c-4d5e6f708192 (TLP:AMBER) is not shared" "no warning for the shared one"
body_has "\"to_poc\":\"$POC\"" "addressed to other's technical contact"
req GET "/api/v1/consultations/$CID" "${B[@]}"
expect_status 200 "the responder sees it"
body_has '"verified":true' "verified"
body_has '"available":false' "the private reference is not available to other"
req GET "/api/v1/consultations/$CID" "${C[@]}"
expect_status 404 "no party: as absent"
req GET /api/v1/consultations "${C[@]}"
expect_status 200 "list for a non-party"
body_lacks "$CID" "not listed for a non-party"
req POST "/api/v1/consultations/$CID/ack" "${C[@]}" -H "$CT" --data '{}'
expect_status 404 "a non-party cannot act"
req POST "/api/v1/consultations/$CID/ack" "${A[@]}" -H "$CT" --data '{}'
expect_status 400 "the requester does not acknowledge"
body_has "only the state consulted acknowledges" "why"
req POST "/api/v1/consultations/$CID/ack" "${B[@]}"
expect_status 201 "acknowledge without a body"
body_has '"state":"acknowledged"' "acknowledged"
req POST "/api/v1/consultations/$CID/reply" "${B[@]}" -H "$CT" --data '{}'
expect_status 400 "a reply needs a message"
req POST "/api/v1/consultations/$CID/reply" "${B[@]}" -H "$CT" --data '{"message":"A compromised university."}'
expect_status 201 "reply"
body_has '"state":"answered"' "answered"
req GET "/api/v1/consultations?state=answered" "${A[@]}"
expect_status 200 "list by state"
body_has "\"id\":\"$CID\"" "listed"
req GET "/api/v1/consultations?state=sleeping" "${A[@]}"
expect_status 400 "unknown state"

# ---- a missed deadline ----
req POST /api/v1/consultations "${A[@]}" -H "$CT" --data \
  '{"to":"other","kind":"assistance-request","urgency":"critical","subject":"Outage","message":"Help.","ack_within":"1h"}'
expect_status 201 "second consultation"
CID2=$(json_field id)
req GET "/api/v1/consultations?overdue=1" "${A[@]}"
expect_status 200 "overdue now"
body_lacks "$CID2" "not overdue yet"
LATER=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
req GET "/api/v1/consultations?overdue=1&now=$LATER" "${A[@]}"
expect_status 200 "overdue later"
body_has "\"id\":\"$CID2\"" "overdue"
body_has '"overdue":"acknowledgement"' "which deadline"
body_lacks "\"id\":\"$CID\"" "the answered one is not"
req GET "/api/v1/consultations?now=yesterday" "${A[@]}"
expect_status 400 "bad now"
req GET /metrics
expect_status 200 "/metrics"
body_has 'accord_consultations{state="answered"} 1' "answered counted"
body_has 'accord_consultations{state="open"} 1' "open counted"
body_has 'accord_consultations_overdue{deadline="acknowledgement"} 0' "none overdue yet"
body_has 'accord_poc_confirmation_due{published="here"} 0' "directory current"
stop_server
export ACCORD_NOW=$LATER
start_server
unset ACCORD_NOW
req GET /metrics
body_has 'accord_consultations_overdue{deadline="acknowledgement"} 1' "overdue counted"
req POST "/api/v1/consultations/$CID2/ack" "${B[@]}"
expect_status 400 "a late acknowledgement"
body_has "expired" "why"
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
