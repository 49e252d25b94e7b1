#!/usr/bin/env bash
# Black-box: evidence packs on the project's scenario — what goes into a
# CLEAR and a GREEN pack (parsed and checked against the TLP rules: no
# AMBER or RED exhibit, no GREEN one at CLEAR, granular RED parts gone,
# protected sources pseudonymised), attempts to make something leak,
# determinism (built twice, compared byte for byte), and verification
# failing on any changed byte, an added or removed file, or a wrong key.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/case_lib.sh"
case_setup
case_new
case_evidence
for u in bob mia; do
  "$ACCORD" case endorse "$CASE" --as "$u" --concur --statement "$u concurs" >/dev/null
done
KEY=$("$ACCORD" key export --org CERT-A)
KEYB=$("$ACCORD" key export --org CERT-B)

# check_pack DIR LEVEL: parse the bundle, apply the TLP rules, list ids
check_pack() {
  python3 - "$1" "$2" >"$T/ids" <<'PY' || fail "$1: TLP rules broken: $(cat "$T/ids")"
import json, sys
d, level = sys.argv[1], sys.argv[2]
lv = {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": 0,
      "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": 1,
      "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": 2,
      "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": 3,
      "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": 4}
top = {"CLEAR": 0, "GREEN": 1}[level]
b = json.load(open(d + "/bundle.json"))
bad = []
for o in b["objects"]:
    ms = [lv[m] for m in o.get("object_marking_refs", []) if m in lv]
    if not ms or max(ms) > top:
        bad.append(o["id"])
    for g in o.get("granular_markings", []):
        if lv.get(g["marking_ref"], 9) > top:
            bad.append(o["id"] + " (granular)")
    if "extension-definition--5c6d7a1e-2f48-4b9c-8e3a-6d0f1b2c3e4a" in o.get("extensions", {}):
        bad.append(o["id"] + " (recipients)")
    print(o["id"])
if bad:
    print("ABOVE LEVEL:", bad)
    sys.exit(1)
PY
}

# ---- refusals ----
run 1 "$ACCORD" pack build "$CASE" --release clear --out "$T/x" --as bob
expect_in "$T/err" "only CERT-A"
run 2 "$ACCORD" pack build "$CASE" --release amber --out "$T/x"
run 1 "$ACCORD" pack build "$CASE" --release clear --out "$T/x" --as fred
expect_in "$T/err" "no object with id"

# ---- CLEAR ----
run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/clear" --as alice --pdf never
expect_in "$T/err" "4 exhibits, 5 withheld"
check_pack "$T/clear" CLEAR
for id in "$I_CLEAR" "$I_GRAN" "$OD" "$STATE" "$OP" "$ACTOR" \
  ipv4-addr--39090fdc-366e-571f-ab5b-d05e2918f88f; do
  expect_in "$T/ids" "$id"
done
for id in "$I_GREEN" "$I_AMBER" "$I_RED" "$I_UNMARKED" "$MW" "$B_GREEN" "$B_AMBER" \
  "$E2" "$E3" "$E4" "$E8" "$E9"; do
  expect_not_in "$T/clear/bundle.json" "$id"
  expect_not_in "$T/clear/statement.html" "$id"
done
# the vendor report is an exhibit, but its source is protected
expect_in "$T/ids" "$VREP"
for f in bundle.json statement.html pack.json; do
  expect_not_in "$T/clear/$f" "SECRET-GRANULAR-TEXT"
  expect_not_in "$T/clear/$f" "Vendor X"
  expect_not_in "$T/clear/$f" "AMBER-EVIDENCE-SUMMARY"
  expect_not_in "$T/clear/$f" "RED-EVIDENCE-SUMMARY"
  expect_not_in "$T/clear/$f" "CERT-A\",\"CERT-B"
