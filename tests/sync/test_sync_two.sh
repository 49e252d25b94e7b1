# test_sync_two.sh — two Accord instances on loopback syncing both ways:
# B pulls from and pushes to A (HTTP Basic), A pulls from and pushes to B
# (Bearer token).  Checks exact bytes, no duplicates, provenance, the
# origin organisation of pulled objects, peer status and GET /api/v1/peers,
# secrets never shown, and `accord serve`'s continuous sync with a clean
# stop on SIGTERM.
source "$(dirname "$0")/lib.sh"

inst a
inst b
# A: its partner B is organisation cert-b, with account bsync.
acc a org add cert-a >/dev/null
acc a org add cert-b >/dev/null
echo 'b-secret-pw' | acc a user add bsync --org cert-b --password-stdin >/dev/null
echo 'root-pw' | acc a user add root --org cert-a --admin --password-stdin >/dev/null
echo 'alice-pw' | acc a user add alice --org cert-a --password-stdin >/dev/null
acc a grant cert-b default --read --write >/dev/null
acc a grant cert-a default --read --write >/dev/null
# B: its partner A is organisation cert-a, with a token for account async.
acc b org add cert-a >/dev/null
acc b org add cert-b >/dev/null
acc b user add async --org cert-a --no-password >/dev/null
TOKEN=$(acc b token create async 2>/dev/null)
acc b grant cert-a default --read --write >/dev/null

# Content: A's demo scenario (mixed TLP) and a few of its own; B's own.
acc a generate demo -o "$T/demo.json"
run 0 acc a import "$T/demo.json"
{
  ind a0000001 "$TLP_CLEAR"
  ind a0000002 "$TLP_GREEN"
  ind a0000003 "$TLP_AMBER" cert-b
  ind a0000004 "$TLP_RED"
} >"$T/a.jsonl"
run 0 acc a import --as alice "$T/a.jsonl"
{
  ind b0000001 "$TLP_CLEAR"
  ind b0000002 "$TLP_AMBER" cert-a
  ind b0000003 "$TLP_RED"
} >"$T/b.jsonl"
run 0 acc b import "$T/b.jsonl"

serve a
serve b

# Peers.  Secrets come on standard input or in --auth, never shown again.
echo 'b-secret-pw' | run 0 acc b peer add a --url "http://127.0.0.1:${PORT[a]}" \
  --collection default --org cert-a --auth basic:bsync --direction both \
  --interval 1s --disable
run 0 acc a peer add b --url "http://127.0.0.1:${PORT[b]}" --api-root /api/ \
  --collection default --org cert-b --auth "bearer:$TOKEN" --direction both \
  --disable
