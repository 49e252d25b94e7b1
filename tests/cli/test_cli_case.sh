#!/usr/bin/env bash
# Black-box: attribution cases on the project's own scenario — creating a
# case, the STIX it is stored as (report, attributed-to with confidence,
# notes, opinions, the extension-definition), evidence with Admiralty
# grading and releasability, the derived caveats appearing and going as
# evidence changes, the endorsement rules (unanimity and quorum), who may
# do what, and the sharing policy over cases.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/case_lib.sh"
case_setup
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); print($1)"; }

# ---- creation and refusals ----
run 1 "$ACCORD" case new --title x
expect_in "$T/err" "claim: required"
run 1 "$ACCORD" case new --as alice --title T --operation "$OP" --actor "$ACTOR" \
  --state "$STATE" --likelihood probable --confidence low
expect_in "$T/err" "likelihood: 'probable' is not a ICD 203 term"
run 1 "$ACCORD" case new --as alice --title T --operation "$OP" --actor "$ACTOR" \
  --state "$STATE" --likelihood likely --confidence low --norm z
expect_in "$T/err" "norms[0]: 'z' is not one of"
run 1 "$ACCORD" case new --as alice --title T --operation "$ACTOR" --actor "$ACTOR" \
  --state "$STATE" --likelihood likely --confidence low
expect_in "$T/err" "claim.operation"
run 1 "$ACCORD" case new --as alice --title T --operation "$OP" --actor "$ACTOR" \
  --state "$STATE" --likelihood likely --confidence low --partner CERT-B --quorum 3
expect_in "$T/err" "endorsement.quorum"
run 2 "$ACCORD" case new --title T --operation "$OP" --actor "$ACTOR" \
  --state "$STATE" --likelihood likely --confidence low
expect_in "$T/err" "--org ORG"
run 1 "$ACCORD" case new --as alice --title T --operation "$OP" \
  --actor intrusion-set--00000000-0000-4000-8000-000000000000 \
  --state "$STATE" --likelihood likely --confidence low
expect_in "$T/err" "claim.actor: no object with id"
# evidence must rest on what its author can read: bob cannot see alice's RED
run 0 "$ACCORD" case new --as bob --title "B's case" --operation "$OP" \
  --actor "$ACTOR" --state "$STATE" --likelihood likely --confidence low
BCASE=$(cat "$T/out")
run 1 "$ACCORD" case evidence "$BCASE" --as bob --ref "$I_RED" --reliability A \
  --credibility 2 --category malware --summary s
expect_in "$T/err" "refs[0]: no object with id $I_RED"
run 0 "$ACCORD" case evidence "$BCASE" --as bob --ref "$I_AMBER" --reliability A \
  --credibility 2 --category malware --summary s

case_new
[ -n "$CASE" ] || fail "case new printed no id"
run 0 "$ACCORD" get "$CASE"
expect_in "$T/out" '"type":"report"'
expect_in "$T/out" '"confidence":70'
expect_in "$T/out" '"kind":"attribution-case"'
expect_in "$T/out" '"recipient_orgs":["CERT-A","CERT-B","MFA"]'
expect_in "$T/out" "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
run 0 "$ACCORD" export --type relationship
expect_in "$T/out" '"relationship_type":"attributed-to"'
expect_in "$T/out" '"confidence":70'
run 0 "$ACCORD" get extension-definition--3f1b8c2a-7d4e-4a6b-9c5d-2e8f0a1b3c4d
expect_in "$T/out" '"name":"Accord attribution case"'

run 0 "$ACCORD" --json case show "$CASE" --as alice
[ "$(json "d['likelihood']['stix_confidence']")" = 70 ] || fail "likelihood STIX"
[ "$(json "d['analytic_confidence']")" = moderate ] || fail "confidence"
[ "$(json "[n['norm'] for n in d['norms']]")" = "['c', 'f']" ] || fail "norms in order"
[ "$(json "sorted(c['kind'] for c in d['caveats'])")" = \
  "['overstated-likelihood', 'unsupported-link', 'unsupported-link']" ] ||
  fail "caveats of an empty case: $(json "d['caveats']")"
[ "$(json "d['endorsement']['met']")" = False ] || fail "rule met with nobody"
[ "$(json "d['endorsement']['not_answered']")" = "['CERT-B', 'MFA']" ] || fail "pending"
# PHIA likelihood and its STIX mapping
run 0 "$ACCORD" case edit "$CASE" --as alice --scale phia --likelihood realistic-possibility
run 0 "$ACCORD" --json case show "$CASE"
[ "$(json "d['likelihood']['stix_confidence']")" = 50 ] || fail "PHIA realistic possibility = 50"
run 0 "$ACCORD" case edit "$CASE" --as alice --likelihood likely

# ---- the sharing policy over cases ----
run 0 "$ACCORD" case list --as bob
expect_in "$T/out" "$CASE"
run 0 "$ACCORD" case list --as fred
expect_not_in "$T/out" "$CASE"
run 1 "$ACCORD" case show "$CASE" --as fred
expect_in "$T/err" "no object with id $CASE"
run 1 "$ACCORD" case edit "$CASE" --as bob --title hijack
expect_in "$T/err" "only CERT-A"

