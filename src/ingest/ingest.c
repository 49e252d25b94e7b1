/*
 * ingest.c — decode → validate → store, in transactions.
 *
 * Not strict: objects are committed in batches, so an interrupted import
 * leaves a consistent prefix and re-running it stores the rest (what is
 * already there comes back as duplicates).  Strict: the whole document is
 * one transaction and any rejected object rolls it back.
 */
#include "ingest/ingest.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate.h"
#include "policy/policy.h"
#include "util/time.h"

#define DEFAULT_BATCH 50000
#define PROGRESS_EVERY 2048

/* One decoded element, prepared for storing: what the decoding thread
 * hands to the storing one (or, for small documents, what one thread
 * prepares and stores at once). */
typedef enum { P_OBJECT, P_REJECT, P_WARNING } pkind;

typedef struct pitem {
  pkind kind;
  size_t index, line;
  size_t done; /* document bytes consumed after this element */
  /* P_OBJECT */
  acc_stix_obj obj; /* its strings in strs, so the JSON tree is freed on
                       the decoding side */
  char *strs;       /* owned */
  const char *raw; /* into the document, or rewritten */
  size_t raw_len;
  char *rewritten; /* owned: the object with import-time marking */
  acc_share_meta sm;
  json_t *json; /* a reference to the tree, kept only for objects whose
                   values the correlation index takes (NULL otherwise) */
  /* P_REJECT and P_WARNING */
  acc_rc rc;
  char *id;  /* owned, or NULL */
  char *msg; /* owned */
} pitem;

/* Items travel in chunks, so threads meet once per CHUNK objects. */
#define CHUNK 256
#define MAX_CHUNKS 16 /* queued at most: bounds memory */

typedef struct chunk {
  pitem it[CHUNK];
  size_t n;
  struct chunk *next;
} chunk;

typedef struct ingest_ctx {
  acc_store *s;
  const acc_ingest_opts *o;
  const char *base; /* the document, for progress offsets */
  size_t len;
  acc_ingest_counts *c;
  size_t in_batch;
  size_t batch;
  acc_diag *diag; /* for store failures, which end the import */
  /* Preparing (the decoding side). */
  chunk *fill;      /* the chunk being filled */
  size_t cur_index; /* for warnings raised by the validator */
  const char *cur_id;
  acc_rc prep_err; /* out of memory while preparing */
  /* The hand-over, when pipelined. */
  int pipelined;
  pthread_mutex_t mu;
  pthread_cond_t cv_put, cv_get;
  chunk *head, *tail; /* queued full chunks */
  size_t n_queued;
  int producer_done;
  acc_rc decode_rc; /* acc_decode's result */
  acc_doc_shape shape;
  acc_diag decode_diag;
  int abort;       /* the storing side failed: stop decoding */
  acc_rc store_rc; /* how (its message is in diag) */
} ingest_ctx;

static void item_free(pitem *it) {
  json_decref(it->json);
  free(it->strs);
  free(it->rewritten);
  acc_share_meta_free(&it->sm);
  free(it->id);
  free(it->msg);
  memset(it, 0, sizeof *it);
}

static void chunk_free(chunk *k) {
  if (!k)
    return;
  for (size_t i = 0; i < k->n; i++)
    item_free(&k->it[i]);
  free(k);
}

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

/* Hand a full chunk over (pipelined), or store it now (not). */
static acc_rc store_chunk(ingest_ctx *x, chunk *k);

static acc_rc push_chunk(ingest_ctx *x) {
  chunk *k = x->fill;
  x->fill = NULL;
  if (!k || k->n == 0) {
    free(k);
    return ACC_OK;
  }
  if (!x->pipelined) {
    acc_rc rc = store_chunk(x, k);
    chunk_free(k);
    if (rc) {
      x->abort = 1;
      x->store_rc = rc;
    }
    return rc;
  }
  pthread_mutex_lock(&x->mu);
  while (x->n_queued >= MAX_CHUNKS && !x->abort)
    pthread_cond_wait(&x->cv_put, &x->mu);
  if (x->abort) {
    pthread_mutex_unlock(&x->mu);
    chunk_free(k);
    return ACC_ESTORE;
  }
  if (x->tail)
    x->tail->next = k;
  else
    x->head = k;
  x->tail = k;
  x->n_queued++;
  pthread_cond_signal(&x->cv_get);
  pthread_mutex_unlock(&x->mu);
  return ACC_OK;
}

