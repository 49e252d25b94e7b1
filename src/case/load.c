/*
 * load.c — a case as one reader sees it, assembled through the enforcement
 * point: the report (latest version), the notes it lists (evidence), every
 * object the claim and the evidence rest on (and, for observed-data and
 * network traffic, the objects those refer to), and the opinions that
 * answer it.  Objects are fetched by id in batches of ACC_QUERY_MAX_TERMS
 * with acc_guard_scan, so a case of a thousand exhibits is a few dozen
 * queries and every read lands in the audit log.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "case/case_int.h"
#include "util/time.h"

/* ---- a small id → index map (open addressing, grows at 1/2 load) ---- */

typedef struct idmap {
  size_t *slot; /* index + 1; 0 = empty */
  size_t cap;
} idmap;

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

typedef struct loader {
  const acc_case_ctx *ctx;
  acc_case *c;
  idmap map;
  size_t cap_objs;
  struct {
    int64_t cid;
    acc_tlp def;
  } colls[32];
  size_t n_colls;
  struct {
    int64_t oid;
    char name[128];
  } orgs[64];
  size_t n_orgs;
  const acc_case_overlay *ov; /* objects about to be written, or NULL */
  int64_t owner; /* the organisation whose versions of the case count */
  acc_diag *d;
  acc_rc err;
} loader;

static acc_rc map_grow(loader *L) {
  size_t ncap = L->map.cap ? L->map.cap * 2 : 256;
  size_t *ns = calloc(ncap, sizeof *ns);
  if (!ns)
    return ACC_ENOMEM;
  for (size_t i = 0; i < L->map.cap; i++) {
    if (!L->map.slot[i])
      continue;
    uint64_t h = hash_str(L->c->objs[L->map.slot[i] - 1].id);
    size_t j = (size_t)h & (ncap - 1);
    while (ns[j])
      j = (j + 1) & (ncap - 1);
    ns[j] = L->map.slot[i];
  }
  free(L->map.slot);
  L->map.slot = ns;
  L->map.cap = ncap;
  return ACC_OK;
}

static size_t map_find(const loader *L, const char *id) {
  if (!L->map.cap)
    return (size_t)-1;
  size_t j = (size_t)hash_str(id) & (L->map.cap - 1);
  while (L->map.slot[j]) {
    size_t i = L->map.slot[j] - 1;
    if (strcmp(L->c->objs[i].id, id) == 0)
      return i;
    j = (j + 1) & (L->map.cap - 1);
  }
  return (size_t)-1;
}

/* The index of object id in the case's table, adding it (unfetched). */
static acc_rc obj_add(loader *L, const char *id, size_t *out) {
  size_t i = map_find(L, id);
  if (i != (size_t)-1) {
    *out = i;
    return ACC_OK;
  }
  acc_case *c = L->c;
  if ((c->n_objs + 1) * 2 > L->map.cap && map_grow(L))
    return ACC_ENOMEM;
  if (c->n_objs == L->cap_objs) {
    size_t ncap = L->cap_objs ? L->cap_objs * 2 : 64;
    acc_case_obj *no = realloc(c->objs, ncap * sizeof *no);
    if (!no)
      return ACC_ENOMEM;
    c->objs = no;
    L->cap_objs = ncap;
  }
  acc_case_obj *o = &c->objs[c->n_objs];
  memset(o, 0, sizeof *o);
  o->id = strdup(id);
  if (!o->id)
    return ACC_ENOMEM;
  o->tlp = ACC_TLP_NONE;
  o->granular_tlp = -1;
  o->when_us = ACC_TIME_NONE;
  const char *dd = strstr(id, "--");
  snprintf(o->type, sizeof o->type, "%.*s",
           (int)(dd ? (size_t)(dd - id) : strlen(id)), id);
  size_t j = (size_t)hash_str(id) & (L->map.cap - 1);
  while (L->map.slot[j])
    j = (j + 1) & (L->map.cap - 1);
  L->map.slot[j] = c->n_objs + 1;
  *out = c->n_objs++;
  return ACC_OK;
}

/* ---- facts of records ---- */

acc_tlp acc_case_effective_tlp(acc_store *s, const acc_record *r,
                               acc_tlp *cache_def, int64_t *cache_cid) {
  if (r->tlp >= 0)
    return (acc_tlp)r->tlp;
  if (cache_cid && *cache_cid == r->collection)
    return *cache_def;
  acc_collection col;
  acc_tlp t = ACC_TLP_AMBER;
  if (s->ops->coll_by_cid(s, r->collection, &col, NULL) == ACC_OK &&
      col.default_marking[0]) {
    t = acc_tlp_of_marking(col.default_marking);
    if (t == ACC_TLP_NONE)
      t = ACC_TLP_AMBER;
  }
  if (cache_cid) {
    *cache_cid = r->collection;
    *cache_def = t;
  }
  return t;
}

