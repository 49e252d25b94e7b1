# test_sync_chain.sh — three instances in a chain A -> B -> C, content
# travelling by both egress paths (A pushes to B and B pulls from A; B
# pushes to C and C pulls from B), with the TLP 2.0 rules of
# docs/PRODUCT.md: CLEAR anywhere, GREEN to community members, AMBER only
# to named recipient organisations (and on from there to named ones),
# AMBER+STRICT only from the originator's instance, RED never — not even
# to a federation account named as its recipient.
source "$(dirname "$0")/lib.sh"

inst a
inst b
inst c
for n in a b c; do
  acc $n org add cert-a >/dev/null
  acc $n org add cert-b >/dev/null
  acc $n org add cert-c >/dev/null
done
# A: alice writes; bsync is B's account (pull); B's peer record for push.
echo alice-pw | acc a user add alice --org cert-a --password-stdin >/dev/null
echo bsync-pw | acc a user add bsync --org cert-b --password-stdin >/dev/null
acc a grant cert-a default --read --write >/dev/null
acc a grant cert-b default --read >/dev/null
# B: bob writes; apush is A's account (push in); csync is C's (pull out).
echo bob-pw | acc b user add bob --org cert-b --password-stdin >/dev/null
echo apush-pw | acc b user add apush --org cert-a --password-stdin >/dev/null
echo csync-pw | acc b user add csync --org cert-c --password-stdin >/dev/null
acc b grant cert-b default --read --write >/dev/null
acc b grant cert-a default --read --write >/dev/null
acc b grant cert-c default --read >/dev/null
# C: bpush is B's account (push in).
echo bpush-pw | acc c user add bpush --org cert-b --password-stdin >/dev/null
acc c grant cert-b default --read --write >/dev/null

# A's content, by alice (originating organisation cert-a).
{
  ind 5a000001 "$TLP_CLEAR"
  ind 5a000002 "$TLP_GREEN"
  ind 5a000003 "$TLP_AMBER" cert-b
  ind 5a000004 "$TLP_AMBER" cert-b cert-c
  ind 5a000005 "$TLP_STRICT" cert-b cert-c
  ind 5a000006 "$TLP_STRICT" cert-c
  ind 5a000007 "$TLP_RED"
  ind 5a000008 "$TLP_AMBER" cert-c
} >"$T/a.jsonl"
run 0 acc a import --as alice "$T/a.jsonl"
# B's own content, by bob (cert-b): AMBER+STRICT for C may leave B, since
# B is its originator's instance; RED may not, even naming C's account.
{
  ind 5b000001 "$TLP_STRICT" cert-c
  ind 5b000002 "$TLP_RED"
  ind 5b000003 "$TLP_GREEN"
} >"$T/b.jsonl"
run 0 acc b import --as bob "$T/b.jsonl"
ind 5b000004 "$TLP_RED" | sed 's/"object_marking_refs"/"extensions":{"'"$EXT"'":{"extension_type":"property-extension","recipient_users":["csync","peer:c"]}},"object_marking_refs"/' >"$T/b4.jsonl"
run 0 acc b import --as bob "$T/b4.jsonl"
acc b get "$(idof 5b000004)" >"$T/b4.check"
expect_in "$T/b4.check" '"recipient_users":["csync","peer:c"]'

serve a
serve b
serve c
# Peers are disabled so that the servers' sync threads leave the order of
# the runs to this test (`accord sync NAME` runs a disabled peer).
# A pushes to B; B pulls from A.
echo apush-pw | run 0 acc a peer add b --url "http://127.0.0.1:${PORT[b]}" \
  --collection default --org cert-b --auth basic:apush --direction push --disable
echo bsync-pw | run 0 acc b peer add a --url "http://127.0.0.1:${PORT[a]}" \
  --collection default --org cert-a --auth basic:bsync --direction pull --disable
# B pushes to C; C pulls from B.
echo bpush-pw | run 0 acc b peer add c --url "http://127.0.0.1:${PORT[c]}" \
  --collection default --org cert-c --auth basic:bpush --direction push --disable
echo csync-pw | run 0 acc c peer add b --url "http://127.0.0.1:${PORT[b]}" \
  --collection default --org cert-b --auth basic:csync --direction pull --disable

check_b() {
  local u
  for u in 5a000001 5a000002 5a000003 5a000004 5a000005; do
    has b "$(idof $u)" || fail "$1: $u should have reached B"
  done
  for u in 5a000006 5a000007 5a000008; do
    if has b "$(idof $u)"; then fail "$1: $u reached B"; fi
  done
}
check_c() {
  local u
  for u in 5a000001 5a000002 5a000004 5b000001 5b000003; do
    has c "$(idof $u)" || fail "$1: $u should have reached C"
  done
  for u in 5a000003 5a000005 5a000006 5a000007 5a000008 5b000002 5b000004; do
    if has c "$(idof $u)"; then fail "$1: $u reached C"; fi
  done
}

# A -> B by push only, then by pull (the same content: duplicates).
run 0 acc a sync b
check_b "after A's push"
run 0 acc b sync a
expect_in "$T/out" "0 rejected"
check_b "after B's pull"
# B -> C by C's pull only (B's TAXII server decides).
run 0 acc c sync b
check_c "after C's pull from B"
# ... then by B's push too (B's push decides).
run 0 acc b sync c
check_c "after B's push to C"
run 0 acc b peer status c --json
expect_in "$T/out" '"health":"ok"'
# What B withheld from C is written to B's audit log as denials to the
# peer's principal; what it released, as releases.
run 0 acc b audit show --principal peer:c
expect_in "$T/out" '"action":"deny"'
expect_in "$T/out" "$(idof 5a000005)"
expect_in "$T/out" '"path":"sync:push:c"'
run 0 acc b audit verify
# Pulled content on C is cert-b's (the peer's organisation).
run 0 acc c get "$(idof 5a000001)" --provenance
expect_in "$T/out" "received from peer b"
expect_in "$T/out" "origin organisation cert-b"
# The same egress check for both of B's ways out: C's account never
# sees AMBER+STRICT from A, nor RED naming it, through B's TAXII server.
S=$(curl -s -o "$T/env" -w '%{http_code}' -u csync:csync-pw \
  -H 'Accept: application/taxii+json;version=2.1' \
  "http://127.0.0.1:${PORT[b]}/api/collections/default/objects/?limit=1000")
expect_eq "$S" 200 "C's account reads B"
expect_not_in "$T/env" "$(idof 5a000005)"
expect_not_in "$T/env" "$(idof 5b000004)"
expect_in "$T/env" "$(idof 5b000001)"
for n in a b c; do run 0 acc $n check; done
pass
