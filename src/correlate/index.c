/*
 * index.c — keeping the correlation index: the hook acc_ingest calls for
 * every stored object, the rebuild, and the "common" threshold setting.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* The values of one object, taken out of its JSON tree ahead of its
 * storing: one block holding the values and their texts. */
struct acc_corr_pending {
  size_t n;
  int64_t t_us, t_end_us; /* ACC_TIME_NONE: when it is stored */
  acc_corr_val v[];       /* texts follow the array */
};

acc_rc acc_corr_prepare(json_t *obj, acc_corr_pending **out) {
  *out = NULL;
  const char *type = json_string_value(json_object_get(obj, "type"));
  if (!type ||
      (!acc_corr_type_indexed(type) && !json_object_get(obj, "object_refs")))
    return ACC_OK;
  acc_cvals vs;
  acc_cvals_init(&vs);
  acc_rc rc = acc_corr_extract(obj, &vs);
  if (rc || !vs.n) {
    acc_cvals_free(&vs);
    return rc;
  }
  size_t text = 0;
  for (size_t i = 0; i < vs.n; i++)
    text += strlen(vs.v[i].text) + 1;
  acc_corr_pending *p = malloc(sizeof *p + vs.n * sizeof p->v[0] + text);
  if (!p) {
    acc_cvals_free(&vs);
    return ACC_ENOMEM;
  }
  p->n = vs.n;
  p->t_us = vs.t_us;
  p->t_end_us = vs.t_end_us;
  char *t = (char *)&p->v[vs.n];
  for (size_t i = 0; i < vs.n; i++) {
    size_t l = strlen(vs.v[i].text) + 1;
    p->v[i] = vs.v[i].v;
    memcpy(t, vs.v[i].text, l);
    p->v[i].text = t;
    t += l;
  }
  acc_cvals_free(&vs);
  *out = p;
  return ACC_OK;
}

acc_rc acc_corr_index_pending(acc_store *s, const acc_corr_pending *p,
                              acc_diag *d) {
  if (!p)
    return ACC_OK;
  int64_t now = acc_time_now_us();
  acc_corr_doc doc = {
      .seq = 0,
      .t_us = p->t_us != ACC_TIME_NONE ? p->t_us : now,
      .t_end_us = p->t_end_us != ACC_TIME_NONE ? p->t_end_us : now};
  return s->ops->corr_index(s, &doc, p->v, p->n, d);
}

void acc_corr_pending_free(acc_corr_pending *p) {
  free(p);
}

acc_rc acc_corr_on_stored(acc_store *s, json_t *obj, acc_diag *d) {
  acc_corr_pending *p;
  acc_rc rc = acc_corr_prepare(obj, &p);
  if (rc)
    return acc_diag_set(d, rc, "indexing values: %s", acc_strerror(rc));
  rc = acc_corr_index_pending(s, p, d);
  acc_corr_pending_free(p);
  return rc;
}

/* ---- rebuild ---- */

/* The rebuild is a pipeline: the calling thread scans the stored versions
 * (SQLite) and hands their JSON in batches to worker threads, which parse
 * it and extract the values; the calling thread takes the batches back in
 * scan order and indexes them (in bulk: collected in memory, written
 * sorted at the end).  Batches are consumed in scan order, so the index
 * is the one a single thread would build, value ids included. */
#define RB_BATCH 256 /* versions per batch */
#define RB_BATCH_BYTES ((size_t)4 << 20)
#define RB_SLOTS 8 /* batches in flight */
#define RB_MAX_WORKERS 4

typedef struct rb_rec {
  int64_t seq, date_added_us;
  size_t off, len; /* raw JSON in the batch's buffer */
  /* results */
  int64_t t_us, t_end_us;
  size_t v0, nv; /* its values: vals[v0 .. v0 + nv) */
  int bad;       /* not JSON */
  acc_rc rc;
} rb_rec;