/* The next free item of the chunk being filled. */
static pitem *next_item(ingest_ctx *x) {
  if (x->fill && x->fill->n == CHUNK && push_chunk(x))
    return NULL;
  if (!x->fill) {
    x->fill = calloc(1, sizeof *x->fill);
    if (!x->fill) {
      x->prep_err = ACC_ENOMEM;
      return NULL;
    }
  }
  return &x->fill->it[x->fill->n++];
}

static void prep_reject(ingest_ctx *x, const acc_decoded *d, const char *id,
                        acc_rc rc, const char *msg) {
  pitem *it = next_item(x);
  if (!it)
    return;
  *it = (pitem){.kind = P_REJECT,
                .index = d->index,
                .line = d->line,
                .done = (size_t)(d->raw - x->base) + d->len,
                .rc = rc,
                .id = dup_or_null(id),
                .msg = dup_or_null(msg ? msg : "")};
}

static void warn(void *ctx, const char *msg) {
  ingest_ctx *x = ctx;
  pitem *it = next_item(x);
  if (!it)
    return;
  *it = (pitem){.kind = P_WARNING,
                .index = x->cur_index,
                .id = dup_or_null(x->cur_id),
                .msg = dup_or_null(msg)};
}

/* The id of an object that failed validation, if it has a string one. */
static const char *peek_id(json_t *j) {
  json_t *id = j ? json_object_get(j, "id") : NULL;
  return json_is_string(id) ? json_string_value(id) : NULL;
}

/* Whether import-time marking applies to this object. */
static int wants_marking(const acc_ingest_opts *o, const acc_stix_obj *obj,
                         json_t *j) {
  if (!o->mark_tlp_set && !o->n_share_orgs && !o->n_share_users)
    return 0;
  if (strcmp(obj->type, "marking-definition") == 0 ||
      strcmp(obj->type, "extension-definition") == 0)
    return 0;
  acc_share_meta m;
  acc_diag d;
  if (acc_share_meta_from_json(j, &m, &d))
    return 0; /* malformed: the normal path rejects it */
  int want = (o->mark_tlp_set && m.tlp == ACC_TLP_NONE) ||
             ((o->n_share_orgs || o->n_share_users) && !m.orgs && !m.users);
  acc_share_meta_free(&m);
  return want;
}

/* Add the import-time marking and recipients to j; *out gets its new
 * text. */
static acc_rc mark(const acc_ingest_opts *o, json_t *j, char **out,
                   acc_diag *d) {
  acc_share_meta m;
  acc_rc rc = acc_share_meta_from_json(j, &m, d);
  if (rc)
    return rc;
  if (o->mark_tlp_set && m.tlp == ACC_TLP_NONE) {
    json_t *refs = json_object_get(j, "object_marking_refs");
    if (!json_is_array(refs)) {
      refs = json_array();
      json_object_set_new(j, "object_marking_refs", refs);
    }
    json_array_append_new(
        refs, json_string(acc_tlp_marking_id((acc_tlp)o->mark_tlp)));
  }
  if ((o->n_share_orgs || o->n_share_users) && !m.orgs && !m.users) {
    json_t *exts = json_object_get(j, "extensions");
    if (!json_is_object(exts)) {
      exts = json_object();
      json_object_set_new(j, "extensions", exts);
    }
    json_t *e = json_pack("{s:s}", "extension_type", "property-extension");
    json_t *orgs = json_array(), *users = json_array();
    for (size_t i = 0; i < o->n_share_orgs; i++)
      json_array_append_new(orgs, json_string(o->share_orgs[i]));
    for (size_t i = 0; i < o->n_share_users; i++)
      json_array_append_new(users, json_string(o->share_users[i]));
    if (json_array_size(orgs))
      json_object_set(e, "recipient_orgs", orgs);
    if (json_array_size(users))
      json_object_set(e, "recipient_users", users);
    json_decref(orgs);
    json_decref(users);
    json_object_set_new(exts, ACC_EXT_SHARING, e);
  }
  acc_share_meta_free(&m);
  *out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  return *out ? ACC_OK : acc_diag_set(d, ACC_ENOMEM, "rewriting the object");
}