static acc_tlp eff_tlp(loader *L, const acc_record *r) {
  if (r->tlp >= 0)
    return (acc_tlp)r->tlp;
  for (size_t i = 0; i < L->n_colls; i++)
    if (L->colls[i].cid == r->collection)
      return L->colls[i].def;
  int64_t cid = 0;
  acc_tlp def = ACC_TLP_AMBER;
  acc_tlp t = acc_case_effective_tlp(L->ctx->st, r, &def, &cid);
  if (L->n_colls < 32) {
    L->colls[L->n_colls].cid = r->collection;
    L->colls[L->n_colls++].def = t;
  }
  return t;
}

static const char *org_name(loader *L, int64_t oid) {
  if (oid <= 0)
    return "";
  for (size_t i = 0; i < L->n_orgs; i++)
    if (L->orgs[i].oid == oid)
      return L->orgs[i].name;
  size_t k = L->n_orgs < 64 ? L->n_orgs++ : (size_t)oid % 64;
  L->orgs[k].oid = oid;
  acc_case_org_name(L->ctx->st, oid, L->orgs[k].name, sizeof L->orgs[k].name);
  return L->orgs[k].name;
}

/* The overlay's version of object id, or NULL. */
static json_t *ov_get(const loader *L, const char *id) {
  if (!L->ov)
    return NULL;
  size_t i;
  json_t *o;
  json_array_foreach(L->ov->objs, i, o) {
    const char *oid = json_string_value(json_object_get(o, "id"));
    if (oid && !strcmp(oid, id))
      return o;
  }
  return NULL;
}

/* The facts a record would have for an overlay object. */
static void ov_record(const loader *L, json_t *o, acc_record *r) {
  memset(r, 0, sizeof *r);
  acc_share_meta m;
  r->tlp = -1;
  r->granular_tlp = -1;
  if (acc_share_meta_from_json(o, &m, NULL) == ACC_OK) {
    r->tlp = m.tlp;
    r->granular_tlp = m.granular_max;
    acc_share_meta_free(&m);
  }
  r->collection = L->ov->collection;
  r->origin_oid = L->ov->origin_oid;
  r->id = json_string_value(json_object_get(o, "id"));
  r->created_us = acc_case_json_time(o, "created");
  r->modified_us = acc_case_json_time(o, "modified");
}

int64_t acc_case_json_time(json_t *o, const char *prop) {
  json_t *v = json_object_get(o, prop);
  int64_t us;
  if (!json_is_string(v) ||
      acc_time_parse(json_string_value(v), json_string_length(v), 0, &us))
    return ACC_TIME_NONE;
  return us;
}

/* ---- IP addresses an object rests on ---- */

static int is_ip(const char *s, char *norm, size_t size) {
  unsigned char buf[16];
  char tmp[64];
  size_t n = strlen(s);
  if (n == 0 || n >= sizeof tmp)
    return 0;
  memcpy(tmp, s, n + 1);
  char *slash = strchr(tmp, '/');
  if (slash) {
    /* only single-address prefixes name one address */
    if (strcmp(slash, "/32") && strcmp(slash, "/128"))
      return 0;
    *slash = '\0';
  }
  if (inet_pton(AF_INET, tmp, buf) == 1) {
    inet_ntop(AF_INET, buf, norm, (socklen_t)size);
    return 1;
  }
  if (inet_pton(AF_INET6, tmp, buf) == 1) {
    inet_ntop(AF_INET6, buf, norm, (socklen_t)size);
    return 1;
  }
  return 0;
}

static acc_rc add_ip(acc_case_obj *o, const char *ip) {
  for (size_t i = 0; i < o->n_ips; i++)
    if (strcmp(o->ips[i], ip) == 0)
      return ACC_OK;
  if (o->n_ips >= 64)
    return ACC_OK; /* enough to caveat; the rest adds nothing */
  char **n = realloc(o->ips, (o->n_ips + 1) * sizeof *n);
  if (!n)
    return ACC_ENOMEM;
  o->ips = n;
  if (!(o->ips[o->n_ips] = strdup(ip)))
    return ACC_ENOMEM;
  o->n_ips++;
  return ACC_OK;
}

/* IPs of an object: an address SCO's value, the quoted literals of an
 * indicator's STIX pattern that are addresses, the address SCOs embedded
 * in a STIX 2.0 observed-data. */
