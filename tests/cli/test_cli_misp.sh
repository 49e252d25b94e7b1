#!/usr/bin/env bash
# Black-box: `accord misp import|export|synth` on the fixtures of
# tests/data/misp/: every attribute mapped or reported (file, event,
# attribute index and uuid), exit codes, incremental re-runs of files and
# feeds, integrity of feed files, export back to MISP (an event and a feed
# with manifest.json and hashes.csv) read through the sharing policy, and
# the audit trail of that export.
. "$(dirname "$0")/lib.sh"
D="$ACC_TESTDATA/misp"
"$ACCORD" init >/dev/null

run 0 "$ACCORD" help misp
expect_in "$T/out" "accord misp import"

# ---- import ----
run 0 "$ACCORD" misp import "$D/all-types.json"
expect_in "$T/err" "1 events (1 imported, 0 unchanged, 0 refused); 47 attributes: 47 mapped (24 indicator, 12 observed-data, 4 sdo, 3 note, 4 x-misp-attribute), 0 unmapped"
expect_in "$T/err" "galaxy 2 'Sector' (type sector) has no STIX counterpart"
expect_in "$T/err" "1 EventReport(s) (markdown reports) are not mapped"
run 0 "$ACCORD" get report--3c1a9e52-7d40-4f6b-9a21-5e8c0d4b7f10
expect_in "$T/out" '"name":"Accord MISP fixture: every family"'
run 0 "$ACCORD" get indicator--7a000000-0000-4000-8000-000000000001
expect_in "$T/out" "[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']"
run 0 "$ACCORD" get observed-data--7a000000-0000-4000-8000-000000000002
expect_in "$T/out" '"object_refs":["file--'
before=$(count_versions)

# the same file again: the store remembers the event at this timestamp
run 0 "$ACCORD" misp import "$D/all-types.json"
expect_in "$T/err" "1 events (0 imported, 1 unchanged, 0 refused)"
expect_eq "$(count_versions)" "$before" "unchanged event re-stored"
run 0 "$ACCORD" misp import --force --json "$D/all-types.json"
expect_in "$T/out" '"stix":{"stored":0,'
expect_eq "$(count_versions)" "$before" "forced re-import stored new objects"

# ---- bad input: per-attribute messages, the rest imported ----
run 1 "$ACCORD" misp import "$D/bad-input.json"
e="bad-input.json: event 4d2b8f63-8e51-4a7c-8b32-6f9d1e5c8a21"
expect_in "$T/err" "$e: attribute 1: 'uuid' is missing; MISP requires one (type domain); not imported"
expect_in "$T/err" "$e: attribute 2 (8a000000-0000-4000-8000-000000000003): type 'no-such-type' is not a MISP attribute type"
expect_in "$T/err" "$e: attribute 3 (8a000000-0000-4000-8000-000000000004): 'value' is not a string (type domain); not imported"
expect_in "$T/err" "$e: attribute 5 (8a000000-0000-4000-8000-000000000006): STIX validation refused indicator--8a000000-0000-4000-8000-000000000006"
expect_in "$T/err" "$e: attribute 7: not a JSON object; not imported"
expect_in "$T/err" "$e: object 0: 'uuid' is missing or not a UUID"
expect_in "$T/err" "$e: object 1 (8b000000-0000-4000-8000-000000000001): reference 0 (drops)"
expect_in "$T/err" "12 unmapped (domain: 4, no-such-type: 1, (no type): 2"
expect_in "$T/err" "1 refused by validation"
run 0 "$ACCORD" get indicator--8a000000-0000-4000-8000-000000000001
run 0 "$ACCORD" get indicator--8a000000-0000-4000-8000-000000000010

run 1 "$ACCORD" misp import "$D/bad-events.json"
expect_in "$T/err" "the event's 'uuid' is missing; the event is not imported"
expect_in "$T/err" "element 1 of the list is not a MISP event; skipped"
run 3 "$ACCORD" misp import "$D/not-misp.json"
expect_in "$T/err" "not-misp.json: no MISP event here"
run 3 "$ACCORD" misp import "$D/broken.json"
expect_in "$T/err" "broken.json: not JSON:"
run 3 "$ACCORD" misp import "$T/absent.json"
run 2 "$ACCORD" misp import
run 2 "$ACCORD" misp frobnicate

