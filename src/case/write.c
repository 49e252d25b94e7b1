/*
 * write.c — creating and changing cases: every change is new STIX objects
 * or new versions (same id, later `modified`) stored through acc_ingest,
 * exactly as an import or a TAXII POST would store them, with the acting
 * principal's organisation as originator.  Before anything is written the
 * case is loaded as it will be (the new objects laid over the store, see
 * acc_case_load_overlay) so that the caveats written into the report are
 * those of the case after the change.
 *
 * Who may do what: the case's organisation (its users, or the operator
 * acting for it) creates and edits the case and its evidence; any
 * organisation that can read the case records its own endorsement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_int.h"
#include "ingest/ingest.h"
#include "util/time.h"

#define MS INT64_C(1000)

/* Who acts, resolved once per operation. */
typedef struct actor {
  int64_t oid, uid;
  char org[128];
  char user[128];
  char identity[ACC_ID_MAX];
} actor;

static int is_operator(const acc_principal *p) {
  return p->uid == -1;
}

static int64_t now_ms(const acc_case_ctx *ctx) {
  int64_t t = ctx->now_us != ACC_TIME_NONE && ctx->now_us != 0
                  ? ctx->now_us
                  : acc_time_now_us();
  return t - t % MS;
}

/* A new version's modified: now, or just after the one it replaces. */
static int64_t next_modified(const acc_case_ctx *ctx, int64_t prev) {
  int64_t t = now_ms(ctx);
  if (prev != ACC_TIME_NONE && t <= prev)
    t = prev - prev % MS + MS;
  return t;
}

static json_t *ts(int64_t us) {
  char b[ACC_TIME_BUFSZ];
  acc_time_format_ms(us, b);
  return json_string(b);
}

static acc_rc actor_of(const acc_case_ctx *ctx, const char *org_for_operator,
                       actor *a, acc_diag *d) {
  const acc_principal *p = ctx->rd->who;
  memset(a, 0, sizeof *a);
  if (is_operator(p)) {
    if (!org_for_operator || !*org_for_operator)
      return acc_diag_set(d, ACC_EUSAGE,
                          "the operator must say which organisation it acts "
                          "for (--org ORG, or --as USER)");
    acc_org o;
    acc_rc rc = ctx->st->ops->org_get(ctx->st, org_for_operator, &o, d);
    if (rc)
      return acc_diag_set(d, rc,
                          "no organisation '%s' (see `accord org "
                          "list`)",
                          org_for_operator);
    a->oid = o.oid;
    snprintf(a->org, sizeof a->org, "%s", o.name);
    snprintf(a->user, sizeof a->user, "operator");
  } else {
    if (p->oid <= 0)
      return acc_diag_set(d, ACC_EINVAL,
                          "%s belongs to no organisation and cannot act on "
                          "cases",
                          p->user);
    a->oid = p->oid;
    a->uid = p->uid;
    snprintf(a->org, sizeof a->org, "%s", p->org);
    snprintf(a->user, sizeof a->user, "%s", p->user);
  }
  return acc_case_org_identity(ctx->st, a->org, a->identity, d);
}

static acc_rc may_write(const acc_case_ctx *ctx, const actor *a, int64_t cid,
                        acc_diag *d) {
  const acc_principal *p = ctx->rd->who;
  if (is_operator(p) || p->admin)
    return ACC_OK;
  int r = 0, w = 0;
  acc_rc rc = ctx->st->ops->grant_get(ctx->st, cid, a->oid, &r, &w, d);
  if (rc)
    return rc;
  if (!w)
    return acc_diag_set(d, ACC_EINVAL,
                        "%s may not write to the case's collection (ask an "
                        "administrator for `accord grant %s ... --write`)",
                        a->org, a->org);
  return ACC_OK;
}

/* Sharing of everything the case writes: its TLP, and for AMBER the
 * organisations of the case (owner and partners) as recipients. */
typedef struct sharing {
  acc_tlp tlp;
  json_t *orgs; /* array of names */
} sharing;

static void mark(json_t *o, const sharing *sh, acc_tlp tlp) {
  json_object_set_new(o, "object_marking_refs",
                      json_pack("[s]", acc_tlp_marking_id(tlp)));
  if ((tlp == ACC_TLP_AMBER || tlp == ACC_TLP_AMBER_STRICT) && sh->orgs &&
      json_array_size(sh->orgs)) {
    json_t *exts = json_object_get(o, "extensions");
    if (!exts) {
      exts = json_object();
      json_object_set_new(o, "extensions", exts);
    }
    json_object_set_new(exts, ACC_EXT_SHARING,
                        json_pack("{s:s,s:O}", "extension_type",
                                  "property-extension", "recipient_orgs",
                                  sh->orgs));
  } else {
    json_object_del(json_object_get(o, "extensions"), ACC_EXT_SHARING);
  }
}

