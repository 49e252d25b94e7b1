#!/usr/bin/env bash
# The web interface in a real browser: seeds a store (acme's GREEN malware
# and indicator, an AMBER indicator shared with acme only; other's user
# bob), starts `accord serve` on 127.0.0.1 with the built interface, and
# runs web/test/ui.test.mjs (node's test runner, playwright-core driving
# Debian's chromium).  Skipped (77) when node, chromium, the built
# interface or the web packages are missing.  Screenshots are kept in
# ACC_WEB_ARTIFACTS (build/web-test-artifacts).
. "$(dirname "$0")/../taxii/lib.sh"
: "${ACC_SRC:?}" "${ACC_UI_DIR:?}"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
skip() { echo "SKIP: $*"; exit 77; }
command -v node >/dev/null || skip "node not found (apt-get install nodejs)"
[ -x "$CHROMIUM" ] || skip "chromium not found at $CHROMIUM (apt-get install chromium)"
[ -f "$ACC_UI_DIR/index.html" ] || skip "the interface is not built ($ACC_UI_DIR; needs nodejs and npm at build time)"
[ -d "$ACC_SRC/web/node_modules/playwright-core" ] || skip "web packages not installed (make builds them with npm ci)"
here=$(cd "$(dirname "$0")" && pwd)

setup_store
"$ACCORD" import --as alice --tlp green "$here/data/green.json" >/dev/null 2>&1
"$ACCORD" import --as alice --tlp amber --share-with acme "$here/data/amber.json" >/dev/null 2>&1
"$ACCORD" grant other default --read >/dev/null
start_server --set ui_dir="$ACC_UI_DIR"

export BASE CHROMIUM
export ACC_WEB_ARTIFACTS=${ACC_WEB_ARTIFACTS:-$T/artifacts}
export UPLOAD_BAD="$here/data/upload_bad.json"
export AMBER_ID=indicator--8d2f3e4a-5b6c-4d7e-9f8a-0b1c2d3e4f01
export GREEN_ID=malware--7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e01
set +e
(cd "$ACC_SRC/web" && timeout 300 node --test-reporter=spec test/ui.test.mjs)
rc=$?
set -e
[ "$rc" = 0 ] || { fail "browser test failed (exit $rc); server log:"; tail -20 "$T/server.log" >&2; }
stop_server
expect_eq "$STOP_RC" 0 "clean stop"
pass
