/*
 * index.c — keeping the correlation index: the hook acc_ingest calls for
 * every stored object, the rebuild, and the "common" threshold setting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate.h"
#include "store/store_raw.h" /* the rebuild reads every stored version */
#include "util/time.h"

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

/* ---- the import hook ---- */

acc_rc acc_corr_on_stored(acc_store *s, json_t *obj, acc_diag *d) {
  const char *type = json_string_value(json_object_get(obj, "type"));
  if (!type ||
      (!acc_corr_type_indexed(type) && !json_object_get(obj, "object_refs")))
    return ACC_OK;
  acc_cvals vs;
  acc_cvals_init(&vs);
  acc_rc rc = acc_corr_extract(obj, &vs);
  if (!rc && vs.n) {
    acc_corr_val *vals = malloc(vs.n * sizeof *vals);
    if (!vals) {
      rc = acc_diag_set(d, ACC_ENOMEM, "indexing values");
    } else {
      for (size_t i = 0; i < vs.n; i++)
        vals[i] = vs.v[i].v;
      int64_t now = acc_time_now_us();
      acc_corr_doc doc = {
          .seq = 0,
          .t_us = vs.t_us != ACC_TIME_NONE ? vs.t_us : now,
          .t_end_us = vs.t_end_us != ACC_TIME_NONE ? vs.t_end_us : now};
      rc = s->ops->corr_index(s, &doc, vals, vs.n, d);
      free(vals);
    }
  }
  acc_cvals_free(&vs);
  return rc;
}

/* ---- rebuild ---- */

typedef struct rebuild_ctx {
  acc_store *s;
  acc_cvals vs;
  acc_corr_val *vals;
  size_t cap;
  acc_corr_rebuild_counts c;
  acc_rc rc;
  acc_diag *d;
} rebuild_ctx;

static int on_record(void *ctx, const acc_record *r) {
  rebuild_ctx *x = ctx;
  x->c.versions++;
  if (!acc_corr_type_indexed(r->type) && !memmem(r->raw, r->raw_len,
                                                 "\"object_refs\"", 13))
    return 0;
  json_t *j = json_loadb(r->raw, r->raw_len, 0, NULL);
  if (!j) {
    x->c.bad++;
    return 0;
  }
  acc_rc rc = acc_corr_extract(j, &x->vs);
  json_decref(j);
  if (rc) {
    x->rc = acc_diag_set(x->d, rc, "%s: extracting values", r->id);
    return 1;
  }
  if (!x->vs.n)
    return 0;
  if (x->vs.n > x->cap) {
    acc_corr_val *p = realloc(x->vals, x->vs.n * sizeof *p);
    if (!p) {
      x->rc = acc_diag_set(x->d, ACC_ENOMEM, "rebuilding the index");
      return 1;
    }
    x->vals = p;
    x->cap = x->vs.n;
  }
  for (size_t i = 0; i < x->vs.n; i++)
    x->vals[i] = x->vs.v[i].v;
  acc_corr_doc doc = {
      .seq = r->seq,
      .t_us = x->vs.t_us != ACC_TIME_NONE ? x->vs.t_us : r->date_added_us,
      .t_end_us =
          x->vs.t_end_us != ACC_TIME_NONE ? x->vs.t_end_us : r->date_added_us};
  rc = x->s->ops->corr_index(x->s, &doc, x->vals, x->vs.n, x->d);
  if (rc) {
    x->rc = rc;
    return 1;
  }
  x->c.indexed++;
  x->c.values += x->vs.n;
  return 0;
}

acc_rc acc_corr_rebuild(acc_store *s, acc_corr_rebuild_counts *c,
                        acc_diag *d) {
  rebuild_ctx x = {.s = s, .d = d};
  acc_cvals_init(&x.vs);
  acc_query q;
  acc_query_init(&q);
  q.version = ACC_VER_ALL;
  acc_rc rc = acc_store_begin(s, d);
  if (rc)
    goto out;
  if ((rc = s->ops->corr_reset(s, d)) || (rc = s->ops->corr_bulk(s, 1, d)))
    goto out_rollback;
  rc = acc_store_scan(s, &q, on_record, &x, d);
  if (!rc && x.rc)
    rc = x.rc;
  if (rc)
    goto out_rollback;
  if ((rc = s->ops->corr_bulk(s, 0, d)))
    goto out_rollback;
  rc = acc_store_commit(s, d);
  goto out;
out_rollback:
  s->ops->corr_bulk(s, -1, NULL);
  acc_store_rollback(s);
out:
  acc_cvals_free(&x.vs);
  free(x.vals);
  if (c)
    *c = x.c;
  return rc;
}