static json_t *case_ext(json_t *o, const char *kind) {
  json_t *exts = json_object_get(o, "extensions");
  if (!exts) {
    exts = json_object();
    json_object_set_new(o, "extensions", exts);
  }
  json_t *e = json_pack("{s:s,s:s}", "extension_type", "property-extension",
                        "kind", kind);
  json_object_set_new(exts, ACC_EXT_CASE, e);
  return e;
}

/* Store objs (an array) through acc_ingest, all or nothing. */
static acc_rc store_all(const acc_case_ctx *ctx, json_t *objs, int64_t cid,
                        int64_t oid, int64_t uid, acc_diag *d) {
  char *text = json_dumps(objs, JSON_COMPACT | JSON_PRESERVE_ORDER);
  if (!text)
    return acc_diag_set(d, ACC_ENOMEM, "building the case's objects");
  acc_ingest_opts o = {
      .collection = cid, .strict = 1, .origin_oid = oid, .origin_uid = uid};
  acc_ingest_counts n;
  acc_diag id;
  acc_rc rc = acc_ingest(ctx->st, text, strlen(text), &o, &n, NULL, &id);
  free(text);
  if (rc)
    return acc_diag_set(d, rc, "storing the case failed: %s", id.msg);
  return ACC_OK;
}

/* Accord's case extension-definition, stored (once) where the case is. */
static acc_rc publish_extension(const acc_case_ctx *ctx, int64_t cid,
                                acc_diag *d) {
  const char *t = acc_case_extension_objects();
  acc_ingest_opts o = {.collection = cid, .strict = 1};
  acc_ingest_counts n;
  acc_diag id;
  acc_rc rc = acc_ingest(ctx->st, t, strlen(t), &o, &n, NULL, &id);
  if (rc)
    return acc_diag_set(d, rc, "storing Accord's case extension: %s", id.msg);
  return ACC_OK;
}

/* ---- reading single objects for the writer (through the guard) ---- */

typedef struct one_cb {
  json_t *j;
  acc_record r;
  acc_tlp tlp;
  acc_store *st;
} one_cb;

static int on_one(void *ctx, const acc_record *r) {
  one_cb *x = ctx;
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
  x->tlp = acc_case_effective_tlp(x->st, r, NULL, NULL);
  return 0;
}

static acc_rc get_one(const acc_case_ctx *ctx, const char *id, one_cb *x,
                      acc_diag *d) {
  memset(x, 0, sizeof *x);
  x->st = ctx->st;
  return acc_guard_get(ctx->st, ctx->rd, 0, id, ACC_TIME_NONE, on_one, x, d);
}

/* ---- building the case's objects ---- */

static const char *const part_names[] = {"operation", "actor", "state"};

/* A claim part the case creates: {"type", "name", ...}. */
static acc_rc new_part(const acc_case_ctx *ctx, json_t *spec, int part,
                       const actor *a, const sharing *sh, int64_t t,
                       json_t *objs, char out[ACC_ID_MAX], acc_diag *d) {
  const char *type = json_string_value(json_object_get(spec, "type"));
  char id[ACC_ID_MAX];
  acc_case_uuid4(type, id);
  json_t *o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:O}", "type", type,
                        "spec_version", "2.1", "id", id, "created", ts(t),
                        "modified", ts(t), "created_by_ref", a->identity,
                        "name", json_object_get(spec, "name"));
  if (!o)
    return acc_diag_set(d, ACC_ENOMEM, "building the claim");
  json_t *v;
  if ((v = json_object_get(spec, "description")))
    json_object_set(o, "description", v);
  if ((v = json_object_get(spec, "first_seen")) &&
      (!strcmp(type, "campaign") || !strcmp(type, "intrusion-set") ||
       !strcmp(type, "threat-actor")))
    json_object_set(o, "first_seen", v);
  if (!strcmp(type, "identity")) {
    json_object_set_new(o, "identity_class", json_string("organization"));
    if (part == 2)
      json_object_set_new(o, "sectors",
                          json_pack("[s]", "government-national"));
  }
  if (!strcmp(type, "location")) {
    const char *cc = json_string_value(json_object_get(spec, "country"));
    if (!cc) {
      json_decref(o);
      return acc_diag_set(d, ACC_EINVAL,
                          "claim.%s: a location needs a country (ISO 3166-1 "
                          "alpha-2)",
                          part_names[part]);
    }
    json_object_set_new(o, "country", json_string(cc));
  }
  if (!strcmp(type, "threat-actor") && part == 2)
    json_object_set_new(o, "threat_actor_types",
                        json_pack("[s]", "nation-state"));
  acc_tlp tlp = sh->tlp;
  if ((v = json_object_get(spec, "tlp")))
    acc_tlp_parse(json_string_value(v), &tlp);
  mark(o, sh, tlp);
  (void)ctx;
  json_array_append_new(objs, o);
  snprintf(out, ACC_ID_MAX, "%s", id);
  return ACC_OK;
}

