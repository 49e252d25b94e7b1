# test_cbm_consult.sh — consultations between states over real federation:
# three instances on loopback (states A, B and C, each federated with the
# other two, both directions, `accord sync`).  Points of contact (with the
# organisations' public keys) federate to everyone; A opens a consultation
# with B about an incident; B acknowledges and answers before the
# deadlines; the thread is the same at A and B, verified at both ends, and
# absent at C (its store, its TAXII server, its API) although C is peered
# with both.  A forged message and a message tampered with at rest fail
# verification and do not count; a missed deadline is flagged (CLI, API,
# /metrics, the log of `accord serve`); a point of contact past its
# confirmation period raises the reminder.  An observer named by the
# parties receives the thread, from each writer directly.
source "$(dirname "$0")/lib.sh"

EXT_CBM=extension-definition--8d2f4b61-3c7a-4e59-a1d8-6b0e9f2c4a73
T0=2026-12-01T10:00:00Z

inst a
inst b
inst c
# Every instance knows the three organisations; each state has a user
# (alice, bob, carol) and an account for each partner's federation.
for n in a b c; do
  for o in cert-a cert-b cert-c; do acc $n org add $o >/dev/null; done
done
declare -A USER=([a]=alice [b]=bob [c]=carol)
for n in a b c; do
  echo "${USER[$n]}-pw" | acc $n user add "${USER[$n]}" --org "cert-$n" \
    --password-stdin >/dev/null
  acc $n grant "cert-$n" default --read --write >/dev/null
  for p in a b c; do
    [ "$p" = "$n" ] && continue
    echo "$p-at-$n" | acc $n user add "${p}sync" --org "cert-$p" \
      --password-stdin >/dev/null
    acc $n grant "cert-$p" default --read --write >/dev/null
  done
done
echo 'root-c-pw' | acc c user add rootc --org cert-c --admin \
  --password-stdin >/dev/null
for n in a b c; do acc $n key generate --org "cert-$n" >/dev/null 2>&1; done

# Points of contact, each published by its own organisation.
run 0 acc a poc add --as alice --level technical --name "CERT-A duty desk" \
  --role "duty officer" --channel email:duty@cert-a.example \
  --channel phone:+33100000000 --language en,fr --24-7 --country FR
POC_A=$(cat "$T/out")
run 0 acc b poc add --as bob --level technical --name "CERT-B operations" \
  --channel email:ops@cert-b.example --language en,de --24-7 --country DE
POC_B=$(cat "$T/out")
run 0 acc b poc add --as bob --level policy --name "MFA-B cyber desk" \
  --role "head of cyber diplomacy" --channel email:cyber@mfa-b.example \
  --hours "Mon-Fri 08:00-18:00 CET" --language en
run 0 acc c poc add --as carol --level technical --name "CERT-C" \
  --channel email:cert@cert-c.example --24-7

serve a
serve b
serve c
# Full mesh: each instance pulls from and pushes to the two others.  The
# peers are disabled so that the servers' sync threads leave the order of
# the runs to this test (`accord sync NAME...` runs them).
declare -A OTHERS=([a]="b c" [b]="a c" [c]="a b")
for n in a b c; do
  for p in ${OTHERS[$n]}; do
    echo "$n-at-$p" | run 0 acc $n peer add "$p" \
      --url "http://127.0.0.1:${PORT[$p]}" --collection default \
      --org "cert-$p" --auth "basic:${n}sync" --direction both --disable
  done
done
syncall() {
  local r n
  for r in 1 2; do
    for n in a b c; do
      # shellcheck disable=SC2086
      acc $n sync ${OTHERS[$n]} >"$T/sync.$n.out" 2>&1 || {
        echo "sync $n failed:" >&2
        cat "$T/sync.$n.out" >&2
        fail "accord sync on $n"
      }
    done
  done
}
syncall

# Everyone has everyone's directory, and trusts each key as its own
# organisation's (each entry was added by that organisation's peer).
for n in a b c; do
  run 0 acc $n poc list --json
  for o in cert-a cert-b cert-c; do expect_in "$T/out" "\"org\":\"$o\""; done
  expect_not_in "$T/out" '"published_by_its_organisation":false'
  expect_not_in "$T/out" '"signature":"invalid"'
done
run 0 acc a poc show "$POC_B" --as alice
expect_in "$T/out" "CERT-B operations"
expect_in "$T/out" "entry signature valid"

# The incident A consults B about: AMBER, shared with cert-b.
INC=incident--0c0a0b0c-1d1e-4f2a-8b3c-4d5e6f708192
printf '{"type":"incident","spec_version":"2.1","id":"%s","created":"2026-11-30T00:00:00.000Z","modified":"2026-11-30T00:00:00.000Z","name":"Scanning of grid operators from AS64500","object_marking_refs":["%s"],"extensions":{"%s":{"extension_type":"property-extension","recipient_orgs":["cert-b"]}}}\n' \
  "$INC" "$TLP_AMBER" "$EXT" >"$T/inc.json"