typedef struct rb_val {
  acc_corr_val v; /* v.text set when consumed */
  size_t toff;    /* text at texts + toff */
} rb_val;

typedef struct rb_batch {
  int state; /* RB_FREE ... */
  rb_rec *recs;
  size_t n, cap;
  char *raw;
  size_t n_raw, cap_raw;
  rb_val *vals;
  size_t n_vals, cap_vals;
  char *texts;
  size_t n_texts, cap_texts;
  acc_corr_val *flat; /* for corr_index, one record at a time */
  size_t cap_flat;
} rb_batch;

enum { RB_FREE, RB_FILLED, RB_PARSING, RB_PARSED };

typedef struct rebuild_ctx {
  acc_store *s;
  acc_corr_rebuild_counts c;
  acc_rc rc;
  acc_diag *d;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  rb_batch b[RB_SLOTS];
  uint64_t next_fill, next_parse, next_consume;
  int done;
  int n_workers;
  pthread_t workers[RB_MAX_WORKERS];
} rebuild_ctx;

static int rb_reserve(void **p, size_t *cap, size_t need, size_t sz) {
  if (need <= *cap)
    return 0;
  size_t ncap = *cap ? *cap : 64;
  while (ncap < need)
    ncap *= 2;
  void *np = realloc(*p, ncap * sz);
  if (!np)
    return -1;
  *p = np;
  *cap = ncap;
  return 0;
}

/* Parse one batch and extract its values (a worker, without the lock). */
static void rb_parse(rb_batch *b, acc_cvals *vs) {
  b->n_vals = 0;
  b->n_texts = 0;
  for (size_t i = 0; i < b->n; i++) {
    rb_rec *r = &b->recs[i];
    r->v0 = b->n_vals;
    r->nv = 0;
    r->bad = 0;
    r->rc = ACC_OK;
    json_t *j = json_loadb(b->raw + r->off, r->len, 0, NULL);
    if (!j) {
      r->bad = 1;
      continue;
    }
    r->rc = acc_corr_extract(j, vs);
    json_decref(j);
    if (r->rc)
      continue;
    r->t_us = vs->t_us;
    r->t_end_us = vs->t_end_us;
    if (rb_reserve((void **)&b->vals, &b->cap_vals, b->n_vals + vs->n,
                   sizeof *b->vals)) {
      r->rc = ACC_ENOMEM;
      continue;
    }
    for (size_t k = 0; k < vs->n && !r->rc; k++) {
      size_t l = strlen(vs->v[k].text) + 1;
      if (rb_reserve((void **)&b->texts, &b->cap_texts, b->n_texts + l, 1)) {
        r->rc = ACC_ENOMEM;
        break;
      }
      memcpy(b->texts + b->n_texts, vs->v[k].text, l);
      b->vals[b->n_vals].v = vs->v[k].v;
      b->vals[b->n_vals].v.text = NULL;
      b->vals[b->n_vals].toff = b->n_texts;
      b->n_texts += l;
      b->n_vals++;
      r->nv++;
    }
  }
}

static void *rb_worker(void *arg) {
  rebuild_ctx *x = arg;
  acc_cvals vs;
  acc_cvals_init(&vs);
  pthread_mutex_lock(&x->mu);
  for (;;) {
    rb_batch *b = NULL;
    while (!x->done && !b) {
      if (x->next_parse < x->next_fill &&
          x->b[x->next_parse % RB_SLOTS].state == RB_FILLED) {
        b = &x->b[x->next_parse % RB_SLOTS];
        x->next_parse++;
      } else {
        pthread_cond_wait(&x->cv, &x->mu);
      }
    }
    if (!b)
      break;
    b->state = RB_PARSING;
    pthread_mutex_unlock(&x->mu);
    rb_parse(b, &vs);
    pthread_mutex_lock(&x->mu);
    b->state = RB_PARSED;
    pthread_cond_broadcast(&x->cv);
  }
  pthread_mutex_unlock(&x->mu);
  acc_cvals_free(&vs);
  return NULL;
}