/* A claim part named by id: it must be visible to the actor and of an
 * allowed type. */
static acc_rc existing_part(const acc_case_ctx *ctx, const char *id, int part,
                            acc_diag *d) {
  one_cb x;
  acc_rc rc = get_one(ctx, id, &x, d);
  json_decref(x.j);
  if (rc)
    return acc_diag_set(d, rc, "claim.%s: no object with id %s",
                        part_names[part], id);
  return ACC_OK;
}

static json_t *likelihood_json(json_t *spec_lk) {
  const char *scale = "icd203", *term = NULL;
  if (json_is_string(spec_lk))
    term = json_string_value(spec_lk);
  else {
    if (json_string_value(json_object_get(spec_lk, "scale")))
      scale = json_string_value(json_object_get(spec_lk, "scale"));
    term = json_string_value(json_object_get(spec_lk, "term"));
  }
  const acc_likelihood *l = acc_case_likelihood_find(scale, term);
  if (!l)
    return NULL;
  return json_pack("{s:s,s:s,s:s}", "scale", l->scale, "term", l->key, "range",
                   l->range);
}

static json_t *norms_json(json_t *keys) {
  json_t *a = json_array();
  size_t i;
  json_t *k;
  /* In the order of §13, whatever order they were given in. */
  size_t n;
  const acc_vocab *v = acc_case_vocab(ACC_VOCAB_NORM, &n);
  for (size_t j = 0; j < n; j++)
    json_array_foreach(keys, i, k) {
      if (json_is_string(k) && !strcmp(json_string_value(k), v[j].key))
        json_array_append_new(
            a, json_pack("{s:s,s:s}", "norm", v[j].key, "text", v[j].text));
    }
  return a;
}

/* Apply a (checked) specification to the case extension. */
static void apply_spec(json_t *ext, json_t *spec) {
  json_t *v;
  if ((v = json_object_get(spec, "likelihood")))
    json_object_set_new(ext, "likelihood", likelihood_json(v));
  if ((v = json_object_get(spec, "analytic_confidence")))
    json_object_set(ext, "analytic_confidence", v);
  if ((v = json_object_get(spec, "norms")))
    json_object_set_new(ext, "norms", norms_json(v));
  if ((v = json_object_get(spec, "nis2_sectors")))
    json_object_set(ext, "nis2_sectors", v);
  if ((v = json_object_get(spec, "eu_2019_796"))) {
    json_t *old = json_object_get(ext, "eu_2019_796");
    json_t *n = old ? json_deep_copy(old) : json_object();
    json_object_update(n, v);
    json_object_set_new(ext, "eu_2019_796", n);
  }
  if ((v = json_object_get(spec, "measures")))
    json_object_set(ext, "measures", v);
  if ((v = json_object_get(spec, "endorsement")))
    json_object_set(ext, "endorsement_rule", v);
}

static json_t *recipients(const char *owner, json_t *ext) {
  json_t *a = json_pack("[s]", owner);
  size_t i;
  json_t *p;
  json_array_foreach(
      json_object_get(json_object_get(ext, "endorsement_rule"), "partners"), i,
      p) {
    if (json_is_string(p) && strcmp(json_string_value(p), owner))
      json_array_append(a, p);
  }
  return a;
}

static json_t *relationship(const char *case_id, const char *link,
                            const char *src, const char *tgt, int conf,
                            const actor *a, int64_t created, int64_t modified,
                            const sharing *sh) {
  char name[3 * ACC_ID_MAX], id[ACC_ID_MAX];
  int n = snprintf(name, sizeof name, "claim-link|%s|%s|%s|%s", case_id, link,
                   src, tgt);
  if (acc_case_uuid5("relationship", name, (size_t)n, id))
    return NULL;
  json_t *o = json_pack(
      "{s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:s,s:i,s:s}", "type", "relationship",
      "spec_version", "2.1", "id", id, "created", ts(created), "modified",
      ts(modified), "created_by_ref", a->identity, "relationship_type",
      "attributed-to", "source_ref", src, "target_ref", tgt, "confidence", conf,
      "description",
      strcmp(link, "actor") ? "The actor acts for this state or organisation "
                              "(attribution case)."
                            : "The operation is attributed to this actor "
                              "(attribution case).");
  if (!o)
    return NULL;
  json_t *e = case_ext(o, "claim-link");
  json_object_set_new(e, "case_ref", json_string(case_id));
  json_object_set_new(e, "link", json_string(link));
  mark(o, sh, sh->tlp);
  return o;
}

