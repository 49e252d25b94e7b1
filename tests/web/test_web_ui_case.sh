#!/usr/bin/env bash
# The web interface's correlation, attribution-case and evidence-pack
# views in a real browser, on the case tests' scenario (tests/cli/
# case_lib.sh): a partner opens the correlation graph and records its
# endorsement; the case's owner builds, downloads and verifies a pack (and
# a tampered copy fails).  Runs web/test/case.test.mjs; skipped (77) like
# test_web_ui.sh when node, chromium or the built interface is missing.
. "$(dirname "$0")/../taxii/lib.sh"
. "$(dirname "$0")/../cli/case_lib.sh"
: "${ACC_SRC:?}" "${ACC_UI_DIR:?}"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
skip() { echo "SKIP: $*"; exit 77; }
command -v node >/dev/null || skip "node not found (apt-get install nodejs)"
[ -x "$CHROMIUM" ] || skip "chromium not found at $CHROMIUM (apt-get install chromium)"
[ -f "$ACC_UI_DIR/index.html" ] || skip "the interface is not built ($ACC_UI_DIR)"
[ -d "$ACC_SRC/web/node_modules/playwright-core" ] || skip "web packages not installed (make builds them with npm ci)"

case_setup
case_new
case_evidence
start_server --set ui_dir="$ACC_UI_DIR"
export BASE CHROMIUM CASE
export ACC_WEB_ARTIFACTS=${ACC_WEB_ARTIFACTS:-$T/artifacts}
export C2_VALUE=198.51.100.7
set +e
(cd "$ACC_SRC/web" && timeout 300 node --test-reporter=spec test/case.test.mjs)
rc=$?
set -e
[ "$rc" = 0 ] || { fail "browser test failed (exit $rc); server log:"; tail -20 "$T/server.log" >&2; }
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
