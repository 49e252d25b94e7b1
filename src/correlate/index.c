/*
 * index.c — keeping the correlation index: the hook acc_ingest calls for
 * every stored object, the rebuild, and the "common" threshold setting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate.h"

unsigned acc_corr_common_sources(acc_store *s) {
  char buf[32];
  acc_diag d;
  if (s->ops->meta_get(s, "correlation_common_sources", buf, sizeof buf, &d))
    return ACC_CORR_COMMON_DEFAULT;
  char *end;
  unsigned long v = strtoul(buf, &end, 10);
  if (*end || !v || v > 1000000)
    return ACC_CORR_COMMON_DEFAULT;
  return (unsigned)v;
}

acc_rc acc_corr_set_common_sources(acc_store *s, unsigned n, acc_diag *d) {
  char buf[32];
  if (!n || n > 1000000)
    return acc_diag_set(d, ACC_EINVAL,
                        "correlation_common_sources: %u is not from 1 to "
                        "1000000",
                        n);
  snprintf(buf, sizeof buf, "%u", n);
  return s->ops->meta_set(s, "correlation_common_sources", buf, d);
}