/* The caveats of the case as it will be, into the report's extension. */
static acc_rc set_caveats(const acc_case_ctx *ctx, json_t *objs, json_t *report,
                          const char *case_id, int64_t oid, int64_t cid,
                          acc_diag *d) {
  acc_case_overlay ov = {.objs = objs, .origin_oid = oid, .collection = cid};
  acc_case *c = NULL;
  acc_rc rc = acc_case_load_overlay(ctx, case_id, &ov, &c, d);
  if (rc)
    return rc;
  json_t *ext =
      json_object_get(json_object_get(report, "extensions"), ACC_EXT_CASE);
  json_t *a = json_array();
  static const char *const kinds[] = {"anonymiser", "single-source",
                                      "non-releasable", "overstated-likelihood",
                                      "unsupported-link"};
  for (size_t i = 0; i < c->n_cav; i++) {
    json_t *refs = json_array();
    for (size_t k = 0; k < c->cav[i].n_ev; k++)
      json_array_append_new(refs, json_string(c->ev[c->cav[i].ev[k]].id));
    json_array_append_new(a, json_pack("{s:s,s:s,s:o}", "kind",
                                       kinds[c->cav[i].kind], "text",
                                       c->cav[i].text, "evidence_refs", refs));
  }
  json_object_set_new(ext, "caveats", a);
  acc_case_free(c);
  return ACC_OK;
}

/* The report's object_refs: claim, relationships, evidence notes. */
static void set_refs(json_t *report, json_t *claim, const char *rel_a,
                     const char *rel_s, json_t *notes) {
  json_t *a = json_array();
  static const char *const parts[] = {"operation_ref", "actor_ref",
                                      "state_ref"};
  for (int i = 0; i < 3; i++)
    json_array_append(a, json_object_get(claim, parts[i]));
  json_array_append_new(a, json_string(rel_a));
  json_array_append_new(a, json_string(rel_s));
  json_array_extend(a, notes);
  json_object_set_new(report, "object_refs", a);
}

/* The notes a report lists. */
static json_t *notes_of(json_t *report) {
  json_t *a = json_array();
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(report, "object_refs"), i, e) {
    if (json_is_string(e) && !strncmp(json_string_value(e), "note--", 6))
      json_array_append(a, e);
  }
  return a;
}

acc_rc acc_case_create(const acc_case_ctx *ctx, json_t *spec,
                       int64_t collection, char out_id[ACC_ID_MAX],
                       acc_diag *d) {
  acc_rc rc = acc_case_spec_check(spec, 0, d);
  if (rc)
    return rc;
  actor a;
  if ((rc = actor_of(ctx, ctx->owner_org, &a, d)))
    return rc;
  int64_t cid = collection ? collection : ACC_DEFAULT_COLLECTION;
  if ((rc = may_write(ctx, &a, cid, d)))
    return rc;
  int64_t t = now_ms(ctx);
  json_t *objs = json_array();
  json_t *report = NULL;
  sharing sh = {.tlp = ACC_TLP_AMBER};
  const char *tl = json_string_value(json_object_get(spec, "tlp"));
  if (tl)
    acc_tlp_parse(tl, &sh.tlp);
  char id[ACC_ID_MAX];
  acc_case_uuid4("report", id);
  /* The extension first: recipients depend on the partners. */
  json_t *ext = json_pack("{s:s,s:s}", "extension_type", "property-extension",
                          "kind", "attribution-case");
  apply_spec(ext, spec);
  if (!json_object_get(ext, "endorsement_rule"))
    json_object_set_new(
        ext, "endorsement_rule",
        json_pack("{s:s,s:[]}", "rule", "unanimity", "partners"));
  json_object_set_new(ext, "owner_org", json_string(a.org));
  sh.orgs = recipients(a.org, ext);
  /* The claim */
  json_t *claim = json_object_get(spec, "claim");
  json_t *cl = json_object();
  static const char *const refs[] = {"operation_ref", "actor_ref", "state_ref"};
  for (int i = 0; i < 3 && !rc; i++) {
    json_t *p = json_object_get(claim, part_names[i]);
    char pid[ACC_ID_MAX];
    if (json_is_string(p)) {
      snprintf(pid, sizeof pid, "%s", json_string_value(p));
      rc = existing_part(ctx, pid, i, d);
    } else {
      rc = new_part(ctx, p, i, &a, &sh, t, objs, pid, d);
    }
    if (!rc)
      json_object_set_new(cl, refs[i], json_string(pid));
  }
  json_object_set_new(ext, "claim", cl);
  if (rc)
    goto out;
  const acc_likelihood *lk = acc_case_likelihood_find(
      json_string_value(
          json_object_get(json_object_get(ext, "likelihood"), "scale")),
      json_string_value(
          json_object_get(json_object_get(ext, "likelihood"), "term")));
  const char *op = json_string_value(json_object_get(cl, "operation_ref"));
  const char *ac = json_string_value(json_object_get(cl, "actor_ref"));
  const char *st = json_string_value(json_object_get(cl, "state_ref"));
  json_t *ra = relationship(id, "actor", op, ac, lk->stix, &a, t, t, &sh);
  json_t *rs = relationship(id, "state", ac, st, lk->stix, &a, t, t, &sh);
  if (!ra || !rs) {
    json_decref(ra);
    json_decref(rs);
    rc = acc_diag_set(d, ACC_ENOMEM, "building the claim");
    goto out;
  }
  report = json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:O,s:[s],s:o,s:i,s:[s]}",
                     "type", "report", "spec_version", "2.1", "id", id,
                     "created", ts(t), "modified", ts(t), "created_by_ref",
                     a.identity, "name", json_object_get(spec, "title"),
                     "report_types", "threat-report", "published", ts(t),
                     "confidence", lk->stix, "labels", "attribution-case");
  if (json_object_get(spec, "description"))
    json_object_set(report, "description",
                    json_object_get(spec, "description"));
  json_t *none = json_array();
  set_refs(report, cl, json_string_value(json_object_get(ra, "id")),
           json_string_value(json_object_get(rs, "id")), none);
  json_decref(none);
  mark(report, &sh, sh.tlp);
  json_object_set(json_object_get(report, "extensions"), ACC_EXT_CASE, ext);
  json_array_append_new(objs, ra);
  json_array_append_new(objs, rs);
  json_array_append(objs, report);
  if ((rc = set_caveats(ctx, objs, report, id, a.oid, cid, d)) ||
      (rc = publish_extension(ctx, cid, d)) ||
      (rc = store_all(ctx, objs, cid, a.oid, a.uid, d)))
    goto out;
  snprintf(out_id, ACC_ID_MAX, "%s", id);
