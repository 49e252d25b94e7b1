/*
 * pstore.c — the pattern subsystem and the store: load the latest stored
 * indicators into a matcher, and match one stored observed-data object
 * (with the SCOs its object_refs name) against a matcher, storing a
 * sighting per matching indicator — what the TAXII server will call for
 * each observed-data object it receives.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "ingest/ingest.h"
#include "pattern/matcher_int.h"
#include "policy/guard.h"
#include "policy/policy.h"
#include "store/store.h"
#include "store/store_raw.h"
#include "util/time.h"

typedef struct load {
  acc_matcher *m;
  acc_parena a;
  size_t added, bad;
  acc_rc rc;
  acc_diag *diag;
} load;

static int str_is(const acc_pj *v, const char *s) {
  size_t n = strlen(s);
  return v && v->type == PJ_STR && v->n == n && !memcmp(v->u.s, s, n);
}

static int on_indicator(void *ctx, const acc_record *rec) {
  load *l = ctx;
  acc_pj o;
  acc_diag d;
  acc_parena_reset(&l->a);
  if (acc_pj_parse(rec->raw, rec->raw_len, &l->a, &o, &d)) {
    l->bad++;
    return 0;
  }
  if (rec->revoked || o.type != PJ_OBJ)
    return 0;
  const acc_pj *pt = acc_pj_get(&o, "pattern_type");
  const acc_pj *p = acc_pj_get(&o, "pattern");
  /* STIX 2.0 indicators have no pattern_type: their patterns are STIX */
  if ((pt && !str_is(pt, "stix")) || !p || p->type != PJ_STR)
    return 0;
  acc_rc rc = acc_matcher_add(l->m, rec->id, p->u.s, p->n, &d);
  if (rc == ACC_EINVAL) {
    l->bad++;
    return 0;
  }
  if (rc) {
    l->rc = rc;
    acc_diag_set(l->diag, rc, "%s: %s", rec->id, d.msg);
    return 1;
  }
  l->added++;
  return 0;
}

acc_rc acc_matcher_add_from_store(acc_matcher *m, acc_store *s, size_t *n_added,
                                  size_t *n_bad, acc_diag *diag) {
  load l = {.m = m, .diag = diag};
  acc_parena_init(&l.a, 1 << 16, (size_t)256 << 20);
  acc_query q;
  acc_query_init(&q);
  q.types[0] = "indicator";
  q.n_types = 1;
  q.version = ACC_VER_LATEST;
  acc_rc rc = acc_store_scan(s, &q, on_indicator, &l, diag);
  if (!rc && l.rc)
    rc = l.rc;
  acc_parena_free(&l.a);
  if (n_added)
    *n_added = l.added;
  if (n_bad)
    *n_bad = l.bad;
  return rc;
}

/* ---- one stored observation --------------------------------------------- */

static int copy_raw(void *ctx, const acc_record *rec) {
  acc_buf *b = ctx;
  acc_buf_reset(b);
  return acc_buf_append(b, rec->raw, rec->raw_len) ? 1 : 0;
}

/* The sharing facts of a stored version (for the sightings it causes). */
typedef struct facts {
  int found;
  int tlp;        /* effective: the object's, else its collection's default */
  acc_record rec; /* the version's sharing facts (no content) */
  char orgs[1024], users[1024];
  int64_t collection;
  int64_t origin_uid;
} facts;

static int copy_facts(void *ctx, const acc_record *rec) {
  facts *f = ctx;
  f->found = 1;
  f->tlp = rec->tlp;
  f->collection = rec->collection;
  f->origin_uid = rec->origin_uid;
  f->rec = *rec;
  f->rec.raw = NULL;
  f->rec.raw_len = 0;
  f->rec.id = f->rec.type = f->rec.spec_version = NULL;
  snprintf(f->orgs, sizeof f->orgs, "%s",
           rec->share_orgs ? rec->share_orgs : "");
  snprintf(f->users, sizeof f->users, "%s",
           rec->share_users ? rec->share_users : "");
  f->rec.share_orgs = rec->share_orgs ? f->orgs : NULL;
  f->rec.share_users = rec->share_users ? f->users : NULL;
  return 0;
}

static acc_rc facts_of(acc_store *s, const char *id, facts *f) {
  acc_diag d;
  memset(f, 0, sizeof *f);
  acc_rc rc = acc_store_get(s, 0, id, ACC_TIME_NONE, copy_facts, f, &d);
  if (rc)
    return rc;
  if (f->tlp < 0) {
    acc_collection c;
    f->tlp = ACC_TLP_AMBER;
    if (s->ops->coll_by_cid(s, f->collection, &c, &d) == ACC_OK &&
        acc_tlp_of_marking(c.default_marking) != ACC_TLP_NONE)
      f->tlp = acc_tlp_of_marking(c.default_marking);
  }
  return ACC_OK;
}

/*
 * Store one sighting so that it reaches the indicator's producer without
 * telling anyone more than both sides' markings allow: it goes into the
 * indicator's collection, marked with the more restrictive of the two
 * effective TLPs, and names as recipients the organisation (and, for RED,
 * the user) that added the indicator, and the one that added the
 * observation only when that one may see the indicator — a sighting must
 * not reveal that an invisible indicator exists.
 */
