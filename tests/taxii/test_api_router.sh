#!/usr/bin/env bash
# Black-box: the /api/v1 router of `accord serve` — authentication like
# TAXII, 404 and 405 with Allow, JSON errors with title and http_status,
# Accept checked, and GET /api/v1/whoami naming the principal.
. "$(dirname "$0")/lib.sh"
setup_store
start_server --set max_content_length=4096
J='Accept: application/json'

req GET /api/v1/whoami -H "$J"
expect_status 401 "no credentials"
hdr_has 'WWW-Authenticate' "401 challenge"
req GET /api/v1/whoami -H "$J" -u alice:wrong
expect_status 401 "wrong password"

req GET /api/v1/whoami -H "$J" -u alice:alice-pw
expect_status 200 "whoami by Basic"
body_has '"user":"alice"' "whoami user"
body_has '"org":"acme"' "whoami org"
body_has '"admin":false' "whoami admin flag"
hdr_has 'Content-Type: application/json' "JSON media type"

req GET /api/v1/whoami -H "$J" -H "Authorization: Bearer $TOKEN"
expect_status 200 "whoami by token"
body_has '"user":"alice"' "token principal"
req GET /api/v1/whoami/ -H "$J" -u root:root-pw
expect_status 200 "trailing slash"
body_has '"admin":true' "admin flag"

req GET /api/v1/whoami -H 'Accept: text/html' -u alice:alice-pw
expect_status 406 "Accept without JSON"
req GET /api/v1/no-such-thing -H "$J" -u alice:alice-pw
expect_status 404 "unknown resource"
body_has '"http_status":"404"' "404 body"
req DELETE /api/v1/whoami -H "$J" -u alice:alice-pw
expect_status 405 "wrong method"
hdr_has 'Allow: GET' "Allow header"
req GET /api/v1/whoami/extra/segments/here -H "$J" -u alice:alice-pw
expect_status 404 "too many segments"

# Bodies of POST routes: the media type is checked and the size capped
# before the handler runs, malformed JSON is a 400 naming the place, and
# nothing is stored by any of them.
req POST /api/v1/cases -H "$J" -u alice:alice-pw -H 'Content-Type: text/plain' \
  --data '{"title":"x"}'
expect_status 415 "POST with a non-JSON media type"
head -c 8000 /dev/zero | tr '\0' ' ' >"$T/big.json"
req POST /api/v1/cases -H "$J" -u alice:alice-pw -H 'Content-Type: application/json' \
  --data-binary "@$T/big.json"
expect_status 413 "POST body over max_content_length"
req POST /api/v1/cases -H "$J" -u alice:alice-pw -H 'Content-Type: application/json' \
  --data '{"title": "unterminated'
expect_status 400 "truncated JSON body"
body_has 'line 1' "the error says where"
req POST /api/v1/cases -H "$J" -u alice:alice-pw -H 'Content-Type: application/json' \
  --data '[1,2]'
expect_status 400 "a JSON array instead of an object"
req GET /api/v1/cases -H "$J" -u alice:alice-pw
expect_status 200 "cases listed"
body_has '"cases":[]' "nothing was stored by the refused bodies"

# TAXII is untouched by the router.
req GET /taxii2/ -u alice:alice-pw
expect_status 200 "discovery still served"
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