out:
  json_decref(report);
  json_decref(ext);
  json_decref(sh.orgs);
  json_decref(objs);
  return rc;
}

/* The case as stored (latest version), checked writable by the actor. */
typedef struct editing {
  acc_case *c;
  json_t *report; /* a copy to change */
  json_t *ext;    /* inside report */
  actor a;
  sharing sh;
  int64_t t;
} editing;

static void editing_free(editing *e) {
  acc_case_free(e->c);
  json_decref(e->report);
  json_decref(e->sh.orgs);
}

static acc_rc begin_edit(const acc_case_ctx *ctx, const char *id, editing *e,
                         acc_diag *d) {
  memset(e, 0, sizeof *e);
  acc_rc rc = acc_case_load(ctx, id, &e->c, d);
  if (rc)
    return rc;
  const acc_principal *p = ctx->rd->who;
  if (!is_operator(p) && p->oid != e->c->owner_oid)
    return acc_diag_set(d, ACC_EINVAL,
                        "only %s, whose case it is, may change %s (you act "
                        "for %s)",
                        e->c->owner_org[0] ? e->c->owner_org : "the instance",
                        e->c->id, p->org[0] ? p->org : "no organisation");
  if ((rc = actor_of(ctx, e->c->owner_org, &e->a, d)))
    return rc;
  if (is_operator(p)) {
    /* The operator changes the case on behalf of its organisation. */
    e->a.uid = 0;
  }
  if ((rc = may_write(ctx, &e->a, e->c->collection, d)))
    return rc;
  e->report = json_deep_copy(e->c->report);
  if (!e->report)
    return ACC_ENOMEM;
  e->ext =
      json_object_get(json_object_get(e->report, "extensions"), ACC_EXT_CASE);
  e->sh.tlp = e->c->tlp;
  e->sh.orgs = recipients(e->c->owner_org, e->ext);
  e->t = next_modified(ctx, e->c->modified_us);
  json_object_set_new(e->report, "modified", ts(e->t));
  return ACC_OK;
}

static acc_rc finish_edit(const acc_case_ctx *ctx, editing *e, json_t *objs,
                          acc_diag *d) {
  json_array_append(objs, e->report);
  acc_rc rc = set_caveats(ctx, objs, e->report, e->c->id, e->a.oid,
                          e->c->collection, d);
  if (!rc)
    rc = publish_extension(ctx, e->c->collection, d);
  if (!rc)
    rc = store_all(ctx, objs, e->c->collection, e->a.oid, e->a.uid, d);
  return rc;
}

/* A new version of a stored object of the case (relationship, note),
 * with `modified` moved on; NULL when the reader cannot see it. */
static json_t *new_version(const acc_case_ctx *ctx, const char *id,
                           int64_t *prev_modified, acc_diag *d) {
  one_cb x;
  if (get_one(ctx, id, &x, d)) {
    json_decref(x.j);
    return NULL;
  }
  *prev_modified = x.r.modified_us;
  json_object_set_new(x.j, "modified", ts(next_modified(ctx, x.r.modified_us)));
  return x.j;
}