/* Index the parsed batch b (the calling thread, without the lock). */
static acc_rc rb_index(rebuild_ctx *x, rb_batch *b) {
  for (size_t i = 0; i < b->n; i++) {
    rb_rec *r = &b->recs[i];
    if (r->bad) {
      x->c.bad++;
      continue;
    }
    if (r->rc)
      return acc_diag_set(x->d, r->rc, "version %lld: extracting values: %s",
                          (long long)r->seq, acc_strerror(r->rc));
    if (!r->nv)
      continue;
    if (rb_reserve((void **)&b->flat, &b->cap_flat, r->nv, sizeof *b->flat))
      return acc_diag_set(x->d, ACC_ENOMEM, "rebuilding the index");
    for (size_t k = 0; k < r->nv; k++) {
      b->flat[k] = b->vals[r->v0 + k].v;
      b->flat[k].text = b->texts + b->vals[r->v0 + k].toff;
    }
    acc_corr_doc doc = {
        .seq = r->seq,
        .t_us = r->t_us != ACC_TIME_NONE ? r->t_us : r->date_added_us,
        .t_end_us =
            r->t_end_us != ACC_TIME_NONE ? r->t_end_us : r->date_added_us};
    acc_rc rc = x->s->ops->corr_index(x->s, &doc, b->flat, r->nv, x->d);
    if (rc)
      return rc;
    x->c.indexed++;
    x->c.values += r->nv;
  }
  return ACC_OK;
}

/* Index the parsed batches at the head of the queue; with wait, until
 * the slot of the next batch to fill is free (all, at the end). */
static acc_rc rb_drain(rebuild_ctx *x, int all) {
  acc_rc rc = ACC_OK;
  pthread_mutex_lock(&x->mu);
  for (;;) {
    if (x->next_consume == x->next_fill)
      break;
    rb_batch *b = &x->b[x->next_consume % RB_SLOTS];
    int need = all || x->next_fill - x->next_consume >= RB_SLOTS;
    if (b->state != RB_PARSED) {
      if (!need)
        break;
      if (x->n_workers) {
        pthread_cond_wait(&x->cv, &x->mu);
        continue;
      }
      /* no worker thread: parse here */
      b->state = RB_PARSING;
      x->next_parse++;
      pthread_mutex_unlock(&x->mu);
      acc_cvals vs;
      acc_cvals_init(&vs);
      rb_parse(b, &vs);
      acc_cvals_free(&vs);
      pthread_mutex_lock(&x->mu);
      b->state = RB_PARSED;
    }
    pthread_mutex_unlock(&x->mu);
    rc = rb_index(x, b);
    pthread_mutex_lock(&x->mu);
    b->state = RB_FREE;
    b->n = 0;
    b->n_raw = 0;
    x->next_consume++;
    if (rc)
      break;
  }
  pthread_mutex_unlock(&x->mu);
  return rc;
}

/* Hand the batch being filled to the workers. */
static void rb_publish(rebuild_ctx *x) {
  pthread_mutex_lock(&x->mu);
  x->b[x->next_fill % RB_SLOTS].state = RB_FILLED;
  x->next_fill++;
  pthread_cond_broadcast(&x->cv);
  pthread_mutex_unlock(&x->mu);
}