static acc_rc find_ips(acc_case_obj *o) {
  char norm[64];
  json_t *j = o->json;
  if (!strcmp(o->type, "ipv4-addr") || !strcmp(o->type, "ipv6-addr")) {
    const char *v = json_string_value(json_object_get(j, "value"));
    if (v && is_ip(v, norm, sizeof norm))
      return add_ip(o, norm);
    return ACC_OK;
  }
  if (!strcmp(o->type, "indicator")) {
    const char *p = json_string_value(json_object_get(j, "pattern"));
    const char *pt = json_string_value(json_object_get(j, "pattern_type"));
    if (!p || (pt && strcmp(pt, "stix")))
      return ACC_OK;
    for (const char *q = strchr(p, '\''); q; q = strchr(q, '\'')) {
      const char *e = q + 1;
      while (*e && *e != '\'')
        e += (*e == '\\' && e[1]) ? 2 : 1;
      if (!*e)
        break;
      size_t n = (size_t)(e - q - 1);
      if (n < 64) {
        char lit[64];
        memcpy(lit, q + 1, n);
        lit[n] = '\0';
        acc_rc rc;
        if (is_ip(lit, norm, sizeof norm) && (rc = add_ip(o, norm)))
          return rc;
      }
      q = e + 1;
    }
    return ACC_OK;
  }
  if (!strcmp(o->type, "observed-data")) {
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(j, "objects"), k, v) {
      const char *t = json_string_value(json_object_get(v, "type"));
      const char *val = json_string_value(json_object_get(v, "value"));
      acc_rc rc;
      if (t && val && (!strcmp(t, "ipv4-addr") || !strcmp(t, "ipv6-addr")) &&
          is_ip(val, norm, sizeof norm) && (rc = add_ip(o, norm)))
        return rc;
    }
  }
  return ACC_OK;
}

/* When the activity an object records happened. */
static int64_t when_of(json_t *j) {
  static const char *const props[] = {"first_observed", "first_seen",
                                      "valid_from", "start", "created"};
  for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
    int64_t t = acc_case_json_time(j, props[i]);
    if (t != ACC_TIME_NONE)
      return t;
  }
  return ACC_TIME_NONE;
}

/* ---- fetching objects through the guard ---- */

static int take_obj(loader *L, const acc_record *r, json_t *parsed) {
  size_t i = map_find(L, r->id);
  if (i == (size_t)-1)
    return 0;
  acc_case_obj *o = &L->c->objs[i];
  acc_tlp t = eff_tlp(L, r);
  /* The same object may be held by several collections: keep the latest
   * version, and of equal versions the most releasable copy. */
  if (o->visible && o->json) {
    int64_t have = acc_case_json_time(o->json, "modified");
    if (r->modified_us < have || (r->modified_us == have && t >= o->tlp))
      return 0;
    json_decref(o->json);
    o->json = NULL;
    free(o->name);
    o->name = NULL;
  }
  json_t *j =
      parsed ? json_incref(parsed) : json_loadb(r->raw, r->raw_len, 0, NULL);
  if (!j)
    return 0; /* stored objects were valid JSON; be safe anyway */
  o->json = j;
  o->visible = 1;
  o->tlp = t;
  o->granular_tlp = r->granular_tlp;
  o->marked = r->tlp >= 0;
  o->origin_oid = r->origin_oid;
  snprintf(o->origin_org, sizeof o->origin_org, "%s",
           org_name(L, r->origin_oid));
  const char *nm = json_string_value(json_object_get(j, "name"));
  if (!nm)
    nm = json_string_value(json_object_get(j, "value"));
  o->name = strdup(nm ? nm : "");
  if (!o->name)
    L->err = ACC_ENOMEM;
  o->when_us = when_of(j);
  return 0;
}

static int on_obj(void *ctx, const acc_record *r) {
  loader *L = ctx;
  if (ov_get(L, r->id))
    return 0; /* about to be replaced */
  return take_obj(L, r, NULL);
}

/* Fetch every object of the table from index `from` that is not yet
 * fetched (batches of ACC_QUERY_MAX_TERMS ids). */
static acc_rc fetch_from(loader *L, size_t from) {
  acc_query q;
  size_t end = L->c->n_objs;
  size_t i = from;
  for (size_t k = from; L->ov && k < end; k++) {
    json_t *o = ov_get(L, L->c->objs[k].id);
    if (o) {
      acc_record r;
      ov_record(L, o, &r);
      take_obj(L, &r, o);
    }
  }
  while (i < end) {
    acc_query_init(&q);
    q.version = ACC_VER_LATEST;
    for (; i < end && q.n_ids < ACC_QUERY_MAX_TERMS; i++)
      if (!L->c->objs[i].visible)
        q.ids[q.n_ids++] = L->c->objs[i].id;
    if (!q.n_ids)
      continue;
    acc_rc rc =
        acc_guard_scan(L->ctx->st, L->ctx->rd, &q, on_obj, L, NULL, L->d);
    if (rc)
      return rc;
    if (L->err)
      return L->err;
  }
  return ACC_OK;
}

/* ---- the report ---- */

typedef struct report_cb {
  loader *L;
  json_t *j;
  acc_record r;
  acc_tlp tlp;
} report_cb;