acc_rc acc_case_edit(const acc_case_ctx *ctx, const char *id, json_t *spec,
                     char out_id[ACC_ID_MAX], acc_diag *d) {
  acc_rc rc = acc_case_spec_check(spec, 1, d);
  if (rc)
    return rc;
  if (json_object_get(spec, "collection"))
    return acc_diag_set(d, ACC_EINVAL,
                        "collection: a case stays in the collection it was "
                        "created in");
  editing e;
  json_t *objs = json_array();
  if ((rc = begin_edit(ctx, id, &e, d)))
    goto out;
  json_t *v;
  if ((v = json_object_get(spec, "title")))
    json_object_set(e.report, "name", v);
  if ((v = json_object_get(spec, "description")))
    json_object_set(e.report, "description", v);
  json_t *old_rule = json_deep_copy(json_object_get(e.ext, "endorsement_rule"));
  apply_spec(e.ext, spec);
  int partners_changed =
      !json_equal(old_rule, json_object_get(e.ext, "endorsement_rule"));
  json_decref(old_rule);
  acc_tlp new_tlp = e.sh.tlp;
  if ((v = json_object_get(spec, "tlp")))
    acc_tlp_parse(json_string_value(v), &new_tlp);
  int sharing_changed = partners_changed || new_tlp != e.sh.tlp;
  json_decref(e.sh.orgs);
  e.sh.orgs = recipients(e.c->owner_org, e.ext);
  e.sh.tlp = new_tlp;
  /* The claim */
  json_t *cl = json_object_get(e.ext, "claim");
  json_t *claim = json_object_get(spec, "claim");
  static const char *const refs[] = {"operation_ref", "actor_ref", "state_ref"};
  for (int i = 0; i < 3 && claim && !rc; i++) {
    json_t *p = json_object_get(claim, part_names[i]);
    if (!p)
      continue;
    char pid[ACC_ID_MAX];
    if (json_is_string(p)) {
      snprintf(pid, sizeof pid, "%s", json_string_value(p));
      rc = existing_part(ctx, pid, i, d);
    } else {
      rc = new_part(ctx, p, i, &e.a, &e.sh, e.t, objs, pid, d);
    }
    if (!rc)
      json_object_set_new(cl, refs[i], json_string(pid));
  }
  if (rc)
    goto out;
  const acc_likelihood *lk = acc_case_likelihood_find(
      json_string_value(
          json_object_get(json_object_get(e.ext, "likelihood"), "scale")),
      json_string_value(
          json_object_get(json_object_get(e.ext, "likelihood"), "term")));
  if (!lk) {
    rc = acc_diag_set(d, ACC_EINVAL, "%s has no valid likelihood", e.c->id);
    goto out;
  }
  json_object_set_new(e.report, "confidence", json_integer(lk->stix));
  /* Relationships: the same pair keeps its id (a new version when the
   * confidence or sharing changes); a new pair is a new relationship and
   * the old one is revoked. */
  const char *ends[2][2] = {
      {json_string_value(json_object_get(cl, "operation_ref")),
       json_string_value(json_object_get(cl, "actor_ref"))},
      {json_string_value(json_object_get(cl, "actor_ref")),
       json_string_value(json_object_get(cl, "state_ref"))}};
  char rel_ids[2][ACC_ID_MAX];
  for (int l = 0; l < 2 && !rc; l++) {
    json_t *nr = relationship(e.c->id, l ? "state" : "actor", ends[l][0],
                              ends[l][1], lk->stix, &e.a, e.t, e.t, &e.sh);
    if (!nr) {
      rc = ACC_ENOMEM;
      break;
    }
    const char *nid = json_string_value(json_object_get(nr, "id"));
    snprintf(rel_ids[l], sizeof rel_ids[l], "%s", nid);
    const char *old = e.c->rel_ids[l];
    if (old && !strcmp(old, nid)) {
      int64_t pm;
      json_t *prev = new_version(ctx, old, &pm, d);
      int same = prev && json_integer_value(
                             json_object_get(prev, "confidence")) == lk->stix;
      if (prev && (!same || sharing_changed)) {
        json_object_set_new(prev, "confidence", json_integer(lk->stix));
        mark(prev, &e.sh, e.sh.tlp);
        json_array_append(objs, prev);
      }
      json_decref(prev);
      json_decref(nr);
      continue;
    }
    json_array_append_new(objs, nr);
    if (old) {
      int64_t pm;
      json_t *prev = new_version(ctx, old, &pm, d);
      if (prev) {
        json_object_set_new(prev, "revoked", json_true());
        json_array_append_new(objs, prev);
      }
    }
  }
  if (rc)
    goto out;
  json_t *notes = notes_of(e.report);
  if (sharing_changed) {
    /* Partners must see the evidence they are asked to endorse. */
    size_t i;
    json_t *n;
    json_array_foreach(notes, i, n) {
      int64_t pm;
      json_t *nv = new_version(ctx, json_string_value(n), &pm, d);
      if (!nv)
        continue;
      acc_tlp tl = acc_tlp_of_marking(json_string_value(
          json_array_get(json_object_get(nv, "object_marking_refs"), 0)));
      mark(nv, &e.sh, tl == ACC_TLP_NONE ? e.sh.tlp : tl);
      json_array_append_new(objs, nv);
    }
  }
  set_refs(e.report, cl, rel_ids[0], rel_ids[1], notes);
  json_decref(notes);
  mark(e.report, &e.sh, e.sh.tlp);
  rc = finish_edit(ctx, &e, objs, d);
  if (!rc)
    snprintf(out_id, ACC_ID_MAX, "%s", e.c->id);
out:
  editing_free(&e);
  json_decref(objs);
  return rc;
}

