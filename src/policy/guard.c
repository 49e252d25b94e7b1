/*
 * guard.c — the enforcement point: raw store reads filtered through the
 * sharing policy, with granular redaction and the audit trail.
 *
 * Per version: the collection's access for the reader (its organisation's
 * grant, public read, default marking) is looked up once per collection
 * and cached for the scan; the decision itself is acc_policy_decide on
 * facts kept in the version's row.  Federation: the organisations of
 * registered peers are read once per call, to know whether the reader is
 * a peer and whether a version came from another instance.  Released and
 * denied ids are buffered and written to the audit log in entries of at
 * most AUDIT_CHUNK ids.
 */
#include "policy/guard.h"
#include "store/store_raw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/time.h"

#define AUDIT_CHUNK 1000
#define COLL_CACHE 16

const acc_principal acc_principal_operator = {
    .uid = -1, .oid = 0, .user = "operator", .org = "", .admin = 1};

static int is_operator(const acc_principal *p) {
  return p->uid == -1;
}

typedef struct coll_access {
  int64_t cid;
  acc_share_access access;
  acc_tlp default_tlp;
} coll_access;

/* The organisations of registered federation peers (sorted). */
typedef struct peer_orgs {
  int64_t *oids;
  size_t n;
} peer_orgs;

static acc_rc read_peer_orgs(acc_store *s, peer_orgs *po, acc_diag *d) {
  po->oids = NULL;
  po->n = 0;
  if (!s->ops->peer_orgs)
    return ACC_OK;
  int64_t few[16];
  size_t n = 0;
  acc_rc rc = s->ops->peer_orgs(s, few, 16, &n, d);
  if (rc || n == 0)
    return rc;
  po->oids = malloc(n * sizeof *po->oids);
  if (!po->oids)
    return ACC_ENOMEM;
  if (n <= 16) {
    memcpy(po->oids, few, n * sizeof *few);
  } else {
    size_t n2 = 0;
    if ((rc = s->ops->peer_orgs(s, po->oids, n, &n2, d))) {
      free(po->oids);
      po->oids = NULL;
      return rc;
    }
    if (n2 < n)
      n = n2;
  }
  po->n = n;
  return ACC_OK;
}

/* ---- the per-handle cache: what the store says about peers and about
 * each organisation's access to each collection, kept while the store's
 * generation (ops->generation) is unchanged, so a request does not read
 * grants, collections and peers again.  Any write through the handle and
 * any commit by another connection empties it. ---- */

#define ACCESS_CACHE 64

typedef struct access_slot {
  int64_t oid;
  int admin;
  coll_access ca;
} access_slot;

typedef struct guard_cache {
  uint64_t gen[3];
  int valid;
  peer_orgs peers;
  access_slot acc[ACCESS_CACHE];
  size_t n_acc, next;
} guard_cache;

static void guard_cache_free(void *p) {
  guard_cache *c = p;
  if (c)
    free(c->peers.oids);
  free(c);
}

/* The handle's cache, current; NULL when the store keeps none (then every
 * call reads the store). */
static guard_cache *cache_of(acc_store *s, acc_diag *d) {
  if (!s->ops->generation)
    return NULL;
  uint64_t gen[3];
  if (s->ops->generation(s, gen))
    return NULL;
  guard_cache *c = s->guard_cache;
  if (!c) {
    if (!(c = calloc(1, sizeof *c)))
      return NULL;
    s->guard_cache = c;
    s->guard_cache_free = guard_cache_free;
  }
  if (c->valid && !memcmp(c->gen, gen, sizeof gen))
    return c;
  free(c->peers.oids);
  c->peers.oids = NULL;
  c->peers.n = 0;
  c->n_acc = c->next = 0;
  c->valid = 0;
  if (read_peer_orgs(s, &c->peers, d))
    return NULL;
  /* reading changes nothing: the generation read before still holds */
  memcpy(c->gen, gen, sizeof gen);
  c->valid = 1;
  return c;
}

/* The organisations of registered peers, as the caller's own copy. */
static acc_rc load_peer_orgs(acc_store *s, peer_orgs *po, acc_diag *d) {
  guard_cache *c = cache_of(s, d);
  if (!c)
    return read_peer_orgs(s, po, d);
  po->oids = NULL;
  po->n = 0;
  if (!c->peers.n)
    return ACC_OK;
  if (!(po->oids = malloc(c->peers.n * sizeof *po->oids)))
    return ACC_ENOMEM;
  memcpy(po->oids, c->peers.oids, c->peers.n * sizeof *po->oids);
  po->n = c->peers.n;
  return ACC_OK;
}

