#!/usr/bin/env bash
# Black-box: `accord index rebuild` on a store large enough for the
# rebuild's pipeline to run many batches on its worker threads (4,000
# synthetic objects, a third indicators, plus SCOs, observed-data and a
# report): the index it writes is the one incremental indexing kept (same
# counts, same answers, by value and by id, for the operator and for a
# user), its JSON names its phases; by id, unshared values are counted
# (values_checked) but not listed.
. "$(dirname "$0")/lib.sh"

run 0 "$ACCORD" init
run 0 "$ACCORD" org add partner
run 0 "$ACCORD" grant partner default --read
run 0 "$ACCORD" user add ana --org partner --no-password
run 0 "$ACCORD" generate synthetic --count 4000 --lines --seed 7 -o "$T/syn.jsonl"
run 0 "$ACCORD" import "$T/syn.jsonl"
R=report--6a1f0c1e-0000-4000-8000-0000000000c1
cat >"$T/rep.json" <<JSON
{"type":"bundle","id":"bundle--6a1f0c1e-0000-4000-8000-0000000000b1","objects":[
{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--6a1f0c1e-0000-4000-8000-0000000000a1","value":"198.51.100.7"},
{"type":"domain-name","spec_version":"2.1","id":"domain-name--6a1f0c1e-0000-4000-8000-0000000000a2","value":"Only-Here.Example."},
{"type":"indicator","spec_version":"2.1","id":"indicator--6a1f0c1e-0000-4000-8000-0000000000a3","created":"2024-03-01T00:00:00.000Z","modified":"2024-03-01T00:00:00.000Z","name":"seen elsewhere","pattern_type":"stix","pattern":"[ipv4-addr:value = '198.51.100.7']","valid_from":"2024-03-01T00:00:00.000Z"},
{"type":"report","spec_version":"2.1","id":"$R","created":"2024-03-02T00:00:00.000Z","modified":"2024-03-02T00:00:00.000Z","name":"r","published":"2024-03-02T00:00:00Z","object_refs":["ipv4-addr--6a1f0c1e-0000-4000-8000-0000000000a1","domain-name--6a1f0c1e-0000-4000-8000-0000000000a2"]}]}
JSON
run 0 "$ACCORD" import "$T/rep.json"

# answers before the rebuild
ask() { # name args...: keep the answer without its timing
  local name=$1
  shift
  run "$@"
  cp "$T/out" "$T/$name"
}
snapshot() { # suffix
  ask "id.$1" 0 "$ACCORD" correlate --json "$R"
  ask "ip.$1" 0 "$ACCORD" correlate --json 198.51.100.7
  ask "ana.$1" 0 "$ACCORD" correlate --json --as ana "$R"
  # and by id for 20 indicators and sightings of the synthetic corpus
  : >"$T/many.$1"
  for id in $(cat "$T/ids"); do
    for who in operator ana; do
      as=()
      [ "$who" = operator ] || as=(--as ana)
      set +e
      "$ACCORD" correlate --json "${as[@]}" "$id" >>"$T/many.$1" 2>&1
      echo "exit $?" >>"$T/many.$1"
      set -e
    done
  done
  run 0 "$ACCORD" index stats --json
  sed 's/"bytes":[0-9]*,"bytes_per_posting":[0-9.]*,//' "$T/out" >"$T/stats.$1"
}
sed -n 's/.*"type":"\(indicator\|sighting\)".*"id":"\([a-z-]*--[0-9a-f-]*\)".*/\2/p' \
  "$T/syn.jsonl" >"$T/all-ids"
sed -n '1~40p' "$T/all-ids" >"$T/ids"
[ "$(wc -l <"$T/ids")" -ge 20 ] || fail "too few ids: $(wc -l <"$T/ids")"
snapshot before
expect_in "$T/many.before" '"values_matched":'
expect_in "$T/many.before" '"objects":[{"id"'

expect_in "$T/id.before" '"values_matched":1,"values_checked":2'
expect_in "$T/id.before" '"id":"indicator--6a1f0c1e-0000-4000-8000-0000000000a3"'
expect_not_in "$T/id.before" '"value":"only-here.example"'

run 0 "$ACCORD" index rebuild --json
expect_in "$T/out" '"versions":4004,'
expect_in "$T/out" '"phases":{"clear":'
expect_in "$T/out" '"write":'
snapshot after
for f in id ip ana many stats; do
  if ! cmp -s "$T/$f.before" "$T/$f.after"; then
    fail "$f differs after the rebuild"
    diff "$T/$f.before" "$T/$f.after" | head -10 >&2 || true
  fi
done
# the rebuild again (from a rebuilt index) changes nothing either
run 0 "$ACCORD" index rebuild
expect_in "$T/err" "correlation index rebuilt: 4004 versions read"
snapshot again
for f in id ip ana many stats; do
  cmp -s "$T/$f.before" "$T/$f.again" || fail "$f differs after a second rebuild"
done
pass