/* ---- evidence ---- */

static acc_rc check_refs(const acc_case_ctx *ctx, json_t *refs, acc_tlp *most,
                         acc_diag *d) {
  *most = ACC_TLP_CLEAR;
  size_t i;
  json_t *r;
  json_array_foreach(refs, i, r) {
    one_cb x;
    acc_rc rc = get_one(ctx, json_string_value(r), &x, d);
    json_decref(x.j);
    if (rc)
      return acc_diag_set(d, rc,
                          "refs[%zu]: no object with id %s (evidence must "
                          "rest on stored objects you can read)",
                          i, json_string_value(r));
    if (x.tlp > *most)
      *most = x.tlp;
  }
  return ACC_OK;
}

static void evidence_fields(json_t *note, json_t *ext, json_t *spec) {
  json_t *v;
  if ((v = json_object_get(spec, "summary")))
    json_object_set(note, "content", v);
  if ((v = json_object_get(spec, "refs")))
    json_object_set(note, "object_refs", v);
  if ((v = json_object_get(spec, "reliability")))
    json_object_set(ext, "reliability", v);
  if ((v = json_object_get(spec, "credibility"))) {
    json_int_t c = json_is_integer(v) ? json_integer_value(v)
                                      : json_string_value(v)[0] - '0';
    json_object_set_new(ext, "credibility", json_integer(c));
  }
  if ((v = json_object_get(spec, "category")))
    json_object_set(ext, "category", v);
  if ((v = json_object_get(spec, "supports")))
    json_object_set(ext, "supports", v);
  else if (!json_object_get(ext, "supports"))
    json_object_set_new(ext, "supports", json_pack("[s]", "actor"));
  if ((v = json_object_get(spec, "source")))
    json_object_set(ext, "source", v);
  if ((v = json_object_get(spec, "protect_source")))
    json_object_set(ext, "protect_source", v);
  if ((v = json_object_get(spec, "observed")))
    json_object_set(ext, "observed", v);
  int cred = (int)json_integer_value(json_object_get(ext, "credibility"));
  int conf = acc_case_credibility_stix(cred);
  if (conf >= 0)
    json_object_set_new(note, "confidence", json_integer(conf));
  else
    json_object_del(note, "confidence");
  char abstract[128];
  snprintf(abstract, sizeof abstract, "Evidence (%s), graded %s%d",
           json_string_value(json_object_get(ext, "category")),
           json_string_value(json_object_get(ext, "reliability")), cred);
  json_object_set_new(note, "abstract", json_string(abstract));
}

acc_rc acc_case_add_evidence(const acc_case_ctx *ctx, const char *id,
                             json_t *spec, char out_note[ACC_ID_MAX],
                             acc_diag *d) {
  acc_rc rc = acc_case_evidence_check(spec, d);
  if (rc)
    return rc;
  editing e;
  json_t *objs = json_array();
  json_t *note = NULL;
  if ((rc = begin_edit(ctx, id, &e, d)))
    goto out;
  json_t *notes = notes_of(e.report);
  const char *wd = json_string_value(json_object_get(spec, "withdraw"));
  const char *up = json_string_value(json_object_get(spec, "update"));
  const char *target = wd ? wd : up;
  if (target) {
    size_t i, at = (size_t)-1;
    json_t *n;
    json_array_foreach(notes, i, n) {
      if (!strcmp(json_string_value(n), target))
        at = i;
    }
    int64_t pm;
    note = at == (size_t)-1 ? NULL : new_version(ctx, target, &pm, d);
    if (!note || !acc_case_ext_of(note, "evidence")) {
      json_decref(notes);
      rc = acc_diag_set(d, ACC_ENOTFOUND, "%s is not evidence of %s", target,
                        e.c->id);
      goto out;
    }
    if (wd) {
      json_object_set_new(note, "revoked", json_true());
      json_array_remove(notes, at);
    }
  } else {
    char nid[ACC_ID_MAX];
    acc_case_uuid4("note", nid);
    note = json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:[s]}", "type", "note",
                     "spec_version", "2.1", "id", nid, "created", ts(e.t),
                     "modified", ts(e.t), "created_by_ref", e.a.identity,
                     "authors", e.a.user);
    json_t *x = case_ext(note, "evidence");
    json_object_set_new(x, "case_ref", json_string(e.c->id));
    json_array_append_new(notes, json_string(nid));
  }
  if (!wd) {
    json_t *x =
        json_object_get(json_object_get(note, "extensions"), ACC_EXT_CASE);
    evidence_fields(note, x, spec);
    /* Releasability: at most as releasable as what it rests on. */
    acc_tlp most;
    if ((rc =
             check_refs(ctx, json_object_get(note, "object_refs"), &most, d))) {
      json_decref(notes);
      goto out;
    }
    acc_tlp rel = most;
    json_t *rv = json_object_get(spec, "releasability");
    if (rv) {
      acc_tlp_parse(json_string_value(rv), &rel);
      if (rel < most) {
        json_decref(notes);
        rc = acc_diag_set(d, ACC_EINVAL,
                          "releasability: the evidence rests on TLP:%s "
                          "material and cannot be released more widely "
                          "(TLP:%s asked)",
                          acc_tlp_name(most), acc_tlp_name(rel));
        goto out;
      }
    } else if (up) {
      acc_tlp cur = acc_tlp_of_marking(json_string_value(
          json_array_get(json_object_get(note, "object_marking_refs"), 0)));
      if (cur > rel)
        rel = cur;
    }
    mark(note, &e.sh, rel);
  }
  snprintf(out_note, ACC_ID_MAX, "%s",
           json_string_value(json_object_get(note, "id")));
  json_array_append(objs, note);
  json_t *cl = json_object_get(e.ext, "claim");
  const char *r0 = e.c->rel_ids[0] ? e.c->rel_ids[0] : "";
  const char *r1 = e.c->rel_ids[1] ? e.c->rel_ids[1] : "";
  set_refs(e.report, cl, r0, r1, notes);
  json_decref(notes);
  rc = finish_edit(ctx, &e, objs, d);