/* Decoding side: validate one element and prepare it for storing. */
static acc_rc on_object(void *ctx, const acc_decoded *d) {
  ingest_ctx *x = ctx;
  acc_rc rc;
  if (x->abort)
    return x->store_rc ? x->store_rc : ACC_ESTORE;
  if (d->err) {
    prep_reject(x, d, NULL, d->err, d->errmsg);
    return x->prep_err;
  }
  acc_stix_obj obj;
  acc_diag vd;
  x->cur_index = d->index;
  x->cur_id = peek_id(d->json);
  rc = acc_stix_validate(d->json, &obj, &vd, warn, x);
  if (rc) {
    prep_reject(x, d, x->cur_id, rc, vd.msg);
    return x->prep_err;
  }
  const char *raw = d->raw;
  size_t raw_len = d->len;
  char *rewritten = NULL;
  if (wants_marking(x->o, &obj, d->json)) {
    rc = mark(x->o, d->json, &rewritten, &vd);
    if (!rc)
      rc = acc_stix_validate(d->json, &obj, &vd, NULL, NULL);
    if (rc) {
      free(rewritten);
      prep_reject(x, d, x->cur_id, rc, vd.msg);
      return x->prep_err;
    }
    raw = rewritten;
    raw_len = strlen(rewritten);
  }
  acc_share_meta sm;
  rc = acc_share_meta_from_json(d->json, &sm, &vd);
  if (rc) {
    free(rewritten);
    prep_reject(x, d, obj.id, rc, vd.msg);
    return x->prep_err;
  }
  /* Copy what the store needs out of the JSON tree. */
  const char *src[4] = {obj.type, obj.id, obj.spec_version,
                        obj.created_by_ref};
  size_t lens[4], total = 0;
  for (int i = 0; i < 4; i++)
    total += (lens[i] = src[i] ? strlen(src[i]) + 1 : 0);
  char *strs = malloc(total ? total : 1);
  pitem *it = strs ? next_item(x) : NULL;
  if (!strs)
    x->prep_err = ACC_ENOMEM;
  if (!it) {
    free(strs);
    free(rewritten);
    acc_share_meta_free(&sm);
    return x->prep_err ? x->prep_err
                       : (x->store_rc ? x->store_rc : ACC_ESTORE);
  }
  *it = (pitem){.kind = P_OBJECT,
                .index = d->index,
                .line = d->line,
                .done = (size_t)(d->raw - x->base) + d->len,
                .obj = obj,
                .strs = strs,
                .raw = raw,
                .raw_len = raw_len,
                .rewritten = rewritten,
                .sm = sm};
  if (acc_corr_type_indexed(obj.type) ||
      json_object_get(d->json, "object_refs"))
    it->json = json_incref(d->json);
  const char **dst[4] = {&it->obj.type, &it->obj.id, &it->obj.spec_version,
                         &it->obj.created_by_ref};
  for (int i = 0; i < 4; i++) {
    if (!src[i])
      continue;
    memcpy(strs, src[i], lens[i]);
    *dst[i] = strs;
    strs += lens[i];
  }
  return ACC_OK;
}

