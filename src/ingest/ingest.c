/*
 * ingest.c — decode → validate → store, in transactions.
 *
 * Not strict: objects are committed in batches, so an interrupted import
 * leaves a consistent prefix and re-running it stores the rest (what is
 * already there comes back as duplicates).  Strict: the whole document is
 * one transaction and any rejected object rolls it back.
 */
#include "ingest/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "util/time.h"

#define DEFAULT_BATCH 50000
#define PROGRESS_EVERY 2048

typedef struct ingest_ctx {
  acc_store *s;
  const acc_ingest_opts *o;
  const char *base; /* the document, for progress offsets */
  size_t len;
  acc_ingest_counts *c;
  size_t in_batch;
  size_t batch;
  size_t cur_index; /* for warnings raised by the validator */
  const char *cur_id;
  acc_diag *diag; /* for store failures, which end the import */
} ingest_ctx;

static void reject(ingest_ctx *x, const acc_decoded *d, const char *id,
                   acc_rc rc, const char *msg) {
  x->c->rejected++;
  if (x->o->on_reject) {
    acc_ingest_reject r = {
        .index = d->index, .line = d->line, .id = id, .rc = rc, .msg = msg};
    x->o->on_reject(x->o->ctx, &r);
  }
}

static void warn(void *ctx, const char *msg) {
  ingest_ctx *x = ctx;
  x->c->warnings++;
  if (x->o->on_warning)
    x->o->on_warning(x->o->ctx, x->cur_index, x->cur_id, msg);
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

static acc_rc on_object(void *ctx, const acc_decoded *d) {
  ingest_ctx *x = ctx;
  acc_rc rc;
  if (d->err) {
    reject(x, d, NULL, d->err, d->errmsg);
    goto progress;
  }
  acc_stix_obj obj;
  acc_diag vd;
  x->cur_index = d->index;
  x->cur_id = peek_id(d->json);
  rc = acc_stix_validate(d->json, &obj, &vd, warn, x);
  if (rc) {
    reject(x, d, x->cur_id, rc, vd.msg);
    goto progress;
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
      reject(x, d, x->cur_id, rc, vd.msg);
      goto progress;
    }
    raw = rewritten;
    raw_len = strlen(rewritten);
  }
  acc_share_meta sm;
  rc = acc_share_meta_from_json(d->json, &sm, &vd);
  if (rc) {
    free(rewritten);
    reject(x, d, obj.id, rc, vd.msg);
    goto progress;
  }
  acc_put_meta pm = {.tlp = sm.tlp,
                     .granular_tlp = sm.granular_max,
                     .share_orgs = sm.orgs,
                     .share_users = sm.users,
                     .origin_oid = x->o->origin_oid,
                     .origin_uid = x->o->origin_uid};
  acc_put_status st;
  int64_t added = ACC_TIME_NONE;
  rc = acc_store_put(
      x->s, x->o->collection ? x->o->collection : ACC_DEFAULT_COLLECTION, &obj,
      &pm, raw, raw_len, &st, &added, &vd);
  acc_share_meta_free(&sm);
  free(rewritten);
  if (rc == ACC_ECONFLICT) {
    reject(x, d, obj.id, rc, vd.msg);
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
    x->o->on_stored(x->o->ctx, d->index, &obj, st == ACC_PUT_DUPLICATE, added);
  if (x->batch && ++x->in_batch >= x->batch) {
    x->in_batch = 0;
    if ((x->o->before_commit &&
         (rc = x->o->before_commit(x->o->ctx, x->s, x->c, x->diag))) ||
        (rc = acc_store_commit(x->s, x->diag)) ||
        (rc = acc_store_begin(x->s, x->diag)))
      return rc;
  }
progress:
  if (x->o->on_progress && d->index % PROGRESS_EVERY == 0)
    x->o->on_progress(x->o->ctx, (size_t)(d->raw - x->base) + d->len, x->len,
                      x->c);
  return ACC_OK;
}

acc_rc acc_ingest(acc_store *s, const char *buf, size_t len,
                  const acc_ingest_opts *opts, acc_ingest_counts *counts,
                  acc_doc_shape *shape, acc_diag *diag) {
  static const acc_ingest_opts no_opts;
  const acc_ingest_opts *o = opts ? opts : &no_opts;
  acc_diag scratch;
  acc_diag *d = diag ? diag : &scratch;
  memset(counts, 0, sizeof *counts);
  ingest_ctx x = {.s = s,
                  .o = o,
                  .base = buf,
                  .len = len,
                  .c = counts,
                  .batch =
                      o->strict ? 0 : (o->batch ? o->batch : DEFAULT_BATCH),
                  .diag = d};
  acc_rc rc = acc_store_begin(s, d);
  if (rc)
    return rc;
  rc = acc_decode(buf, len, &o->limits, on_object, &x, shape, d);
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
  return ACC_OK;
out_rollback:
  /* Document-level errors come from the structural pass, before any
   * object is stored; a store failure mid-way loses only the open batch. */
  acc_store_rollback(s);
  if (o->strict) {
    counts->stored = 0;
    counts->duplicate = 0;
  }
  return rc;
}
