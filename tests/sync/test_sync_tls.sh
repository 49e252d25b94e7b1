# test_sync_tls.sh — federation over TLS with a private CA: A serves HTTPS
# with a certificate its own CA signed (made here with openssl, as in
# tests/taxii/test_taxii_tls.sh); B pulls with --ca-file.  Verification is
# always on: without the CA, with another CA, or under a name the
# certificate does not carry, nothing is pulled and the error says why.
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }

mkca() { # mkca NAME: a CA certificate and key in $T/NAME.pem/.key
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$T/$1.key" -out "$T/$1.pem" -days 2 -subj "/CN=Accord test $1" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
mkca ca
mkca otherca
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$T/srv.key" -out "$T/srv.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
  -CAcreateserial -days 2 -extfile "$T/ext" -out "$T/srv.pem" 2>/dev/null
[ -s "$T/srv.pem" ] || { echo "SKIP: openssl could not sign"; exit 77; }

inst a
acc a org add cert-b >/dev/null
echo bsync-pw | acc a user add bsync --org cert-b --password-stdin >/dev/null
acc a grant cert-b default --read >/dev/null
{
  ind 71000001 "$TLP_CLEAR"
  ind 71000002 "$TLP_GREEN"
} >"$T/a.jsonl"
run 0 acc a import "$T/a.jsonl"
serve a --tls-cert "$T/srv.pem" --tls-key "$T/srv.key"
grep -q '"url":"https://127.0.0.1:' "$T/a.log" || fail "A does not serve https"

inst b
acc b org add cert-a >/dev/null
add() { # add NAME URL [OPTIONS...]
  local n=$1 u=$2
  shift 2
  echo bsync-pw | run 0 acc b peer add "$n" --url "$u" --collection default \
    --org cert-a --auth basic:bsync --retries 0 "$@"
}
add good "https://127.0.0.1:${PORT[a]}" --ca-file "$T/ca.pem"
run 0 acc b peer test good
run 0 acc b sync good
expect_in "$T/out" "pulled 2 new"
has b "$(idof 71000001)" || fail "nothing pulled over TLS"

# The system's trust store does not know this CA.
add noca "https://127.0.0.1:${PORT[a]}"
run 3 acc b sync noca
expect_in "$T/out" "certificate"
# Another CA.
add wrongca "https://127.0.0.1:${PORT[a]}" --ca-file "$T/otherca.pem"
run 3 acc b sync wrongca
expect_in "$T/out" "certificate"
# A name the certificate does not carry (it names IP 127.0.0.1 only).
add wrongname "https://localhost:${PORT[a]}" --ca-file "$T/ca.pem"
run 3 acc b sync wrongname
expect_in "$T/out" "FAILED"
run 0 acc b peer status wrongname
expect_in "$T/out" "failing"
# Plain http to the TLS port is no TAXII answer.
add plain "http://127.0.0.1:${PORT[a]}"
run 3 acc b sync plain
expect_in "$T/out" "FAILED"
# A CA file that does not exist is refused when the peer is set up.
run 2 acc b peer add bad --url "https://127.0.0.1:${PORT[a]}" \
  --collection default --org cert-a --ca-file "$T/nope.pem"
expect_in "$T/err" "cannot read"
unserve a
expect_eq "$STOP_RC" 0 "clean stop"
pass