/* Storing side: one prepared item. */
static acc_rc store_item(ingest_ctx *x, pitem *it) {
  acc_rc rc = ACC_OK;
  if (it->kind == P_WARNING) {
    x->c->warnings++;
    if (x->o->on_warning)
      x->o->on_warning(x->o->ctx, it->index, it->id, it->msg);
    return ACC_OK;
  }
  if (it->kind == P_REJECT) {
    x->c->rejected++;
    if (x->o->on_reject) {
      acc_ingest_reject r = {.index = it->index,
                             .line = it->line,
                             .id = it->id,
                             .rc = it->rc,
                             .msg = it->msg};
      x->o->on_reject(x->o->ctx, &r);
    }
    goto progress;
  }
  acc_put_meta pm = {.tlp = it->sm.tlp,
                     .granular_tlp = it->sm.granular_max,
                     .share_orgs = it->sm.orgs,
                     .share_users = it->sm.users,
                     .origin_oid = x->o->origin_oid,
                     .origin_uid = x->o->origin_uid};
  acc_put_status st;
  int64_t added = ACC_TIME_NONE;
  acc_diag vd;
  rc = acc_store_put(
      x->s, x->o->collection ? x->o->collection : ACC_DEFAULT_COLLECTION,
      &it->obj, &pm, it->raw, it->raw_len, &st, &added, &vd);
  /* Correlation: the version's values are indexed in the same
   * transaction, so they are answerable as soon as it commits. */
  if (!rc && st == ACC_PUT_STORED && it->json)
    rc = acc_corr_on_stored(x->s, it->json, &vd);
  if (rc == ACC_ECONFLICT) {
    x->c->rejected++;
    if (x->o->on_reject) {
      acc_ingest_reject r = {.index = it->index,
                             .line = it->line,
                             .id = it->obj.id,
                             .rc = rc,
                             .msg = vd.msg};
      x->o->on_reject(x->o->ctx, &r);
    }
    goto progress;
  }
  if (rc) {
    memcpy(x->diag->msg, vd.msg, sizeof vd.msg);
    return rc;
  }
  if (st == ACC_PUT_STORED)
    x->c->stored++;
  else
    x->c->duplicate++;
  if (x->o->on_stored)
    x->o->on_stored(x->o->ctx, it->index, &it->obj, st == ACC_PUT_DUPLICATE,
                    added);
  if (x->batch && ++x->in_batch >= x->batch) {
    x->in_batch = 0;
    if ((x->o->before_commit &&
         (rc = x->o->before_commit(x->o->ctx, x->s, x->c, x->diag))) ||
        (rc = acc_store_commit(x->s, x->diag)) ||
        (rc = acc_store_begin(x->s, x->diag)))
      return rc;
  }
progress:
  if (x->o->on_progress && it->index % PROGRESS_EVERY == 0)
    x->o->on_progress(x->o->ctx, it->done, x->len, x->c);
  return ACC_OK;
}

static acc_rc store_chunk(ingest_ctx *x, chunk *k) {
  for (size_t i = 0; i < k->n; i++) {
    acc_rc rc = store_item(x, &k->it[i]);
    if (rc)
      return rc;
  }
  return ACC_OK;
}

/* The decoding thread of a pipelined ingest. */
static void *producer(void *arg) {
  ingest_ctx *x = arg;
  acc_rc rc = acc_decode(x->base, x->len, &x->o->limits, on_object, x,
                         &x->shape, &x->decode_diag);
  if (!rc && x->prep_err)
    rc = x->prep_err;
  if (!rc)
    rc = push_chunk(x);
  else
    chunk_free(x->fill), x->fill = NULL;
  pthread_mutex_lock(&x->mu);
  x->decode_rc = rc;
  x->producer_done = 1;
  pthread_cond_signal(&x->cv_get);
  pthread_mutex_unlock(&x->mu);
  return NULL;
}

/* Store what the producer hands over until it is done; on a store
 * failure, stop it and drop the rest. */