static int is_peer_org(const peer_orgs *po, int64_t oid) {
  if (oid <= 0)
    return 0;
  for (size_t i = 0; i < po->n; i++)
    if (po->oids[i] == oid)
      return 1;
  return 0;
}

typedef struct guard_ctx {
  acc_store *s;
  const acc_reader *rd;
  acc_record_cb cb;
  void *ctx;
  size_t limit; /* released versions wanted; 0 = all */
  acc_guard_counts counts;
  coll_access cache[COLL_CACHE];
  size_t n_cache;
  /* Audit buffers: ids released and denied since the last flush, as the
   * comma-separated JSON strings of the entry's object list. */
  acc_buf ids[2];
  size_t n_ids[2];
  acc_rc err;
  acc_diag *d;
  /* acc_query.match, applied before the decision */
  int (*match)(void *ctx, const acc_record *r);
  void *match_ctx;
  int meta; /* acc_guard_count: no audit, effective TLP in tlp */
  peer_orgs peers;
} guard_ctx;

static acc_rc read_access(acc_store *s, const acc_principal *p,
                          const peer_orgs *po, int64_t cid, coll_access *out,
                          acc_diag *d) {
  acc_collection c;
  memset(out, 0, sizeof *out);
  out->cid = cid;
  acc_rc rc = s->ops->coll_by_cid(s, cid, &c, d);
  if (rc)
    return rc;
  out->access.public_read = c.public_read;
  out->default_tlp = c.default_marking[0]
                         ? acc_tlp_of_marking(c.default_marking)
                         : ACC_TLP_AMBER;
  if (out->default_tlp == ACC_TLP_NONE)
    out->default_tlp = ACC_TLP_AMBER;
  if (p->oid > 0) {
    int r = 0, w = 0;
    rc = s->ops->grant_get(s, cid, p->oid, &r, &w, d);
    if (rc)
      return rc;
    out->access.can_read = r;
  }
  /* Administrators may read every collection; TLP still narrows that. */
  if (p->admin)
    out->access.can_read = 1;
  out->access.peer = is_peer_org(po, p->oid);
  return ACC_OK;
}

/* A principal's access to collection cid: from the handle's cache when it
 * is current (the cache's peers are then the ones po was copied from). */
static acc_rc lookup_access(acc_store *s, const acc_principal *p,
                            const peer_orgs *po, int64_t cid, coll_access *out,
                            acc_diag *d) {
  guard_cache *c = cache_of(s, d);
  if (!c)
    return read_access(s, p, po, cid, out, d);
  int admin = p->admin ? 1 : 0;
  for (size_t i = 0; i < c->n_acc; i++)
    if (c->acc[i].ca.cid == cid && c->acc[i].oid == p->oid &&
        c->acc[i].admin == admin) {
      *out = c->acc[i].ca;
      return ACC_OK;
    }
  acc_rc rc = read_access(s, p, &c->peers, cid, out, d);
  if (rc)
    return rc;
  size_t slot = c->n_acc < ACCESS_CACHE ? c->n_acc++ : c->next++ % ACCESS_CACHE;
  c->acc[slot] = (access_slot){.oid = p->oid, .admin = admin, .ca = *out};
  return ACC_OK;
}

static coll_access *access_for(guard_ctx *g, int64_t cid) {
  for (size_t i = 0; i < g->n_cache; i++)
    if (g->cache[i].cid == cid)
      return &g->cache[i];
  size_t slot =
      g->n_cache < COLL_CACHE ? g->n_cache++ : (size_t)cid % COLL_CACHE;
  if (lookup_access(g->s, g->rd->who, &g->peers, cid, &g->cache[slot], g->d)) {
    g->err = ACC_ESTORE;
    return NULL;
  }
  return &g->cache[slot];
}

static const char *who_name(const acc_principal *p) {
  if (is_operator(p))
    return "operator";
  return p->uid == 0 ? "anonymous" : p->user;
}

