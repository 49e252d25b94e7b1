/*
 * ingest_compare.h — ingest a document into a test store and check that
 * every object comes back out of the store with exactly its input bytes.
 */
#ifndef ACC_INGEST_COMPARE_H
#define ACC_INGEST_COMPARE_H

// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include "store/store_raw.h"
#include "ingest/ingest.h"
#include "testutil.h"
#include "util/time.h"

/* Compare each decoded span with what the store returns for its version. */
typedef struct cmp_ctx {
  acc_store *s;
  size_t checked;
  size_t mismatched;
} cmp_ctx;

typedef struct got {
  const char *want;
  size_t want_len;
  int equal;
  int seen;
} got;

static inline int on_record(void *ctx, const acc_record *r) {
  got *g = ctx;
  g->seen++;
  if (r->raw_len == g->want_len && memcmp(r->raw, g->want, g->want_len) == 0)
    g->equal = 1;
  return 0;
}

static inline acc_rc compare_one(void *ctx, const acc_decoded *d) {
  cmp_ctx *c = ctx;
  if (d->err)
    return ACC_OK;
  acc_stix_obj o;
  acc_diag diag;
  if (acc_stix_validate(d->json, &o, &diag, NULL, NULL))
    return ACC_OK;
  got g = {.want = d->raw, .want_len = d->len};
  if (o.modified_us != ACC_TIME_NONE) {
    acc_store_get(c->s, 0, o.id, o.modified_us, on_record, &g, &diag);
  } else {
    acc_query q;
    acc_query_init(&q);
    q.version = ACC_VER_ALL;
    q.ids[q.n_ids++] = o.id;
    acc_store_scan(c->s, &q, on_record, &g, &diag);
  }
  c->checked++;
  if (!g.equal)
    c->mismatched++;
  return ACC_OK;
}

static inline void ingest_and_compare(fx *f, const char *buf, size_t len,
                                      size_t want_objects) {
  acc_ingest_counts cnt;
  acc_diag d;
  acc_doc_shape shape;
  acc_ingest_opts o = {.batch = 1000};
  assert_int_equal(acc_ingest(f->s, buf, len, &o, &cnt, &shape, &d), ACC_OK);
  assert_int_equal(cnt.rejected, 0);
  assert_int_equal(cnt.stored + cnt.duplicate, want_objects);
  cmp_ctx c = {.s = f->s};
  assert_int_equal(acc_decode(buf, len, NULL, compare_one, &c, NULL, &d),
                   ACC_OK);
  assert_int_equal(c.checked, want_objects);
  assert_int_equal(c.mismatched, 0);
  assert_int_equal(acc_store_check(f->s, &d), ACC_OK);
  /* Everything again: all duplicates. */
  assert_int_equal(acc_ingest(f->s, buf, len, &o, &cnt, &shape, &d), ACC_OK);
  assert_int_equal(cnt.stored, 0);
  assert_int_equal(cnt.duplicate, want_objects);
}

#endif
