#!/usr/bin/env bash
# Black-box on real data: an attribution case built from the OASIS APT1
# report (../shared/data/stix-examples/apt1.json, imported as the public
# report it is, TLP:CLEAR) — APT1 campaign → APT1 intrusion set → PLA Unit
# 61398 — with added evidence at GREEN, AMBER and RED; packs at CLEAR and
# GREEN parsed and checked against the TLP rules, verified, and built twice
# to the same bytes.
. "$(dirname "$0")/lib.sh"
need_shared
APT1="$ACC_SHARED/data/stix-examples/apt1.json"
[ -f "$APT1" ] || { echo "SKIP: $APT1 absent"; exit 77; }
"$ACCORD" init >/dev/null
for o in Mandiant-Reader CERT-B MFA; do "$ACCORD" org add "$o" >/dev/null; done
for u in ana:Mandiant-Reader bob:CERT-B mia:MFA; do
  echo pw | "$ACCORD" user add "${u%%:*}" --org "${u#*:}" --password-stdin >/dev/null
done
for o in Mandiant-Reader CERT-B MFA; do "$ACCORD" grant "$o" default --read --write >/dev/null; done
run 0 "$ACCORD" import --as ana --tlp clear "$APT1"
expect_in "$T/err" "stored 76"
run 0 "$ACCORD" import --as bob "$ACC_TESTDATA/case/apt1-extra.json"
"$ACCORD" -q key generate --org Mandiant-Reader >/dev/null

IS=intrusion-set--da1065ce-972c-4605-8755-9cd1074e3b5a
UNIT=threat-actor--94624865-2709-443f-9b4c-2891985fd69b
REP=report--e33ffe07-2f4c-48d8-b0af-ee2619d765cf
REL=relationship--8668d82a-1c97-4bea-a367-e391b025e00e
HOP1=indicator--031778a4-057f-48e6-9db9-c8d72b81ccd5
HOP2=indicator--da1d061b-2bc9-467a-b16f-8d14f468e1f0
FQDN=indicator--3f3ff9f1-bb4e-4392-89e5-1991179042ba
WEBC2=malware--0f01c5a3-f516-4450-9381-4dd9f2279411
GOD=observed-data--5a6b1c2d-0001-4e5f-8a9b-0c1d2e3f4a01
AMB=indicator--5a6b1c2d-0002-4e5f-8a9b-0c1d2e3f4a02
REDN=note--5a6b1c2d-0003-4e5f-8a9b-0c1d2e3f4a03

run 0 "$ACCORD" case new --as ana --title "APT1: cyber espionage by PLA Unit 61398" \
  --operation "APT1 intrusions against 141 organisations, 2006-2013" \
  --first-seen 2006-01-01T00:00:00Z --claim-tlp clear --actor "$IS" --state "$UNIT" \
  --likelihood very-likely --confidence high --norm a,c \
  --sector research,manufacturing,energy --action access-to-information-systems \
  --target essential-services --effect data-stolen,commercially-sensitive-data \
  --measure "Restrictive measures under Regulation (EU) 2019/796 against those responsible" \
  --partner CERT-B --partner MFA --quorum 2
CASE=$(cat "$T/out")
ev() { run 0 "$ACCORD" case evidence "$CASE" --as ana "$@"; }
ev --ref "$HOP1" --ref "$HOP2" --reliability B --credibility 2 --category infrastructure \
  --supports actor,activity --summary "HTRAN hop points in Shanghai network ranges"
ev --ref "$FQDN" --reliability B --credibility 2 --category infrastructure \
  --summary "Command-and-control domain registered by Ugly Gorilla"
ev --ref "$WEBC2" --reliability A --credibility 2 --category malware \
  --summary "WEBC2 backdoor family used only by APT1"
ev --ref "$REP" --reliability B --credibility 2 --category external-reporting \
  --supports state,activity --source Mandiant --summary "Mandiant APT1 report (2013)"
ev --ref "$REL" --reliability B --credibility 2 --category intent --supports state \
  --summary "APT1 is PLA Unit 61398 (2nd Bureau, 3rd Department)"
ev --ref "$GOD" --reliability B --credibility 1 --category infrastructure \
  --supports actor,activity --summary "Partner sighting of hugesoft.org resolution"
ev --ref "$AMB" --reliability B --credibility 2 --category infrastructure \
  --summary "APT1-EXTRA-AMBER partner sinkhole data"
ev --ref "$REDN" --reliability A --credibility 1 --category intent --supports state \
  --summary "APT1-EXTRA-RED-SUMMARY"
# bob cannot read the RED note: that evidence is refused to him, not the case
run 0 "$ACCORD" --json case show "$CASE" --as ana
python3 -c "
import json; d=json.load(open('$T/out'))
assert [e['releasability'] for e in d['evidence']] == ['CLEAR']*5 + ['GREEN','AMBER','RED'], d['evidence']
print(d['likelihood']['stix_confidence'], d['supported_likelihood']['term'])" >"$T/lk" ||
  fail "evidence releasability"
expect_in "$T/lk" "85 almost-certain"
for u in bob mia; do
  run 0 "$ACCORD" case endorse "$CASE" --as "$u" --concur --statement "$u concurs"
done

check() { # DIR LEVEL
  python3 - "$1" "$2" <<'PY' || fail "$1: TLP rules broken"
import json, sys
lv = {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": 0,
      "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": 1,
      "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": 2,
      "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": 3,
      "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": 4}
top = {"CLEAR": 0, "GREEN": 1}[sys.argv[2]]
b = json.load(open(sys.argv[1] + "/bundle.json"))
for o in b["objects"]:
    ms = [lv[m] for m in o.get("object_marking_refs", []) if m in lv]
    assert ms and max(ms) <= top, o["id"]
PY
}
for lvl in clear green; do
  run 0 "$ACCORD" pack build "$CASE" --release $lvl --out "$T/$lvl" --as ana --pdf never
  check "$T/$lvl" "${lvl^^}"
  run 0 "$ACCORD" pack verify "$T/$lvl" --key "$("$ACCORD" key export --org Mandiant-Reader)"
  for x in "$AMB" "$REDN" APT1-EXTRA-AMBER APT1-EXTRA-RED; do
    expect_not_in "$T/$lvl/bundle.json" "$x"
    expect_not_in "$T/$lvl/statement.html" "$x"
  done
  expect_in "$T/$lvl/bundle.json" "$REP"
  expect_in "$T/$lvl/statement.html" "Unit 61398"
  expect_in "$T/$lvl/statement.html" "jointly with CERT-B and MFA"
  run 0 "$ACCORD" pack build "$CASE" --release $lvl --out "$T/$lvl-again" --pdf never
  for f in MANIFEST MANIFEST.sig bundle.json pack.json statement.html; do
    cmp -s "$T/$lvl/$f" "$T/$lvl-again/$f" || fail "$lvl $f not deterministic"
  done
done
expect_not_in "$T/clear/bundle.json" "$GOD"
expect_in "$T/green/bundle.json" "$GOD"
expect_in "$T/green/bundle.json" domain-name--64cbbdc1-a7b3-5a54-ac07-97bfb44bb009
run 0 "$ACCORD" pack verify "$T/clear"
expect_in "$T/out" "5 exhibits, 3 withheld"
run 0 "$ACCORD" pack verify "$T/green"
expect_in "$T/out" "6 exhibits, 2 withheld"
pass
