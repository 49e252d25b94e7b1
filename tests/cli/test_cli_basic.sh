#!/usr/bin/env bash
# Black-box: init, import, get, list, export, stats, check, help — their
# output and exit codes, on a real store in a scratch directory.
. "$(dirname "$0")/lib.sh"
D="$ACC_TESTDATA"
IND=indicator--0f7c4d3e-2b1a-4e5f-8a9b-1c2d3e4f5a6b

# Before init: a clear error, exit 4.
run 4 "$ACCORD" stats
expect_in "$T/err" "accord init"

run 0 "$ACCORD" init
expect_in "$T/out" "initialised"
run 0 "$ACCORD" init            # idempotent
run 0 "$ACCORD" import "$D/basic.json"
expect_in "$T/err" "stored 6, duplicate 0, rejected 0"
expect_eq "$(count_objects)" 5 "objects after import"
expect_eq "$(count_versions)" 6 "versions after import"

# Importing again: all duplicates, nothing new.
run 0 "$ACCORD" import --json "$D/basic.json"
expect_in "$T/out" '"stored":0,"duplicate":6,"rejected":0'
expect_eq "$(count_versions)" 6 "versions after re-import"

# get: latest version, exact bytes; a named version; absent id.
run 0 "$ACCORD" get "$IND"
expect_in "$T/out" '"name": "C2 address (confirmed)",'
expect_in "$T/out" '      "confidence": 85,'
run 0 "$ACCORD" get "$IND" --version 2026-01-11T10:00:00Z
expect_in "$T/out" '"name": "C2 address",'
run 1 "$ACCORD" get indicator--00000000-0000-4000-8000-000000000000
expect_in "$T/err" "no object with id"
run 1 "$ACCORD" get "$IND" --version 2020-01-01T00:00:00Z
expect_in "$T/err" "no version of"
run 2 "$ACCORD" get "$IND" --version yesterday
expect_in "$T/err" "not an RFC 3339"

# list
run 0 "$ACCORD" list --type indicator
expect_in "$T/out" "$IND"
expect_in "$T/out" "C2 address (confirmed)"
expect_eq "$(wc -l <"$T/out")" 1 "latest versions listed"
run 0 "$ACCORD" list --all-versions --type indicator --json
expect_eq "$(wc -l <"$T/out")" 2 "all versions listed"
expect_in "$T/out" '"latest":false'

# export: bundle (default), lines, filters
run 0 "$ACCORD" export
expect_in "$T/out" '{"type":"bundle","id":"bundle--'
expect_eq "$(grep -c '"type": "' "$T/out")" 5 "objects in bundle export"
run 0 "$ACCORD" export --format lines --all-versions
expect_eq "$(wc -l <"$T/out")" 6 "lines in all-versions export"
run 0 "$ACCORD" export --format lines --type malware --type sighting
expect_eq "$(wc -l <"$T/out")" 2 "lines for two types"
run 0 "$ACCORD" export --format lines --id "$IND" -o "$T/one.jsonl"
expect_eq "$(wc -l <"$T/one.jsonl")" 1 "export by id"
expect_in "$T/one.jsonl" '"confidence": 85'
run 0 "$ACCORD" export --added-after 2999-01-01T00:00:00Z --format lines
expect_eq "$(wc -c <"$T/out")" 0 "nothing added after 2999"
run 2 "$ACCORD" export --format xml
expect_in "$T/err" "neither 'bundle' nor 'lines'"

# The bundle export is itself importable into a fresh store, unchanged.
"$ACCORD" export --all-versions >"$T/exp.json"
run 0 "$ACCORD" -d "$T/second" init
run 0 "$ACCORD" -d "$T/second" import "$T/exp.json"
expect_in "$T/err" "stored 6, duplicate 0, rejected 0"
"$ACCORD" export --format lines --all-versions >"$T/a.jsonl"
"$ACCORD" -d "$T/second" export --format lines --all-versions >"$T/b.jsonl"
cmp -s "$T/a.jsonl" "$T/b.jsonl" || fail "export differs after a round trip"

# stats and check
run 0 "$ACCORD" stats
expect_in "$T/out" "objects      5 (6 versions"
expect_in "$T/out" "indicator"
run 0 "$ACCORD" stats --json
expect_in "$T/out" '"objects": 5'
run 0 "$ACCORD" check
expect_in "$T/out" ": ok"

# stdin, and a single object
printf '%s\n' '{"type":"x-acme-thing","id":"x-acme-thing--3f2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d","spec_version":"2.1","created":"2026-01-01T00:00:00.000Z","modified":"2026-01-01T00:00:00.000Z","x_acme":1}' >"$T/one.json"
run 0 "$ACCORD" import - <"$T/one.json"
expect_in "$T/err" "<stdin>: stored 1"

# Accord's extension definitions are valid STIX, published TLP:CLEAR.
"$ACCORD" generate extensions >"$T/ext.json"
run 0 "$ACCORD" -d "$T/ext" init
run 0 "$ACCORD" -d "$T/ext" import --json "$T/ext.json"
expect_in "$T/out" '"stored":3,"duplicate":0,"rejected":0,"warnings":0'
expect_in "$T/ext.json" '"type":"extension-definition"'
expect_in "$T/ext.json" "extension-definition--3f1b8c2a-7d4e-4a6b-9c5d-2e8f0a1b3c4d"
expect_in "$T/ext.json" 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487'

# help and usage
run 0 "$ACCORD" help
expect_in "$T/out" "import"
run 0 "$ACCORD" help import
expect_in "$T/out" "--strict"
run 0 "$ACCORD" import --help
expect_in "$T/out" "--max-bytes"
run 2 "$ACCORD" help nonsense
run 2 "$ACCORD" nonsense
expect_in "$T/err" "no command 'nonsense'"
run 2 "$ACCORD" import
expect_in "$T/err" "at least one FILE"
run 2 "$ACCORD" --bogus
run 0 "$ACCORD" --version
expect_in "$T/out" "accord "
[ -f "$ACC_SRC/docs/accord.1" ] || fail "man page docs/accord.1 missing"
if command -v man >/dev/null 2>&1; then
  man -l "$ACC_SRC/docs/accord.1" 2>/dev/null | grep -c "import" >/dev/null ||
    fail "man page does not render"
fi

pass