/* Only the organisation that created a case versions it (STIX: only the
 * creator versions an object).  The store keeps whatever versions arrive,
 * so a later version of the report, or of one of its notes, added by
 * another organisation is ignored here rather than trusted. */
typedef struct first_cb {
  int64_t modified, origin;
  int seen;
} first_cb;

static int on_first(void *ctx, const acc_record *r) {
  first_cb *x = ctx;
  if (!x->seen || r->modified_us < x->modified) {
    x->modified = r->modified_us;
    x->origin = r->origin_oid;
    x->seen = 1;
  }
  return 0;
}

static int by_owner(const loader *L, const acc_record *r) {
  return r->origin_oid == L->owner || r->origin_oid == 0;
}

static int on_report(void *ctx, const acc_record *r) {
  report_cb *x = ctx;
  if (!by_owner(x->L, r))
    return 0;
  if (x->j && r->modified_us <= x->r.modified_us)
    return 0;
  json_t *j = json_loadb(r->raw, r->raw_len, 0, NULL);
  if (!j)
    return 0;
  json_decref(x->j);
  x->j = j;
  x->r = *r;
  x->r.raw = NULL;
  x->r.id = NULL;
  x->r.type = NULL;
  x->r.spec_version = NULL;
  x->r.share_orgs = x->r.share_users = NULL;
  x->tlp = eff_tlp(x->L, r);
  return 0;
}

/* Resolve a case named by id or UUID prefix (>= 8 characters). */
typedef struct prefix_cb {
  const char *prefix;
  size_t n;
  char found[ACC_ID_MAX];
  int count;
} prefix_cb;

static int on_prefix(void *ctx, const acc_record *r) {
  prefix_cb *x = ctx;
  const char *u = r->id + strlen("report--");
  if (strncmp(u, x->prefix, x->n) != 0)
    return 0;
  if (x->count && strcmp(x->found, r->id) == 0)
    return 0;
  if (!x->count)
    snprintf(x->found, sizeof x->found, "%s", r->id);
  x->count++;
  return 0;
}

static acc_rc resolve(const acc_case_ctx *ctx, const char *name,
                      char out[ACC_ID_MAX], acc_diag *d) {
  if (acc_stix_id_valid(name, "report")) {
    snprintf(out, ACC_ID_MAX, "%s", name);
    return ACC_OK;
  }
  const char *p = strncmp(name, "report--", 8) == 0 ? name + 8 : name;
  size_t n = strlen(p);
  if (n < 8 || n > 36 || strspn(p, "0123456789abcdef-") != n)
    return acc_diag_set(d, ACC_EINVAL,
                        "'%.80s' does not name a case: give its report id or "
                        "at least 8 characters of its UUID (see `accord case "
                        "list`)",
                        name);
  prefix_cb x = {.prefix = p, .n = n};
  acc_query q;
  acc_query_init(&q);
  q.types[q.n_types++] = "report";
  q.version = ACC_VER_LATEST;
  q.meta_only = 1;
  acc_rc rc = acc_guard_scan(ctx->st, ctx->rd, &q, on_prefix, &x, NULL, d);
  if (rc)
    return rc;
  if (x.count == 0)
    return acc_diag_set(d, ACC_ENOTFOUND, "no case whose id starts with %s", p);
  if (x.count > 1)
    return acc_diag_set(d, ACC_EINVAL,
                        "%d cases have ids starting with %s: give more of "
                        "the id",
                        x.count, p);
  snprintf(out, ACC_ID_MAX, "%s", x.found);
  return ACC_OK;
}

json_t *acc_case_ext_of(json_t *obj, const char *kind) {
  json_t *e = json_object_get(json_object_get(obj, "extensions"), ACC_EXT_CASE);
  const char *k = json_string_value(json_object_get(e, "kind"));
  if (!json_is_object(e) || !k || strcmp(k, kind))
    return NULL;
  return e;
}

static char *dup_str(json_t *v) {
  const char *s = json_string_value(v);
  return strdup(s ? s : "");
}

/* ---- evidence ---- */

typedef struct notes_cb {
  loader *L;
  char **ids; /* the report's notes */
  size_t n_ids;
  json_t **found; /* parallel to ids */
  acc_tlp *tlp;
} notes_cb;

static int on_note(void *ctx, const acc_record *r) {
  notes_cb *x = ctx;
  if (!by_owner(x->L, r))
    return 0;
  for (size_t i = 0; i < x->n_ids; i++) {
    if (strcmp(x->ids[i], r->id) != 0)
      continue;
    if (x->found[i] &&
        acc_case_json_time(x->found[i], "modified") >= r->modified_us)
      return 0;
    json_t *j = json_loadb(r->raw, r->raw_len, 0, NULL);
    if (!j)
      return 0;
    json_decref(x->found[i]);
    x->found[i] = j;
    x->tlp[i] = eff_tlp(x->L, r);
    return 0;
  }
  return 0;
}

