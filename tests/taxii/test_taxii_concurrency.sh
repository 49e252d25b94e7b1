# test_taxii_concurrency.sh — 8 writers POST envelopes while 8 readers page
# through the same collection with `next`; no object may be lost,
# duplicated or torn (tests/taxii/concurrency.c checks each pass).
source "$(dirname "$0")/lib.sh"
: "${TAXII_CONCURRENCY:?TAXII_CONCURRENCY must point at taxii_concurrency}"
setup_store
start_server --threads 4
# 8 writers x 40 envelopes x 100 objects = 32,000 objects; pages of 997.
run 0 "$TAXII_CONCURRENCY" "$BASE" alice:alice-pw shared 8 8 40 100 997
cat "$T/out"
expect_in "$T/out" "acknowledged 32000 objects"
expect_in "$T/out" "0 errors"
# The store agrees.
req GET "/api/collections/shared/manifest/?limit=1" -u alice:alice-pw
expect_status 200 "manifest after the run"
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
run 0 "$ACCORD" check
pass
