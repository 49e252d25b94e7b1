/*
 * cases.c — /api/v1/cases: attribution cases, their evidence and
 * endorsements, and their evidence packs, for the authenticated user
 * (call->who) through the sharing policy (call->reader).
 *
 *   GET  /cases                      the cases the user can see
 *   POST /cases                      a new case (body: the case JSON)
 *   GET  /cases/ID                   one case, with caveats and endorsements
 *   POST /cases/ID/edit              change it (owner's organisation)
 *   POST /cases/ID/evidence          add, update or withdraw evidence
 *   POST /cases/ID/endorsement       the user's organisation concurs,
 *                                    dissents or abstains
 *   POST /cases/ID/pack              build the pack: {"release", "draft"}
 *   GET  /cases/ID/pack?release=L    the pack as a ustar archive
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "case/case.h"
#include "pack/pack.h"
#include "util/time.h"

static acc_case_ctx ctx_of(const acc_api_call *c) {
  return (acc_case_ctx){.st = c->st,
                        .rd = &c->reader,
                        .data_dir = c->data_dir,
                        .lists = acc_case_default_lists,
                        .now_us = ACC_TIME_NONE};
}

/* The case, answering 404 (as for an absent one) when invisible. */
static acc_case *load(acc_api_call *c, acc_api_reply *r) {
  acc_case_ctx x = ctx_of(c);
  acc_case *k = NULL;
  acc_diag d;
  acc_rc rc = acc_case_load(&x, c->arg[0], &k, &d);
  if (rc) {
    acc_api_fail(r, rc, &d);
    return NULL;
  }
  return k;
}

/* Only the case's organisation changes it or releases it. */
static int owner_only(acc_api_call *c, acc_api_reply *r, acc_case **out) {
  acc_case *k = load(c, r);
  if (!k)
    return -1;
  if (k->owner_oid != c->who->oid) {
    acc_api_error(r, 403,
                  "only %s, whose case it is, may do this (you act for %s)",
                  k->owner_org[0] ? k->owner_org : "the instance", c->who->org);
    acc_case_free(k);
    return -1;
  }
  if (out)
    *out = k;
  else
    acc_case_free(k);
  return 0;
}

static void reply_case(acc_api_call *c, acc_api_reply *r, int status,
                       const char *id, const char *key, const char *written) {
  acc_case_ctx x = ctx_of(c);
  acc_case *k = NULL;
  acc_diag d;
  acc_rc rc = acc_case_load(&x, id, &k, &d);
  if (rc) {
    acc_api_fail(r, rc, &d);
    return;
  }
  json_t *j = acc_case_to_json(k);
  acc_case_free(k);
  if (key)
    j = json_pack("{s:s,s:o}", key, written, "case", j);
  acc_api_json(r, status, j);
}

typedef struct list_ctx {
  json_t *a;
} list_ctx;

static int on_case(void *ctx, const acc_record *rec, json_t *rep) {
  list_ctx *l = ctx;
  json_array_append_new(l->a, acc_case_summary_json(rec, rep));
  return 0;
}

void acc_api_cases_list(acc_api_call *c, acc_api_reply *r) {
  acc_case_ctx x = ctx_of(c);
  list_ctx l = {.a = json_array()};
  acc_diag d;
  acc_rc rc = acc_case_list(&x, on_case, &l, &d);
  if (rc) {
    json_decref(l.a);
    acc_api_fail(r, rc, &d);
    return;
  }
  acc_api_json(r, 200, json_pack("{s:o}", "cases", l.a));
}

void acc_api_case_get(acc_api_call *c, acc_api_reply *r) {
  acc_case *k = load(c, r);
  if (!k)
    return;
  acc_api_json(r, 200, acc_case_to_json(k));
  acc_case_free(k);
}

void acc_api_case_new(acc_api_call *c, acc_api_reply *r) {
  json_t *spec = acc_api_body_object(c, r);
  if (!spec)
    return;
  acc_diag d;
  acc_rc rc = acc_case_spec_check(spec, 0, &d);
  int64_t cid = ACC_DEFAULT_COLLECTION;
  const char *coll = json_string_value(json_object_get(spec, "collection"));
  if (!rc && coll) {
    acc_collection col;
    if (c->st->ops->coll_get(c->st, NULL, coll, &col, &d) != ACC_OK)
      rc = acc_diag_set(&d, ACC_EINVAL, "collection: no collection '%s'", coll);
    cid = col.cid;
  }
  json_object_del(spec, "collection");
  char id[ACC_ID_MAX];
  acc_case_ctx x = ctx_of(c);
  if (!rc)
    rc = acc_case_create(&x, spec, cid, id, &d);
  json_decref(spec);
  if (rc) {
    acc_api_fail(r, rc, &d);
    return;
  }
  reply_case(c, r, 201, id, NULL, NULL);
}

void acc_api_case_edit(acc_api_call *c, acc_api_reply *r) {
  if (owner_only(c, r, NULL))
    return;
  json_t *spec = acc_api_body_object(c, r);
  if (!spec)
    return;
  char id[ACC_ID_MAX];
  acc_diag d;
  acc_case_ctx x = ctx_of(c);
  acc_rc rc = acc_case_edit(&x, c->arg[0], spec, id, &d);
  json_decref(spec);
  if (rc) {
    acc_api_fail(r, rc, &d);
    return;
  }
  reply_case(c, r, 200, id, NULL, NULL);
}

