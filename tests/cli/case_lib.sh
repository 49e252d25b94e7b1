# case_lib.sh — the attribution-case scenario the case and pack tests share
# (sourced after lib.sh): organisations CERT-A (owner), CERT-B and MFA
# (partners), FIRM (member, not a partner), OUTSIDER (not a member); users
# alice (CERT-A), bob (CERT-B), mia (MFA), fred (FIRM), olga (OUTSIDER);
# tests/data/case/scenario.json imported by alice (mixed TLP, one granular
# RED part, one unmarked object), scenario-b.json by bob; signing keys for
# CERT-A and CERT-B.  case_new makes the case ($CASE) and case_evidence
# adds nine evidence items (E1..E9, note ids in $E1..$E9).
: "${ACC_TESTDATA:?ACC_TESTDATA must point at tests/data}"
CD="$ACC_TESTDATA/case"
X=7d1a0c52-3b7e-4c1f-9a2d-5e6f7a8b9c
STATE=identity--${X}01 OP=campaign--${X}02 ACTOR=intrusion-set--${X}03
I_CLEAR=indicator--${X}10 I_GREEN=indicator--${X}11 I_AMBER=indicator--${X}12
I_RED=indicator--${X}13 I_GRAN=indicator--${X}14 I_UNMARKED=indicator--${X}15
OD=observed-data--${X}21 MW=malware--${X}22 VREP=report--${X}23
B_GREEN=indicator--${X}30 B_AMBER=indicator--${X}31

case_setup() {
  "$ACCORD" init >/dev/null
  local o u
  for o in CERT-A CERT-B MFA FIRM; do "$ACCORD" org add "$o" >/dev/null; done
  "$ACCORD" org add OUTSIDER --not-member >/dev/null
  for u in alice:CERT-A bob:CERT-B mia:MFA fred:FIRM olga:OUTSIDER; do
    echo pw | "$ACCORD" user add "${u%%:*}" --org "${u#*:}" --password-stdin >/dev/null
  done
  for o in CERT-A CERT-B MFA FIRM OUTSIDER; do
    "$ACCORD" grant "$o" default --read --write >/dev/null
  done
  "$ACCORD" -q import --as alice "$CD/scenario.json"
  "$ACCORD" -q import --as bob "$CD/scenario-b.json"
  "$ACCORD" -q key generate --org CERT-A >/dev/null
  "$ACCORD" -q key generate --org CERT-B >/dev/null
}

case_new() {
  CASE=$("$ACCORD" case new --as alice --title "GLASS FROST attribution" \
    --description "Joint assessment of Operation GLASS FROST." \
    --operation "$OP" --actor "$ACTOR" --state "$STATE" \
    --likelihood likely --confidence moderate --norm f,c --sector energy \
    --action system-interference --target critical-infrastructure \
    --effect scope-scale-impact-severity \
    --measure "Listing of those responsible under Regulation (EU) 2019/796" \
    --partner CERT-B --partner MFA "$@")
}

# ev NAME ARGS...: add evidence as alice, note id into $NAME
ev() {
  local name=$1
  shift
  local id
  id=$("$ACCORD" case evidence "$CASE" --as alice "$@")
  printf -v "$name" '%s' "$id"
}

case_evidence() {
  ev E1 --ref "$I_CLEAR" --reliability A --credibility 2 --category infrastructure --supports actor,activity --summary "C2 address 198.51.100.7 seen in the intrusions"
  ev E2 --ref "$B_GREEN" --reliability B --credibility 2 --category infrastructure --summary "Second C2 address from CERT-B"
  ev E3 --ref "$I_AMBER" --reliability B --credibility 2 --category malware --summary "AMBER-EVIDENCE-SUMMARY loader hash"
  ev E4 --ref "$I_RED" --reliability A --credibility 1 --category malware --supports state --summary "RED-EVIDENCE-SUMMARY implant"
  ev E5 --ref "$I_GRAN" --reliability C --credibility 3 --category tradecraft --summary "Staging URL pattern"
  ev E6 --ref "$OD" --reliability B --credibility 2 --category infrastructure --supports activity --summary "Scanning of grid operators observed"
  ev E7 --ref "$VREP" --reliability B --credibility 2 --category external-reporting --supports state --source "Vendor X" --protect-source --summary "Vendor analysis ties FROST HERON to Nordmark"
  ev E8 --ref "$I_UNMARKED" --reliability C --credibility 3 --category infrastructure --summary "Unmarked domain"
  ev E9 --ref "$MW" --reliability B --credibility 3 --category malware --supports state --summary "FROSTBITE build environment"
}