static acc_rc flush(guard_ctx *g, int which) {
  if (!g->n_ids[which])
    return ACC_OK;
  acc_audit_entry e = {.action = which ? "deny" : "release",
                       .principal = who_name(g->rd->who),
                       .org = g->rd->who->org,
                       .path = g->rd->path,
                       .objects_json = g->ids[which].data,
                       .objects_json_len = g->ids[which].len,
                       .n_objects = g->n_ids[which]};
  acc_rc rc = acc_audit_append(g->rd->audit, &e, g->d);
  acc_buf_reset(&g->ids[which]);
  g->n_ids[which] = 0;
  return rc;
}

/* Remember "id@version" for the audit log.  Ids are validated STIX
 * identifiers (ASCII letters, digits, '-'), so they need no escaping. */
static acc_rc note(guard_ctx *g, int which, const acc_record *r) {
  if (g->n_ids[which] == AUDIT_CHUNK) {
    acc_rc rc = flush(g, which);
    if (rc)
      return rc;
  }
  acc_buf *b = &g->ids[which];
  /* a page of a hundred ids in one allocation */
  acc_rc rc = b->cap ? ACC_OK : acc_buf_reserve(b, 8192);
  rc = rc ? rc : acc_buf_puts(b, g->n_ids[which] ? ",\"" : "\"");
  size_t n = strlen(r->id);
  size_t start = b->len;
  rc = rc ? rc : acc_buf_append(b, r->id, n);
  for (size_t i = start; !rc && i < b->len; i++)
    if (b->data[i] == '"' || b->data[i] == '\\' ||
        (unsigned char)b->data[i] < 0x20)
      b->data[i] = '?'; /* never for a validated id; keeps the JSON whole */
  if (!rc && r->modified_us != ACC_TIME_NONE) {
    char ts[ACC_TIME_BUFSZ];
    acc_time_format_ms(r->modified_us, ts);
    rc = acc_buf_putc(b, '@');
    rc = rc ? rc : acc_buf_puts(b, ts);
  }
  rc = rc ? rc : acc_buf_putc(b, '"');
  if (!rc)
    g->n_ids[which]++;
  return rc;
}

/* Decide one record; 1 = release (as *out, possibly redacted text in
 * *redacted_text), 0 = deny. */
