#!/usr/bin/env bash
# Black-box: bad input of every kind gets a clear message naming file,
# object index, id and property, the right exit code, and loses nothing:
# the store holds exactly what it held before plus the good objects.
. "$(dirname "$0")/lib.sh"
"$ACCORD" init >/dev/null
"$ACCORD" import -q "$ACC_TESTDATA/basic.json"
base=$(count_versions)

ind() { # ind N [EXTRA-JSON]: a valid indicator with a distinct id
  printf '{"type":"indicator","spec_version":"2.1","id":"indicator--11111111-2222-4333-8444-%012d","created":"2026-03-01T00:00:00.000Z","modified":"2026-03-01T00:00:00.000Z","pattern":"[ipv4-addr:value = '"'"'198.51.100.%d'"'"']","pattern_type":"stix","valid_from":"2026-03-01T00:00:00Z"%s}' "$1" "$1" "${2:-}"
}
bundle() { # bundle OBJ...: wrap objects in a bundle, one per line
  printf '{"type":"bundle","id":"bundle--0d8f6b5e-4c3a-4b2d-9e1f-0a9b8c7d6e5f","objects":[\n'
  local first=1
  for o in "$@"; do
    [ $first = 1 ] || printf ',\n'
    first=0
    printf '%s' "$o"
  done
  printf '\n]}\n'
}
unchanged() { expect_eq "$(count_versions)" "$base" "store changed after: $1"; }

# Document-level: refused whole, exit 3, nothing stored.
# Written whole first: `bundle | head -c` can kill bundle with SIGPIPE, which
# pipefail would turn into a silent exit of this script.
bundle "$(ind 1)" "$(ind 2)" >"$T/whole.json"
head -c 300 "$T/whole.json" >"$T/trunc.json"
run 3 "$ACCORD" import "$T/trunc.json"
expect_in "$T/err" "trunc.json: line"
expect_in "$T/err" "unexpected end of input"
unchanged truncated

bundle "$(ind 1)" "$(ind 2)" | sed 's/},$/}/' >"$T/nocomma.json"
run 3 "$ACCORD" import "$T/nocomma.json"
expect_in "$T/err" "nocomma.json: line 3, column 1: unexpected '{', expected ',' or ']'"
unchanged missing-comma

deep='{"type":"note","x_deep":'
for _ in $(seq 70); do deep+='['; done
for _ in $(seq 70); do deep+=']'; done
deep+='}'
bundle "$(ind 1)" "$deep" >"$T/deep.json"
run 3 "$ACCORD" import "$T/deep.json"
expect_in "$T/err" "nested deeper than 64 levels"
unchanged deep
run 1 "$ACCORD" import --max-depth 100 --json "$T/deep.json"
expect_in "$T/out" '"stored":1,"duplicate":0,"rejected":1' # the note is no STIX
base=$(count_versions)

bundle "$(ind 3)" >"$T/big.json"
run 3 "$ACCORD" import --max-bytes 100 "$T/big.json"
expect_in "$T/err" "exceeds the limit of 100 bytes"
run 3 "$ACCORD" import --max-bytes 100 - <"$T/big.json"
expect_in "$T/err" "exceeds the limit of 100 bytes"
unchanged too-big

printf '{"foo": 1}' >"$T/shape.json"
run 3 "$ACCORD" import "$T/shape.json"
expect_in "$T/err" "neither 'type' nor 'objects'"
printf '"hello"' >"$T/scalar.json"
run 3 "$ACCORD" import "$T/scalar.json"
expect_in "$T/err" "scalar"
: >"$T/empty.json"
run 3 "$ACCORD" import "$T/empty.json"
expect_in "$T/err" "empty"
run 3 "$ACCORD" import "$T/does-not-exist.json"
expect_in "$T/err" "does-not-exist.json: cannot open"
run 3 "$ACCORD" import "$T"
expect_in "$T/err" "is a directory"
unchanged shapes

# Object-level: the bad object is rejected with what and where, the good
# ones around it are stored.
ok4=$(ind 4)
bad_utf8=$(ind 5 ',"name":"\xff\xfe"')
bundle "$ok4" "$(printf "$bad_utf8")" "$(ind 6)" >"$T/utf8.json"
run 1 "$ACCORD" import "$T/utf8.json"
expect_in "$T/err" "utf8.json: object 1 (line 3): rejected: invalid UTF-8"
expect_in "$T/err" "stored 2, duplicate 0, rejected 1"
base=$((base + 2))
unchanged utf8

bundle "$(ind 7 ',"name":"a","name":"b"')" >"$T/dup.json"
run 1 "$ACCORD" import "$T/dup.json"
expect_in "$T/err" "duplicate key"
unchanged duplicate-key