run 0 acc a import --as alice "$T/inc.json"

# A opens, at T0, an urgent consultation (acknowledgement within 4 h,
# answer within 3 days).
run 0 acc a consult open --as alice --to cert-b --kind activity-notification \
  --urgency urgent --subject "Scanning of grid operators from AS64500" \
  --message "Since 29 November we observe scanning of our grid operators from addresses in your territory. Could you look into it?" \
  --ref "$INC" --now "$T0"
CID=$(cat "$T/out")
case "$CID" in note--*) ;; *) fail "consult open printed '$CID'" ;; esac
expect_not_in "$T/err" "warning"
run 0 acc a consult show "$CID" --as alice --now 2026-12-01T10:01:00Z
expect_in "$T/out" "[OPEN]"
expect_in "$T/out" "cert-a -> cert-b (point of contact $POC_B)"
expect_in "$T/out" "signature valid"

syncall
# B has it, verified with A's published key; C has nothing of it.
run 0 acc b consult show "$CID" --as bob --now 2026-12-01T10:10:00Z
expect_in "$T/out" "[OPEN]"
expect_in "$T/out" "Could you look into it?"
expect_in "$T/out" "refers to $INC (incident, TLP:AMBER)"
expect_not_in "$T/out" "not available"
expect_not_in "$T/out" "NOT COUNTED"
run 1 acc c get "$CID"

# B acknowledges after 30 minutes and answers after 2 hours.
run 0 acc b consult ack "${CID#note--}" --as bob --now 2026-12-01T10:30:00Z \
  --message "Received; our operations team is looking into it."
ACK=$(cat "$T/out")
run 0 acc b consult reply "$CID" --as bob --now 2026-12-01T12:00:00Z \
  --message "The addresses belong to a compromised university network; it has been cleaned and the operator notified."
REPLY=$(cat "$T/out")
run 1 acc b consult ack "$CID" --as bob --now 2026-12-01T12:05:00Z
expect_in "$T/err" "already acknowledged"
syncall

NOW=2026-12-01T13:00:00Z
run 0 acc a consult show "$CID" --as alice --json --now $NOW
cp "$T/out" "$T/thread.a"
run 0 acc b consult show "$CID" --as bob --json --now $NOW
cp "$T/out" "$T/thread.b"
expect_in "$T/thread.a" '"state": "answered"'
expect_in "$T/thread.a" '"verified": true'
expect_in "$T/thread.a" '"acknowledged": "2026-12-01T10:30:00.000Z"'
expect_in "$T/thread.a" '"answered": "2026-12-01T12:00:00.000Z"'
python3 - "$T/thread.a" "$T/thread.b" >"$T/cmp" 2>&1 <<'EOF' || fail "thread differs between A and B: $(cat "$T/cmp")"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for t in (a, b):
    for r in t["refs"]:
        r.pop("available")
assert a == b, (a, b)
assert [m["action"] for m in a["messages"]] == ["open", "acknowledge", "reply"]
assert all(m["signature"] == "valid" and m["counted"] for m in a["messages"])
EOF
# ... and the stored messages are byte for byte the same at A and B.
for id in "$CID" "$ACK" "$REPLY"; do
  acc a get "$id" >"$T/m.a"
  acc b get "$id" >"$T/m.b"
  cmp -s "$T/m.a" "$T/m.b" || fail "message $id differs between A and B"
done
run 0 acc a consult verify "$CID" --as alice
run 0 acc b consult verify "$CID" --as bob

# Absent at C: its store, its TAXII server, its API, its lists — though C
# pulled from and was pushed to by both A and B.
for id in "$CID" "$ACK" "$REPLY"; do
  run 1 acc c get "$id"
done
acc c -q export --all-versions --format lines -o "$T/c.all"
expect_not_in "$T/c.all" '"consultation-message"'
expect_in "$T/c.all" '"point-of-contact"'
run 0 acc c consult list
expect_eq "$(wc -c <"$T/out")" 0 "consultations listed at C"
curl -s -g -o "$T/c.taxii" -u rootc:root-c-pw \
  -H 'Accept: application/taxii+json;version=2.1' \
  "http://127.0.0.1:${PORT[c]}/api/collections/default/objects/?match[type]=note"
expect_not_in "$T/c.taxii" "$CID"
expect_not_in "$T/c.taxii" "consultation-message"
S=$(curl -s -o "$T/c.api" -w '%{http_code}' -u rootc:root-c-pw \
  "http://127.0.0.1:${PORT[c]}/api/v1/consultations/$CID")
