#!/usr/bin/env bash
# Black-box: the optional PDF of the statement of reasons.  A stand-in
# `wkhtmltopdf` on PATH (it writes a small PDF whose creation date changes
# on every call, as real renderers' do) shows that: the PDF goes into the
# pack, the MANIFEST and the signature; its dates are replaced by the
# case's, so two builds are still byte-identical; a renderer that fails, or
# --pdf never, gives a pack without it, never a failed build.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/case_lib.sh"
case_setup
case_new
case_evidence
for u in bob mia; do
  "$ACCORD" case endorse "$CASE" --as "$u" --concur --statement ok >/dev/null
done
KEY=$("$ACCORD" key export --org CERT-A)
mkdir -p "$T/bin" "$T/badbin"
cat >"$T/bin/wkhtmltopdf" <<RENDERER
#!/usr/bin/env bash
# stand-in renderer: the last two arguments are the input and the output
n=\$(cat "$T/calls" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >"$T/calls"
in=\${@: -2:1}; out=\${@: -1}
{ printf '%%PDF-1.4\n1 0 obj << /CreationDate (D:2030010100%04d+00) ' \$n
  printf '/ModDate (D:2030010100%04d+00) >> endobj\n' \$n
  printf '%% statement of %s bytes\n%%%%EOF\n' "\$(wc -c <"\$in")"; } >"\$out"
RENDERER
printf '#!/bin/sh\nexit 3\n' >"$T/badbin/wkhtmltopdf"
chmod +x "$T/bin/wkhtmltopdf" "$T/badbin/wkhtmltopdf"

PATH="$T/bin:$PATH" run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/p1" --as alice
[ -s "$T/p1/statement.pdf" ] || fail "no statement.pdf with a renderer installed"
expect_in "$T/p1/MANIFEST" "  statement.pdf"
expect_in "$T/p1/statement.pdf" "%PDF-1.4"
expect_not_in "$T/p1/statement.pdf" "D:2030"
run 0 "$ACCORD" pack verify "$T/p1" --key "$KEY"
PATH="$T/bin:$PATH" run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/p2" --as alice
[ "$(cat "$T/calls")" = 2 ] || fail "the renderer ran $(cat "$T/calls") times"
for f in MANIFEST MANIFEST.sig bundle.json pack.json statement.html statement.pdf; do
  cmp -s "$T/p1/$f" "$T/p2/$f" || fail "$f differs between two builds with a PDF"
done
# tampering with the PDF is caught like any other file
printf 'x' >>"$T/p2/statement.pdf"
run 1 "$ACCORD" pack verify "$T/p2" --key "$KEY"
expect_in "$T/err" "statement.pdf"
# a failing renderer, or --pdf never: no PDF, and the rest unchanged
PATH="$T/badbin:$PATH" run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/p3" --as alice
[ ! -e "$T/p3/statement.pdf" ] || fail "a PDF from a failing renderer"
PATH="$T/bin:$PATH" run 0 "$ACCORD" pack build "$CASE" --release clear --out "$T/p4" --as alice --pdf never
[ ! -e "$T/p4/statement.pdf" ] || fail "--pdf never made a PDF"
cmp -s "$T/p3/bundle.json" "$T/p1/bundle.json" || fail "bundle depends on the PDF"
cmp -s "$T/p3/MANIFEST" "$T/p4/MANIFEST" || fail "MANIFEST without PDF differs"
run 0 "$ACCORD" pack verify "$T/p3" --key "$KEY"
pass