run 2 acc a peer add b --url "http://127.0.0.1:${PORT[b]}" --collection default --org cert-b
expect_in "$T/err" "already exists"
run 2 acc a peer add x --url "http://example.org" --collection default --org cert-b
expect_in "$T/err" "HTTPS"
run 2 acc a peer add y --url "https://example.org" --collection default --org nobody
expect_in "$T/err" "no organisation"
run 0 acc b peer show a
expect_in "$T/out" "basic as bsync (secret stored)"
expect_not_in "$T/out" "b-secret-pw"
run 0 acc a peer show b --json
expect_not_in "$T/out" "$TOKEN"
expect_in "$T/out" '"secret_stored":true'
for f in "$T"/a/secrets/* "$T"/b/secrets/*; do
  m=$(stat -c %a "$f")
  expect_eq "$m" 600 "secret file mode ($f)"
done
expect_eq "$(stat -c %a "$T/b/secrets")" 700 "secrets directory mode"
if grep -rqF 'b-secret-pw' "$T/b/accord.db"* ; then fail "a secret is in the database"; fi
run 0 acc b peer test a
expect_in "$T/out" "can_read yes, can_write yes"

# Run once each way, B first.  (Disabled peers run when named; `accord
# sync` alone runs the enabled ones: none yet.)
run 0 acc b sync
expect_not_in "$T/out" "peer a"
run 0 acc b sync a
expect_in "$T/out" "caught up"
run 0 acc a sync b
expect_in "$T/out" "caught up"

# B holds exactly what A lets cert-b read, byte for byte.
lines a --as bsync
lines b
comm -23 "$T/a.lines" "$T/b.lines" >"$T/missing"
expect_eq "$(wc -l <"$T/missing")" 0 "objects A shares with cert-b missing on B"
has b "$(idof a0000003)" || fail "AMBER for cert-b not pulled"
if has b "$(idof a0000004)"; then fail "RED left A"; fi
# A holds what B lets cert-a read (B's CLEAR and AMBER-for-cert-a), not RED.
has a "$(idof b0000001)" || fail "B's CLEAR not on A"
has a "$(idof b0000002)" || fail "B's AMBER for cert-a not on A"
if has a "$(idof b0000003)"; then fail "B's RED left B"; fi
# No duplicates, stores intact.
run 0 acc a check
run 0 acc b check
sort -u "$T/b.raw" >"$T/b.u"
expect_eq "$(wc -l <"$T/b.u")" "$(wc -l <"$T/b.raw")" "duplicate versions on B"

# Provenance: which peer, when; origin is the peer's organisation.
run 0 acc b get "$(idof a0000001)" --provenance
expect_in "$T/out" "received from peer a at"
expect_in "$T/out" "origin organisation cert-a"
run 0 acc b get "$(idof b0000001)" --provenance
expect_in "$T/out" "added here"
run 0 acc b get "$(idof a0000001)" --provenance --json
expect_in "$T/out" '"peer":"a"'
# B's users of cert-a's audience: objects from A are cert-a's content.
echo 'bob-pw' | acc b user add bob --org cert-b --password-stdin >/dev/null
acc b grant cert-b default --read >/dev/null
run 0 acc b export --as bob --format lines -o "$T/bob.jsonl"
if grep -qF "$(idof a0000003)" "$T/bob.jsonl"; then :; else
  fail "AMBER naming cert-b not readable by cert-b's user on B"
fi

# A second run finds nothing new.
run 0 acc b sync a --json
expect_in "$T/out" '"stored":0'
run 0 acc b peer status a
expect_in "$T/out" "peer a: ok"
expect_in "$T/out" "pulled "
expect_in "$T/out" "watermark 20"
run 0 acc b peer status --json
expect_in "$T/out" '"health":"ok"'
expect_in "$T/out" '"withheld":'

# GET /api/v1/peers: administrators only, no secrets.
S=$(curl -s -o "$T/api" -w '%{http_code}' -u root:root-pw \
  "http://127.0.0.1:${PORT[a]}/api/v1/peers")
expect_eq "$S" 200 "GET /api/v1/peers as admin"
expect_in "$T/api" '"name":"b"'
expect_in "$T/api" '"pushed":'
expect_not_in "$T/api" "$TOKEN"
S=$(curl -s -o "$T/api" -w '%{http_code}' -u alice:alice-pw \
  "http://127.0.0.1:${PORT[a]}/api/v1/peers")
expect_eq "$S" 403 "GET /api/v1/peers as a non-admin"

# Continuous: B's server syncs every second once the peer is enabled (the
# sync thread re-reads the peers).  New content on A arrives.
run 0 acc b peer edit a --enable
ind a0000005 "$TLP_CLEAR" >"$T/new.jsonl"
run 0 acc a import "$T/new.jsonl"
wait_for "B's sync thread to pull a new object" 60 has b "$(idof a0000005)"
# Detection runs on what B's server pulls, as on a TAXII POST: an
# observation from A matching B's own indicator becomes a sighting on B.
sco=ipv4-addr--b2c4b7d8-7b8e-5f1e-9a5d-0c1b2a3f4e5d
od=observed-data--8a6f2c1e-3b4d-4e5f-9a0b-1c2d3e4f5a6b
ind b0000009 "$TLP_CLEAR" | sed 's/10\.1\.2\.3/198.51.100.77/' >"$T/bind.jsonl"
run 0 acc b import "$T/bind.jsonl"
printf '%s\n%s\n' \
  '{"type":"ipv4-addr","spec_version":"2.1","id":"'$sco'","value":"198.51.100.77","object_marking_refs":["'$TLP_CLEAR'"]}' \
  '{"type":"observed-data","spec_version":"2.1","id":"'$od'","created":"2026-03-02T00:00:00.000Z","modified":"2026-03-02T00:00:00.000Z","first_observed":"2026-03-02T10:00:00Z","last_observed":"2026-03-02T10:05:00Z","number_observed":3,"object_refs":["'$sco'"],"object_marking_refs":["'$TLP_CLEAR'"]}' \
  >"$T/obs.jsonl"
run 0 acc a import "$T/obs.jsonl"
sighted() {
  acc b -q export --type sighting --format lines -o "$T/sightings" &&
    grep -qF "\"sighting_of_ref\":\"$(idof b0000009)\"" "$T/sightings"
}
wait_for "a sighting of B's indicator from A's pulled observation" 60 sighted
grep -q '"event":"sync"' "$T/b.log" || fail "no sync log line from B's server"
# ... and B's new content reaches A by push.
ind b0000005 "$TLP_CLEAR" >"$T/newb.jsonl"
run 0 acc b import "$T/newb.jsonl"
wait_for "B's sync thread to push a new object" 60 has a "$(idof b0000005)"
# While B's server runs, a CLI run of the same peer waits its turn or
# reports the other process; it never runs alongside.
run 0 acc b peer edit a --interval 5m
unserve b
expect_eq "$STOP_RC" 0 "B's server stops cleanly on SIGTERM"
unserve a
expect_eq "$STOP_RC" 0 "A's server stops cleanly on SIGTERM"

# Remove: state and secret go, provenance stays.
run 0 acc b peer remove a
if ls "$T"/b/secrets/peer-* >/dev/null 2>&1; then fail "secret left after remove"; fi
run 0 acc b get "$(idof a0000001)" --provenance
expect_in "$T/out" "received from peer a"
run 2 acc b peer show a
pass