check_prop() { # check_prop NAME EXTRA PROPERTY: one bad property
  bundle "$(ind "$1" "$2")" >"$T/p$1.json"
  run 1 "$ACCORD" import "$T/p$1.json"
  expect_in "$T/err" "p$1.json: object 0 (line 2, indicator--11111111-2222-4333-8444-$(printf %012d "$1")): rejected:"
  expect_in "$T/err" "'$3'"
  unchanged "property $3"
}
check_prop 10 ',"confidence":101' confidence
check_prop 11 ',"confidence":"high"' confidence
check_prop 12 ',"labels":"apt"' labels
check_prop 13 ',"created_by_ref":"malware--5a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d"' created_by_ref
check_prop 14 ',"object_marking_refs":["identity--c5f2a1f0-6a55-4f39-9d1e-2b0f1f3c8a01"]' object_marking_refs
check_prop 15 ',"external_references":[{"url":"https://x.example"}]' source_name
check_prop 16 ',"revoked":"yes"' revoked

# Wrong types and values of the common properties.
printf '{"type":"indicator","spec_version":"2.1","id":"indicator--11111111-2222-4333-8444-000000000020","created":5,"modified":"2026-03-01T00:00:00Z","pattern":"[x:y = 1]","pattern_type":"stix","valid_from":"2026-03-01T00:00:00Z"}' >"$T/c.json"
run 1 "$ACCORD" import "$T/c.json"
expect_in "$T/err" "'created'"
printf '{"type":"indicator","spec_version":"2.1","id":"indicator--11111111-2222-4333-8444-000000000021","created":"2026-03-02T00:00:00.000Z","modified":"2026-03-01T00:00:00.000Z","pattern":"[x:y = 1]","pattern_type":"stix","valid_from":"2026-03-01T00:00:00Z"}' >"$T/m.json"
run 1 "$ACCORD" import "$T/m.json"
expect_in "$T/err" "'modified'"
printf '{"type":"indicator","spec_version":"2.1","id":"malware--11111111-2222-4333-8444-000000000022","created":"2026-03-01T00:00:00.000Z","modified":"2026-03-01T00:00:00.000Z","pattern":"[x:y = 1]","pattern_type":"stix","valid_from":"2026-03-01T00:00:00Z"}' >"$T/i.json"
run 1 "$ACCORD" import "$T/i.json"
expect_in "$T/err" "'id'"
printf '{"type":"indicator","spec_version":"2.1","id":"indicator--11111111-2222-4333-8444-000000000023","created":"2026-03-01T00:00:00.000Z","modified":"2026-03-01T00:00:00.000Z","pattern_type":"stix","valid_from":"2026-03-01T00:00:00Z"}' >"$T/r.json"
run 1 "$ACCORD" import "$T/r.json"
expect_in "$T/err" "'pattern'"
printf '{"type":"indicator","spec_version":"2.1","id":"indicator--11111111-2222-4333-8444-000000000024","created":"2026-03-01T00:00:00.000Z","modified":"2026-03-01T00:00:00.000Z","pattern":"[x:y = 1]","pattern_type":"stix","valid_from":"2026-02-30T00:00:00Z"}' >"$T/v.json"
run 1 "$ACCORD" import "$T/v.json"
expect_in "$T/err" "'valid_from'"
printf '{"type":"relationship","spec_version":"2.1","id":"relationship--11111111-2222-4333-8444-000000000025","created":"2026-03-01T00:00:00.000Z","modified":"2026-03-01T00:00:00.000Z","relationship_type":"uses","source_ref":"not-an-id"}' >"$T/rel.json"
run 1 "$ACCORD" import "$T/rel.json"
expect_in "$T/err" "relationship--11111111-2222-4333-8444-000000000025"
unchanged common-properties

# A different object under a stored (id, modified): a conflict.
sed 's/"C2 address"/"tampered"/' "$ACC_TESTDATA/basic.json" >"$T/conflict.json"
run 1 "$ACCORD" import "$T/conflict.json"
expect_in "$T/err" "different content"
expect_in "$T/err" "stored 0, duplicate 5, rejected 1"
unchanged conflict

# JSON lines: a bad line does not stop the good ones.
{ ind 30; echo; echo '{"type": "indicator",'; ind 31; echo; } >"$T/lines.jsonl"
run 1 "$ACCORD" import "$T/lines.jsonl"
expect_in "$T/err" "lines.jsonl: object 1 (line 2): rejected: malformed JSON"
expect_in "$T/err" "stored 2"
base=$((base + 2))
unchanged lines

# --strict: one bad object and the whole file is rolled back.
bundle "$(ind 40)" "$(ind 41 ',"confidence":-1')" "$(ind 42)" >"$T/strict.json"
run 1 "$ACCORD" import --strict "$T/strict.json"
expect_in "$T/err" "nothing stored (strict)"
unchanged strict
run 1 "$ACCORD" import "$T/strict.json"  # without --strict, 2 of 3 stored
base=$((base + 2))
unchanged non-strict

# Several files: exit code is the worst; good files are stored.
bundle "$(ind 50)" >"$T/good.json"
run 3 "$ACCORD" import "$T/good.json" "$T/trunc.json"
expect_in "$T/err" "total: stored 1"
base=$((base + 1))
unchanged several

# JSON output of rejections is machine-readable.
run 1 "$ACCORD" import --json "$T/p10.json"
expect_in "$T/out" '"kind":"rejected","index":0,"line":2,"id":"indicator--11111111-2222-4333-8444-000000000010"'

run 0 "$ACCORD" check
pass