# --dry-run maps and validates, stores nothing
n=$(count_versions)
run 1 "$ACCORD" misp import --dry-run "$D/bad-input.json" "$D/all-types.json"
expect_in "$T/err" "STIX validation refused indicator--8a000000-0000-4000-8000-000000000006"
expect_eq "$(count_versions)" "$n" "dry run stored something"

# ---- export ----
run 0 "$ACCORD" misp export --id report--3c1a9e52-7d40-4f6b-9a21-5e8c0d4b7f10 -o "$T/ev.json"
expect_in "$T/err" "1 events, 47 attributes (5 in 2 objects), 2 sightings, 3 galaxy clusters, 2 references"
"$ACCORD" misp export --pretty --id report--3c1a9e52-7d40-4f6b-9a21-5e8c0d4b7f10 -o "$T/ev.json" 2>/dev/null
for s in '"uuid": "3c1a9e52-7d40-4f6b-9a21-5e8c0d4b7f10"' '"name": "tlp:amber"' \
    '"name": "tlp:red"' '"name": "tlp:white"' '"value": "AS64496"' \
    '"value": "00-11-22-AA-BB-CC"' '"relationship_type": "Communicates_With"' \
    '"value": "drop|per.exe|da39a3ee5e6b4b0d3255bfef95601890afd80709"' \
    '"type": "ip-src|port"' '"value": "198.51.100.5|0080"' \
    '"first_seen": "2023-11-14T10:00:00.123456+02:00"' '"name": "Example CERT"' \
    '"date_sighting": "1700001000"' '"type":"sector"'; do
  expect_in "$T/ev.json" "$s"
done
# what was exported imports again as the same event, all duplicates
ACCORD_DATA="$T/data2" "$ACCORD" init >/dev/null
ACCORD_DATA="$T/data2" run 0 "$ACCORD" misp import --json "$T/ev.json"
expect_in "$T/out" '"attributes":47,"mapped":47'

# only indicators: no report selected, so one event of loose attributes
run 0 "$ACCORD" misp export --type indicator -o "$T/ind.json"
expect_in "$T/err" "1 events"
expect_not_in "$T/ind.json" '"to_ids":false'

# ---- the sharing policy applies, and the export is audited ----
"$ACCORD" org add partner >/dev/null
"$ACCORD" user add bob --org partner --no-password >/dev/null
"$ACCORD" grant partner default --read >/dev/null
# bob's organisation reads the collection (AMBER), not the RED attribute:
# the event leaves without it, and the export says so (exit 1)
run 1 "$ACCORD" misp export --as bob --id report--3c1a9e52-7d40-4f6b-9a21-5e8c0d4b7f10 -o "$T/bob.json"
expect_in "$T/err" "1 object(s) it names are absent or not visible to the reader (first: indicator--7a000000-0000-4000-8000-000000000009)"
expect_in "$T/bob.json" 'cdn.example.com'
expect_not_in "$T/bob.json" 'evil.example.com"' # TLP:RED, bob not named
run 0 "$ACCORD" misp export --id report--3c1a9e52-7d40-4f6b-9a21-5e8c0d4b7f10 -o "$T/op.json"
expect_in "$T/op.json" 'evil.example.com"'
"$ACCORD" org add outsider --not-member >/dev/null
"$ACCORD" user add eve --org outsider --no-password >/dev/null
run 0 "$ACCORD" misp export --as eve -o "$T/eve.json"
expect_in "$T/err" "0 events"
run 0 "$ACCORD" audit verify
run 0 "$ACCORD" audit show --principal bob
expect_in "$T/out" "cli misp export"
expect_in "$T/out" '"deny"'
run 2 "$ACCORD" misp export --as nobody

# ---- feeds ----
run 0 "$ACCORD" misp synth --events 4 --attributes 30 --seed 3 "$T/feed"
expect_in "$T/err" "4 events of 30 attributes"
[ -f "$T/feed/manifest.json" ] && [ -f "$T/feed/hashes.csv" ] ||
  fail "synth wrote no manifest.json or hashes.csv"
