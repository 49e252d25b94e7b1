# test_sync_kill.sh — kill -9 of a puller mid-transfer, then resume: no
# loss, no duplicates.  B pulls 20,000 synthetic objects (every version)
# from A in small pages; it is killed twice — the `accord sync` command,
# then `accord serve`'s sync thread — each time while objects are still
# arriving, and resumed.  B must end with exactly A's objects (ids and
# bytes), each version once, and counters that agree with the store
# (they commit with the objects).
source "$(dirname "$0")/lib.sh"

inst a
acc a org add cert-a >/dev/null
acc a org add cert-b >/dev/null
echo bsync-pw | acc a user add bsync --org cert-b --password-stdin >/dev/null
acc a grant cert-b default --read >/dev/null
acc a generate synthetic --count 20000 --seed 7 --lines -o "$T/syn.jsonl"
run 0 acc a import "$T/syn.jsonl"
serve a --set page_max=1000
lines a --as bsync
total=$(wc -l <"$T/a.lines")
[ "$total" -gt 15000 ] || fail "A shares only $total versions with cert-b"

# new_b: a fresh B with its peer (pages of 25 versions).
new_b() {
  rm -rf "$T/b"
  inst b
  acc b org add cert-a >/dev/null
  echo bsync-pw | acc b peer add a --url "http://127.0.0.1:${PORT[a]}" \
    --collection default --org cert-a --auth basic:bsync --page-size 25 \
    --interval 1s >/dev/null 2>&1
}

# kill_mid MIN CMD...: start CMD in the background and kill -9 it once B
# holds more than MIN but not all of A's versions.  Returns 1 when the
# transfer ended before such a partial state was seen.
kill_mid() {
  local min=$1
  shift
  "$@" >"$T/run.out" 2>&1 &
  local pid=$! i n
  for i in $(seq 2000); do
    n=$(versions b 2>/dev/null || echo 0)
    if [ "${n:-0}" -gt "$min" ] && [ "$n" -lt "$total" ]; then
      kill -9 "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      echo "killed with $n of $total versions" >>"$T/kills"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null || true
      return 1
    fi
    sleep 0.02
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return 1
}

# Round 1: the sync command.
killed=0
for attempt in 1 2 3; do
  new_b
  if kill_mid $((total / 5)) "$ACCORD" -d "$T/b" sync a; then
    killed=1
    break
  fi
done
expect_eq "$killed" 1 "the puller was killed mid-transfer"
before=$(versions b)
run 0 acc b check
# Round 2: the same B, now pulling from its server's sync thread, killed
# again mid-way (SIGKILL: no cleanup at all).
rm -f "$T/b.port"
if kill_mid "$before" "$ACCORD" -d "$T/b" serve --listen 127.0.0.1 --port 0 \
  --port-file "$T/b.port"; then
  after=$(versions b)
  [ "$after" -ge "$before" ] || fail "versions went down across the kill"
fi
run 0 acc b check
# Resume to the end.
run 0 acc b sync a
expect_in "$T/out" "caught up"
lines b
expect_eq "$(wc -l <"$T/b.lines")" "$total" "versions on B"
cmp -s "$T/a.lines" "$T/b.lines" || {
  fail "B's objects differ from A's (ids or bytes)"
  diff "$T/a.lines" "$T/b.lines" | head -5 >&2
}
sort -u "$T/b.lines" >"$T/b.u"
expect_eq "$(wc -l <"$T/b.u")" "$total" "distinct versions on B"
# The counters committed with the pages: stored versions == pulled.
run 0 acc b peer status a --json
pulled=$(sed -n 's/.*"pulled":\([0-9]*\).*/\1/p' "$T/out")
expect_eq "$pulled" "$total" "the pulled counter agrees with the store"
# Every pulled version has its provenance.
n_prov=$(sqlite3 "$T/b/accord.db" 'SELECT count(*) FROM provenance')
expect_eq "$n_prov" "$total" "provenance rows"
run 0 acc b check
cat "$T/kills" >&2
pass