static acc_rc consume(ingest_ctx *x) {
  acc_rc rc = ACC_OK;
  for (;;) {
    pthread_mutex_lock(&x->mu);
    while (!x->head && !x->producer_done)
      pthread_cond_wait(&x->cv_get, &x->mu);
    chunk *k = x->head;
    if (k) {
      x->head = k->next;
      if (!x->head)
        x->tail = NULL;
      x->n_queued--;
      pthread_cond_signal(&x->cv_put);
    }
    pthread_mutex_unlock(&x->mu);
    if (!k)
      return rc; /* producer done and nothing left */
    if (!rc) {
      rc = store_chunk(x, k);
      if (rc) {
        pthread_mutex_lock(&x->mu);
        x->abort = 1;
        pthread_cond_signal(&x->cv_put);
        pthread_mutex_unlock(&x->mu);
      }
    }
    chunk_free(k);
  }
}

/* Documents above this size are decoded on a second thread while this
 * one stores: decoding and validation cost about as much as SQLite. */
#define PIPELINE_MIN_BYTES ((size_t)1 << 20)

acc_rc acc_ingest(acc_store *s, const char *buf, size_t len,
                  const acc_ingest_opts *opts, acc_ingest_counts *counts,
                  acc_doc_shape *shape, acc_diag *diag) {
  static const acc_ingest_opts no_opts;
  const acc_ingest_opts *o = opts ? opts : &no_opts;
  acc_diag scratch;
  acc_diag *d = diag ? diag : &scratch;
  memset(counts, 0, sizeof *counts);
  ingest_ctx *x = calloc(1, sizeof *x);
  if (!x)
    return acc_diag_set(d, ACC_ENOMEM, "out of memory");
  *x = (ingest_ctx){.s = s,
                    .o = o,
                    .base = buf,
                    .len = len,
                    .c = counts,
                    .batch = o->strict ? 0
                                       : (o->batch ? o->batch : DEFAULT_BATCH),
                    .diag = d,
                    .pipelined = len >= PIPELINE_MIN_BYTES};
  acc_rc rc = acc_store_begin(s, d);
  if (rc) {
    free(x);
    return rc;
  }
  if (x->pipelined) {
    pthread_mutex_init(&x->mu, NULL);
    pthread_cond_init(&x->cv_put, NULL);
    pthread_cond_init(&x->cv_get, NULL);
    pthread_t th;
    if (pthread_create(&th, NULL, producer, x) != 0) {
      x->pipelined = 0; /* no thread to be had: do it all here */
    } else {
      acc_rc src = consume(x);
      pthread_join(th, NULL);
      if (shape)
        *shape = x->shape;
      rc = src;
      if (!rc && x->decode_rc) {
        rc = x->decode_rc;
        *d = x->decode_diag;
      }
    }
    pthread_cond_destroy(&x->cv_put);
    pthread_cond_destroy(&x->cv_get);
    pthread_mutex_destroy(&x->mu);
  }
  if (!x->pipelined) {
    rc = acc_decode(buf, len, &o->limits, on_object, x, shape, d);
    if (!rc && x->prep_err)
      rc = acc_diag_set(d, x->prep_err, "out of memory while importing");
    if (!rc)
      rc = push_chunk(x);
    chunk_free(x->fill);
    x->fill = NULL;
  }
  if (rc)
    goto out_rollback;
  if (o->strict && counts->rejected) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "%zu of %zu objects rejected; nothing stored (strict)",
                      counts->rejected,
                      counts->rejected + counts->stored + counts->duplicate);
    goto out_rollback;
  }
  if (o->before_commit && (rc = o->before_commit(o->ctx, s, counts, d)))
    goto out_rollback;
  rc = acc_store_commit(s, d);
  if (rc)
    goto out_rollback;
  if (o->on_progress)
    o->on_progress(o->ctx, len, len, counts);
  free(x);
  return ACC_OK;
out_rollback:
  /* Document-level errors come from the structural pass, before any
   * object is stored; a store failure mid-way loses only the open batch. */
  acc_store_rollback(s);
  if (o->strict) {
    counts->stored = 0;
    counts->duplicate = 0;
  }
  free(x);
  return rc;
}
