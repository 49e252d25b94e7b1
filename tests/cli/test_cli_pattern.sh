#!/usr/bin/env bash
# Black-box tests of `accord pattern check`, pattern validation on import,
# and `accord match` with sightings that import accepts.
. "$(dirname "$0")/lib.sh"
"$ACCORD" init >/dev/null

# ---- pattern check -------------------------------------------------------
run 0 "$ACCORD" pattern check "[file:name = 'foo.dll']"
expect_in "$T/out" "valid"
run 1 "$ACCORD" pattern check "[file:size = ]"
expect_in "$T/out" "invalid: position 13: expected a literal"
run 1 "$ACCORD" pattern check "file:size = 1280"
expect_in "$T/out" "position 0: expected an observation expression"
run 1 "$ACCORD" pattern check "[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS"
expect_in "$T/out" "duplicate WITHIN qualifier"
run 0 "$ACCORD" pattern check --tree "[a:x = 1] OR [b:y = 2] AND [c:z = 3]"
expect_in "$T/out" "valid: ([a:x = 1] OR ([b:y = 2] AND [c:z = 3]))"
# an impossible date is accepted, with a warning
run 0 "$ACCORD" pattern check "[x:created = t'2024-02-30T12:00:00Z']"
expect_in "$T/err" "warning: position 13: 2024-02-30 is not a calendar date"
run 1 "$ACCORD" --json pattern check "[file:hashes.MD5 = 'f00']"
expect_in "$T/out" '"valid":false,"position":19,"error":"position 19:'
run 0 "$ACCORD" --json pattern check "[a:b = 1] FOLLOWEDBY [c:d = 2]"
expect_in "$T/out" '"valid":true,"observation_expressions":2,"single_observation":false'
# several patterns on standard input: exit 1 when one is invalid
printf '%s\n' "[a:b = 1]" "[a:b = ]" "[c:d LIKE 'x%']" >"$T/pats"
run 1 "$ACCORD" pattern check - <"$T/pats"
expect_eq "$(grep -c '^valid' "$T/out")" 2 "valid lines"
expect_eq "$(grep -c '^invalid' "$T/out")" 1 "invalid lines"
run 2 "$ACCORD" pattern nonsense

# ---- import validates stix patterns, stores others as they come ---------
TS=2026-01-01T00:00:00.000Z
ind() { # ind UUID-TAIL PATTERN-TYPE PATTERN
  printf '{"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-%012d","created":"%s","modified":"%s","valid_from":"%s","pattern_type":"%s","pattern":"%s"}\n' \
    "$1" "$TS" "$TS" "$TS" "$2" "$3"
}
{
  ind 1 stix "[ipv4-addr:value = '198.51.100.5']"
  ind 2 stix "[ipv4-addr:value = ]"
  ind 3 sigma "title: anything goes here"
  ind 4 yara "rule x { condition: true }"
  ind 5 stix "[domain-name:value = 'evil.example'] FOLLOWEDBY [ipv4-addr:value = '198.51.100.5']"
  ind 6 stix "[x:created = t'2024-02-30T12:00:00Z']"
} >"$T/ind.jsonl"
run 1 "$ACCORD" import --json "$T/ind.jsonl"
expect_in "$T/out" '"stored":5,"duplicate":0,"rejected":1'
expect_in "$T/out" "property 'pattern': position 19: expected a literal"

