# lib.sh — shared helpers for the black-box CLI tests.  Each test script
# sources this, gets a scratch directory in $T (removed on exit), and calls
# `pass` at the end.  ACCORD points at the built binary (set by ctest).
set -euo pipefail
: "${ACCORD:?ACCORD must point at the accord binary}"
T=$(mktemp -d /tmp/accord-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
export ACCORD_DATA="$T/data"
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# run EXPECTED_EXIT CMD...: run CMD, keep stdout in $T/out, stderr in
# $T/err, and check its exit status.
run() {
  local want=$1
  shift
  set +e
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  set -e
  if [ "$got" != "$want" ]; then
    fail "exit $got (wanted $want): $*"
    sed 's/^/  stderr: /' "$T/err" | head -20 >&2
  fi
}

# expect_in FILE PATTERN: FILE contains the fixed string PATTERN.
expect_in() {
  if ! grep -qF -- "$2" "$1"; then
    fail "$(basename "$1") lacks: $2"
    sed 's/^/  | /' "$1" | head -20 >&2
  fi
}

expect_not_in() {
  if grep -qF -- "$2" "$1"; then
    fail "$(basename "$1") has: $2"
  fi
}

expect_eq() {
  if [ "$1" != "$2" ]; then
    fail "${3:-values differ}: '$1' != '$2'"
  fi
}

# count_objects: latest objects in the store, from `accord stats --json`.
count_objects() {
  "$ACCORD" stats --json | sed -n 's/^  "objects": \([0-9]*\),$/\1/p'
}

count_versions() {
  "$ACCORD" stats --json | sed -n 's/^  "versions": \([0-9]*\),$/\1/p'
}

# need_shared: skip (exit 77) when ../shared is not beside the repository.
need_shared() {
  if [ -z "${ACC_SHARED:-}" ] || [ ! -d "$ACC_SHARED/data" ]; then
    echo "SKIP: shared data not found (ACC_SHARED=${ACC_SHARED:-unset})"
    exit 77
  fi
}

pass() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed" >&2
    exit 1
  fi
  echo "ok"
}
