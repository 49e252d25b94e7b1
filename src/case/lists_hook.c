/*
 * lists_hook.c — where the anonymiser caveat learns which IP addresses
 * were anonymisers or relays at a given time: the correlation subsystem's
 * lists (src/correlate/lists.h, `accord lists import`), each entry valid
 * over a period.  The hook keeps src/case/ independent of how the lists
 * are kept, and lets tests give their own.
 */
#include <string.h>

#include "case/case.h"
#include "correlate/lists.h"

static acc_rc lookup(void *ctx, acc_store *s, const char *ip, int64_t at_us,
                     acc_case_list_hit *out, size_t max, size_t *n,
                     acc_diag *d) {
  (void)ctx;
  acc_list_hit hits[8];
  size_t got = 0;
  acc_rc rc = acc_lists_lookup(s, ip, at_us, hits, max < 8 ? max : 8, &got, d);
  if (rc)
    return rc;
  for (size_t i = 0; i < got && i < max; i++) {
    _Static_assert(sizeof out[i].kind == sizeof hits[i].kind, "kind size");
    _Static_assert(sizeof out[i].list == sizeof hits[i].list, "list size");
    memcpy(out[i].kind, hits[i].kind, sizeof out[i].kind);
    memcpy(out[i].list, hits[i].list, sizeof out[i].list);
    out[i].kind[sizeof out[i].kind - 1] = '\0';
    out[i].list[sizeof out[i].list - 1] = '\0';
  }
  *n = got < max ? got : max;
  return ACC_OK;
}

const acc_case_lists_fn acc_case_default_lists = lookup;
