/*
 * common.c — what the confidence-building operations share: who acts
 * (a user for its organisation, or the operator for the organisation it
 * names), write rights, reading one object through the enforcement
 * point, and storing what they write through acc_ingest, exactly as an
 * import or a TAXII POST would, so that TAXII and federation carry it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "cbm/cbm_int.h"
#include "ingest/ingest.h"
#include "util/time.h"

static int is_operator(const acc_principal *p) {
  return p->uid == -1;
}

int64_t acc_cbm_ctx_now(const acc_cbm_ctx *ctx) {
  return acc_cbm_now(ctx->now_us);
}

json_t *acc_cbm_ts(int64_t us) {
  char b[ACC_TIME_BUFSZ];
  acc_time_format_ms(us, b);
  return json_string(b);
}

acc_rc acc_cbm_actor_of(const acc_cbm_ctx *ctx, const char *org,
                        acc_cbm_actor *a, acc_diag *d) {
  const acc_principal *p = ctx->rd->who;
  memset(a, 0, sizeof *a);
  if (is_operator(p)) {
    if (!org || !*org)
      org = ctx->act_org;
    if (!org || !*org)
      return acc_diag_set(d, ACC_EUSAGE,
                          "the operator must say which organisation it acts "
                          "for (--org ORG, or --as USER)");
    acc_org o;
    acc_rc rc = ctx->st->ops->org_get(ctx->st, org, &o, d);
    if (rc)
      return acc_diag_set(d, rc,
                          "no organisation '%s' (see `accord org "
                          "list`)",
                          org);
    a->oid = o.oid;
    a->operator= 1;
    snprintf(a->org, sizeof a->org, "%s", o.name);
    snprintf(a->user, sizeof a->user, "operator");
  } else {
    if (p->oid <= 0)
      return acc_diag_set(d, ACC_EINVAL,
                          "%s belongs to no organisation and cannot act for "
                          "one",
                          p->user);
    if (org && *org && strcmp(org, p->org))
      return acc_diag_set(d, ACC_EINVAL, "%s acts for %s, not for %s", p->user,
                          p->org, org);
    a->oid = p->oid;
    a->uid = p->uid;
    snprintf(a->org, sizeof a->org, "%s", p->org);
    snprintf(a->user, sizeof a->user, "%s", p->user);
  }
  return acc_case_org_identity(ctx->st, a->org, a->identity, d);
}

acc_rc acc_cbm_may_write(const acc_cbm_ctx *ctx, const acc_cbm_actor *a,
                         int64_t cid, acc_diag *d) {
  const acc_principal *p = ctx->rd->who;
  if (is_operator(p) || p->admin)
    return ACC_OK;
  int r = 0, w = 0;
  acc_rc rc = ctx->st->ops->grant_get(ctx->st, cid, a->oid, &r, &w, d);
  if (rc)
    return rc;
  if (!w)
    return acc_diag_set(d, ACC_EINVAL,
                        "%s may not write to the collection (ask an "
                        "administrator for `accord grant %s ... --write`)",
                        a->org, a->org);
  return ACC_OK;
}

typedef struct one {
  json_t *j;
  acc_record r;
} one;

static int on_one(void *ctx, const acc_record *r) {
  one *x = ctx;
  if (x->j && r->modified_us <= x->r.modified_us)
    return 0;
  json_t *j = json_loadb(r->raw, r->raw_len, 0, NULL);
  if (!j)
    return 0;
  json_decref(x->j);
  x->j = j;
  x->r = *r;
  x->r.raw = NULL;
  x->r.id = x->r.type = x->r.spec_version = NULL;
  x->r.share_orgs = x->r.share_users = NULL;
  return 0;
}

acc_rc acc_cbm_get(const acc_cbm_ctx *ctx, const char *id, json_t **out,
                   acc_record *rec, acc_diag *d) {
  one x;
  memset(&x, 0, sizeof x);
  acc_rc rc =
      acc_guard_get(ctx->st, ctx->rd, 0, id, ACC_TIME_NONE, on_one, &x, d);
  if (!rc && !x.j)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no object with id %s", id);
  if (rc) {
    json_decref(x.j);
    return rc;
  }
  *out = x.j;
  if (rec)
    *rec = x.r;
  return ACC_OK;
}

typedef struct versions {
  acc_cbm_version *v;
  size_t n;
  int nomem;
} versions;

static int on_version(void *ctx, const acc_record *r) {
  versions *x = ctx;
  if (x->n == ACC_CBM_MAX_VERSIONS)
    return 0;
  json_t *j = json_loadb(r->raw, r->raw_len, 0, NULL);
  if (!j)
    return 0;
  x->v[x->n].j = j;
  x->v[x->n].r = *r;
  acc_record *c = &x->v[x->n].r;
  c->raw = NULL;
  c->id = c->type = c->spec_version = NULL;
  c->share_orgs = c->share_users = NULL;
  x->n++;
  return 0;
}

static int cmp_version(const void *a, const void *b) {
  const acc_record *x = &((const acc_cbm_version *)a)->r;
  const acc_record *y = &((const acc_cbm_version *)b)->r;
  if (x->modified_us != y->modified_us)
    return x->modified_us < y->modified_us ? -1 : 1;
  return x->date_added_us < y->date_added_us   ? -1
         : x->date_added_us > y->date_added_us ? 1
                                               : 0;
}

acc_rc acc_cbm_versions(const acc_cbm_ctx *ctx, const char *id,
                        acc_cbm_version **out, size_t *n, acc_diag *d) {
  versions x = {.v = calloc(ACC_CBM_MAX_VERSIONS, sizeof *x.v)};
  if (!x.v)
    return acc_diag_set(d, ACC_ENOMEM, "reading %s", id);
  acc_query q;
  acc_query_init(&q);
  q.ids[0] = id;
  q.n_ids = 1;
  q.version = ACC_VER_ALL;
  acc_rc rc = acc_guard_scan(ctx->st, ctx->rd, &q, on_version, &x, NULL, d);
  if (!rc && x.n == 0)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no object with id %s", id);
  if (rc) {
    acc_cbm_versions_free(x.v, x.n);
    return rc;
  }
  qsort(x.v, x.n, sizeof *x.v, cmp_version);
  *out = x.v;
  *n = x.n;
  return ACC_OK;
}

void acc_cbm_versions_free(acc_cbm_version *v, size_t n) {
  for (size_t i = 0; v && i < n; i++)
    json_decref(v[i].j);
  free(v);
}

int acc_cbm_added_by(acc_store *s, const acc_record *r, const char *org) {
  if (r->origin_oid == 0)
    return 1;
  char name[ACC_NAME_MAX];
  acc_case_org_name(s, r->origin_oid, name, sizeof name);
  return org && !strcmp(name, org);
}

static acc_rc ingest_text(const acc_cbm_ctx *ctx, const char *text, int64_t cid,
                          int64_t oid, int64_t uid, acc_diag *d) {
  acc_ingest_opts o = {
      .collection = cid, .strict = 1, .origin_oid = oid, .origin_uid = uid};
  acc_ingest_counts n;
  acc_diag id;
  acc_rc rc = acc_ingest(ctx->st, text, strlen(text), &o, &n, NULL, &id);
  if (rc)
    return acc_diag_set(d, rc, "storing failed: %s", id.msg);
  return ACC_OK;
}

acc_rc acc_cbm_store(const acc_cbm_ctx *ctx, json_t *objs, int64_t cid,
                     int64_t oid, int64_t uid, acc_diag *d) {
  acc_rc rc = ingest_text(ctx, acc_cbm_extension_objects(), cid, 0, 0, d);
  if (rc) {
    acc_diag_prefix(d, "Accord's confidence-building extension: ");
    return rc;
  }
  char *text = json_dumps(objs, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!text)
    return acc_diag_set(d, ACC_ENOMEM, "serialising what to store");
  rc = ingest_text(ctx, text, cid, oid, uid, d);
  free(text);
  if (rc)
    return rc;
  return acc_cbm_index_update(ctx->st, d);
}

#define MAX_CANDIDATES 16

typedef struct resolve {
  const char *id;
  size_t len;
  char kind;
  char found[MAX_CANDIDATES][ACC_ID_MAX];
  size_t n;
} resolve;

static int on_row(void *ctx, const acc_cbm_row *r) {
  resolve *x = ctx;
  if (x->kind == 'm' && strcmp(r->action, "open"))
    return 0;
  const char *u = strstr(r->id, "--");
  if (!u || strncmp(u + 2, x->id, x->len))
    return 0;
  if (x->n < MAX_CANDIDATES)
    snprintf(x->found[x->n], ACC_ID_MAX, "%s", r->id);
  x->n++;
  return 0;
}

static int on_seen(void *ctx, const acc_record *r) {
  (void)r;
  *(int *)ctx = 1;
  return 0;
}

acc_rc acc_cbm_resolve(const acc_cbm_ctx *ctx, char kind, const char *id,
                       char out[ACC_ID_MAX], acc_diag *d) {
  const char *what = kind == 'm' ? "consultation" : "point of contact";
  if (strstr(id, "--")) {
    snprintf(out, ACC_ID_MAX, "%s", id);
    return ACC_OK;
  }
  if (strlen(id) < 8)
    return acc_diag_set(d, ACC_EUSAGE,
                        "'%s': give the %s's id, or at least 8 characters "
                        "of its UUID",
                        id, what);
  resolve *x = calloc(1, sizeof *x);
  if (!x)
    return ACC_ENOMEM;
  x->id = id;
  x->len = strlen(id);
  x->kind = kind;
  acc_rc rc = ctx->st->ops->cbm_list(ctx->st, kind, NULL, on_row, x, d);
  /* Only what the reader can see counts: a prefix must not reveal that
   * an invisible object exists. */
  size_t visible = 0, which = 0;
  for (size_t i = 0; !rc && i < x->n && i < MAX_CANDIDATES; i++) {
    int seen = 0;
    acc_diag gd;
    if (acc_guard_get(ctx->st, ctx->rd, 0, x->found[i], ACC_TIME_NONE, on_seen,
                      &seen, &gd) == ACC_OK &&
        seen) {
      visible++;
      which = i;
    }
  }
  if (!rc && visible == 0)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no %s %s", what, id);
  else if (!rc && visible > 1)
    rc = acc_diag_set(d, ACC_EUSAGE,
                      "'%s' names more than one %s: give more of its id", id,
                      what);
  else if (!rc)
    snprintf(out, ACC_ID_MAX, "%s", x->found[which]);
  free(x);
  return rc;
}