static int on_record(void *ctx, const acc_record *r) {
  rebuild_ctx *x = ctx;
  x->c.versions++;
  if (!acc_corr_type_indexed(r->type) && !memmem(r->raw, r->raw_len,
                                                 "\"object_refs\"", 13))
    return 0;
  /* the slot being filled is free: rb_drain saw to it */
  rb_batch *b = &x->b[x->next_fill % RB_SLOTS];
  if (rb_reserve((void **)&b->recs, &b->cap, b->n + 1, sizeof *b->recs) ||
      rb_reserve((void **)&b->raw, &b->cap_raw, b->n_raw + r->raw_len + 1,
                 1)) {
    x->rc = acc_diag_set(x->d, ACC_ENOMEM, "rebuilding the index");
    return 1;
  }
  rb_rec *rr = &b->recs[b->n++];
  memset(rr, 0, sizeof *rr);
  rr->seq = r->seq;
  rr->date_added_us = r->date_added_us;
  rr->off = b->n_raw;
  rr->len = r->raw_len;
  memcpy(b->raw + b->n_raw, r->raw, r->raw_len);
  b->n_raw += r->raw_len;
  if (b->n < RB_BATCH && b->n_raw < RB_BATCH_BYTES)
    return 0;
  rb_publish(x);
  acc_rc rc = rb_drain(x, 0);
  if (rc) {
    x->rc = rc;
    return 1;
  }
  return 0;
}

/* Workers: as many as cores (the calling thread mostly waits on SQLite
 * and memory, and a second worker keeps it fed on two cores). */
static int rb_workers_wanted(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n <= 1)
    return 1;
  return n > RB_MAX_WORKERS ? RB_MAX_WORKERS : (int)n;
}

static void rb_stop(rebuild_ctx *x) {
  pthread_mutex_lock(&x->mu);
  x->done = 1;
  pthread_cond_broadcast(&x->cv);
  pthread_mutex_unlock(&x->mu);
  for (int i = 0; i < x->n_workers; i++)
    pthread_join(x->workers[i], NULL);
  x->n_workers = 0;
}

acc_rc acc_corr_rebuild(acc_store *s, acc_corr_rebuild_counts *c,
                        acc_diag *d) {
  rebuild_ctx x;
  memset(&x, 0, sizeof x);
  x.s = s;
  x.d = d;
  pthread_mutex_init(&x.mu, NULL);
  pthread_cond_init(&x.cv, NULL);
  acc_query q;
  acc_query_init(&q);
  q.version = ACC_VER_ALL;
  json_object_seed(0); /* before threads parse JSON */
  acc_rc rc = acc_store_begin(s, d);
  if (rc)
    goto out;
  int64_t t0 = acc_time_now_us(), t1;
  if ((rc = s->ops->corr_reset(s, d)) || (rc = s->ops->corr_bulk(s, 1, d)))
    goto out_rollback;
  t1 = acc_time_now_us();
  x.c.s_clear = (double)(t1 - t0) / 1e6;
  t0 = t1;
  int want = rb_workers_wanted();
  for (int i = 0; i < want; i++) {
    if (pthread_create(&x.workers[i], NULL, rb_worker, &x))
      break;
    x.n_workers++;
  }
  rc = acc_store_scan(s, &q, on_record, &x, d);
  if (!rc && x.rc)
    rc = x.rc;
  if (!rc && x.b[x.next_fill % RB_SLOTS].n)
    rb_publish(&x);
  if (!rc)
    rc = rb_drain(&x, 1);
  rb_stop(&x);
  t1 = acc_time_now_us();
  x.c.s_read = (double)(t1 - t0) / 1e6;
  t0 = t1;
  if (rc)
    goto out_rollback;
  if ((rc = s->ops->corr_bulk(s, 0, d)))
    goto out_rollback;
  t1 = acc_time_now_us();
  x.c.s_write = (double)(t1 - t0) / 1e6;
  t0 = t1;
  rc = acc_store_commit(s, d);
  x.c.s_commit = (double)(acc_time_now_us() - t0) / 1e6;
  goto out;
out_rollback:
  rb_stop(&x);
  s->ops->corr_bulk(s, -1, NULL);
  acc_store_rollback(s);
out:
  for (int i = 0; i < RB_SLOTS; i++) {
    free(x.b[i].recs);
    free(x.b[i].raw);
    free(x.b[i].vals);
    free(x.b[i].texts);
    free(x.b[i].flat);
  }
  pthread_mutex_destroy(&x.mu);
  pthread_cond_destroy(&x.cv);
  if (c)
    *c = x.c;
  return rc;
}
