/*
 * store_raw.h — reading stored objects without the sharing policy.
 *
 * NOT for anything that hands content to someone: every egress path reads
 * through policy/guard.h.  Only the store itself, the enforcement point,
 * and internal processing that never returns what it reads (compiling the
 * detection matcher, de-duplicating an import) may include this header;
 * tests/cli/test_structure.sh fails the build's tests if anything else
 * does.
 */
#ifndef ACC_STORE_RAW_H
#define ACC_STORE_RAW_H

#include "store/store.h"

static inline acc_rc acc_store_get(acc_store *s, int64_t collection,
                                   const char *id, int64_t version_us,
                                   acc_record_cb cb, void *ctx, acc_diag *d) {
  return s->ops->get(s, collection, id, version_us, cb, ctx, d);
}
static inline acc_rc acc_store_scan(acc_store *s, const acc_query *q,
                                    acc_record_cb cb, void *ctx, acc_diag *d) {
  return s->ops->scan(s, q, cb, ctx, d);
}

#endif