expect_eq "$S" 404 "GET /api/v1/consultations/ID at C"
# A and B withheld it from C (their audit logs say so).
expect_in "$T/a/audit.log" '"path":"sync:push:c"'
grep -F "$CID" "$T/a/audit.log" | grep -F '"action":"deny"' >"$T/a.audit.cid" || true
expect_in "$T/a.audit.cid" '"org":"cert-c"'
grep -F "$ACK" "$T/b/audit.log" | grep -F '"action":"deny"' >"$T/b.audit.ack" || true
expect_in "$T/b.audit.ack" '"org":"cert-c"'

# The API at B: the list and the thread, for bob.
S=$(curl -s -o "$T/b.api" -w '%{http_code}' -u bob:bob-pw \
  "http://127.0.0.1:${PORT[b]}/api/v1/consultations?now=$NOW")
expect_eq "$S" 200 "GET /api/v1/consultations at B"
expect_in "$T/b.api" "\"id\":\"$CID\""
expect_in "$T/b.api" '"state":"answered"'

# A forged answer: a copy of B's reply with other words and a new id,
# posted to A by B's federation account.  A shows it, flags it and does
# not count it.
acc a get "$REPLY" >"$T/reply.json"
python3 - "$T/reply.json" >"$T/forged.json" <<'EOF'
import json, sys
o = json.load(open(sys.argv[1]))
o["id"] = "note--6f0d4b7e-9a1c-4c2d-8e3f-0a1b2c3d4e5f"
o["content"] = "We deny everything and close this consultation."
o["extensions"]["extension-definition--8d2f4b61-3c7a-4e59-a1d8-6b0e9f2c4a73"]["action"] = "close"
print(json.dumps({"objects": [o]}))
EOF
S=$(curl -s -o "$T/post" -w '%{http_code}' -u bsync:b-at-a \
  -H 'Content-Type: application/taxii+json;version=2.1' \
  -H 'Accept: application/taxii+json;version=2.1' --data-binary @"$T/forged.json" \
  "http://127.0.0.1:${PORT[a]}/api/collections/default/objects/")
expect_eq "$S" 202 "POST of the forged message to A"
run 1 acc a consult verify "$CID" --as alice
expect_in "$T/out" "note--6f0d4b7e-9a1c-4c2d-8e3f-0a1b2c3d4e5f"
expect_in "$T/out" "INVALID"
expect_in "$T/err" "1 message does not verify"
run 0 acc a consult show "$CID" --as alice --json --now $NOW
expect_in "$T/out" '"state": "answered"'
expect_in "$T/out" '"verdict": "bad-signature"'

# A message tampered with at rest (B's copy of A's opening, edited in the
# database): B's verification fails, and nothing can be added to it.
python3 - "$T/b/accord.db" "$CID" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("UPDATE objects SET raw = replace(raw, 'Could you look into it?', 'Stop it now.') WHERE id = ?", (sys.argv[2],)).rowcount
db.commit()
assert n == 1, n
EOF
run 1 acc b consult verify "$CID" --as bob
expect_in "$T/out" "$CID  open"
expect_in "$T/out" "bad-signature"
run 1 acc b consult close "$CID" --as bob --now 2026-12-02T00:00:00Z
expect_in "$T/err" "does not verify"

# A missed deadline: a critical consultation (acknowledgement within 1 h)
# that B leaves unanswered.
T1=2026-12-05T08:00:00Z
run 0 acc a consult open --as alice --to cert-b --kind assistance-request \
  --urgency critical --subject "Outage at a water utility" \
  --message "A water utility is down; indicators point to infrastructure in your territory. We request assistance." \
  --ack-within 1h --answer-within 12h --now $T1
CID2=$(cat "$T/out")
syncall
run 0 acc a consult list --as alice --overdue --now 2026-12-05T08:59:00Z
expect_eq "$(wc -c <"$T/out")" 0 "overdue before the deadline"
run 0 acc a consult list --as alice --overdue --now 2026-12-05T09:30:00Z
expect_in "$T/out" "$CID2  OVERDUE(acknowledgement)"
expect_in "$T/err" "1 consultation is overdue"
run 0 acc b consult list --as bob --overdue --now 2026-12-05T09:30:00Z --json
expect_in "$T/out" '"overdue":"acknowledgement"'
run 1 acc b consult ack "$CID2" --as bob --now 2026-12-05T09:30:00Z
expect_in "$T/err" "expired at 2026-12-05T09:00:00.000Z"
S=$(curl -s -o "$T/a.api" -w '%{http_code}' -u alice:alice-pw \
  "http://127.0.0.1:${PORT[a]}/api/v1/consultations?overdue=1&now=2026-12-05T09:30:00Z")