# ---- evidence ----
run 1 "$ACCORD" case evidence "$CASE" --as alice --ref "$I_AMBER" --reliability B \
  --credibility 2 --category malware --summary s --releasability clear
expect_in "$T/err" "rests on TLP:AMBER material"
run 1 "$ACCORD" case evidence "$CASE" --as alice --ref "$I_CLEAR" --reliability G \
  --credibility 2 --category malware --summary s
expect_in "$T/err" "reliability"
run 1 "$ACCORD" case evidence "$CASE" --as alice --ref "$I_CLEAR" --reliability A \
  --credibility 7 --category malware --summary s
expect_in "$T/err" "credibility"
run 1 "$ACCORD" case evidence "$CASE" --as bob --ref "$I_CLEAR" --reliability A \
  --credibility 2 --category malware --summary s
expect_in "$T/err" "only CERT-A"
ev E1 --ref "$I_CLEAR" --reliability A --credibility 2 --category infrastructure \
  --supports actor,activity --summary "C2 address"
run 0 "$ACCORD" --json case show "$CASE"
[ "$(json "d['evidence'][0]['grade']")" = A2 ] || fail "grade"
[ "$(json "d['evidence'][0]['releasability']")" = CLEAR ] || fail "releasability from refs"
[ "$(json "d['evidence'][0]['sources']")" = "['CERT-A']" ] || fail "source = origin"
expect_in "$T/out" '"kind": "single-source"'
run 0 "$ACCORD" get "$E1"
expect_in "$T/out" '"type":"note"'
expect_in "$T/out" '"confidence":70'
expect_in "$T/out" '"reliability":"A"'
# a second source removes the single-source caveat
ev E2 --ref "$B_GREEN" --reliability B --credibility 2 --category infrastructure \
  --summary "from CERT-B"
run 0 "$ACCORD" --json case show "$CASE"
expect_not_in "$T/out" '"kind": "single-source",'
[ "$(json "d['evidence'][1]['sources']")" = "['CERT-B']" ] || fail "B source"
# the caveats written into the report follow the evidence
run 0 "$ACCORD" get "$CASE"
expect_not_in "$T/out" '"single-source"'
# state link: only non-releasable material -> caveat; then releasable evidence
ev E4 --ref "$I_RED" --reliability A --credibility 1 --category malware \
  --supports state --summary "implant"
run 0 "$ACCORD" --json case show "$CASE"
expect_in "$T/out" "link rests only on material that cannot be released"
[ "$(json "d['evidence'][2]['releasability']")" = RED ] || fail "RED note"
ev E7 --ref "$VREP" --reliability B --credibility 2 --category external-reporting \
  --supports state --source "Vendor X" --protect-source --summary "vendor"
run 0 "$ACCORD" --json case show "$CASE"
expect_not_in "$T/out" "link rests only on material"
expect_not_in "$T/out" '"unsupported-link"'
# overstated: 'almost certain' with this evidence
run 0 "$ACCORD" case edit "$CASE" --as alice --likelihood almost-certain
run 0 "$ACCORD" --json case show "$CASE"
expect_in "$T/out" '"overstated-likelihood"'
run 0 "$ACCORD" case edit "$CASE" --as alice --likelihood likely
run 0 "$ACCORD" --json case show "$CASE"
expect_not_in "$T/out" '"overstated-likelihood"'
# update and withdraw
run 0 "$ACCORD" case evidence "$CASE" --as alice --update "$E2" --credibility 5
run 0 "$ACCORD" --json case show "$CASE"
[ "$(json "d['evidence'][1]['grade']")" = B5 ] || fail "update grade"
run 0 "$ACCORD" case evidence "$CASE" --as alice --withdraw "$E2"
run 0 "$ACCORD" --json case show "$CASE"
[ "$(json "len(d['evidence'])")" = 3 ] || fail "withdrawn evidence still listed"
run 0 "$ACCORD" get "$E2"
expect_in "$T/out" '"revoked":true'
# the RED evidence note is invisible to a partner, who is told it exists
run 0 "$ACCORD" --json case show "$CASE" --as bob
[ "$(json "d['evidence_not_visible']")" = 1 ] || fail "hidden evidence count"
expect_not_in "$T/out" "$E4"

