#!/usr/bin/env bash
# Black-box: browser sessions of `accord serve` — login with the API's
# accounts (POST /api/v1/session), the HttpOnly SameSite=Strict cookie,
# GET to see the session and its CSRF token, the cookie accepted by the
# API and TAXII exactly like the user's password, state-changing requests
# refused without the X-CSRF-Token header (and never needing it with Basic
# or Bearer), logout ending the session for good, the idle timeout, and
# failed logins throttled.
. "$(dirname "$0")/../taxii/lib.sh"
setup_store
start_server --set session_idle_timeout=3 --set login_burst=3
J='Accept: application/json'
CT='Content-Type: application/json'

# Wrong password: 401, no cookie.
req POST /api/v1/session -H "$J" -H "$CT" -d '{"user":"alice","password":"nope"}'
expect_status 401 "wrong password"
body_has 'password is wrong' "says what is wrong"
if grep -qi '^Set-Cookie' "$T/hdr"; then fail "cookie on a failed login"; fi
req POST /api/v1/session -H "$J" -H "$CT" -d '{"user":"alice"}'
expect_status 400 "login without password"
req POST /api/v1/session -H "$J" -H "$CT" -d 'not json'
expect_status 400 "login body not JSON"
req POST /api/v1/session -H "$J" -H 'Content-Type: text/plain' \
  -d '{"user":"alice","password":"alice-pw"}'
expect_status 415 "login as text/plain (what a cross-site form could send)"

# Log in.
req POST /api/v1/session -H "$J" -H "$CT" -d '{"user":"alice","password":"alice-pw"}'
expect_status 201 "login"
hdr_has 'Set-Cookie: accord_session=' "session cookie"
hdr_has 'HttpOnly' "HttpOnly cookie"
hdr_has 'SameSite=Strict' "SameSite=Strict cookie"
if grep -qi 'Secure' "$T/hdr"; then fail "Secure cookie over plain HTTP"; fi
body_has '"user":"alice"' "login names the user"
CSRF=$(json_field csrf_token)
[ -n "$CSRF" ] || fail "no csrf_token in the login answer"
SID=$(tr -d '\r' <"$T/hdr" | sed -n 's/^[Ss]et-[Cc]ookie: accord_session=\([^;]*\);.*/\1/p')
[ -n "$SID" ] || fail "no session id in the cookie"
CK="Cookie: accord_session=$SID"

# The cookie authenticates the API and TAXII as alice.
req GET /api/v1/session -H "$J" -H "$CK"
expect_status 200 "GET session"
body_has "\"csrf_token\":\"$CSRF\"" "GET session gives the token back"
req GET /api/v1/whoami -H "$J" -H "$CK"
expect_status 200 "whoami by cookie"
body_has '"user":"alice"' "cookie principal"
req GET /api/collections/ -H "$CK"
expect_status 200 "TAXII collections by cookie"
body_has '"alias":"private"' "alice's collections"
req GET /api/v1/session -H "$J" -H "Cookie: accord_session=forged$SID"
expect_status 401 "unknown session id"
body_has 'log in again' "says what to do"

# CSRF: a POST with the cookie and no token is refused; with it, accepted.
req POST "/api/collections/shared/objects/" -H "$CK" -H "$TAXII_CT" \
  --data-binary @"$TAXII_DATA/envelope.json"
expect_status 403 "TAXII POST by cookie without CSRF token"
body_has 'X-CSRF-Token' "names the header"
req POST "/api/collections/shared/objects/" -H "$CK" -H "$TAXII_CT" \
  -H "X-CSRF-Token: wrong" --data-binary @"$TAXII_DATA/envelope.json"
expect_status 403 "wrong CSRF token"
req POST "/api/collections/shared/objects/" -H "$CK" -H "$TAXII_CT" \
  -H "X-CSRF-Token: $CSRF" --data-binary @"$TAXII_DATA/envelope.json"
expect_status 202 "TAXII POST by cookie with the token"
req DELETE /api/v1/session -H "$J" -H "$CK"
expect_status 403 "logout without the token"
# Basic and Bearer never need a token.
req POST "/api/collections/shared/objects/" -u alice:alice-pw -H "$TAXII_CT" \
  --data-binary @"$TAXII_DATA/envelope.json"
expect_status 202 "Basic POST without token"
req POST "/api/collections/shared/objects/" -H "Authorization: Bearer $TOKEN" \
  -H "$TAXII_CT" --data-binary @"$TAXII_DATA/envelope.json"
expect_status 202 "Bearer POST without token"
# Basic wins over a cookie (and so needs no token).
req GET /api/v1/whoami -H "$J" -H "$CK" -u bob:bob-pw
body_has '"user":"bob"' "Authorization header wins over the cookie"

# Logout ends it for good, even for a client that kept the cookie.
req DELETE /api/v1/session -H "$J" -H "$CK" -H "X-CSRF-Token: $CSRF"
expect_status 200 "logout"
hdr_has 'Max-Age=0' "logout clears the cookie"
req GET /api/v1/whoami -H "$J" -H "$CK"
expect_status 401 "the old cookie after logout"
req GET /api/collections/ -H "$CK"
expect_status 401 "TAXII with the old cookie"

# Idle timeout (3 s here): a session unused for longer has ended.
req POST /api/v1/session -H "$J" -H "$CT" -d '{"user":"bob","password":"bob-pw"}'
expect_status 201 "second login"
SID2=$(tr -d '\r' <"$T/hdr" | sed -n 's/^[Ss]et-[Cc]ookie: accord_session=\([^;]*\);.*/\1/p')
req GET /api/v1/whoami -H "$J" -H "Cookie: accord_session=$SID2"
expect_status 200 "fresh session"
sleep 4.5
req GET /api/v1/whoami -H "$J" -H "Cookie: accord_session=$SID2"
expect_status 401 "idle session"

# Failed logins are throttled like Basic (burst 3 here).
for _ in 1 2 3 4; do
  req POST /api/v1/session -H "$J" -H "$CT" -d '{"user":"carol","password":"x"}'
done
expect_status 429 "throttled login"
body_has 'wait' "says to wait"
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