static unsigned parse_supports(json_t *v) {
  unsigned s = 0;
  size_t i;
  json_t *e;
  json_array_foreach(v, i, e) {
    const char *t = json_string_value(e);
    if (!t)
      continue;
    if (!strcmp(t, "actor"))
      s |= ACC_SUP_ACTOR;
    else if (!strcmp(t, "state"))
      s |= ACC_SUP_STATE;
    else if (!strcmp(t, "activity"))
      s |= ACC_SUP_ACTIVITY;
  }
  return s ? s : ACC_SUP_ACTOR;
}

static acc_rc evidence_from(loader *L, json_t *note, acc_tlp tlp,
                            acc_case_evidence *e) {
  json_t *x = acc_case_ext_of(note, "evidence");
  memset(e, 0, sizeof *e);
  e->id = dup_str(json_object_get(note, "id"));
  e->summary = dup_str(json_object_get(note, "content"));
  if (!e->id || !e->summary)
    return ACC_ENOMEM;
  e->created_us = acc_case_json_time(note, "created");
  e->modified_us = acc_case_json_time(note, "modified");
  const char *rel = json_string_value(json_object_get(x, "reliability"));
  e->reliability = rel && rel[0] >= 'A' && rel[0] <= 'F' ? rel[0] : 'F';
  json_t *cr = json_object_get(x, "credibility");
  e->credibility = json_is_integer(cr) ? (int)json_integer_value(cr) : 6;
  if (e->credibility < 1 || e->credibility > 6)
    e->credibility = 6;
  const char *cat = json_string_value(json_object_get(x, "category"));
  snprintf(e->category, sizeof e->category, "%s",
           cat && acc_case_vocab_find(ACC_VOCAB_CATEGORY, cat)
               ? cat
               : "external-reporting");
  e->supports = parse_supports(json_object_get(x, "supports"));
  e->tlp = tlp;
  const char *src = json_string_value(json_object_get(x, "source"));
  if (src && *src && !(e->source = strdup(src)))
    return ACC_ENOMEM;
  e->protect_source = json_is_true(json_object_get(x, "protect_source"));
  e->observed_us = acc_case_json_time(x, "observed");
  json_t *refs = json_object_get(note, "object_refs");
  e->refs = calloc(json_array_size(refs) + 1, sizeof *e->refs);
  if (!e->refs)
    return ACC_ENOMEM;
  size_t i;
  json_t *r;
  json_array_foreach(refs, i, r) {
    const char *id = json_string_value(r);
    if (!id)
      continue;
    acc_rc rc = obj_add(L, id, &e->refs[e->n_refs]);
    if (rc)
      return rc;
    e->n_refs++;
  }
  return ACC_OK;
}

static acc_rc load_evidence(loader *L) {
  acc_case *c = L->c;
  json_t *refs = json_object_get(c->report, "object_refs");
  notes_cb x = {.L = L};
  size_t n = json_array_size(refs), i;
  x.ids = calloc(n + 1, sizeof *x.ids);
  x.found = calloc(n + 1, sizeof *x.found);
  x.tlp = calloc(n + 1, sizeof *x.tlp);
  acc_rc rc = ACC_OK;
  if (!x.ids || !x.found || !x.tlp) {
    rc = ACC_ENOMEM;
    goto out;
  }
  json_t *r;
  json_array_foreach(refs, i, r) {
    const char *id = json_string_value(r);
    if (id && !strncmp(id, "note--", 6))
      x.ids[x.n_ids++] = (char *)id;
  }
  for (size_t k = 0; k < x.n_ids;) {
    acc_query q;
    acc_query_init(&q);
    q.version = ACC_VER_ALL;
    q.types[q.n_types++] = "note";
    for (; k < x.n_ids && q.n_ids < ACC_QUERY_MAX_TERMS; k++)
      q.ids[q.n_ids++] = x.ids[k];
    if ((rc = acc_guard_scan(L->ctx->st, L->ctx->rd, &q, on_note, &x, NULL,
                             L->d)))
      goto out;
  }
  for (size_t k = 0; L->ov && k < x.n_ids; k++) {
    json_t *o = ov_get(L, x.ids[k]);
    if (o) {
      acc_record orec;
      ov_record(L, o, &orec);
      json_decref(x.found[k]);
      x.found[k] = json_incref(o);
      x.tlp[k] = eff_tlp(L, &orec);
    }
  }
  c->ev = calloc(x.n_ids + 1, sizeof *c->ev);
  if (!c->ev) {
    rc = ACC_ENOMEM;
    goto out;
  }
  for (size_t k = 0; k < x.n_ids; k++) {
    json_t *note = x.found[k];
    json_t *ext = note ? acc_case_ext_of(note, "evidence") : NULL;
    if (!note || !ext || json_is_true(json_object_get(note, "revoked"))) {
      if (!note)
        c->ev_hidden++;
      continue;
    }
    const char *cref = json_string_value(json_object_get(ext, "case_ref"));
    if (cref && strcmp(cref, c->id))
      continue;
    rc = evidence_from(L, note, x.tlp[k], &c->ev[c->n_ev]);
    c->n_ev++; /* counted even when half-built: freed with the case */
    if (rc)
      goto out;
  }
out:
  for (size_t k = 0; k < x.n_ids; k++)
    json_decref(x.found ? x.found[k] : NULL);
  free(x.ids);
  free(x.found);
  free(x.tlp);
  return rc;
}