expect_eq "$S" 200 "GET /api/v1/consultations?overdue=1"
expect_in "$T/a.api" "\"id\":\"$CID2\""
expect_in "$T/a.api" '"overdue":"acknowledgement"'

# A point of contact past its confirmation period: the reminder.
run 0 acc a poc add --as alice --level policy --name "MFA-A cyber desk" \
  --channel email:cyber@mfa-a.example --confirmed 2025-06-01T00:00:00Z \
  --now 2026-12-05T09:30:00Z
POC_OLD=$(cat "$T/out")
run 0 acc a poc list --as alice --now 2026-12-05T09:30:00Z
expect_in "$T/out" "$POC_OLD"
expect_in "$T/out" "CONFIRMATION DUE"
expect_in "$T/err" "reminder: 1 point of contact of yours was last confirmed more than 365d ago"
run 0 acc a poc list --as alice --due --json --now 2026-12-05T09:30:00Z
expect_in "$T/out" "\"id\":\"$POC_OLD\""
expect_not_in "$T/out" "\"id\":\"$POC_A\""

# /metrics and the log of A's server, its clock pinned after the
# deadline (the watch runs every second).
unserve a
export ACCORD_NOW=2026-12-05T09:30:00Z ACCORD_CBM_WATCH=1s
serve a
unset ACCORD_NOW ACCORD_CBM_WATCH
# (A's new port, for its partners)
for n in b c; do
  run 0 acc $n peer edit a --url "http://127.0.0.1:${PORT[a]}"
done
curl -s -o "$T/metrics" "http://127.0.0.1:${PORT[a]}/metrics"
expect_in "$T/metrics" 'accord_consultations_overdue{deadline="acknowledgement"} 1'
expect_in "$T/metrics" 'accord_consultations_overdue{deadline="answer"} 0'
expect_in "$T/metrics" 'accord_consultations{state="answered"} 1'
expect_in "$T/metrics" 'accord_poc_confirmation_due{published="here"} 1'
wait_for "A's server to log the overdue consultation" 30 \
  grep -qF "\"event\":\"consultation-overdue\",\"consultation\":\"$CID2\"" "$T/a.log"
wait_for "A's server to log the entry due for confirmation" 30 \
  grep -qF "\"event\":\"poc-confirmation-due\",\"poc\":\"$POC_OLD\"" "$T/a.log"
grep -c "consultation-overdue.*$CID2" "$T/a.log" >"$T/n.logged" || true
sleep 2
grep -c "consultation-overdue.*$CID2" "$T/a.log" >"$T/n.logged2" || true
expect_eq "$(cat "$T/n.logged2")" 1 "an overdue consultation is logged once"
# Confirming the entry ends the reminder.
run 0 acc a poc confirm "$POC_OLD" --as alice --now 2026-12-05T09:40:00Z
run 0 acc a poc list --as alice --due --now 2026-12-05T09:45:00Z
expect_not_in "$T/out" "$POC_OLD"
expect_not_in "$T/err" "reminder"
run 1 acc b poc confirm "$POC_A" --as bob

# Closing through the API (alice at A); closed is final.
S=$(curl -s -o "$T/close" -w '%{http_code}' -u alice:alice-pw -X POST \
  -H 'Content-Type: application/json' --data '{"message":"Closed for lack of an answer."}' \
  "http://127.0.0.1:${PORT[a]}/api/v1/consultations/$CID2/close")
expect_eq "$S" 201 "POST /api/v1/consultations/ID/close"
expect_in "$T/close" '"state":"closed"'
run 1 acc a consult reply "$CID2" --as alice --message "again" \
  --now 2026-12-05T10:00:00Z
expect_in "$T/err" "closed"

# An observer: A consults B with C observing.  C receives A's opening
# from A and B's acknowledgement from B, and verifies both.
run 0 acc a consult open --as alice --to cert-b --observer cert-c \
  --kind vulnerability-notification --subject "CVE in a SCADA gateway" \
  --message "A vulnerability in a gateway used by your grid operators; details follow." \
  --now 2026-12-06T08:00:00Z
CID3=$(cat "$T/out")
syncall
run 0 acc b consult ack "$CID3" --as bob --now 2026-12-06T09:00:00Z
syncall
run 0 acc c consult show "$CID3" --as carol --json --now 2026-12-06T10:00:00Z
expect_in "$T/out" '"state": "acknowledged"'
expect_in "$T/out" '"observers": [
    "cert-c"
  ]'
expect_in "$T/out" '"verified": true'
run 1 acc c consult reply "$CID3" --as carol --message "we saw it too" \
  --now 2026-12-06T10:00:00Z
expect_in "$T/err" "observers follow a consultation but send nothing"
run 1 acc c get "$CID"

unserve a
unserve b
unserve c
pass
