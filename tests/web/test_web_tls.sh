#!/usr/bin/env bash
# Black-box: browser sessions over TLS — the session cookie carries Secure
# (and still HttpOnly, SameSite=Strict), the cookie authenticates over
# https, logout clears it with Secure too, and the interface's files are
# served over TLS with their security headers.
. "$(dirname "$0")/../taxii/lib.sh"
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }
setup_store
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
mkdir -p "$T/ui"
printf '<!doctype html><title>Accord</title>\n' >"$T/ui/index.html"
start_server --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" --set ui_dir="$T/ui"
BASE="https://127.0.0.1:$PORT"
C=(--cacert "$T/cert.pem")
J='Accept: application/json'
req POST /api/v1/session "${C[@]}" -H "$J" -H 'Content-Type: application/json' \
  -d '{"user":"alice","password":"alice-pw"}'
expect_status 201 "login over TLS"
hdr_has 'Set-Cookie: accord_session=' "cookie"
hdr_has '; Secure' "Secure under TLS"
hdr_has 'HttpOnly' "HttpOnly"
hdr_has 'SameSite=Strict' "SameSite=Strict"
SID=$(tr -d '\r' <"$T/hdr" | sed -n 's/^[Ss]et-[Cc]ookie: accord_session=\([^;]*\);.*/\1/p')
CSRF=$(json_field csrf_token)
req GET /api/v1/whoami "${C[@]}" -H "$J" -H "Cookie: accord_session=$SID"
expect_status 200 "cookie over TLS"
body_has '"user":"alice"' "as alice"
req DELETE /api/v1/session "${C[@]}" -H "$J" -H "Cookie: accord_session=$SID" \
  -H "X-CSRF-Token: $CSRF"
expect_status 200 "logout over TLS"
hdr_has 'Max-Age=0; HttpOnly; SameSite=Strict; Secure' "cleared, Secure"
req GET /ui/ "${C[@]}"
expect_status 200 "interface over TLS"
hdr_has 'X-Frame-Options: DENY' "headers over TLS"
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
