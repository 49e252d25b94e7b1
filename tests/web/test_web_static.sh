#!/usr/bin/env bash
# Black-box: the web interface's files under /ui/ — content types, the
# gzip variant only for clients that take gzip, a year's caching for
# hashed asset names and revalidation for the rest, the security headers
# (strict CSP without inline script, X-Frame-Options DENY, nosniff), "/"
# redirected to /ui/, paths outside the alphabet or escaping the directory
# refused, and a clear 404 when the interface is not installed.
. "$(dirname "$0")/../taxii/lib.sh"
setup_store
ui="$T/ui"
mkdir -p "$ui/assets"
printf '<!doctype html><title>Accord</title><script type="module" src="assets/app-0123abcd.js"></script>\n' >"$ui/index.html"
printf 'console.log("accord");\n' >"$ui/assets/app-0123abcd.js"
gzip -9 -k "$ui/assets/app-0123abcd.js"
printf 'body{color:#000}\n' >"$ui/assets/app-89abcdef.css"
printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$ui/icon.svg"
printf 'secret\n' >"$T/outside.txt"
ln -s "$T/outside.txt" "$ui/link.txt"
printf 'hidden\n' >"$ui/.hidden"
start_server --set ui_dir="$ui"

req GET /ui/ -H 'Accept: text/html'
expect_status 200 "index"
hdr_has 'Content-Type: text/html; charset=utf-8' "index type"
hdr_has "Content-Security-Policy: default-src 'none'; script-src 'self'" "CSP"
if grep -i '^Content-Security-Policy' "$T/hdr" | grep -c "unsafe-inline" >/dev/null; then
  fail "CSP allows inline script or style"
fi
hdr_has "frame-ancestors 'none'" "CSP frame-ancestors"
hdr_has 'X-Frame-Options: DENY' "X-Frame-Options"
hdr_has 'X-Content-Type-Options: nosniff' "nosniff"
hdr_has 'Cache-Control: no-cache' "index revalidated"
body_has 'assets/app-0123abcd.js' "index body"

# The hashed script: gzip when asked for, plain otherwise, cached a year.
S=$(curl -s -o "$T/body.gz" -D "$T/hdr" -w '%{http_code}' \
  -H 'Accept-Encoding: gzip, deflate, br' "$BASE/ui/assets/app-0123abcd.js")
expect_status 200 "script (gzip)"
hdr_has 'Content-Encoding: gzip' "gzip variant sent"
hdr_has 'Vary: Accept-Encoding' "Vary"
hdr_has 'Content-Type: text/javascript; charset=utf-8' "script type"
hdr_has 'Cache-Control: public, max-age=31536000, immutable' "long cache"
gzip -dc "$T/body.gz" >"$T/body" || fail "gzip body does not decompress"
body_has 'console.log("accord")' "gzip body content"
req GET /ui/assets/app-0123abcd.js -H 'Accept-Encoding: identity'
expect_status 200 "script (identity)"
if grep -qi '^Content-Encoding' "$T/hdr"; then fail "gzip without Accept-Encoding gzip"; fi
body_has 'console.log("accord")' "plain body"
req GET /ui/assets/app-0123abcd.js -H 'Accept-Encoding: gzip;q=0, identity'
if grep -qi '^Content-Encoding' "$T/hdr"; then fail "gzip;q=0 still got gzip"; fi
req GET /ui/assets/app-89abcdef.css -H 'Accept-Encoding: gzip'
expect_status 200 "css without a .gz variant"
hdr_has 'Content-Type: text/css' "css type"
if grep -qi '^Content-Encoding' "$T/hdr"; then fail "Content-Encoding on a plain file"; fi
req GET /ui/icon.svg
hdr_has 'Content-Type: image/svg+xml' "svg type"
hdr_has 'Cache-Control: no-cache' "unhashed file revalidated"
S=$(curl -s -I -o /dev/null -w '%{http_code}' "$BASE/ui/index.html" || true)
expect_status 200 "HEAD"

# Redirects.
req GET /
expect_status 302 "/ redirects"
hdr_has 'Location: /ui/' "to /ui/"
req GET /ui
expect_status 302 "/ui redirects"

# Refused paths.
for p in /ui/../accord.db /ui/%2e%2e/accord.db /ui/.hidden /ui/link.txt \
  /ui/assets//app-0123abcd.js '/ui/a%00b' /ui/no-such-file.js; do
  req GET "$p"
  expect_status 404 "refused: $p"
  body_lacks 'secret' "no content from outside: $p"
done
req POST /ui/index.html -H 'Content-Type: text/html' -d x
expect_status 404 "POST to a file"
stop_server

# Not installed: a 404 that says how to get it.
start_server --set ui_dir="$T/nowhere"
req GET /ui/
expect_status 404 "no interface"
stop_server
pass
