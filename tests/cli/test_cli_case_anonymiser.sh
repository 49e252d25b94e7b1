#!/usr/bin/env bash
# Black-box: the anonymiser caveat of attribution cases, wired to the
# correlation subsystem's lists (accord lists import).  An evidence item
# resting on 198.51.100.7 (an indicator's pattern, active 2025-03-02) and one
# on 203.0.113.9 (an address an observed-data refers to, seen 2025-03-05):
# the caveat appears when a Tor exit list held the address at the time of
# the activity, and goes when the list's dates, or the activity's, move
# apart.  The pack says so for released exhibits and says nothing of the
# address for withheld ones.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/case_lib.sh"
case_setup
case_new
ev E1 --ref "$I_CLEAR" --reliability A --credibility 2 --category infrastructure \
  --supports actor,activity --summary "C2 address"
ev E6 --ref "$OD" --reliability B --credibility 2 --category infrastructure \
  --supports activity --summary "scanning"
ev E7 --ref "$VREP" --reliability B --credibility 2 --category external-reporting \
  --supports state --summary "vendor"
caveats() {
  "$ACCORD" --json case show "$CASE" --as alice >"$T/show"
  python3 -c "
import json; d=json.load(open('$T/show'))
for c in d['caveats']:
    if c['kind'] == 'anonymiser': print(c['text'])" >"$T/anon"
}

caveats
[ ! -s "$T/anon" ] || fail "anonymiser caveat without any list: $(cat "$T/anon")"

# A list valid after the activity: nothing.
printf '198.51.100.7\n' >"$T/exits.txt"
run 0 "$ACCORD" lists import --kind tor-exit --name tor-april \
  --valid-from 2025-04-01 --valid-until 2025-05-01 "$T/exits.txt"
caveats
[ ! -s "$T/anon" ] || fail "caveat from a list not valid at the time: $(cat "$T/anon")"

# The activity moved into the list's period: the caveat appears ...
run 0 "$ACCORD" case evidence "$CASE" --as alice --update "$E1" --observed 2025-04-15T12:00:00Z
caveats
expect_in "$T/anon" "198.51.100.7, listed as tor-exit (tor-april) on 2025-04-15"
expect_in "$T/anon" "E1 rests on an address known as an anonymiser"
# ... and is written into the stored report by that change
run 0 "$ACCORD" get "$CASE"
expect_in "$T/out" '"kind":"anonymiser"'
# ... and goes when it moves out again
run 0 "$ACCORD" case evidence "$CASE" --as alice --update "$E1" --observed 2025-06-01T00:00:00Z
caveats
[ ! -s "$T/anon" ] || fail "caveat after the list's period: $(cat "$T/anon")"
run 0 "$ACCORD" get "$CASE"
expect_not_in "$T/out" '"kind":"anonymiser"'

# The Tor exit list format: 203.0.113.9 was an exit on 2025-03-05, when the
# observed-data saw it; the same address a month later is not.
cat >"$T/exit-list" <<'EOF'
ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E
Published 2025-03-05 08:00:00
LastStatus 2025-03-05 09:00:00
ExitAddress 203.0.113.9 2025-03-05 09:10:00
EOF
run 0 "$ACCORD" lists import --kind tor-exit --name tor-march "$T/exit-list"
caveats
expect_in "$T/anon" "203.0.113.9, listed as tor-exit (tor-march) on 2025-03-05"
expect_in "$T/anon" "E2 rests on"
run 0 "$ACCORD" case evidence "$CASE" --as alice --update "$E6" --observed 2025-04-20T00:00:00Z
caveats
[ ! -s "$T/anon" ] || fail "caveat outside the exit list's dates: $(cat "$T/anon")"
run 0 "$ACCORD" case evidence "$CASE" --as alice --update "$E6" --observed 2025-03-05T10:00:00Z
caveats
expect_in "$T/anon" "203.0.113.9"

# In a pack: the released exhibit's caveat names its address; make the
# evidence non-releasable and the pack keeps only that a withheld item
# rests on an anonymiser.
for u in bob mia; do
  "$ACCORD" case endorse "$CASE" --as "$u" --concur --statement ok >/dev/null
done
run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/p1" --as alice
expect_in "$T/p1/statement.html" "Exhibit 2 rests on an address known as an anonymiser"
expect_in "$T/p1/statement.html" "203.0.113.9"
run 0 "$ACCORD" case evidence "$CASE" --as alice --update "$E6" --releasability amber
run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/p2" --as alice --draft
expect_in "$T/p2/statement.html" "A withheld evidence item rests on an address known as an anonymiser"
expect_not_in "$T/p2/statement.html" "203.0.113.9"
expect_not_in "$T/p2/bundle.json" "203.0.113.9"
run 0 "$ACCORD" pack verify "$T/p2"
pass
