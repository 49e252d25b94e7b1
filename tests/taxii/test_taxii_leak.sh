#!/usr/bin/env bash
# Randomized leak test over TAXII: every user and an anonymous client ask
# every TAXII way out for everything; answers must match the independent
# model of the sharing policy exactly (see leak.c).
. "$(dirname "$0")/lib.sh"
: "${TAXII_LEAK:?TAXII_LEAK must point at the taxii_leak program}"
mkdir -p "$T/leak"
if ! "$TAXII_LEAK" "$ACCORD" "$T/leak" "${ACC_LEAK_SEED:-20261123}"; then
  tail -20 "$T/leak/server.log" >&2 || true
  fail "the sharing policy leaked or withheld over TAXII"
fi
# The audit chain written by the server holds.
run 0 "$ACCORD" -d "$T/leak" audit verify
pass