static int decide(guard_ctx *g, const acc_record *r, acc_record *out,
                  char **redacted_text) {
  *out = *r;
  *redacted_text = NULL;
  const acc_principal *p = g->rd->who;
  if (is_operator(p))
    return 1;
  coll_access *ca = access_for(g, r->collection);
  if (!ca)
    return 0;
  acc_share_facts f = {.tlp = r->tlp >= 0 ? (acc_tlp)r->tlp : ca->default_tlp,
                       .granular_max = (acc_tlp)r->granular_tlp,
                       .origin_oid = r->origin_oid,
                       .origin_uid = r->origin_uid,
                       .orgs = r->share_orgs,
                       .users = r->share_users,
                       .foreign = is_peer_org(&g->peers, r->origin_oid)};
  acc_decision dec = acc_policy_decide(p, &ca->access, &f);
  if (dec == ACC_DENY)
    return 0;
  if (g->meta)
    out->tlp = (int)f.tlp;
  if (dec == ACC_ALLOW)
    return 1;
  /* Redact: parts marked above what the reader may see are removed. */
  if (!r->raw)
    return 1; /* metadata only: nothing of the content leaves */
  json_t *j = json_loadb(r->raw, r->raw_len, 0, NULL);
  json_t *red = NULL;
  int ok = j && acc_policy_redact(j, acc_policy_levels(p, &ca->access, &f),
                                  &red) == ACC_OK;
  json_decref(j);
  if (!ok)
    return 0;
  *redacted_text = json_dumps(red, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(red);
  if (!*redacted_text)
    return 0;
  out->raw = *redacted_text;
  out->raw_len = strlen(*redacted_text);
  g->counts.redacted++;
  return 1;
}

static int on_record(void *ctx, const acc_record *r) {
  guard_ctx *g = ctx;
  acc_record out;
  char *text = NULL;
  if (g->match && !g->match(g->match_ctx, r))
    return 0; /* not asked for */
  int allow = decide(g, r, &out, &text);
  if (g->err)
    return (int)g->err;
  acc_rc rc = g->meta ? ACC_OK : note(g, allow ? 0 : 1, r);
  if (rc) {
    free(text);
    g->err = rc;
    return (int)rc;
  }
  if (!allow) {
    g->counts.denied++;
    return 0;
  }
  g->counts.released++;
  int stop = g->cb(g->ctx, &out);
  free(text);
  if (stop)
    return stop;
  if (g->limit && g->counts.released >= g->limit)
    return -1; /* enough: stop the scan */
  return 0;
}

static acc_rc finish(guard_ctx *g, acc_rc rc, acc_guard_counts *counts) {
  acc_rc r1 = flush(g, 0), r2 = flush(g, 1);
  acc_buf_free(&g->ids[0]);
  acc_buf_free(&g->ids[1]);
  free(g->peers.oids);
  g->peers.oids = NULL;
  if (counts)
    *counts = g->counts;
  if (rc)
    return rc;
  return r1 ? r1 : r2;
}

acc_rc acc_guard_scan(acc_store *s, const acc_reader *rd, const acc_query *q,
                      acc_record_cb cb, void *ctx, acc_guard_counts *counts,
                      acc_diag *d) {
  if (!rd || !rd->who || !rd->audit || !rd->path)
    return acc_diag_set(d, ACC_EINVAL,
                        "a read needs a principal, a path and an audit log");
#ifdef ACCORD_BENCH_NO_POLICY
  /* Benchmark-only build: what the same read costs with no policy. */
  if (counts)
    memset(counts, 0, sizeof *counts);
  return acc_store_scan(s, q, cb, ctx, d);
#endif
  guard_ctx *g = calloc(1, sizeof *g);
  if (!g)
    return ACC_ENOMEM;
  *g = (guard_ctx){.s = s,
                   .rd = rd,
                   .cb = cb,
                   .ctx = ctx,
                   .d = d,
                   .match = q->match,
                   .match_ctx = q->match_ctx};
  acc_buf_init(&g->ids[0], (size_t)16 << 20);
  acc_buf_init(&g->ids[1], (size_t)16 << 20);
  acc_query raw = *q;
  g->limit = q->limit;
  raw.limit = 0; /* the limit counts what is released, not what is read */
  acc_rc rc = is_operator(rd->who) ? ACC_OK : load_peer_orgs(s, &g->peers, d);
  if (!rc)
    rc = acc_store_scan(s, &raw, on_record, g, d);
  if ((int)rc == -1)
    rc = ACC_OK;
  if (g->err)
    rc = g->err;
  rc = finish(g, rc, counts);
  free(g);
  return rc;
}

acc_rc acc_guard_get(acc_store *s, const acc_reader *rd, int64_t collection,
                     const char *id, int64_t version_us, acc_record_cb cb,
                     void *ctx, acc_diag *d) {
  if (!rd || !rd->who || !rd->audit || !rd->path)
    return acc_diag_set(d, ACC_EINVAL,
                        "a read needs a principal, a path and an audit log");
#ifdef ACCORD_BENCH_NO_POLICY
  return acc_store_get(s, collection, id, version_us, cb, ctx, d);
#endif
  guard_ctx *g = calloc(1, sizeof *g);
  if (!g)
    return ACC_ENOMEM;
  *g = (guard_ctx){.s = s, .rd = rd, .cb = cb, .ctx = ctx, .d = d};
  acc_buf_init(&g->ids[0], (size_t)16 << 20);
  acc_buf_init(&g->ids[1], (size_t)16 << 20);
  acc_rc rc = is_operator(rd->who) ? ACC_OK : load_peer_orgs(s, &g->peers, d);
  if (!rc)
    rc = acc_store_get(s, collection, id, version_us, on_record, g, d);
  if (g->err)
    rc = g->err;
  acc_guard_counts c;
  rc = finish(g, rc, &c);
  free(g);
  if (!rc && c.released == 0) {
    /* Invisible reads exactly like absent. */
    if (version_us == ACC_TIME_NONE)
      return acc_diag_set(d, ACC_ENOTFOUND, "no object with id %s", id);
    char ts[ACC_TIME_BUFSZ];
    acc_time_format(version_us, ts);
    return acc_diag_set(d, ACC_ENOTFOUND, "no version of %s with modified %s",
                        id, ts);
  }
  return rc;
}

int acc_guard_visible(acc_store *s, const acc_principal *who,
                      const acc_record *r) {
  if (is_operator(who))
    return 1;
  coll_access ca;
  acc_diag d;
  peer_orgs po;
  if (load_peer_orgs(s, &po, &d))
    return 0;
  if (lookup_access(s, who, &po, r->collection, &ca, &d)) {
    free(po.oids);
    return 0;
  }
  acc_share_facts f = {.tlp = r->tlp >= 0 ? (acc_tlp)r->tlp : ca.default_tlp,
                       .granular_max = (acc_tlp)r->granular_tlp,
                       .origin_oid = r->origin_oid,
                       .origin_uid = r->origin_uid,
                       .orgs = r->share_orgs,
                       .users = r->share_users,
                       .foreign = is_peer_org(&po, r->origin_oid)};
  free(po.oids);
  return acc_policy_decide(who, &ca.access, &f) != ACC_DENY;
}

typedef struct count_ctx {
  guard_ctx *g;
  acc_group_cb cb;
  void *ctx;
} count_ctx;

static int on_group(void *ctx, const acc_record *facts, int64_t n,
                    int64_t n_revoked) {
  count_ctx *x = ctx;
  acc_record out;
  char *text = NULL;
  int allow = decide(x->g, facts, &out, &text);
  free(text); /* never set: groups carry no content */
  if (x->g->err)
    return (int)x->g->err;
  return allow ? x->cb(x->ctx, &out, n, n_revoked) : 0;
}

acc_rc acc_guard_count(acc_store *s, const acc_reader *rd, acc_group_cb cb,
                       void *ctx, acc_diag *d) {
  if (!rd || !rd->who || !rd->audit || !rd->path)
    return acc_diag_set(d, ACC_EINVAL,
                        "a read needs a principal, a path and an audit log");
  if (!s->ops->count_latest)
    return acc_diag_set(d, ACC_EINVAL, "this store cannot count");
  guard_ctx *g = calloc(1, sizeof *g);
  if (!g)
    return ACC_ENOMEM;
  *g = (guard_ctx){.s = s, .rd = rd, .d = d, .meta = 1};
  count_ctx x = {.g = g, .cb = cb, .ctx = ctx};
  acc_rc rc = is_operator(rd->who) ? ACC_OK : load_peer_orgs(s, &g->peers, d);
  if (!rc)
    rc = s->ops->count_latest(s, on_group, &x, d);
  if (g->err)
    rc = g->err;
  free(g->peers.oids);
  free(g);
  return rc;
}

/* ---- a reader's view: many decisions, collection access looked up once
 * per collection (correlation decides thousands of sharing classes) ---- */

struct acc_guard_view {
  acc_store *s;
  const acc_principal *who;
  peer_orgs peers; /* federation: organisations of registered peers */
  coll_access cache[COLL_CACHE];
  size_t n_cache;
};

acc_rc acc_guard_view_new(acc_store *s, const acc_principal *who,
                          acc_guard_view **out) {
  acc_guard_view *v = calloc(1, sizeof *v);
  if (!v)
    return ACC_ENOMEM;
  v->s = s;
  v->who = who;
  acc_diag d;
  acc_rc rc = is_operator(who) ? ACC_OK : load_peer_orgs(s, &v->peers, &d);
  if (rc) {
    free(v);
    return rc;
  }
  *out = v;
  return ACC_OK;
}

void acc_guard_view_free(acc_guard_view *v) {
  if (v)
    free(v->peers.oids);
  free(v);
}

int acc_guard_view_visible(acc_guard_view *v, const acc_record *r) {
  if (is_operator(v->who))
    return 1;
  coll_access *ca = NULL;
  for (size_t i = 0; i < v->n_cache; i++)
    if (v->cache[i].cid == r->collection)
      ca = &v->cache[i];
  if (!ca) {
    size_t slot = v->n_cache < COLL_CACHE ? v->n_cache++
                                          : (size_t)r->collection % COLL_CACHE;
    acc_diag d;
    if (lookup_access(v->s, v->who, &v->peers, r->collection,
                      &v->cache[slot], &d)) {
      v->cache[slot].cid = 0;
      return 0;
    }
    ca = &v->cache[slot];
  }
  acc_share_facts f = {.tlp = r->tlp >= 0 ? (acc_tlp)r->tlp : ca->default_tlp,
                       .granular_max = (acc_tlp)r->granular_tlp,
                       .origin_oid = r->origin_oid,
                       .origin_uid = r->origin_uid,
                       .orgs = r->share_orgs,
                       .users = r->share_users,
                       .foreign = is_peer_org(&v->peers, r->origin_oid)};
  return acc_policy_decide(v->who, &ca->access, &f) != ACC_DENY;
}
