#!/usr/bin/env bash
# Detection over TAXII: observed-data POSTed by one organisation is matched
# at once against the indicators another organisation shared, and the
# sighting is stored for the indicator's producer — marked with the more
# restrictive of the two TLPs and naming both organisations, so nobody
# else learns of the indicator through it.
. "$(dirname "$0")/lib.sh"
setup_store
"$ACCORD" grant other shared --read --write >/dev/null
"$ACCORD" grant nobody shared --read >/dev/null
BOB=$("$ACCORD" token create bob 2>/dev/null)
CAROL=$("$ACCORD" token create carol 2>/dev/null)
start_server
AMBER=marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421
GREEN=marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb
IND=indicator--5b1e0c44-7a1d-4c55-9f0e-1e2d3c4b5a69
SCO=ipv4-addr--b2c4b7d8-7b8e-5f1e-9a5d-0c1b2a3f4e5d
OD=observed-data--8a6f2c1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b

env_ind='{"objects":[{"type":"indicator","spec_version":"2.1","id":"'$IND'","created":"2026-03-01T00:00:00.000Z","modified":"2026-03-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '"'"'198.51.100.77'"'"']","pattern_type":"stix","valid_from":"2026-03-01T00:00:00Z","object_marking_refs":["'$AMBER'"],"extensions":{"extension-definition--5c6d7a1e-2f48-4b9c-8e3a-6d0f1b2c3e4a":{"extension_type":"property-extension","recipient_orgs":["acme"]}}}]}'
req POST /api/collections/shared/objects/ -H "Authorization: Bearer $TOKEN" \
  -H "$TAXII_CT" --data-binary "$env_ind"
expect_status 202 "alice posts an indicator"

env_obs='{"objects":[{"type":"ipv4-addr","spec_version":"2.1","id":"'$SCO'","value":"198.51.100.77"},{"type":"observed-data","spec_version":"2.1","id":"'$OD'","created":"2026-03-02T00:00:00.000Z","modified":"2026-03-02T00:00:00.000Z","first_observed":"2026-03-02T10:00:00Z","last_observed":"2026-03-02T10:05:00Z","number_observed":3,"object_refs":["'$SCO'"],"object_marking_refs":["'$GREEN'"]}]}'
req POST /api/collections/shared/objects/ -H "Authorization: Bearer $BOB" \
  -H "$TAXII_CT" --data-binary "$env_obs"
expect_status 202 "bob posts observed-data"

# The producer sees the sighting of her indicator, with bob's observation.
req GET '/api/collections/shared/objects/?match[type]=sighting' \
  -H "Authorization: Bearer $TOKEN"
expect_status 200 "alice lists sightings"
expect_eq "$(count '"type":"sighting"')" 1 "sightings seen by alice"
body_has "\"sighting_of_ref\":\"$IND\"" "the sighting points at the indicator"
body_has "\"observed_data_refs\":[\"$OD\"]" "and at the observation"
body_has "$AMBER" "the sighting is AMBER (the stricter of AMBER and GREEN)"
body_has '"recipient_orgs":["acme"]' "it names the producer only"
# Bob, whose observation it is, may not see the indicator (shared with acme
# only), so the sighting is not his to see either.
req GET '/api/collections/shared/objects/?match[type]=sighting' \
  -H "Authorization: Bearer $BOB"
expect_eq "$(count '"type":"sighting"')" 0 "sightings seen by bob"
# Carol may read the collection, but neither the AMBER indicator (shared
# with acme only) nor the sighting: nothing tells her the indicator exists.
req GET '/api/collections/shared/objects/' -H "Authorization: Bearer $CAROL"
expect_status 200 "carol lists the collection"
body_lacks "$IND" "carol must not learn of the indicator"
body_has "$OD" "carol sees the GREEN observation"

# A second observation of another address makes no sighting; a new
# indicator is picked up by the next observation without a restart.
IND2=indicator--6c2f1d55-8b2e-4d66-8a1f-2f3e4d5c6b7a
SCO2=ipv4-addr--c3d5c8e9-8c9f-5a2f-8b6e-1d2c3b4a5f6e
OD2=observed-data--9b7a3d2f-4c5e-4f60-8b1c-2d3e4f5a6b7c
env_ind2='{"objects":[{"type":"indicator","spec_version":"2.1","id":"'$IND2'","created":"2026-03-03T00:00:00.000Z","modified":"2026-03-03T00:00:00.000Z","pattern":"[ipv4-addr:value = '"'"'203.0.113.9'"'"']","pattern_type":"stix","valid_from":"2026-03-03T00:00:00Z"}]}'
req POST /api/collections/shared/objects/ -H "Authorization: Bearer $TOKEN" \
  -H "$TAXII_CT" --data-binary "$env_ind2"
expect_status 202 "alice posts a second indicator"
env_obs2='{"objects":[{"type":"ipv4-addr","spec_version":"2.1","id":"'$SCO2'","value":"203.0.113.9"},{"type":"observed-data","spec_version":"2.1","id":"'$OD2'","created":"2026-03-04T00:00:00.000Z","modified":"2026-03-04T00:00:00.000Z","first_observed":"2026-03-04T10:00:00Z","last_observed":"2026-03-04T10:00:00Z","number_observed":1,"object_refs":["'$SCO2'"]}]}'
req POST /api/collections/shared/objects/ -H "Authorization: Bearer $BOB" \
  -H "$TAXII_CT" --data-binary "$env_obs2"
expect_status 202 "bob posts a second observation"
req GET '/api/collections/shared/objects/?match[type]=sighting' \
  -H "Authorization: Bearer $TOKEN"
expect_eq "$(count '"type":"sighting"')" 2 "two sightings after the second"
body_has "\"sighting_of_ref\":\"$IND2\"" "the new indicator was matched"
# This indicator names no recipient, so bob may read it, and he is told of
# the match: the sighting names both organisations.
req GET '/api/collections/shared/objects/?match[type]=sighting' \
  -H "Authorization: Bearer $BOB"
expect_eq "$(count '"type":"sighting"')" 1 "bob sees the sighting he may see"
body_has "\"sighting_of_ref\":\"$IND2\"" "of the indicator he may read"
body_has '"recipient_orgs":["acme","other"]' "naming both organisations"
req GET /metrics
body_has "accord_sightings_total 2" "metrics count the sightings"
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
