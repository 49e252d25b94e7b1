#!/usr/bin/env bash
# Black-box: the demo data set (scripts/demo, without ATT&CK and without
# serving) gains its attribution case, endorsed by EMCERT and Northgate
# Threat Labs, with a TLP:GREEN pack that verifies against CERT-VL's key.
. "$(dirname "$0")/lib.sh"
: "${ACC_SRC:?ACC_SRC must point at the source tree}"
DEMO_NO_SERVE=1 run 0 bash "$ACC_SRC/scripts/demo" "$ACCORD" "$T/demo"
expect_in "$T/out" "cold-switch-green: valid"
expect_in "$T/out" "TLP:GREEN, 4 exhibits, 2 withheld"
run 0 "$ACCORD" -d "$T/demo" pack verify "$T/demo/packs/cold-switch-green" \
  --key "$T/demo/packs/CERT-VL.pub"
run 0 "$ACCORD" -d "$T/demo" --json case list --as liaison
expect_in "$T/out" "Operation COLD SWITCH: attribution"
run 0 "$ACCORD" -d "$T/demo" case show "$(sed -n 's/.*"id":"\(report--[^"]*\)".*/\1/p' "$T/out")"
expect_in "$T/out" "rule met"
expect_in "$T/out" "Northgate Threat Labs"
pass