# ---- match ----------------------------------------------------------------
od() { # od UUID-TAIL SECONDS VALUE TYPE
  printf '{"type":"observed-data","spec_version":"2.1","id":"observed-data--00000000-0000-4000-8000-%012d","created":"%s","modified":"%s","first_observed":"2026-01-01T00:00:%02dZ","last_observed":"2026-01-01T00:00:%02dZ","number_observed":1,"objects":{"0":{"type":"%s","value":"%s"}}}\n' \
    "$1" "$TS" "$TS" "$2" "$2" "$4" "$3"
}
{
  od 1 10 198.51.100.5 ipv4-addr
  od 2 20 evil.example domain-name
  od 3 30 198.51.100.5 ipv4-addr
  od 4 40 203.0.113.9 ipv4-addr
} >"$T/obs.jsonl"
run 1 "$ACCORD" match --indicators "$T/ind.jsonl" --observations "$T/obs.jsonl"
expect_in "$T/err" "indicator--00000000-0000-4000-8000-000000000002: property 'pattern': position 19"
expect_in "$T/out" "$(printf 'indicator--00000000-0000-4000-8000-000000000001\tobserved-data--00000000-0000-4000-8000-000000000001')"
expect_in "$T/out" "$(printf 'indicator--00000000-0000-4000-8000-000000000001\tobserved-data--00000000-0000-4000-8000-000000000003')"
expect_in "$T/out" "$(printf 'indicator--00000000-0000-4000-8000-000000000005\tobserved-data--00000000-0000-4000-8000-000000000002,observed-data--00000000-0000-4000-8000-000000000003')"
expect_eq "$(wc -l <"$T/out")" 3 "match lines"
expect_in "$T/err" '"matches":3'

# the store's indicators (the invalid one was never stored)
WHERE=identity--f431f809-377b-45e0-aa1c-6a4751cae5ff
run 0 "$ACCORD" match --indicators store --observations "$T/obs.jsonl" \
  --sightings "$T/sightings.json" --where "$WHERE" --created 2026-02-01T00:00:00Z
expect_eq "$(wc -l <"$T/out")" 3 "match lines from the store"
cp "$T/out" "$T/out.store"
run 0 "$ACCORD" --json match --indicators store --observations "$T/obs.jsonl"
expect_in "$T/out" '"indicator":"indicator--00000000-0000-4000-8000-000000000005","observed_data":["observed-data--00000000-0000-4000-8000-000000000002","observed-data--00000000-0000-4000-8000-000000000003"]'
expect_in "$T/sightings.json" '"type":"sighting"'
expect_in "$T/sightings.json" "\"where_sighted_refs\":[\"$WHERE\"]"
expect_in "$T/sightings.json" '"count":2,"sighting_of_ref":"indicator--00000000-0000-4000-8000-000000000001"'
# sightings import cleanly, and the same run gives the same bytes
run 0 "$ACCORD" import --json "$T/sightings.json"
expect_in "$T/out" '"stored":2,"duplicate":0,"rejected":0'
run 0 "$ACCORD" match -q --indicators store --observations "$T/obs.jsonl" \
  --sightings "$T/sightings2.json" --where "$WHERE" --created 2026-02-01T00:00:00Z
expect_eq "$(grep sighting "$T/sightings.json")" "$(grep sighting "$T/sightings2.json")" "sightings again"
run 0 "$ACCORD" import --json "$T/sightings2.json"
expect_in "$T/out" '"stored":0,"duplicate":2,"rejected":0'

# usage errors
run 2 "$ACCORD" match --indicators store
run 2 "$ACCORD" match --indicators store --observations "$T/obs.jsonl" --where nobody
run 3 "$ACCORD" match --indicators "$T/none.json" --observations "$T/obs.jsonl"
printf '{"objects": [\n{"type": }\n]}' >"$T/broken.json"
run 3 "$ACCORD" match --indicators store --observations "$T/broken.json"
expect_in "$T/err" "line 2"

# generated data: both shapes of observed-data, every kind of indicator
run 0 "$ACCORD" pattern generate --indicators 500 --observations 20000 \
  --out-indicators "$T/gi.jsonl" --out-observations "$T/go.jsonl"
run 0 "$ACCORD" match --indicators "$T/gi.jsonl" --observations "$T/go.jsonl" \
  --sightings "$T/gs.json"
n=$(wc -l <"$T/out")
if [ "$n" -lt 200 ]; then fail "only $n matches on generated data"; fi
expect_in "$T/err" '"invalid_indicators":0'
expect_in "$T/err" '"unresolved_refs":0,"bad_objects":0'
run 0 "$ACCORD" import --json "$T/gs.json"
expect_in "$T/out" '"rejected":0'
pass
