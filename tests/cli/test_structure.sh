#!/usr/bin/env bash
# Structural rules that keep the sharing policy unbypassable and the house
# style honest, checked on the source tree:
#  - raw reads of stored objects (store/store_raw.h, ops->scan, ops->get)
#    only in the store, the enforcement point and the allowed internal,
#    non-egress users;
#  - no banned C functions (sprintf, strcpy, strcat, gets, atoi).
. "$(dirname "$0")/lib.sh"
cd "${ACC_SRC:?ACC_SRC must point at the source tree}"

allowed='^(src/store/|src/policy/guard\.c$|src/pattern/pstore\.c$|src/misp/import\.c$|src/correlate/index\.c$|tests/unit/)'
while IFS= read -r f; do
  if ! [[ "$f" =~ $allowed ]]; then
    fail "$f reads the store around the sharing policy (store_raw.h): use policy/guard.h"
  fi
done < <(grep -rlE --include='*.c' --include='*.h' '#include "store/store_raw.h"' src tests fuzz bench 2>/dev/null || true)

while IFS= read -r hit; do
  f=${hit%%:*}
  if ! [[ "$f" =~ ^src/store/ ]]; then
    fail "raw store read outside the store: $hit"
  fi
done < <(grep -rnE --include='*.c' --include='*.h' -- '->ops->(scan|get)\(' src tests fuzz 2>/dev/null || true)

banned=$(grep -rnE '(^|[^_[:alnum:]])(sprintf|vsprintf|strcpy|strcat|gets|atoi)[[:space:]]*\(' \
  --include='*.c' --include='*.h' src fuzz tests 2>/dev/null || true)
[ -z "$banned" ] || fail "banned functions used:
$banned"
pass