done
expect_in "$T/clear/statement.html" "Protected source "
expect_in "$T/clear/bundle.json" '"name":"Protected source '
expect_in "$T/clear/statement.html" "5 further evidence items are withheld"
expect_in "$T/clear/statement.html" "jointly with CERT-B and MFA"
expect_in "$T/clear/statement.html" "It is <strong>likely</strong> (55-80%"
expect_in "$T/clear/statement.html" "<strong>moderate confidence</strong>"
expect_in "$T/clear/statement.html" "(f) Do not conduct or knowingly support"
expect_in "$T/clear/statement.html" "Listing of those responsible"
expect_in "$T/clear/statement.html" 'id="exhibit-4"'
expect_not_in "$T/clear/statement.html" 'id="exhibit-5"'
run 0 "$ACCORD" pack verify "$T/clear" --key "$KEY"
expect_in "$T/out" "valid"
expect_in "$T/out" "4 exhibits, 5 withheld"

# ---- GREEN ----
run 0 "$ACCORD" pack build "$CASE" --release green --out "$T/green" --as alice
check_pack "$T/green" GREEN
for id in "$I_GREEN" "$B_GREEN" "$MW"; do :; done
expect_in "$T/ids" "$B_GREEN"
expect_in "$T/ids" "$MW"
for id in "$I_AMBER" "$I_RED" "$I_UNMARKED" "$B_AMBER"; do
  expect_not_in "$T/green/bundle.json" "$id"
done
expect_in "$T/green/statement.html" "3 further evidence items are withheld"
run 0 "$ACCORD" pack verify "$T/green" --key "$KEY"

# ---- determinism ----
run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/clear2" --as alice --pdf never
# unrelated content and reads change nothing
"$ACCORD" -q import --as bob "$ACC_TESTDATA/basic.json" || true
run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/clear3" --pdf never
for f in MANIFEST MANIFEST.sig bundle.json pack.json statement.html; do
  cmp -s "$T/clear/$f" "$T/clear2/$f" || fail "$f differs between two builds"
  cmp -s "$T/clear/$f" "$T/clear3/$f" || fail "$f differs after unrelated changes"
done
[ "$(ls "$T/clear" | wc -l)" = "$(ls "$T/clear2" | wc -l)" ] || fail "file count"
run 2 "$ACCORD" pack build "$CASE" --release clear --out "$T/clear2" --as alice --pdf never
expect_in "$T/err" "already holds a pack"

# ---- verification must fail on any change ----
cp -r "$T/clear" "$T/base"
reset() { rm -rf "$T/v"; cp -r "$T/base" "$T/v"; }
flip() { # flip FILE OFFSET: change one byte
  python3 - "$1" "$2" <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read())
off %= len(b)
b[off] ^= 0x01
open(p, "wb").write(bytes(b))
PY
}
for f in MANIFEST MANIFEST.sig bundle.json pack.json statement.html; do
  size=$(stat -c %s "$T/base/$f")
  for off in 0 1 $((size / 3)) $((size / 2)) $((size - 2)) $((size - 1)); do
    reset
    flip "$T/v/$f" "$off"
    run 1 "$ACCORD" pack verify "$T/v" --key "$KEY"
  done
done
reset; echo extra >"$T/v/notes.txt"
run 1 "$ACCORD" pack verify "$T/v" --key "$KEY"
expect_in "$T/err" "notes.txt is in the pack but not in MANIFEST"
reset; echo extra >"$T/v/.hidden"
run 1 "$ACCORD" pack verify "$T/v" --key "$KEY"
reset; mkdir "$T/v/sub"
run 1 "$ACCORD" pack verify "$T/v" --key "$KEY"
for f in MANIFEST MANIFEST.sig bundle.json pack.json statement.html; do
  reset; rm "$T/v/$f"
  run 1 "$ACCORD" pack verify "$T/v" --key "$KEY"