/* Observed-data and network traffic refer to the objects that hold the
 * addresses: add those (one level). */
static acc_rc add_subs(loader *L, size_t upto) {
  for (size_t i = 0; i < upto; i++) {
    acc_case_obj *o = &L->c->objs[i];
    if (!o->visible)
      continue;
    json_t *list = NULL;
    if (!strcmp(o->type, "observed-data"))
      list = json_object_get(o->json, "object_refs");
    json_t *tmp = NULL;
    if (!strcmp(o->type, "network-traffic")) {
      tmp = json_array();
      if (!tmp)
        return ACC_ENOMEM;
      json_t *s = json_object_get(o->json, "src_ref");
      json_t *dd = json_object_get(o->json, "dst_ref");
      if (json_is_string(s))
        json_array_append(tmp, s);
      if (json_is_string(dd))
        json_array_append(tmp, dd);
      list = tmp;
    }
    size_t n = json_array_size(list), k;
    json_t *e;
    if (n) {
      size_t *sub = calloc(n, sizeof *sub);
      if (!sub) {
        json_decref(tmp);
        return ACC_ENOMEM;
      }
      size_t m = 0;
      json_array_foreach(list, k, e) {
        const char *id = json_string_value(e);
        if (!id || m >= 256)
          continue;
        acc_rc rc = obj_add(L, id, &sub[m]);
        if (rc) {
          free(sub);
          json_decref(tmp);
          return rc;
        }
        o = &L->c->objs[i]; /* obj_add may move the table */
        m++;
      }
      o->sub = sub;
      o->n_sub = m;
    }
    json_decref(tmp);
  }
  return ACC_OK;
}

/* ---- endorsements ---- */

typedef struct op_cb {
  loader *L;
  acc_rc err;
} op_cb;

static int on_opinion(void *ctx, const acc_record *r) {
  op_cb *x = ctx;
  loader *L = x->L;
  acc_case *c = L->c;
  json_t *j = json_loadb(r->raw, r->raw_len, 0, NULL);
  if (!j)
    return 0;
  json_t *ext = acc_case_ext_of(j, "endorsement");
  int refers = 0;
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(j, "object_refs"), i, e) {
    refers |= json_is_string(e) && !strcmp(json_string_value(e), c->id);
  }
  const char *stance =
      acc_case_opinion_stance(json_string_value(json_object_get(j, "opinion")));
  if (!refers || !stance || json_is_true(json_object_get(j, "revoked"))) {
    json_decref(j);
    return 0;
  }
  /* The organisation answering: the one that added it; content the
   * instance operator added speaks for the organisation it names. */
  const char *org = org_name(L, r->origin_oid);
  char orgbuf[128];
  if (!*org) {
    snprintf(orgbuf, sizeof orgbuf, "%s",
             ext ? (json_string_value(json_object_get(ext, "org"))
                        ? json_string_value(json_object_get(ext, "org"))
                        : "")
                 : "");
    org = orgbuf;
  }
  if (!*org) {
    json_decref(j);
    return 0;
  }
  int64_t mod = acc_case_json_time(j, "modified");
  acc_case_endorsement *en = NULL;
  for (size_t k = 0; k < c->n_en; k++)
    if (!strcmp(c->en[k].org, org))
      en = &c->en[k];
  if (en && en->modified_us >= mod) {
    json_decref(j);
    return 0;
  }
  if (!en) {
    acc_case_endorsement *n = realloc(c->en, (c->n_en + 1) * sizeof *n);
    if (!n) {
      x->err = ACC_ENOMEM;
      json_decref(j);
      return 1;
    }
    c->en = n;
    en = &c->en[c->n_en++];
    memset(en, 0, sizeof *en);
  } else {
    free(en->id);
    free(en->statement);
    free(en->author);
  }
  snprintf(en->org, sizeof en->org, "%s", org);
  snprintf(en->stance, sizeof en->stance, "%s", stance);
  en->id = dup_str(json_object_get(j, "id"));
  en->statement = dup_str(json_object_get(j, "explanation"));
  en->author = dup_str(json_array_get(json_object_get(j, "authors"), 0));
  en->modified_us = mod;
  if (!en->id || !en->statement || !en->author)
    x->err = ACC_ENOMEM;
  json_decref(j);
  return x->err ? 1 : 0;
}