# ---- endorsements: unanimity ----
run 2 "$ACCORD" case endorse "$CASE" --concur --statement x
expect_in "$T/err" "--as USER"
run 1 "$ACCORD" case endorse "$CASE" --as bob --statement "no stance"
run 0 "$ACCORD" case endorse "$CASE" --as bob --concur --statement "CERT-B concurs"
OPB=$(cat "$T/out")
run 0 "$ACCORD" --json case show "$CASE"
[ "$(json "d['endorsement']['met']")" = False ] || fail "unanimity met with one pending"
[ "$(json "d['endorsement']['not_answered']")" = "['MFA']" ] || fail "MFA pending"
run 0 "$ACCORD" case endorse "$CASE" --as mia --dissent --statement "MFA dissents"
run 0 "$ACCORD" --json case show "$CASE"
[ "$(json "d['endorsement']['met']")" = False ] || fail "unanimity met with a dissent"
run 0 "$ACCORD" case endorse "$CASE" --as mia --abstain --statement "MFA abstains"
run 0 "$ACCORD" --json case show "$CASE"
[ "$(json "d['endorsement']['met']")" = True ] || fail "constructive abstention blocks"
[ "$(json "d['endorsement']['abstain']")" = 1 ] || fail "abstain count"
# the same organisation answers again: a new version of the same opinion
run 0 "$ACCORD" case endorse "$CASE" --as bob --dissent --statement "changed mind"
expect_eq "$(cat "$T/out")" "$OPB" "re-endorsing keeps the opinion id"
run 0 "$ACCORD" export --type opinion --all-versions --format lines
[ "$(grep -c "$OPB" "$T/out")" = 2 ] || fail "two versions of CERT-B's opinion"
expect_in "$T/out" '"opinion":"disagree"'
expect_in "$T/out" '"opinion":"neutral"'
# a non-partner cannot even see an AMBER case
run 1 "$ACCORD" case endorse "$CASE" --as fred --concur --statement "FIRM agrees"
expect_in "$T/err" "no object with id"

# ---- endorsements: quorum ----
run 0 "$ACCORD" case edit "$CASE" --as alice --partner CERT-B --partner MFA \
  --partner FIRM --quorum 2
run 0 "$ACCORD" --json case show "$CASE"
[ "$(json "d['endorsement']['rule']")" = quorum ] || fail "rule quorum"
[ "$(json "d['endorsement']['concur']")" = 0 ] || fail "no concurrence yet"
# a partner added later sees the evidence it is asked to endorse
run 0 "$ACCORD" --json case show "$CASE" --as fred
[ "$(json "len(d['evidence'])")" = 2 ] || fail "new partner sees the evidence"
run 0 "$ACCORD" case endorse "$CASE" --as fred --concur --statement "FIRM agrees"
run 0 "$ACCORD" --json case show "$CASE"
[ "$(json "d['endorsement']['met']")" = False ] || fail "quorum 2 with 1"
run 0 "$ACCORD" case endorse "$CASE" --as bob --concur --statement "concur again"
run 0 "$ACCORD" --json case show "$CASE"
[ "$(json "d['endorsement']['met']")" = True ] || fail "quorum 2 with 2"
[ "$(json "d['endorsement']['dissent']")" = 0 ] || fail "dissent count"
run 0 "$ACCORD" case show "$CASE"
expect_in "$T/out" "rule met"
# a dissent does not block a quorum
run 0 "$ACCORD" case endorse "$CASE" --as mia --dissent --statement "MFA dissents"
run 0 "$ACCORD" --json case show "$CASE"
[ "$(json "d['endorsement']['met']")" = True ] || fail "quorum blocked by a dissent"
# an organisation dropped from the partners is shown, not counted
run 0 "$ACCORD" case edit "$CASE" --as alice --partner CERT-B --partner MFA --quorum 1
run 0 "$ACCORD" --json case show "$CASE"
[ "$(json "[o['org'] for o in d['endorsement']['others']]")" = "['FIRM']" ] || fail "others"
[ "$(json "d['endorsement']['concur']")" = 1 ] || fail "only partners count"

# ---- only the case's organisation versions it ----
python3 - "$CASE" "$E1" >"$T/forged.json" <<PY
import json, subprocess, sys
rep = json.loads(subprocess.check_output(["$ACCORD", "get", sys.argv[1]]))
note = json.loads(subprocess.check_output(["$ACCORD", "get", sys.argv[2]]))
rep["name"] = "FORGED TITLE"
rep["modified"] = note["modified"] = "2099-01-01T00:00:00.000Z"
note["content"] = "FORGED EVIDENCE"
print(json.dumps({"type": "bundle", "id": "bundle--11111111-2222-4333-8444-555555555557",
                  "objects": [rep, note]}))
PY
run 0 "$ACCORD" import --as bob "$T/forged.json"
run 0 "$ACCORD" --json case show "$CASE" --as bob
[ "$(json "d['title']")" = "GLASS FROST attribution" ] || fail "a forged version was taken"
[ "$(json "d['owner']")" = CERT-A ] || fail "ownership moved"
expect_not_in "$T/out" "FORGED"
run 1 "$ACCORD" case edit "$CASE" --as bob --title hijack
expect_in "$T/err" "only CERT-A"
run 0 "$ACCORD" case edit "$CASE" --as alice --title "GLASS FROST attribution"
run 0 "$ACCORD" --json case show "$CASE"
expect_not_in "$T/out" "FORGED"

# ---- vocabularies ----
run 0 "$ACCORD" --json case vocab
[ "$(python3 -c "import json; d=json.load(open('$T/out')); print(len(d['norms']), len(d['nis2_sectors']), len(d['eu_effects']), len(d['likelihood']))")" = "11 18 7 14" ] ||
  fail "vocab sizes"
pass
