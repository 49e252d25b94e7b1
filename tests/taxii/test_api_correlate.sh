#!/usr/bin/env bash
# Black-box: GET /api/v1/correlate on a real `accord serve` — answers by
# value and by id, CIDR containment, live indexing of a TAXII POST,
# removal on TAXII DELETE, list flags, and the sharing policy: bob (org
# other) must not learn that acme's AMBER indicator shares a value, not
# from objects, counts, sources or flags.
. "$(dirname "$0")/lib.sh"
setup_store
J='Accept: application/json'
A=(-u alice:alice-pw)
B=(-u bob:bob-pw)
IA=indicator--6a1f0c1e-0000-4000-8000-00000000000a
IB=indicator--6a1f0c1e-0000-4000-8000-00000000000b
IC=indicator--6a1f0c1e-0000-4000-8000-00000000000c
ind() { # id name pattern
  printf '{"type":"indicator","spec_version":"2.1","id":"%s","created":"2024-03-01T00:00:00.000Z","modified":"2024-03-01T00:00:00.000Z","name":"%s","pattern_type":"stix","pattern":"%s","valid_from":"2024-03-01T00:00:00.000Z"}\n' "$1" "$2" "$3"
}
ind "$IA" "acme secret" "[ipv4-addr:value = '203.0.113.5'] OR [domain-name:value = 'only-acme.example']" >"$T/a.json"
ind "$IB" "other green" "[ipv4-addr:value = '203.0.113.5']" >"$T/b.json"
ind "$IC" "acme range" "[ipv4-addr:value ISSUBSET '203.0.113.0/24']" >"$T/c.json"
run 0 "$ACCORD" import --as alice --tlp amber --share-with acme --collection shared "$T/a.json"
run 0 "$ACCORD" import --as bob --tlp green --collection shared "$T/b.json"
run 0 "$ACCORD" import --as alice --tlp amber --share-with acme --collection shared "$T/c.json"
printf '203.0.113.5\n' >"$T/tor"
run 0 "$ACCORD" lists import --kind tor-exit --name tor-2024 \
  --valid-from 2024-01-01 --valid-until 2024-12-31 "$T/tor"
start_server

req GET '/api/v1/correlate?value=203.0.113.5' -H "$J"
expect_status 401 "no credentials"
req GET '/api/v1/correlate' -H "$J" "${A[@]}"
expect_status 400 "neither value nor id"
req GET '/api/v1/correlate?value=not%20a%20value' -H "$J" "${A[@]}"
expect_status 400 "unreadable value"

# alice (acme) sees both indicators and the range
req GET '/api/v1/correlate?value=203.0.113.5' -H "$J" "${A[@]}"
expect_status 200 "alice by value"
body_has "$IA" "alice sees acme's indicator"
body_has "$IB" "alice sees other's green indicator"
body_has '"relation":"contains"' "the range containing the address"
body_has "$IC" "alice sees the range indicator"
body_has '"sources":["acme","other"]' "both sources"
body_has '"tor-exit"' "tor-exit flag"
body_has '"list":"tor-2024"' "the list named"

# bob (other) sees only his own: nothing of acme's AMBER objects
req GET '/api/v1/correlate?value=203.0.113.5' -H "$J" "${B[@]}"
expect_status 200 "bob by value"
body_has "$IB" "bob sees his indicator"
body_lacks "$IA" "bob must not see acme's indicator"
body_lacks "$IC" "bob must not see acme's range"
body_lacks '"acme"' "bob must not see acme as a source"
body_lacks '"contains"' "bob must not learn of the range"
body_has '"occurrences":1,' "bob's count is his alone"
req GET '/api/v1/correlate?value=only-acme.example' -H "$J" "${B[@]}"
expect_status 200 "bob, a value only acme holds"
body_has '"occurrences":0,' "no count"
body_has '"values_matched":0' "nothing matched"
body_lacks '"flags":["common"' "no flag"
# by id: acme's object reads as absent for bob, exactly like a random id
req GET "/api/v1/correlate?id=$IA" -H "$J" "${B[@]}"
expect_status 404 "bob: acme's object"
cp "$T/body" "$T/b404"
req GET "/api/v1/correlate?id=indicator--6a1f0c1e-0000-4000-8000-0000000000ff" -H "$J" "${B[@]}"
expect_status 404 "bob: an absent object"
req GET "/api/v1/correlate?id=$IB" -H "$J" "${B[@]}"
expect_status 200 "bob: his object"
body_lacks "$IA" "by id, acme's indicator stays hidden"
# by id, values nothing else shares are counted, not listed
body_has '"values_matched":0,"values_checked":1' "bob: one value checked, none shared"
body_lacks '"value":"203.0.113.5"' "bob: the unshared value is not listed"
req GET "/api/v1/correlate?id=$IB" -H "$J" "${A[@]}"
body_has "$IA" "alice by id finds acme's indicator"
body_has '"values_matched":2,"values_checked":1' "alice: the value and the range holding it"
body_lacks "\"id\":\"$IB\",\"type\"" "the object itself is not listed"

# live: a TAXII POST is correlated as soon as it is stored
cat >"$T/env.json" <<'ENV'
{"objects":[{"type":"observed-data","spec_version":"2.1","id":"observed-data--6a1f0c1e-0000-4000-8000-0000000000d1","created":"2024-04-01T00:00:00.000Z","modified":"2024-04-01T00:00:00.000Z","first_observed":"2024-04-01T00:00:00.000Z","last_observed":"2024-04-01T01:00:00.000Z","number_observed":3,"object_refs":["ipv4-addr--6a1f0c1e-0000-4000-8000-0000000000d2"]},
{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--6a1f0c1e-0000-4000-8000-0000000000d2","value":"203.0.113.77"}]}
ENV
req POST /api/collections/shared/objects/ "${A[@]}" -H "$TAXII_CT" --data-binary "@$T/env.json"
expect_status 202 "POST"
req GET '/api/v1/correlate?value=203.0.113.77' -H "$J" "${A[@]}"
expect_status 200 "the posted address"
body_has "ipv4-addr--6a1f0c1e-0000-4000-8000-0000000000d2" "the SCO"
body_has "observed-data--6a1f0c1e-0000-4000-8000-0000000000d1" "the observed-data naming it"
body_has "$IC" "inside acme's range"
# and removed when deleted
req DELETE "/api/collections/shared/objects/$IC/" "${A[@]}"
expect_status 200 "DELETE the range"
req GET '/api/v1/correlate?value=203.0.113.77' -H "$J" "${A[@]}"
body_lacks "$IC" "deleted object no longer correlated"
body_lacks '"contains"' "no containing range left"
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