static int cmp_en(const void *a, const void *b) {
  return strcmp(((const acc_case_endorsement *)a)->org,
                ((const acc_case_endorsement *)b)->org);
}

static acc_rc load_endorsements(loader *L) {
  acc_query q;
  acc_query_init(&q);
  q.version = ACC_VER_LATEST;
  q.types[q.n_types++] = "opinion";
  op_cb x = {.L = L};
  acc_rc rc =
      acc_guard_scan(L->ctx->st, L->ctx->rd, &q, on_opinion, &x, NULL, L->d);
  if (x.err)
    return x.err;
  if (rc)
    return rc;
  if (L->c->n_en)
    qsort(L->c->en, L->c->n_en, sizeof *L->c->en, cmp_en);
  return ACC_OK;
}

/* ---- the whole case ---- */

static acc_rc read_rule(acc_case *c) {
  json_t *r = json_object_get(c->ext, "endorsement_rule");
  json_t *p = json_object_get(r, "partners");
  const char *rule = json_string_value(json_object_get(r, "rule"));
  c->rule.quorum = rule && !strcmp(rule, "quorum")
                       ? (int)json_integer_value(json_object_get(r, "quorum"))
                       : 0;
  size_t n = json_array_size(p), i;
  c->rule.partners = calloc(n + 1, sizeof *c->rule.partners);
  if (!c->rule.partners)
    return ACC_ENOMEM;
  json_t *e;
  json_array_foreach(p, i, e) {
    if (!json_is_string(e))
      continue;
    if (!(c->rule.partners[c->rule.n_partners] = strdup(json_string_value(e))))
      return ACC_ENOMEM;
    c->rule.n_partners++;
  }
  return ACC_OK;
}

acc_rc acc_case_load(const acc_case_ctx *ctx, const char *name, acc_case **out,
                     acc_diag *d) {
  return acc_case_load_overlay(ctx, name, NULL, out, d);
}

acc_rc acc_case_load_overlay(const acc_case_ctx *ctx, const char *name,
                             const acc_case_overlay *ov, acc_case **out,
                             acc_diag *d) {
  char id[ACC_ID_MAX];
  acc_rc rc = resolve(ctx, name, id, d);
  if (rc)
    return rc;
  acc_case *c = calloc(1, sizeof *c);
  if (!c)
    return ACC_ENOMEM;
  loader L = {.ctx = ctx, .c = c, .d = d, .ov = ov};
  report_cb rx = {.L = &L};
  json_t *ovr = ov_get(&L, id);
  first_cb first = {0};
  acc_query q;
  acc_query_init(&q);
  q.version = ACC_VER_ALL;
  q.types[q.n_types++] = "report";
  q.ids[q.n_ids++] = id;
  q.meta_only = 1;
  rc = acc_guard_scan(ctx->st, ctx->rd, &q, on_first, &first, NULL, d);
  if (rc)
    goto out;
  L.owner = first.seen ? first.origin : ov ? ov->origin_oid : 0;
  if (ovr) {
    ov_record(&L, ovr, &rx.r);
    rx.j = json_incref(ovr);
    rx.tlp = eff_tlp(&L, &rx.r);
  } else if (first.seen) {
    q.meta_only = 0;
    rc = acc_guard_scan(ctx->st, ctx->rd, &q, on_report, &rx, NULL, d);
  }
  if (!rc && !rx.j)
    rc = acc_diag_set(d, ACC_ENOTFOUND, "no object with id %s", id);
  if (rc)
    goto out;
  json_t *ext = rx.j ? acc_case_ext_of(rx.j, "attribution-case") : NULL;
  if (!ext) {
    json_decref(rx.j);
    rc = acc_diag_set(d, ACC_ENOTFOUND,
                      "%s is a report but not an attribution case", id);
    goto out;
  }
  c->report = rx.j;
  c->ext = ext;
  c->id = strdup(id);
  c->title = dup_str(json_object_get(rx.j, "name"));
  c->description = dup_str(json_object_get(rx.j, "description"));
  if (!c->id || !c->title || !c->description) {
    rc = ACC_ENOMEM;
    goto out;
  }
  c->created_us = rx.r.created_us;
  c->modified_us = rx.r.modified_us;
  c->collection = rx.r.collection;
  c->owner_oid = L.owner;
  c->tlp = rx.tlp;
  snprintf(c->owner_org, sizeof c->owner_org, "%s", org_name(&L, c->owner_oid));
  if (!c->owner_org[0])
    snprintf(c->owner_org, sizeof c->owner_org, "%s",
             json_string_value(json_object_get(ext, "owner_org"))
                 ? json_string_value(json_object_get(ext, "owner_org"))
                 : "");
  json_t *lk = json_object_get(ext, "likelihood");
  c->likelihood =
      acc_case_likelihood_find(json_string_value(json_object_get(lk, "scale")),
                               json_string_value(json_object_get(lk, "term")));
  const acc_vocab *cv = acc_case_vocab_find(
      ACC_VOCAB_CONFIDENCE,
      json_string_value(json_object_get(ext, "analytic_confidence")));
  c->confidence = cv ? cv->key : "low";
  json_t *claim = json_object_get(ext, "claim");
  static const char *const parts[] = {"operation_ref", "actor_ref",
                                      "state_ref"};
  for (int i = 0; i < 3; i++) {
    const char *pid = json_string_value(json_object_get(claim, parts[i]));
    if ((rc = obj_add(&L,
                      pid ? pid
                          : "unknown--00000000-0000-4000-8000-"
                            "000000000000",
                      &c->claim[i])))
      goto out;
  }
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(rx.j, "object_refs"), i, e) {
    const char *rid = json_string_value(e);
    if (!rid || strncmp(rid, "relationship--", 14))
      continue;
    int k = c->rel_ids[0] ? 1 : 0;
    if (!c->rel_ids[k] && !(c->rel_ids[k] = strdup(rid))) {
      rc = ACC_ENOMEM;
      goto out;
    }
    if (k == 1)
      break;
  }
  if ((rc = read_rule(c)) || (rc = load_evidence(&L)) ||
      (rc = fetch_from(&L, 0)))
    goto out;
  size_t first_level = c->n_objs;
  if ((rc = add_subs(&L, first_level)) || (rc = fetch_from(&L, first_level)))
    goto out;
  for (size_t k = 0; k < c->n_objs; k++)
    if (c->objs[k].visible && (rc = find_ips(&c->objs[k])))
      goto out;
  if ((rc = load_endorsements(&L)) || (rc = acc_case_derive(ctx, c, d)))
    goto out;
