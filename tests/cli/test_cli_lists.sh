#!/usr/bin/env bash
# Black-box: `accord lists` — import the Tor exit list, a plain list with
# a validity period and a CSV with a type column; list them; check
# addresses at dates ("was this IP a Tor exit on date D?"); remove.
. "$(dirname "$0")/lib.sh"

run 0 "$ACCORD" init
cat >"$T/exit-addresses" <<'TOR'
@type tordnsel 1.0
Downloaded 2023-08-13 18:02:01
ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E
Published 2023-08-13 02:34:01
LastStatus 2023-08-13 17:00:00
ExitAddress 162.247.74.201 2023-08-13 17:14:13
TOR
printf '# torbulkexitlist\n185.220.101.12\n185.220.102.0/24\n' >"$T/bulk"
printf 'address,category,first_seen,last_seen\n9.9.9.9,vpn,2024-01-01,2024-02-01\n' >"$T/vpn.csv"

run 0 "$ACCORD" lists import "$T/exit-addresses"
expect_in "$T/err" "list exit-addresses (tor-exit): 1 entries"
run 0 "$ACCORD" lists import --kind tor-exit --name tor-bulk-2024-01 \
  --valid-from 2024-01-01 --valid-until 2024-01-31 "$T/bulk"
run 0 "$ACCORD" lists import --json "$T/vpn.csv"
expect_in "$T/out" '"format":"csv","lines":2,"entries":1'
# a plain list needs a kind; a bad date is a usage error
run 3 "$ACCORD" lists import "$T/bulk"
expect_in "$T/err" "needs --kind"
run 2 "$ACCORD" lists import --kind vpn --valid-from yesterday "$T/bulk"

run 0 "$ACCORD" lists list
expect_in "$T/out" "tor-bulk-2024-01"
expect_in "$T/out" "2024-01-31T23:59:59.999Z"
run 0 "$ACCORD" lists list --json
expect_in "$T/out" '"name":"vpn.csv","kind":"mixed","format":"csv"'

run 0 "$ACCORD" lists check 162.247.74.201 --at 2023-08-13
expect_in "$T/out" "tor-exit (list exit-addresses"
run 1 "$ACCORD" lists check 162.247.74.201 --at 2023-10-01
expect_in "$T/out" "on no list"
run 0 "$ACCORD" lists check 185.220.102.77 --at 2024-01-15T12:00:00Z --json
expect_in "$T/out" '"kind":"tor-exit","list":"tor-bulk-2024-01"'
run 1 "$ACCORD" lists check 185.220.102.77 --at 2024-03-01
run 0 "$ACCORD" lists check 0:0:0:0:0:ffff:909:909 --at 2024-01-20
expect_in "$T/out" "vpn (list vpn.csv"
run 2 "$ACCORD" lists check not-an-ip

run 0 "$ACCORD" lists remove vpn.csv
run 1 "$ACCORD" lists check 9.9.9.9 --at 2024-01-20
run 1 "$ACCORD" lists remove vpn.csv
pass