out:
  json_decref(note);
  editing_free(&e);
  json_decref(objs);
  return rc;
}

/* ---- endorsements ---- */

acc_rc acc_case_endorse(const acc_case_ctx *ctx, const char *id, json_t *spec,
                        char out_opinion[ACC_ID_MAX], acc_diag *d) {
  acc_rc rc = acc_case_endorse_check(spec, d);
  if (rc)
    return rc;
  if (is_operator(ctx->rd->who))
    return acc_diag_set(d, ACC_EUSAGE,
                        "an endorsement is recorded by a user of the "
                        "organisation that gives it (--as USER)");
  actor a;
  if ((rc = actor_of(ctx, NULL, &a, d)))
    return rc;
  acc_case *c = NULL;
  if ((rc = acc_case_load(ctx, id, &c, d)))
    return rc;
  char name[2 * ACC_ID_MAX], oid[ACC_ID_MAX];
  int n = snprintf(name, sizeof name, "endorsement|%s|%s", c->id, a.org);
  json_t *objs = json_array(), *op = NULL;
  if ((rc = acc_case_uuid5("opinion", name, (size_t)n, oid)))
    goto out;
  one_cb prev;
  int64_t created = now_ms(ctx), modified = created;
  if (get_one(ctx, oid, &prev, NULL) == ACC_OK) {
    created = prev.r.created_us;
    modified = next_modified(ctx, prev.r.modified_us);
  }
  json_decref(prev.j);
  const char *stance = json_string_value(json_object_get(spec, "stance"));
  op = json_pack("{s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:O,s:[s],s:[s]}", "type",
                 "opinion", "spec_version", "2.1", "id", oid, "created",
                 ts(created), "modified", ts(modified), "created_by_ref",
                 a.identity, "opinion", acc_case_stance_opinion(stance),
                 "explanation", json_object_get(spec, "statement"), "authors",
                 a.user, "object_refs", c->id);
  if (!op) {
    rc = ACC_ENOMEM;
    goto out;
  }
  json_t *x = case_ext(op, "endorsement");
  json_object_set_new(x, "case_ref", json_string(c->id));
  json_object_set_new(x, "stance", json_string(stance));
  json_object_set_new(x, "org", json_string(a.org));
  json_t *ext = c->ext;
  sharing sh = {.tlp = c->tlp, .orgs = recipients(c->owner_org, ext)};
  {
    /* The answering organisation reads its own answer too. */
    int has = 0;
    size_t i;
    json_t *e;
    json_array_foreach(sh.orgs, i, e) {
      has |= !strcmp(json_string_value(e), a.org);
    }
    if (!has)
      json_array_append_new(sh.orgs, json_string(a.org));
  }
  mark(op, &sh, sh.tlp);
  json_decref(sh.orgs);
  json_array_append(objs, op);
  if ((rc = publish_extension(ctx, c->collection, d)) ||
      (rc = store_all(ctx, objs, c->collection, a.oid, a.uid, d)))
    goto out;
  snprintf(out_opinion, ACC_ID_MAX, "%s", oid);
out:
  json_decref(op);
  json_decref(objs);
  acc_case_free(c);
  return rc;
}
