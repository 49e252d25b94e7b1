# test_taxii_tls.sh — `accord serve --tls-cert --tls-key`: TLS 1.2 and 1.3
# served, TLS 1.1 and plain HTTP refused on the TLS port (127.0.0.1 only).
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }
setup_store
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
start_server --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
grep -q '"url":"https://127.0.0.1:' "$T/server.log" || fail "listening line"
U="https://127.0.0.1:$PORT/taxii2/"
for v in 1.2 1.3; do
  S=$(curl -s -o "$T/body" -w '%{http_code}' --cacert "$T/cert.pem" \
    --tlsv$v --tls-max $v -u alice:alice-pw -H "$TAXII_ACCEPT" "$U" || true)
  expect_eq "$S" 200 "TLS $v"
done
body_has '"api_roots"' "discovery over TLS"
S=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/taxii2/" || true)
[ "$S" = 200 ] && fail "plain HTTP served on the TLS port"
# TLS 1.1 (the client allowed to offer it): the server must refuse.
if openssl s_client -help 2>&1 | grep -c -- '-tls1_1' >/dev/null; then
  echo | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 \
    -cipher 'DEFAULT:@SECLEVEL=0' >"$T/s11" 2>&1 || true
  if grep -q 'Protocol *: TLSv1.1' "$T/s11" && ! grep -q 'Cipher is (NONE)' "$T/s11"; then
    fail "TLS 1.1 accepted"
  fi
fi
echo | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 \
  -CAfile "$T/cert.pem" >"$T/s12" 2>&1 || true
grep -qE 'Cipher *(is|:) *(ECDHE|TLS_)[A-Z0-9_-]*(GCM|CHACHA20)' "$T/s12" ||
  fail "TLS 1.2 without an AEAD suite: $(grep -i cipher "$T/s12" | head -3)"
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