void acc_api_case_evidence(acc_api_call *c, acc_api_reply *r) {
  acc_case *k = NULL;
  if (owner_only(c, r, &k))
    return;
  char id[ACC_ID_MAX];
  snprintf(id, sizeof id, "%s", k->id);
  acc_case_free(k);
  json_t *spec = acc_api_body_object(c, r);
  if (!spec)
    return;
  char note[ACC_ID_MAX];
  acc_diag d;
  acc_case_ctx x = ctx_of(c);
  acc_rc rc = acc_case_add_evidence(&x, id, spec, note, &d);
  json_decref(spec);
  if (rc) {
    acc_api_fail(r, rc, &d);
    return;
  }
  reply_case(c, r, 200, id, "note", note);
}

void acc_api_case_endorse(acc_api_call *c, acc_api_reply *r) {
  json_t *spec = acc_api_body_object(c, r);
  if (!spec)
    return;
  char op[ACC_ID_MAX];
  acc_diag d;
  acc_case_ctx x = ctx_of(c);
  acc_case *k = load(c, r);
  if (!k) {
    json_decref(spec);
    return;
  }
  char id[ACC_ID_MAX];
  snprintf(id, sizeof id, "%s", k->id);
  acc_case_free(k);
  acc_rc rc = acc_case_endorse(&x, id, spec, op, &d);
  json_decref(spec);
  if (rc) {
    acc_api_fail(r, rc, &d);
    return;
  }
  reply_case(c, r, 200, id, "opinion", op);
}

/* Build the pack named by release (and draft) for the user. */
static int build(acc_api_call *c, acc_api_reply *r, const char *release,
                 int draft, acc_pack *p) {
  acc_tlp lvl;
  if (!release || acc_tlp_parse(release, &lvl) ||
      (lvl != ACC_TLP_CLEAR && lvl != ACC_TLP_GREEN)) {
    acc_api_error(r, 400, "release: expected clear or green");
    return -1;
  }
  if (owner_only(c, r, NULL))
    return -1;
  acc_case_ctx x = ctx_of(c);
  acc_pack_opts o = {.release = lvl, .draft = draft, .pdf = 0};
  acc_diag d;
  acc_rc rc = acc_pack_build(&x, c->arg[0], &o, p, &d);
  if (rc) {
    acc_api_error(r, rc == ACC_ENOTFOUND ? 409 : acc_api_status_of(rc), "%s",
                  d.msg);
    return -1;
  }
  return 0;
}

void acc_api_case_pack_build(acc_api_call *c, acc_api_reply *r) {
  json_t *body = acc_api_body_object(c, r);
  if (!body)
    return;
  static const char *const allowed[] = {"release", "draft"};
  const char *k;
  json_t *v;
  json_object_foreach(body, k, v) {
    if (strcmp(k, allowed[0]) && strcmp(k, allowed[1])) {
      acc_api_error(r, 400, "'%s' is not a known member (release, draft)", k);
      json_decref(body);
      return;
    }
  }
  const char *release = json_string_value(json_object_get(body, "release"));
  int draft = json_is_true(json_object_get(body, "draft"));
  acc_pack p;
  if (build(c, r, release, draft, &p)) {
    json_decref(body);
    return;
  }
  json_t *files = json_array();
  for (size_t i = 0; i < p.n_files; i++) {
    unsigned char h[32];
    char hx[65];
    crypto_hash_sha256(h, p.files[i].data, p.files[i].len);
    sodium_bin2hex(hx, sizeof hx, h, sizeof h);
    json_array_append_new(files, json_pack("{s:s,s:s,s:I}", "name",
                                           p.files[i].name, "sha256", hx,
                                           "size", (json_int_t)p.files[i].len));
  }
  char dl[512];
  snprintf(dl, sizeof dl, "/api/v1/cases/%s/pack?release=%s%s", p.case_id,
           release, draft ? "&draft=1" : "");
  acc_api_json(r, 200,
               json_pack("{s:s,s:s,s:b,s:i,s:i,s:i,s:s,s:s,s:o,s:s}", "case",
                         p.case_id, "release", acc_tlp_name(p.release), "draft",
                         p.draft, "exhibits", (int)p.exhibits, "withheld",
                         (int)p.withheld, "objects", (int)p.objects, "signer",
                         p.signer, "key_id", p.key_id, "files", files,
                         "download", dl));
  acc_pack_free(&p);
  json_decref(body);
}

void acc_api_case_pack_get(acc_api_call *c, acc_api_reply *r) {
  const char *release = acc_api_query(c, "release");
  const char *draft = acc_api_query(c, "draft");
  acc_pack p;
  if (build(c, r, release ? release : "clear",
            draft && strcmp(draft, "0") && strcmp(draft, "false"), &p))
    return;
  char prefix[96];
  const char *u = strstr(p.case_id, "--");
  snprintf(prefix, sizeof prefix, "case-%.36s-%s", u ? u + 2 : p.case_id,
           p.release == ACC_TLP_CLEAR ? "clear" : "green");
  acc_buf_reset(&r->body);
  acc_diag d;
  if (acc_pack_tar(&p, prefix, &r->body, &d)) {
    acc_pack_free(&p);
    acc_api_error(r, 500, "%s", d.msg);
    return;
  }
  acc_pack_free(&p);
  r->status = 200;
  r->ctype = "application/x-tar";
  snprintf(r->filename, sizeof r->filename, "%s.tar", prefix);
}