out:
  free(L.map.slot);
  if (rc) {
    acc_case_free(c);
    return rc;
  }
  *out = c;
  return ACC_OK;
}

void acc_case_free(acc_case *c) {
  if (!c)
    return;
  free(c->id);
  free(c->title);
  free(c->description);
  json_decref(c->report);
  free(c->rel_ids[0]);
  free(c->rel_ids[1]);
  for (size_t i = 0; i < c->n_objs; i++) {
    acc_case_obj *o = &c->objs[i];
    free(o->id);
    json_decref(o->json);
    free(o->name);
    for (size_t k = 0; k < o->n_ips; k++)
      free(o->ips[k]);
    free(o->ips);
    free(o->sub);
  }
  free(c->objs);
  for (size_t i = 0; i < c->n_ev; i++) {
    acc_case_evidence *e = &c->ev[i];
    free(e->id);
    free(e->summary);
    free(e->refs);
    free(e->source);
    for (size_t k = 0; k < e->n_sources; k++)
      free(e->sources[k]);
    free(e->sources);
  }
  free(c->ev);
  for (size_t i = 0; i < c->n_en; i++) {
    free(c->en[i].id);
    free(c->en[i].statement);
    free(c->en[i].author);
  }
  free(c->en);
  for (size_t i = 0; i < c->n_cav; i++) {
    free(c->cav[i].text);
    free(c->cav[i].ev);
    free(c->cav[i].detail);
  }
  free(c->cav);
  for (size_t i = 0; i < c->rule.n_partners; i++)
    free(c->rule.partners[i]);
  free(c->rule.partners);
  free(c);
}

/* ---- listing ---- */

typedef struct list_cb {
  acc_case_list_cb cb;
  void *ctx;
  int stop;
} list_cb;

static int on_list(void *ctx, const acc_record *r) {
  list_cb *x = ctx;
  json_t *j = json_loadb(r->raw, r->raw_len, 0, NULL);
  if (!j)
    return 0;
  if (acc_case_ext_of(j, "attribution-case"))
    x->stop = x->cb(x->ctx, r, j);
  json_decref(j);
  return x->stop;
}

acc_rc acc_case_list(const acc_case_ctx *ctx, acc_case_list_cb cb, void *cbctx,
                     acc_diag *d) {
  acc_query q;
  acc_query_init(&q);
  q.version = ACC_VER_LATEST;
  q.types[q.n_types++] = "report";
  list_cb x = {.cb = cb, .ctx = cbctx};
  acc_rc rc = acc_guard_scan(ctx->st, ctx->rd, &q, on_list, &x, NULL, d);
  return x.stop && (int)rc == x.stop ? ACC_OK : rc;
}
