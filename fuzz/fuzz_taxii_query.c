/*
 * fuzz_taxii_query.c — libFuzzer harness for what a TAXII client controls
 * before any store is touched: the query string (filters, limit, next),
 * the Accept and Content-Type media types, the Authorization header, and
 * the check of a `next` token.  The input is split at its first two
 * newlines into a query string, a header value and a token; each parser
 * must end in a value or a clean refusal, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "taxii/taxii.h"
#include "util/time.h"

static const unsigned char KEY[ACC_TAXII_NEXT_KEYBYTES] = {1, 2, 3, 4};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s)
    return 0;
  memcpy(s, data, size);
  s[size] = '\0';
  char *hdr = strchr(s, '\n');
  if (hdr)
    *hdr++ = '\0';
  else
    hdr = s;
  char *tok = strchr(hdr, '\n');
  if (tok)
    *tok++ = '\0';
  else
    tok = hdr;

  acc_taxii_filter f;
  acc_diag d;
  acc_taxii_filter_init(&f);
  if (acc_taxii_filter_parse(&f, s, strlen(s), &d) == ACC_OK) {
    /* Invariants of an accepted filter. */
    if (f.n_ids > ACC_QUERY_MAX_TERMS || f.n_types > ACC_QUERY_MAX_TERMS ||
        f.n_spec_versions > 4 || f.n_at > ACC_QUERY_MAX_TERMS)
      abort();
    if ((f.seen & ACC_TAXII_P_LIMIT) && f.limit == 0)
      abort();
    for (size_t i = 1; i < f.n_ids; i++)
      if (strcmp(f.ids[i - 1], f.ids[i]) >= 0)
        abort();
    acc_buf b;
    acc_buf_init(&b, 1 << 20);
    if (acc_taxii_filter_normalise(&f, &b) == ACC_OK) {
      char next[ACC_TAXII_NEXT_MAX + 1];
      int64_t pos = 0;
      acc_taxii_next_make(KEY, b.data, b.len, 12345, next);
      if (acc_taxii_next_check(KEY, b.data, b.len, next, &pos) != ACC_OK ||
          pos != 12345)
        abort();
      acc_taxii_next_check(KEY, b.data, b.len, tok, &pos);
    }
    acc_buf_free(&b);
  }
  acc_taxii_filter_free(&f);

  acc_taxii_accept_ok(hdr);
  acc_taxii_content_type_ok(hdr);
  acc_taxii_auth a;
  acc_taxii_auth_parse(hdr, &a);
  if (a.kind == ACC_TAXII_AUTH_BASIC && (!a.user[0] || strchr(a.user, ':')))
    abort();
  acc_taxii_auth_wipe(&a);

  acc_buf j;
  acc_buf_init(&j, 0);
  acc_taxii_json_str(&j, hdr);
  acc_buf_free(&j);
  free(s);
  return 0;
}