static acc_rc store_sighting(acc_store *s, const char *json, size_t len,
                             const facts *obs, size_t *stored, acc_diag *diag) {
  json_t *j = json_loadb(json, len, 0, NULL);
  if (!j)
    return acc_diag_set(diag, ACC_EINVAL, "a sighting is not JSON");
  facts ind;
  const char *ref = json_string_value(json_object_get(j, "sighting_of_ref"));
  acc_rc rc = ref ? facts_of(s, ref, &ind) : ACC_ENOTFOUND;
  if (rc) {
    json_decref(j);
    return acc_diag_set(diag, rc, "the indicator of a sighting is gone");
  }
  int tlp = ind.tlp > obs->tlp ? ind.tlp : obs->tlp;
  json_object_set_new(j, "object_marking_refs",
                      json_pack("[s]", acc_tlp_marking_id((acc_tlp)tlp)));
  json_t *orgs = json_array(), *users = json_array();
  const int64_t uids[2] = {ind.origin_uid, obs->origin_uid};
  for (int k = 0; k < 2; k++) {
    acc_user u;
    acc_diag d;
    if (uids[k] <= 0 || s->ops->user_by_id(s, uids[k], &u, &d))
      continue;
    if (k == 1) {
      acc_principal who;
      if (acc_auth_principal_of(s, u.name, &who, &d) ||
          !acc_guard_visible(s, &who, &ind.rec))
        continue;
    }
    json_array_append_new(orgs, json_string(u.org));
    json_array_append_new(users, json_string(u.name));
  }
  json_t *ext = json_pack("{s:s}", "extension_type", "property-extension");
  if (json_array_size(orgs))
    json_object_set(ext, "recipient_orgs", orgs);
  if (json_array_size(users))
    json_object_set(ext, "recipient_users", users);
  json_decref(orgs);
  json_decref(users);
  json_object_set_new(j, "extensions",
                      json_pack("{s:o}", ACC_EXT_SHARING, ext));
  char *txt = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(j);
  if (!txt)
    return ACC_ENOMEM;
  acc_ingest_opts opts = {.collection = ind.collection};
  acc_ingest_counts counts;
  rc = acc_ingest(s, txt, strlen(txt), &opts, &counts, NULL, diag);
  free(txt);
  if (!rc && counts.rejected)
    rc = acc_diag_set(diag, ACC_EINVAL, "a sighting was rejected");
  if (!rc)
    *stored += counts.stored + counts.duplicate;
  return rc;
}

typedef struct one {
  acc_sightings *s;
  acc_rc rc;
} one;

static int on_match(void *ctx, const acc_match *mt) {
  one *o = ctx;
  o->rc = acc_sightings_add(o->s, mt);
  return o->rc ? 1 : 0;
}

static acc_rc gather(void *ctx, const char *json, size_t len) {
  acc_buf *b = ctx;
  acc_rc rc = acc_buf_append(b, json, len);
  return rc ? rc : acc_buf_putc(b, '\n');
}

acc_rc acc_match_stored_observation(acc_store *s, const acc_matcher *m,
                                    const char *observed_data_id,
                                    const char *where_ref, int64_t now_us,
                                    size_t *n_sightings, acc_diag *diag) {
  acc_buf od, sco, out;
  acc_parena a;
  acc_match_run *run = NULL;
  acc_sightings *sg = NULL;
  acc_buf_init(&od, (size_t)256 << 20);
  acc_buf_init(&sco, (size_t)256 << 20);
  acc_buf_init(&out, (size_t)256 << 20);
  acc_parena_init(&a, 1 << 14, (size_t)256 << 20);
  size_t stored = 0;
  acc_rc rc =
      acc_store_get(s, 0, observed_data_id, ACC_TIME_NONE, copy_raw, &od, diag);
  if (rc)
    goto out;
  acc_pj o;
  if ((rc = acc_pj_parse(od.data, od.len, &a, &o, diag)))
    goto out;
  if ((rc = acc_match_run_new(m, &run))) {
    acc_diag_set(diag, rc, "cannot start matching: %s", acc_strerror(rc));
    goto out;
  }
  const acc_pj *refs = acc_pj_get(&o, "object_refs");
  for (uint32_t i = 0; refs && refs->type == PJ_ARR && i < refs->n; i++) {
    const acc_pj *r = &refs->u.kids[i];
    char id[ACC_ID_MAX];
    if (r->type != PJ_STR || r->n >= sizeof id)
      continue;
    memcpy(id, r->u.s, r->n);
    id[r->n] = '\0';
    acc_diag d;
    if (acc_store_get(s, 0, id, ACC_TIME_NONE, copy_raw, &sco, &d))
      continue; /* an SCO not stored: the path through it is absent */
    if ((rc = acc_match_run_feed(run, sco.data, sco.len, diag)))
      goto out;
  }
  if ((rc = acc_match_run_feed(run, od.data, od.len, diag)))
    goto out;
  if ((rc = acc_sightings_new(where_ref, now_us, &sg)))
    goto out;
  one ctx = {sg, ACC_OK};
  rc = acc_match_run_finish(run, on_match, &ctx, diag);
  if (!rc)
    rc = ctx.rc;
  if (!rc)
    rc = acc_sightings_flush(sg, gather, &out, NULL);
  if (rc || out.len == 0)
    goto out;
  facts obs;
  if ((rc = facts_of(s, observed_data_id, &obs)))
    goto out;
  for (char *line = out.data; line && *line;) {
    char *nl = strchr(line, '\n');
    size_t n = nl ? (size_t)(nl - line) : strlen(line);
    if (n && (rc = store_sighting(s, line, n, &obs, &stored, diag)))
      goto out;
    line = nl ? nl + 1 : NULL;
  }
out:
  if (rc && diag)
    acc_diag_prefix(diag, "%s: ", observed_data_id);
  acc_match_run_free(run);
  acc_sightings_free(sg);
  acc_buf_free(&od);
  acc_buf_free(&sco);
  acc_buf_free(&out);
  acc_parena_free(&a);
  if (!rc && n_sightings)
    *n_sightings = stored;
  return rc;
}