ACCORD_DATA="$T/f" "$ACCORD" init >/dev/null
ACCORD_DATA="$T/f" run 0 "$ACCORD" misp import "$T/feed"
expect_in "$T/err" "4 events (4 imported, 0 unchanged, 0 refused); 120 attributes: 120 mapped"
ACCORD_DATA="$T/f" run 0 "$ACCORD" misp import "$T/feed"
expect_in "$T/err" "4 events (0 imported, 4 unchanged, 0 refused); 0 attributes"
# one event changes: only it is read again
first=$(sed -n 's/^ "\([0-9a-f-]\{36\}\)": {$/\1/p' "$T/feed/manifest.json" | sed -n 1p)
sed -i "s/\"timestamp\": \"\\([0-9]*\\)\"/\"timestamp\": \"1999999999\"/" "$T/feed/manifest.json"
ACCORD_DATA="$T/f" run 0 "$ACCORD" misp import "$T/feed"
expect_in "$T/err" "4 events (4 imported, 0 unchanged"
sed -i 's/"timestamp": "1999999999"/"timestamp": "1"/' "$T/feed/manifest.json"
ACCORD_DATA="$T/f" run 0 "$ACCORD" misp import "$T/feed"
expect_in "$T/err" "4 events (0 imported, 4 unchanged"
[ -n "$first" ] || fail "no event uuid in the synthetic manifest"

# export as a feed: manifest with integrity, hashes.csv, a file per event
ACCORD_DATA="$T/f" run 0 "$ACCORD" misp export --feed "$T/fo"
expect_in "$T/err" "4 events, 120 attributes"
expect_in "$T/fo/manifest.json" '"integrity:sha256"'
expect_eq "$(ls "$T/fo" | grep -c '\.json$')" 5 "files in the exported feed"
expect_eq "$(grep -cvE '^[0-9a-f]{32},[0-9a-f-]{36}$' "$T/fo/hashes.csv")" 0 \
  "hashes.csv lines that are not md5,uuid"
grep -qE '^[0-9a-f]{32},[0-9a-f-]{36}$' "$T/fo/hashes.csv" ||
  fail "hashes.csv lines are not md5,uuid"
ACCORD_DATA="$T/g" "$ACCORD" init >/dev/null
ACCORD_DATA="$T/g" run 0 "$ACCORD" misp import "$T/fo"
expect_in "$T/err" "4 events (4 imported"
# a file changed after the manifest was written is refused
ev=$(ls "$T/fo" | grep -v manifest | grep '\.json$' | sed -n 1p)
sed -i 's/"info":"/"info":"tampered /' "$T/fo/$ev"
ACCORD_DATA="$T/h" "$ACCORD" init >/dev/null
ACCORD_DATA="$T/h" run 1 "$ACCORD" misp import "$T/fo"
expect_in "$T/err" "the file's SHA-256 differs from the manifest's integrity:sha256"
expect_in "$T/err" "4 events (3 imported, 0 unchanged, 1 refused)"
# events are built by two worker threads but written in report order: the
# same store exports the same bytes every time, as one document and as a
# feed (hashes.csv in event order too)
run 0 "$ACCORD" misp synth --events 40 --attributes 50 --seed 9 "$T/feed40"
ACCORD_DATA="$T/p" "$ACCORD" init >/dev/null
ACCORD_DATA="$T/p" run 0 "$ACCORD" misp import "$T/feed40"
for k in 1 2 3; do
  ACCORD_DATA="$T/p" run 0 "$ACCORD" misp export -o "$T/p$k.json"
  expect_in "$T/err" "40 events, 2000 attributes"
  ACCORD_DATA="$T/p" run 0 "$ACCORD" misp export --feed "$T/pf$k"
done
cmp -s "$T/p1.json" "$T/p2.json" && cmp -s "$T/p1.json" "$T/p3.json" ||
  fail "two exports of the same store differ"
diff -r "$T/pf1" "$T/pf2" >/dev/null && diff -r "$T/pf1" "$T/pf3" >/dev/null ||
  fail "two feed exports of the same store differ"
# in the order the reports were stored (the order of the import)
ACCORD_DATA="$T/p" "$ACCORD" export --type report >"$T/reps.json"
grep -o '"id":"report--[0-9a-f-]*"' "$T/reps.json" | sed 's/.*report--//; s/"//' >"$T/order.want"
grep -o '"Event":{[^{]*"uuid":"[0-9a-f-]*"' "$T/p1.json" | sed 's/.*"uuid":"//; s/"//' >"$T/order.got"
[ -s "$T/order.want" ] || fail "no reports listed"
cmp -s "$T/order.want" "$T/order.got" || fail "events not in report order"
pass