done
reset
run 1 "$ACCORD" pack verify "$T/v" --key "$KEYB"
expect_in "$T/err" "not the key given"
echo "$KEYB" >"$T/keyb.pub"
run 1 "$ACCORD" pack verify "$T/v" --key "$T/keyb.pub"
run 0 "$ACCORD" pack verify "$T/v"
expect_in "$T/err" "the key the pack itself names"
run 2 "$ACCORD" pack verify "$T/v" --key "ed25519:short"
# the GREEN pack relabelled CLEAR: the signature breaks
reset; rm -rf "$T/g2"; cp -r "$T/green" "$T/g2"
sed -i 's/"release":"GREEN"/"release":"CLEAR"/' "$T/g2/pack.json"
run 1 "$ACCORD" pack verify "$T/g2" --key "$KEY"

# ---- leak attempts ----
# 1. an evidence note hand-marked CLEAR, resting on AMBER material, slipped
#    into the case by its owner through a plain import
python3 - "$CASE" "$I_AMBER" >"$T/crafted.json" <<PY
import json, subprocess, sys
case, amber = sys.argv[1], sys.argv[2]
rep = json.loads(subprocess.check_output(["$ACCORD", "get", case]))
note = {"type": "note", "spec_version": "2.1",
        "id": "note--11111111-2222-4333-8444-555555555555",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "content": "CRAFTED-LEAK", "object_refs": [amber],
        "object_marking_refs": ["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"],
        "extensions": {"extension-definition--3f1b8c2a-7d4e-4a6b-9c5d-2e8f0a1b3c4d": {
            "extension_type": "property-extension", "kind": "evidence", "case_ref": case,
            "reliability": "A", "credibility": 1, "category": "malware",
            "supports": ["actor", "state", "activity"]}}}
rep["object_refs"].append(note["id"])
rep["modified"] = "2099-01-01T00:00:00.000Z"
print(json.dumps({"type": "bundle", "id": "bundle--11111111-2222-4333-8444-555555555556",
                  "objects": [note, rep]}))
PY
run 0 "$ACCORD" import --as alice "$T/crafted.json"
run 0 "$ACCORD" --json case show "$CASE" --as alice
expect_in "$T/out" "CRAFTED-LEAK"
run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/leak1" --as alice
check_pack "$T/leak1" CLEAR
expect_not_in "$T/leak1/bundle.json" "$I_AMBER"
expect_not_in "$T/leak1/bundle.json" "CRAFTED-LEAK"
expect_in "$T/err" "6 withheld"
# 2. the producer re-marks a CLEAR exhibit AMBER: the next pack withholds it
python3 - "$I_CLEAR" >"$T/remark.json" <<PY
import json, subprocess, sys
o = json.loads(subprocess.check_output(["$ACCORD", "get", sys.argv[1]]))
o["modified"] = "2099-01-02T00:00:00.000Z"
o["object_marking_refs"] = ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]
print(json.dumps(o))
PY
run 0 "$ACCORD" import --as alice "$T/remark.json"
run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/leak2" --as alice
check_pack "$T/leak2" CLEAR
expect_not_in "$T/leak2/bundle.json" "$I_CLEAR"
expect_not_in "$T/leak2/statement.html" "$I_CLEAR"
run 0 "$ACCORD" pack verify "$T/leak2" --key "$KEY"
# 3. nothing releasable on a link: refused unless --draft
run 0 "$ACCORD" case evidence "$CASE" --as alice --withdraw "$E7"
run 1 "$ACCORD" pack build "$CASE" --release clear --out "$T/nostate" --as alice
expect_in "$T/err" "actor to state link"
run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/draft" --as alice --draft
expect_in "$T/draft/statement.html" "DRAFT"
run 0 "$ACCORD" pack verify "$T/draft" --key "$KEY"
expect_in "$T/out" "DRAFT"
# 4. the rule no longer met: refused unless --draft
run 0 "$ACCORD" case endorse "$CASE" --as mia --dissent --statement "no"
run 1 "$ACCORD" pack build "$CASE" --release green --out "$T/norule" --as alice
expect_in "$T/err" "endorsement rule"
pass
