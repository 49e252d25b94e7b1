/*
 * endpoints.c — the TAXII 2.1 resources: discovery, API root, status,
 * collections, manifest, objects (GET, POST), object (GET, DELETE) and
 * versions, plus /healthz and /metrics.  Each request is routed, its
 * Accept header and credentials checked, its rights on the collection
 * looked up, its filters turned into store queries, and the answer written
 * as TAXII JSON — objects byte for byte as they were accepted.
 *
 * Order of checks: unknown path 404, method 405, Accept 406, credentials
 * 401 (429 while an address is throttled), rights 403/404, then for POST
 * Content-Type 415 and size 413 before the body is read; filters 400.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "ingest/ingest.h"
#include "policy/guard.h"
#include "taxii/server_int.h"
#include "web/web_int.h"

#define SEG_MAX 8
#define COLLECTIONS_MAX 10000
#define STATUS_MAGIC "accord-status/1"

/* ---- routing ---- */

typedef enum route_kind {
  R_NONE,
  R_HEALTH,
  R_METRICS,
  R_DISCOVERY,
  R_ROOT,
  R_STATUS,
  R_COLLECTIONS,
  R_COLLECTION,
  R_MANIFEST,
  R_OBJECTS,
  R_OBJECT,
  R_VERSIONS,
  R_API, /* /api/v1/... (api/api.h) */
} route_kind;

typedef struct route {
  route_kind k;
  const char *coll;   /* collection id or alias */
  const char *object; /* object id */
  const char *status; /* status id */
  int slash;          /* the path ends in '/' */
  char buf[2048];     /* the segments, NUL-separated */
} route;

static void parse_route(const acc_taxii_server *s, const char *url, route *rt) {
  const char *seg[SEG_MAX];
  size_t n = 0;
  memset(rt, 0, sizeof *rt);
  size_t len = strlen(url);
  if (len == 0 || url[0] != '/' || len >= sizeof rt->buf)
    return;
  memcpy(rt->buf, url + 1, len);
  rt->slash = url[len - 1] == '/' && len > 1;
  if (rt->slash)
    rt->buf[len - 2] = '\0';
  char *p = rt->buf;
  for (;;) {
    if (n == SEG_MAX || *p == '\0')
      return;
    seg[n++] = p;
    char *sl = strchr(p, '/');
    if (!sl)
      break;
    *sl = '\0';
    p = sl + 1;
  }
  if (n == 1 && strcmp(seg[0], "healthz") == 0) {
    rt->k = R_HEALTH;
    return;
  }
  if (n == 1 && strcmp(seg[0], "metrics") == 0) {
    rt->k = R_METRICS;
    return;
  }
  if (n >= 2 && strcmp(seg[0], "api") == 0 && strcmp(seg[1], "v1") == 0) {
    rt->k = R_API;
    return;
  }
  if (!rt->slash)
    return; /* TAXII URLs end in '/' (section 3.1) */
  if (n == 1 && strcmp(seg[0], "taxii2") == 0) {
    rt->k = R_DISCOVERY;
    return;
  }
  if (strcmp(seg[0], s->cfg.api_root) != 0)
    return;
  if (n == 1) {
    rt->k = R_ROOT;
  } else if (n == 3 && strcmp(seg[1], "status") == 0) {
    rt->k = R_STATUS;
    rt->status = seg[2];
  } else if (strcmp(seg[1], "collections") == 0) {
    if (n == 2) {
      rt->k = R_COLLECTIONS;
      return;
    }
    rt->coll = seg[2];
    if (n == 3)
      rt->k = R_COLLECTION;
    else if (n == 4 && strcmp(seg[3], "manifest") == 0)
      rt->k = R_MANIFEST;
    else if (n == 4 && strcmp(seg[3], "objects") == 0)
      rt->k = R_OBJECTS;
    else if (n >= 5 && strcmp(seg[3], "objects") == 0) {
      rt->object = seg[4];
      if (n == 5)
        rt->k = R_OBJECT;
      else if (n == 6 && strcmp(seg[5], "versions") == 0)
        rt->k = R_VERSIONS;
    }
  }
}

/* ---- small writers ---- */

static acc_rc put_bool(acc_buf *b, const char *key, int v, int comma) {
  return acc_buf_printf(b, "%s\"%s\":%s", comma ? "," : "", key,
                        v ? "true" : "false");
}

static acc_rc put_kv(acc_buf *b, const char *key, const char *v, int comma) {
  acc_rc rc = acc_buf_printf(b, "%s\"%s\":", comma ? "," : "", key);
  return rc ? rc : acc_taxii_json_str(b, v);
}

/* A STIX version as text: milliseconds when that is exact, else micro. */
static void version_text(int64_t us, char out[ACC_TIME_BUFSZ]) {
  if (us % 1000 == 0)
    acc_time_format_ms(us, out);
  else
    acc_time_format(us, out);
}

/* The version TAXII reports for a record: modified, else created, else
 * (for objects with neither) its date_added, which is stable. */
static int64_t version_of(int64_t modified, int64_t created, int64_t added) {
  if (modified != ACC_TIME_NONE)
    return modified;
  if (created != ACC_TIME_NONE)
    return created;
  return added;
}

static const char *stix_media(const char *spec_version) {
  return spec_version && strcmp(spec_version, "2.0") == 0
             ? "application/stix+json;version=2.0"
             : "application/stix+json;version=2.1";
}

/* ---- authentication and rights ---- */

/* Anonymous clients may read a collection only when the server has
 * public read switched on and the collection is public; what they then
 * see is narrowed to TLP:CLEAR by the enforcement point (policy/guard.c). */
static int anonymous_can_read(const acc_taxii_server *s,
                              const acc_collection *coll) {
  return s->cfg.public_read && coll->public_read;
}

/* 0 when q->who is set; otherwise r holds the answer. */
static int authenticate(acc_taxii_server *s, struct MHD_Connection *c,
                        taxii_req *q, acc_store *st, taxii_resp *r) {
  acc_taxii_auth a;
  acc_taxii_auth_parse(
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"), &a);
  int64_t now = acc_time_now_us();
  if (a.kind == ACC_TAXII_AUTH_NONE) {
    /* The web interface's session cookie (web/login.c): the same
     * principal as the user's password would give. */
    int ck = acc_web_cookie_auth(s, c, q, st, q->method, r);
    if (ck <= 0)
      return ck;
    if (s->cfg.public_read) {
      q->who = acc_principal_anonymous;
      return 0;
    }
    acc_taxii_error(r, q, 401,
                    "authentication required (HTTP Basic or "
                    "Bearer token)");
    r->www_auth = 1;
    return -1;
  }
  int64_t wait = acc_throttle_wait(s->throttle, q->addr, now);
  if (wait > 0) {
    acc_taxii_auth_wipe(&a);
    atomic_fetch_add(&s->m.throttled, 1);
    acc_taxii_error(r, q, 429,
                    "too many failed logins from %s; try again later", q->addr);
    r->retry_after = (unsigned)((wait + 999999) / 1000000);
    return -1;
  }
  acc_diag d = {{0}};
  acc_rc rc = ACC_EINVAL;
  acc_principal p;
  if (a.kind == ACC_TAXII_AUTH_BASIC)
    rc = acc_auth_basic_cached(s->auth_cache, st, a.user, a.password, &p, &d);
  else if (a.kind == ACC_TAXII_AUTH_BEARER)
    rc = acc_auth_bearer(st, a.token, &p, &d);
  acc_taxii_auth_wipe(&a);
  if (rc == ACC_OK) {
    acc_throttle_success(s->throttle, q->addr);
    q->who = p;
    snprintf(q->principal, sizeof q->principal, "%s@%s", p.user, p.org);
    return 0;
  }
  if (rc == ACC_EINVAL || rc == ACC_ENOTFOUND) {
    acc_throttle_failure(s->throttle, q->addr, now);
    atomic_fetch_add(&s->m.auth_failures, 1);
    acc_taxii_error(r, q, 401, "the credentials were not accepted");
    r->www_auth = 1;
    return -1;
  }
  acc_taxii_error(r, q, 500, "checking credentials failed: %s", d.msg);
  return -1;
}

static acc_rc rights_of(acc_taxii_server *s, acc_store *st,
                        const acc_principal *p, const acc_collection *coll,
                        int *rd, int *wr, acc_diag *d) {
  *rd = *wr = 0;
  if (p->admin) {
    *rd = *wr = 1;
    return ACC_OK;
  }
  if (p->uid == 0) {
    *rd = anonymous_can_read(s, coll);
    return ACC_OK;
  }
  return st->ops->grant_get(st, coll->cid, p->oid, rd, wr, d);
}

/* ---- simple resources ---- */

static void discovery(acc_taxii_server *s, taxii_resp *r) {
  acc_buf *b = &r->body;
  acc_rc rc = acc_buf_putc(b, '{');
  rc = rc ? rc : put_kv(b, "title", s->cfg.title, 0);
  if (!rc && s->cfg.description[0])
    rc = put_kv(b, "description", s->cfg.description, 1);
  if (!rc && s->cfg.contact[0])
    rc = put_kv(b, "contact", s->cfg.contact, 1);
  char root[80];
  snprintf(root, sizeof root, "/%s/", s->cfg.api_root);
  rc = rc ? rc : put_kv(b, "default", root, 1);
  rc = rc ? rc : acc_buf_puts(b, ",\"api_roots\":[");
  rc = rc ? rc : acc_taxii_json_str(b, root);
  rc = rc ? rc : acc_buf_puts(b, "]}");
  r->status = 200;
}

static void api_root(acc_taxii_server *s, taxii_resp *r) {
  acc_buf *b = &r->body;
  acc_rc rc = acc_buf_putc(b, '{');
  rc = rc ? rc : put_kv(b, "title", s->cfg.title, 0);
  if (!rc && s->cfg.description[0])
    rc = put_kv(b, "description", s->cfg.description, 1);
  rc = rc ? rc
          : acc_buf_printf(b,
                           ",\"versions\":[\"" ACC_TAXII_MEDIA_TYPE "\"],"
                           "\"max_content_length\":%zu}",
                           s->cfg.max_content_length);
  r->status = rc ? 500 : 200;
}

static acc_rc collection_json(acc_buf *b, const acc_collection *c, int rd,
                              int wr) {
  acc_rc rc = acc_buf_putc(b, '{');
  rc = rc ? rc : put_kv(b, "id", c->id, 0);
  rc = rc ? rc : put_kv(b, "title", c->title, 1);
  if (!rc && c->description[0])
    rc = put_kv(b, "description", c->description, 1);
  if (!rc && c->alias[0])
    rc = put_kv(b, "alias", c->alias, 1);
  rc = rc ? rc : put_bool(b, "can_read", rd, 1);
  rc = rc ? rc : put_bool(b, "can_write", wr, 1);
  rc = rc ? rc
          : acc_buf_puts(b, ",\"media_types\":["
                            "\"application/stix+json;version=2.1\","
                            "\"application/stix+json;version=2.0\"]}");
  return rc;
}

typedef struct coll_list {
  acc_collection *v;
  size_t n, cap;
  int overflow;
} coll_list;

static int collect_coll(void *ctx, const acc_collection *c) {
  coll_list *l = ctx;
  if (l->n == l->cap) {
    if (l->cap >= COLLECTIONS_MAX) {
      l->overflow = 1;
      return 1;
    }
    size_t nc = l->cap ? l->cap * 2 : 16;
    acc_collection *p = realloc(l->v, nc * sizeof *p);
    if (!p) {
      l->overflow = 1;
      return 1;
    }
    l->v = p;
    l->cap = nc;
  }
  l->v[l->n++] = *c;
  return 0;
}

static int cmp_coll(const void *a, const void *b) {
  const acc_collection *x = a, *y = b;
  return x->cid < y->cid ? -1 : x->cid > y->cid;
}

static void collections(acc_taxii_server *s, taxii_req *q, acc_store *st,
                        taxii_resp *r) {
  coll_list l = {0};
  acc_diag d = {{0}};
  acc_rc rc = st->ops->coll_list(st, s->cfg.api_root, collect_coll, &l, &d);
  if (rc && !l.overflow) {
    acc_taxii_error(r, q, 500, "listing collections failed: %s", d.msg);
    goto out;
  }
  qsort(l.v, l.n, sizeof *l.v, cmp_coll);
  acc_buf *b = &r->body;
  size_t shown = 0;
  rc = acc_buf_putc(b, '{');
  for (size_t i = 0; i < l.n && !rc; i++) {
    int rd, wr;
    if ((rc = rights_of(s, st, &q->who, &l.v[i], &rd, &wr, &d)))
      break;
    if (!rd && !wr)
      continue; /* invisible to this client */
    rc = acc_buf_puts(b, shown++ ? "," : "\"collections\":[");
    rc = rc ? rc : collection_json(b, &l.v[i], rd, wr);
  }
  if (!rc && shown)
    rc = acc_buf_putc(b, ']');
  rc = rc ? rc : acc_buf_putc(b, '}');
  if (rc)
    acc_taxii_error(r, q, 500, "listing collections failed: %s", d.msg);
  else
    r->status = 200;
out:
  free(l.v);
}

/* ---- pages of records ---- */

typedef struct item {
  int64_t added, seq, modified, created;
  size_t id_off, raw_off, raw_len;
  char spec[8];
} item;

typedef struct page {
  item *v;
  size_t n, cap;
  acc_buf arena; /* ids, then raw text, NUL-terminated */
  int meta_only;
  size_t byte_cap; /* stop collecting raw text past this */
  /* the scan in progress */
  size_t scan_n;
  int scan_cut;
  int64_t scan_last;
} page;

#define SCAN_STOP 1000 /* callback return: page full (not an acc_rc) */

static int collect_rec(void *ctx, const acc_record *rec) {
  page *p = ctx;
  if (!p->meta_only && p->scan_n > 0 && p->arena.len > p->byte_cap) {
    p->scan_cut = 1;
    return SCAN_STOP;
  }
  if (p->n == p->cap) {
    size_t nc = p->cap ? p->cap * 2 : 128;
    item *v = realloc(p->v, nc * sizeof *v);
    if (!v)
      return ACC_ENOMEM;
    p->v = v;
    p->cap = nc;
  }
  item *it = &p->v[p->n];
  it->added = rec->date_added_us;
  it->seq = rec->seq;
  it->modified = rec->modified_us;
  it->created = rec->created_us;
  snprintf(it->spec, sizeof it->spec, "%s",
           rec->spec_version ? rec->spec_version : "2.1");
  it->id_off = p->arena.len;
  if (acc_buf_append(&p->arena, rec->id, strlen(rec->id) + 1))
    return ACC_ENOMEM;
  it->raw_off = p->arena.len;
  it->raw_len = 0;
  if (!p->meta_only && rec->raw) {
    if (acc_buf_append(&p->arena, rec->raw, rec->raw_len + 1))
      return ACC_ENOMEM;
    it->raw_len = rec->raw_len;
  }
  p->n++;
  p->scan_n++;
  p->scan_last = rec->date_added_us;
  return 0;
}

static int cmp_item(const void *a, const void *b) {
  const item *x = a, *y = b;
  if (x->added != y->added)
    return x->added < y->added ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

typedef enum page_kind {
  PK_OBJECTS,
  PK_MANIFEST,
  PK_OBJECT,
  PK_VERSIONS
} page_kind;

/* Gather the next page of a query into p: one store scan per version
 * selection (latest, first, all, specific), each asking for limit + 1,
 * merged in date_added order.  *more tells whether anything follows. */
static acc_rc fetch_page(acc_taxii_server *s, acc_store *st,
                         const acc_reader *rd, const acc_query *base,
                         unsigned versions, const acc_taxii_filter *f,
                         size_t limit, page *p, size_t *n_out, int *more,
                         acc_diag *d) {
  static const struct {
    unsigned bit;
    acc_version_sel sel;
  } sels[] = {{ACC_TAXII_VER_LAST, ACC_VER_LATEST},
              {ACC_TAXII_VER_FIRST, ACC_VER_FIRST},
              {ACC_TAXII_VER_ALL, ACC_VER_ALL},
              {ACC_TAXII_VER_AT, ACC_VER_AT}};
  int64_t cutoff = INT64_MAX;
  int scans = 0;
  p->byte_cap = s->cfg.max_response_bytes;
  for (size_t i = 0; i < sizeof sels / sizeof sels[0]; i++) {
    if (!(versions & sels[i].bit))
      continue;
    acc_query q = *base;
    q.version = sels[i].sel;
    if (sels[i].sel == ACC_VER_AT) {
      memcpy(q.at_us, f->at_us, f->n_at * sizeof f->at_us[0]);
      q.n_at = f->n_at;
    }
    q.limit = limit + 1;
    p->scan_n = 0;
    p->scan_cut = 0;
    acc_rc rc = acc_guard_scan(st, rd, &q, collect_rec, p, NULL, d);
    if (rc == (acc_rc)SCAN_STOP)
      rc = ACC_OK;
    if (rc)
      return rc == ACC_ENOMEM ? acc_diag_set(d, rc, "out of memory") : rc;
    if (p->scan_cut && p->scan_last < cutoff)
      cutoff = p->scan_last;
    scans++;
  }
  if (scans > 1)
    qsort(p->v, p->n, sizeof *p->v, cmp_item);
  /* Drop repeats (a record both first and latest) and what lies past a
   * cut-off scan. */
  size_t k = 0;
  int cut = 0;
  for (size_t i = 0; i < p->n; i++) {
    if (p->v[i].added > cutoff) {
      cut = 1;
      continue;
    }
    if (k && p->v[k - 1].seq == p->v[i].seq)
      continue;
    p->v[k++] = p->v[i];
  }
  p->n = k;
  /* Take up to limit, and no more than max_response_bytes of text (but
   * always at least one record). */
  size_t bytes = 0, n = 0;
  while (n < p->n && n < limit) {
    bytes += p->v[n].raw_len + 200;
    if (n > 0 && bytes > s->cfg.max_response_bytes) {
      cut = 1;
      break;
    }
    n++;
  }
  *more = cut || n < p->n || cutoff != INT64_MAX;
  *n_out = n;
  return ACC_OK;
}

static int mhd_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                   const char *value) {
  (void)kind;
  void **ctx = cls;
  acc_taxii_filter *f = ctx[0];
  acc_diag *d = ctx[1];
  acc_rc *rc = ctx[2];
  *rc = acc_taxii_filter_add(f, key, value, d);
  return *rc ? MHD_NO : MHD_YES;
}

static acc_rc read_filter(struct MHD_Connection *c, acc_taxii_filter *f,
                          acc_diag *d) {
  acc_rc rc = ACC_OK;
  void *ctx[3] = {f, d, &rc};
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND,
                            (MHD_KeyValueIterator)mhd_arg, ctx);
  return rc;
}

/* The canonical text a next token is bound to. */
static acc_rc bind_text(page_kind kind, const acc_collection *coll,
                        const char *object, const acc_principal *who,
                        const acc_taxii_filter *f, acc_buf *b) {
  acc_rc rc = acc_buf_printf(b, "k=%d;c=%lld;u=%lld;o=%zu:%s;", (int)kind,
                             (long long)coll->cid, (long long)who->uid,
                             object ? strlen(object) : 0, object ? object : "");
  return rc ? rc : acc_taxii_filter_normalise(f, b);
}

static void list_resource(acc_taxii_server *s, struct MHD_Connection *c,
                          taxii_req *q, acc_store *st, page_kind kind,
                          const acc_collection *coll, const char *object,
                          taxii_resp *r) {
  acc_taxii_filter f;
  acc_diag d = {{0}};
  page p = {0};
  acc_buf bind;
  acc_buf_init(&p.arena, 0);
  acc_buf_init(&bind, 1 << 16);
  acc_taxii_filter_init(&f);
  acc_rc rc = read_filter(c, &f, &d);
  if (rc) {
    acc_taxii_error(r, q, rc == ACC_ENOMEM ? 500 : 400, "%s", d.msg);
    goto out;
  }
  int64_t pos = ACC_TIME_NONE;
  if (f.next[0]) {
    if (bind_text(kind, coll, object, &q->who, &f, &bind) ||
        acc_taxii_next_check(s->next_key, bind.data, bind.len, f.next, &pos)) {
      acc_taxii_error(r, q, 400,
                      "next: not a token this server issued for this query "
                      "(it must be used with the same filters)");
      goto out;
    }
  }
  acc_query base;
  acc_query_init(&base);
  base.collection = coll->cid;
  unsigned versions = f.versions ? f.versions : ACC_TAXII_VER_LAST;
  if (kind == PK_OBJECTS || kind == PK_MANIFEST) {
    memcpy(base.ids, f.ids, f.n_ids * sizeof f.ids[0]);
    base.n_ids = f.n_ids;
    memcpy(base.types, f.types, f.n_types * sizeof f.types[0]);
    base.n_types = f.n_types;
  } else {
    base.ids[0] = object;
    base.n_ids = 1;
  }
  if (kind == PK_VERSIONS)
    versions = ACC_TAXII_VER_ALL; /* match[version] does not apply */
  memcpy(base.spec_versions, f.spec_versions,
         f.n_spec_versions * sizeof f.spec_versions[0]);
  base.n_spec_versions = f.n_spec_versions;
  base.added_after_us = f.added_after_us;
  if (pos != ACC_TIME_NONE &&
      (base.added_after_us == ACC_TIME_NONE || pos > base.added_after_us))
    base.added_after_us = pos;
  base.meta_only = kind == PK_MANIFEST || kind == PK_VERSIONS;
  p.meta_only = base.meta_only;
  size_t limit = f.limit ? f.limit : s->cfg.page_default;
  if (limit > s->cfg.page_max)
    limit = s->cfg.page_max;

  size_t n = 0;
  int more = 0;
  char path[sizeof q->path + 16];
  snprintf(path, sizeof path, "taxii %s %s", q->method, q->path);
  acc_reader rd = {.who = &q->who, .path = path, .audit = s->audit};
  rc = fetch_page(s, st, &rd, &base, versions, &f, limit, &p, &n, &more, &d);
  if (rc) {
    acc_taxii_error(r, q, 500, "reading the collection failed: %s", d.msg);
    goto out;
  }
  if (n == 0 && !f.next[0] && (kind == PK_OBJECT || kind == PK_VERSIONS)) {
    acc_taxii_error(r, q, 404, "no object %s in this collection%s", object,
                    f.seen ? " that matches the filters" : "");
    goto out;
  }
  acc_buf *b = &r->body;
  rc = acc_buf_reserve(b, p.arena.len + n * 160 + 256);
  rc = rc ? rc : acc_buf_putc(b, '{');
  rc = rc ? rc : put_bool(b, "more", more, 0);
  if (!rc && more && n > 0) {
    char tok[ACC_TAXII_NEXT_MAX + 1];
    acc_buf_reset(&bind);
    if (!(rc = bind_text(kind, coll, object, &q->who, &f, &bind))) {
      acc_taxii_next_make(s->next_key, bind.data, bind.len, p.v[n - 1].added,
                          tok);
      rc = put_kv(b, "next", tok, 1);
    }
  }
  if (!rc && n > 0)
    rc = acc_buf_puts(b, kind == PK_VERSIONS ? ",\"versions\":["
                                             : ",\"objects\":[");
  for (size_t i = 0; i < n && !rc; i++) {
    const item *it = &p.v[i];
    char v[ACC_TIME_BUFSZ], da[ACC_TIME_BUFSZ];
    if (i)
      rc = acc_buf_putc(b, ',');
    if (rc)
      break;
    if (kind == PK_OBJECTS || kind == PK_OBJECT) {
      rc = acc_buf_append(b, p.arena.data + it->raw_off, it->raw_len);
      continue;
    }
    version_text(version_of(it->modified, it->created, it->added), v);
    if (kind == PK_VERSIONS) {
      rc = acc_taxii_json_str(b, v);
      continue;
    }
    acc_time_format(it->added, da);
    rc = acc_buf_putc(b, '{');
    rc = rc ? rc : put_kv(b, "id", p.arena.data + it->id_off, 0);
    rc = rc ? rc : put_kv(b, "date_added", da, 1);
    rc = rc ? rc : put_kv(b, "version", v, 1);
    rc = rc ? rc : put_kv(b, "media_type", stix_media(it->spec), 1);
    rc = rc ? rc : acc_buf_putc(b, '}');
  }
  if (!rc && n > 0)
    rc = acc_buf_putc(b, ']');
  rc = rc ? rc : acc_buf_putc(b, '}');
  if (rc) {
    acc_taxii_error(r, q, 500, "building the response failed: %s",
                    acc_strerror(rc));
    goto out;
  }
  if (n > 0) {
    acc_time_format(p.v[0].added, r->first);
    acc_time_format(p.v[n - 1].added, r->last);
  }
  r->status = 200;
out:
  acc_taxii_filter_free(&f);
  acc_buf_free(&bind);
  acc_buf_free(&p.arena);
  free(p.v);
}

/* ---- DELETE ---- */

static int collect_versions(void *ctx, const acc_record *rec) {
  page *p = ctx;
  if (p->n == p->cap) {
    size_t nc = p->cap ? p->cap * 2 : 16;
    item *v = realloc(p->v, nc * sizeof *v);
    if (!v)
      return ACC_ENOMEM;
    p->v = v;
    p->cap = nc;
  }
  p->v[p->n++] = (item){.added = rec->date_added_us,
                        .seq = rec->seq,
                        .modified = rec->modified_us};
  return 0;
}

static void delete_object(acc_taxii_server *s, struct MHD_Connection *c,
                          taxii_req *q, acc_store *st,
                          const acc_collection *coll, const char *object,
                          taxii_resp *r) {
  acc_taxii_filter f;
  acc_diag d = {{0}};
  page p = {0};
  acc_taxii_filter_init(&f);
  acc_rc rc = read_filter(c, &f, &d);
  if (rc) {
    acc_taxii_error(r, q, rc == ACC_ENOMEM ? 500 : 400, "%s", d.msg);
    goto out;
  }
  acc_query base;
  acc_query_init(&base);
  base.collection = coll->cid;
  base.ids[0] = object;
  base.n_ids = 1;
  memcpy(base.spec_versions, f.spec_versions,
         f.n_spec_versions * sizeof f.spec_versions[0]);
  base.n_spec_versions = f.n_spec_versions;
  /* Only what the client may see can be deleted: an object it cannot see
   * answers exactly like one that does not exist. */
  char path[sizeof q->path + 16];
  snprintf(path, sizeof path, "taxii %s %s", q->method, q->path);
  acc_reader rd = {.who = &q->who, .path = path, .audit = s->audit};
  {
    acc_query vis = base;
    vis.version = ACC_VER_ALL;
    vis.meta_only = 1;
    if ((rc = acc_guard_scan(st, &rd, &vis, collect_versions, &p, NULL, &d))) {
      acc_taxii_error(r, q, 500, "reading the object failed: %s", d.msg);
      goto out;
    }
    if (p.n == 0) {
      acc_taxii_error(r, q, 404, "no object %s in this collection%s", object,
                      f.versions ? " with the versions asked for" : "");
      goto out;
    }
    p.n = 0;
  }
  /* Without match[version] the whole object goes. */
  unsigned v = f.versions ? f.versions : ACC_TAXII_VER_ALL;
  acc_query del = base;
  if (v == ACC_TAXII_VER_ALL)
    del.version = ACC_VER_ALL;
  else if (v == ACC_TAXII_VER_LAST)
    del.version = ACC_VER_LATEST;
  else if (v == ACC_TAXII_VER_FIRST)
    del.version = ACC_VER_FIRST;
  else {
    /* Several selections: resolve them to exact versions first, so that
     * removing one does not move "first" or "last" onto another. */
    static const struct {
      unsigned bit;
      acc_version_sel sel;
    } sels[] = {{ACC_TAXII_VER_LAST, ACC_VER_LATEST},
                {ACC_TAXII_VER_FIRST, ACC_VER_FIRST},
                {ACC_TAXII_VER_AT, ACC_VER_AT}};
    for (size_t i = 0; i < 3; i++) {
      if (!(v & sels[i].bit))
        continue;
      acc_query sq = base;
      sq.version = sels[i].sel;
      sq.meta_only = 1;
      if (sels[i].sel == ACC_VER_AT) {
        memcpy(sq.at_us, f.at_us, f.n_at * sizeof f.at_us[0]);
        sq.n_at = f.n_at;
      }
      if ((rc = acc_guard_scan(st, &rd, &sq, collect_versions, &p, NULL, &d))) {
        acc_taxii_error(r, q, 500, "reading the object failed: %s", d.msg);
        goto out;
      }
    }
    del.version = ACC_VER_AT;
    del.n_at = 0;
    for (size_t i = 0; i < p.n && del.n_at < ACC_QUERY_MAX_TERMS; i++) {
      int dup = 0;
      if (p.v[i].modified == ACC_TIME_NONE) {
        del.version = ACC_VER_ALL; /* unversioned: the object is one */
        break;
      }
      for (size_t k = 0; k < del.n_at; k++)
        dup |= del.at_us[k] == p.v[i].modified;
      if (!dup)
        del.at_us[del.n_at++] = p.v[i].modified;
    }
    if (del.version == ACC_VER_AT && del.n_at == 0) {
      acc_taxii_error(r, q, 404,
                      "no version of %s in this collection "
                      "matches",
                      object);
      goto out;
    }
  }
  size_t removed = 0;
  if ((rc = acc_store_begin(st, &d)) ||
      (rc = acc_store_remove(st, &del, &removed, &d)) ||
      (rc = acc_store_commit(st, &d))) {
    acc_store_rollback(st);
    acc_taxii_error(r, q, 500, "deleting failed: %s", d.msg);
    goto out;
  }
  if (removed == 0) {
    acc_taxii_error(r, q, 404, "no object %s in this collection%s", object,
                    f.versions ? " with the versions asked for" : "");
    goto out;
  }
  r->status = 200;
out:
  acc_taxii_filter_free(&f);
  free(p.v);
}

/* ---- status resources ---- */

static int uuid_ok(const char *s) {
  if (strlen(s) != 36)
    return 0;
  for (int i = 0; i < 36; i++) {
    char c = s[i];
    int dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return 0;
  }
  return 1;
}

static void get_status(acc_taxii_server *s, taxii_req *q, acc_store *st,
                       const char *id, taxii_resp *r) {
  char *text = NULL;
  acc_diag d = {{0}};
  if (!uuid_ok(id)) {
    acc_taxii_error(r, q, 404, "no status %.64s", id);
    return;
  }
  acc_rc rc = st->ops->status_get(st, id, &text, &d);
  if (rc == ACC_ENOTFOUND) {
    acc_taxii_error(r, q, 404, "no status %s (kept %u hours)", id,
                    s->cfg.status_keep_hours);
    return;
  }
  if (rc) {
    acc_taxii_error(r, q, 500, "reading status %s failed: %s", id, d.msg);
    return;
  }
  /* "accord-status/1 uid=N root=NAME\n" then the resource. */
  long long uid = -1;
  char root[64] = "";
  const char *nl = strchr(text, '\n');
  if (nl && strncmp(text, STATUS_MAGIC " uid=", sizeof STATUS_MAGIC + 4) == 0) {
    char *end;
    uid = strtoll(text + sizeof STATUS_MAGIC + 4, &end, 10);
    if (strncmp(end, " root=", 6) == 0 && nl - (end + 6) < (long)sizeof root) {
      memcpy(root, end + 6, (size_t)(nl - (end + 6)));
      root[nl - (end + 6)] = '\0';
    }
  }
  if (!nl || strcmp(root, s->cfg.api_root) != 0 ||
      (!q->who.admin && uid != q->who.uid)) {
    /* Another client's request: not found, rather than forbidden, so
     * that its existence is not revealed. */
    acc_taxii_error(r, q, 404, "no status %s", id);
  } else if (acc_buf_puts(&r->body, nl + 1)) {
    acc_taxii_error(r, q, 500, "out of memory");
  } else {
    r->status = 200;
  }
  free(text);
}

/* ---- POST ---- */

typedef struct rejected {
  size_t index, line;
  char *id, *msg, *version;
} rejected;

typedef struct post_ctx {
  acc_buf ok; /* successes, JSON items */
  size_t n_ok;
  acc_buf observed; /* ids of new observed-data, NUL-separated */
  int new_indicators; /* an indicator was stored: the matcher is stale */
  rejected *rej;
  size_t n_rej, cap_rej;
  int oom;
} post_ctx;

static void on_stored(void *ctx, size_t index, const acc_stix_obj *o,
                      int duplicate, int64_t added) {
  post_ctx *x = ctx;
  char v[ACC_TIME_BUFSZ] = "";
  (void)index;
  if (!duplicate && strcmp(o->type, "observed-data") == 0 &&
      acc_buf_append(&x->observed, o->id, strlen(o->id) + 1))
    x->oom = 1;
  if (!duplicate && strcmp(o->type, "indicator") == 0)
    x->new_indicators = 1;
  int64_t us = version_of(o->modified_us, o->created_us, added);
  if (us != ACC_TIME_NONE)
    version_text(us, v);
  acc_rc rc = acc_buf_puts(&x->ok, x->n_ok++ ? ",{" : "{");
  rc = rc ? rc : put_kv(&x->ok, "id", o->id, 0);
  rc = rc ? rc : put_kv(&x->ok, "version", v, 1);
  rc = rc ? rc : acc_buf_putc(&x->ok, '}');
  if (rc)
    x->oom = 1;
}

static void on_reject(void *ctx, const acc_ingest_reject *rj) {
  post_ctx *x = ctx;
  if (x->n_rej == x->cap_rej) {
    size_t nc = x->cap_rej ? x->cap_rej * 2 : 16;
    rejected *p = realloc(x->rej, nc * sizeof *p);
    if (!p) {
      x->oom = 1;
      return;
    }
    x->rej = p;
    x->cap_rej = nc;
  }
  rejected *e = &x->rej[x->n_rej];
  e->index = rj->index;
  e->line = rj->line;
  e->id = strdup(rj->id ? rj->id : "");
  e->msg = strdup(rj->msg ? rj->msg : acc_strerror(rj->rc));
  e->version = NULL;
  if (!e->id || !e->msg) {
    free(e->id);
    free(e->msg);
    x->oom = 1;
    return;
  }
  x->n_rej++;
}

/* Second look at rejected objects, for the version each one carried. */
static acc_rc find_versions(void *ctx, const acc_decoded *dd) {
  post_ctx *x = ctx;
  for (size_t i = 0; i < x->n_rej; i++) {
    if (x->rej[i].index != dd->index || !dd->json)
      continue;
    json_t *v = json_object_get(dd->json, "modified");
    if (!json_is_string(v))
      v = json_object_get(dd->json, "created");
    if (json_is_string(v)) {
      x->rej[i].version = strdup(json_string_value(v));
      if (!x->rej[i].version)
        x->oom = 1;
    }
  }
  return ACC_OK;
}

static acc_rc stop_at_first(void *ctx, const acc_decoded *dd) {
  (void)ctx;
  (void)dd;
  return ACC_EEXIST; /* only the shape was wanted */
}

static void uuid4(char out[37]) {
  unsigned char u[16];
  char hex[33];
  randombytes_buf(u, sizeof u);
  u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
  u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
  sodium_bin2hex(hex, sizeof hex, u, sizeof u);
  snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12,
           hex + 16, hex + 20);
}

void acc_taxii_post_body(acc_taxii_server *s, taxii_req *q, taxii_resp *r) {
  if (q->api) {
    acc_diag ad = {{0}};
    acc_store *ast = acc_taxii_store_get(s, &ad);
    if (!ast) {
      acc_taxii_error(r, q, 500, "opening the store failed: %s", ad.msg);
      return;
    }
    if (acc_buf_putc(&q->body, '\0') == ACC_OK)
      q->body.len--; /* NUL-terminated for the handler */
    acc_taxii_api(s, q->mhd_conn, q, ast, q->body.data ? q->body.data : "",
                  q->body.len, r);
    acc_taxii_store_put(s, ast);
    return;
  }
  post_ctx x = {0};
  acc_diag d = {{0}};
  acc_buf stored;
  acc_buf_init(&x.ok, 0);
  acc_buf_init(&x.observed, (size_t)64 << 20);
  acc_buf_init(&stored, 0);
  acc_store *st = NULL;
  const char *body = q->body.data ? q->body.data : "";
  size_t len = q->body.len;
  acc_decode_limits lim = {.max_doc_bytes = s->cfg.max_content_length};

  /* The body must be a TAXII envelope (section 5.5); decoding only its
   * structure first refuses anything else before a byte is stored. */
  acc_doc_shape shape = ACC_SHAPE_OBJECT;
  acc_rc rc = acc_decode(body, len, &lim, stop_at_first, NULL, &shape, &d);
  if (rc && rc != ACC_EEXIST) {
    acc_taxii_error(r, q, 422, "the body is not a readable TAXII envelope: %s",
                    d.msg);
    goto out;
  }
  if (shape != ACC_SHAPE_ENVELOPE) {
    acc_taxii_error(r, q, 422,
                    "the body is a %s; TAXII 2.1 requires an envelope "
                    "({\"objects\": [...]})",
                    acc_doc_shape_name(shape));
    goto out;
  }
  if (!(st = acc_taxii_store_get(s, &d))) {
    acc_taxii_error(r, q, 500, "opening the store failed: %s", d.msg);
    goto out;
  }
  acc_ingest_opts o = {.limits = lim,
                       .collection = q->coll.cid,
                       .origin_oid = q->who.oid,
                       .origin_uid = q->who.uid,
                       .ctx = &x,
                       .on_stored = on_stored,
                       .on_reject = on_reject};
  acc_ingest_counts counts;
  rc = acc_ingest(st, body, len, &o, &counts, NULL, &d);
  if (rc) {
    int code = (rc == ACC_EJSON || rc == ACC_ESHAPE || rc == ACC_ETOODEEP ||
                rc == ACC_ETOOBIG || rc == ACC_EINVAL)
                   ? 422
                   : 500;
    acc_taxii_error(r, q, code, "the envelope could not be stored: %s", d.msg);
    goto out;
  }
  atomic_fetch_add(&s->m.objects_ingested, counts.stored);
  atomic_fetch_add(&s->m.objects_rejected, counts.rejected);
  /* Detection: new observed-data is matched against every stored
   * indicator as it arrives; sightings are stored for the producers. */
  if (x.new_indicators)
    acc_taxii_detect_invalidate(s);
  if (x.observed.len) {
    size_t n_sight = 0;
    acc_diag dd;
    if (acc_taxii_detect(s, st, x.observed.data, x.observed.len, &n_sight,
                         &dd))
      acc_taxii_log_note(s, q, "detection failed", dd.msg);
    atomic_fetch_add(&s->m.sightings, n_sight);
  }
  if (x.n_rej)
    acc_decode(body, len, &lim, find_versions, &x, NULL, NULL);
  if (x.oom) {
    acc_taxii_error(r, q, 500,
                    "out of memory describing the result (the objects were "
                    "processed)");
    goto out;
  }

  char id[37], ts[ACC_TIME_BUFSZ];
  uuid4(id);
  acc_time_format(q->request_ts, ts);
  acc_buf *b = &r->body;
  size_t ok = counts.stored + counts.duplicate;
  rc = acc_buf_printf(b,
                      "{\"id\":\"%s\",\"status\":\"complete\","
                      "\"request_timestamp\":\"%s\",\"total_count\":%zu,"
                      "\"success_count\":%zu",
                      id, ts, ok + x.n_rej, ok);
  if (!rc && x.n_ok)
    rc = acc_buf_printf(b, ",\"successes\":[%s]", x.ok.data);
  rc = rc ? rc : acc_buf_printf(b, ",\"failure_count\":%zu", x.n_rej);
  for (size_t i = 0; i < x.n_rej && !rc; i++) {
    char msg[1100];
    snprintf(msg, sizeof msg, "object %zu (line %zu): %s", x.rej[i].index,
             x.rej[i].line, x.rej[i].msg);
    rc = acc_buf_puts(b, i ? ",{" : ",\"failures\":[{");
    rc = rc ? rc : put_kv(b, "id", x.rej[i].id, 0);
    rc = rc ? rc
            : put_kv(b, "version", x.rej[i].version ? x.rej[i].version : "", 1);
    rc = rc ? rc : put_kv(b, "message", msg, 1);
    rc = rc ? rc : acc_buf_putc(b, '}');
  }
  if (!rc && x.n_rej)
    rc = acc_buf_putc(b, ']');
  rc = rc ? rc : acc_buf_puts(b, ",\"pending_count\":0}");
  if (rc) {
    acc_taxii_error(r, q, 500,
                    "out of memory describing the result (the objects were "
                    "processed)");
    goto out;
  }
  /* Keep it for GET status, tagged with its owner and API root. */
  rc = acc_buf_printf(&stored, STATUS_MAGIC " uid=%lld root=%s\n%s",
                      (long long)q->who.uid, s->cfg.api_root, b->data);
  rc = rc ? rc
          : st->ops->status_put(
                st, id, stored.data,
                (int64_t)s->cfg.status_keep_hours * 3600 * 1000000, &d);
  if (rc) {
    acc_buf f;
    acc_buf_init(&f, 4096);
    if (!acc_buf_printf(&f, "\"rid\":\"%s\",\"status_id\":\"%s\",\"message\":",
                        q->rid, id) &&
        !acc_taxii_json_str(&f, d.msg))
      acc_taxii_log("status_not_kept", f.data);
    acc_buf_free(&f);
  }
  r->status = 202;
out:
  acc_taxii_store_put(s, st);
  for (size_t i = 0; i < x.n_rej; i++) {
    free(x.rej[i].id);
    free(x.rej[i].msg);
    free(x.rej[i].version);
  }
  free(x.rej);
  acc_buf_free(&x.ok);
  acc_buf_free(&x.observed);
  acc_buf_free(&stored);
}

/* ---- dispatch ---- */

/* ---- /api/v1 ---- */

/* Whether an Accept header admits JSON (absent admits anything). */
static int api_accept_ok(const char *accept) {
  if (!accept || !*accept)
    return 1;
  return strstr(accept, "application/json") || strstr(accept, "*/*") ||
         strstr(accept, "application/*") || acc_taxii_accept_ok(accept);
}

/* The headers of an /api/v1 request: route, authenticate, check rights;
 * a POST that passes is answered when its body is complete. */
static void api_request(acc_taxii_server *s, struct MHD_Connection *c,
                        taxii_req *q, const char *url, const char *method,
                        taxii_resp *r) {
  const char *path = url + strlen("/api/v1");
  if (!*path)
    path = "/";
  if (strlen(path) >= sizeof q->api_path) {
    acc_taxii_error(r, q, 414, "the path is too long");
    return;
  }
  const acc_api_route *ar;
  const char *arg[ACC_API_MAX_ARGS];
  size_t n_arg;
  char segs[512];
  int m = acc_api_match(method, path, &ar, arg, &n_arg, segs, sizeof segs,
                        r->allow_buf, sizeof r->allow_buf);
  if (m == 404) {
    acc_taxii_error(r, q, 404, "no such API resource: /api/v1%.200s", path);
    return;
  }
  if (m == 405) {
    acc_taxii_error(r, q, 405, "%s is not allowed here (allowed: %s)", method,
                    r->allow_buf);
    r->allow = r->allow_buf;
    return;
  }
  if (!api_accept_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept"))) {
    acc_taxii_error(r, q, 406, "the Accept header must admit application/json");
    return;
  }
  acc_diag d = {{0}};
  acc_store *st = acc_taxii_store_get(s, &d);
  if (!st) {
    acc_taxii_error(r, q, 500, "opening the store failed: %s", d.msg);
    return;
  }
  if (ar->admin == ACC_API_OPEN) {
    /* The login: no credentials yet; the handler checks them. */
    q->who = acc_principal_anonymous;
  } else if (authenticate(s, c, q, st, r)) {
    goto out;
  } else if (q->who.uid == 0) {
    acc_taxii_error(r, q, 401, "the API needs an authenticated user");
    r->www_auth = 1;
    goto out;
  }
  if (ar->admin == 1 && !q->who.admin) {
    acc_taxii_error(r, q, 403, "only administrators may use this resource");
    goto out;
  }
  if (strcmp(method, "POST") == 0) {
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 "Content-Type");
    if (ct && *ct && !strstr(ct, "json")) {
      acc_taxii_error(r, q, 415, "the Content-Type must be application/json");
      goto out;
    }
    q->api = 1;
    snprintf(q->api_path, sizeof q->api_path, "%s", path);
    goto out; /* r->status stays 0: read the body */
  }
  snprintf(q->api_path, sizeof q->api_path, "%s", path);
  acc_taxii_api(s, c, q, st, NULL, 0, r);
out:
  acc_taxii_store_put(s, st);
}

void acc_taxii_api(acc_taxii_server *s, struct MHD_Connection *c, taxii_req *q,
                   acc_store *st, const char *body, size_t body_len,
                   taxii_resp *r) {
  const acc_api_route *ar;
  char segs[512], allow[64], audit_path[96];
  acc_api_call call = {.srv = s,
                       .st = st,
                       .who = &q->who,
                       .method = q->method,
                       .path = q->api_path,
                       .body = body,
                       .body_len = body_len,
                       .rid = q->rid,
                       .conn = c,
                       .data_dir = s->data_dir,
                       .client_addr = q->addr};
  if (acc_api_match(q->method, q->api_path, &ar, call.arg, &call.n_arg, segs,
                    sizeof segs, allow, sizeof allow)) {
    acc_taxii_error(r, q, 404, "no such API resource");
    return;
  }
  snprintf(audit_path, sizeof audit_path, "api:%s %s", ar->method,
           ar->pattern);
  call.reader = (acc_reader){.who = &q->who, .path = audit_path,
                             .audit = s->audit};
  acc_api_reply rep = {0};
  acc_buf_init(&rep.body, 0);
  ar->fn(&call, &rep);
  if (!rep.status) {
    acc_api_error(&rep, 500, "the handler gave no answer");
  }
  acc_buf_free(&r->body);
  r->body = rep.body;
  r->status = rep.status;
  r->ctype = rep.ctype ? rep.ctype : "application/json";
  snprintf(r->filename, sizeof r->filename, "%s", rep.filename);
  snprintf(r->set_cookie, sizeof r->set_cookie, "%s", rep.set_cookie);
}

void acc_taxii_handle(acc_taxii_server *s, struct MHD_Connection *c,
                      taxii_req *q, const char *url, const char *method,
                      taxii_resp *r) {
  route rt;
  acc_diag d = {{0}};
  acc_store *st = NULL;
  parse_route(s, url, &rt);
  int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
  int post = strcmp(method, "POST") == 0;
  int del = strcmp(method, "DELETE") == 0;

  if (get && acc_web_is_ui_url(url)) {
    acc_web_static(s, c, q, url, r); /* the web interface (web/static.c) */
    return;
  }
  if (rt.k == R_NONE) {
    acc_taxii_error(r, q, 404,
                    "no such resource (TAXII paths end in '/'; discovery is "
                    "/taxii2/, the API root /%s/)",
                    s->cfg.api_root);
    return;
  }
  if (rt.k == R_API) {
    api_request(s, c, q, url, method, r);
    return;
  }
  const char *allow = rt.k == R_OBJECTS  ? "GET, HEAD, POST"
                      : rt.k == R_OBJECT ? "GET, HEAD, DELETE"
                                         : "GET, HEAD";
  if (!(get || (post && rt.k == R_OBJECTS) || (del && rt.k == R_OBJECT))) {
    acc_taxii_error(r, q, 405, "%s is not allowed here (allowed: %s)", method,
                    allow);
    r->allow = allow;
    return;
  }
  if (rt.k == R_METRICS) {
    r->ctype = "text/plain; version=0.0.4; charset=utf-8";
    acc_taxii_metrics_text(s, &r->body);
    r->status = 200;
    return;
  }
  if (rt.k == R_HEALTH) {
    r->ctype = "text/plain; charset=utf-8";
    if ((st = acc_taxii_store_get(s, &d))) {
      acc_taxii_store_put(s, st);
      acc_buf_puts(&r->body, "ok\n");
      r->status = 200;
    } else {
      acc_buf_printf(&r->body, "store unavailable: %s\n", d.msg);
      r->status = 503;
    }
    return;
  }
  if (!acc_taxii_accept_ok(
          MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept"))) {
    acc_taxii_error(r, q, 406,
                    "the Accept header must admit " ACC_TAXII_MEDIA_TYPE);
    return;
  }
  if (!(st = acc_taxii_store_get(s, &d))) {
    acc_taxii_error(r, q, 500, "opening the store failed: %s", d.msg);
    return;
  }
  if (authenticate(s, c, q, st, r))
    goto out;

  switch (rt.k) {
  case R_DISCOVERY:
    discovery(s, r);
    goto out;
  case R_ROOT:
    api_root(s, r);
    goto out;
  case R_STATUS:
    get_status(s, q, st, rt.status, r);
    goto out;
  case R_COLLECTIONS:
    collections(s, q, st, r);
    goto out;
  default:
    break;
  }

  /* Everything below names a collection. */
  acc_collection coll;
  acc_rc rc = st->ops->coll_get(st, s->cfg.api_root, rt.coll, &coll, &d);
  if (rc == ACC_ENOTFOUND) {
    acc_taxii_error(r, q, 404, "no collection %.128s", rt.coll);
    goto out;
  }
  if (rc) {
    acc_taxii_error(r, q, 500, "reading collection failed: %s", d.msg);
    goto out;
  }
  int rd, wr;
  if ((rc = rights_of(s, st, &q->who, &coll, &rd, &wr, &d))) {
    acc_taxii_error(r, q, 500, "reading rights failed: %s", d.msg);
    goto out;
  }
  if (!rd && !wr) {
    /* Not even its existence is shown (sections 5.2-5.8 allow 404). */
    acc_taxii_error(r, q, 404, "no collection %.128s", rt.coll);
    goto out;
  }
  switch (rt.k) {
  case R_COLLECTION:
    if (collection_json(&r->body, &coll, rd, wr))
      acc_taxii_error(r, q, 500, "out of memory");
    else
      r->status = 200;
    break;
  case R_MANIFEST:
  case R_OBJECTS:
  case R_OBJECT:
  case R_VERSIONS:
    if (post) {
      if (!wr) {
        acc_taxii_error(r, q, 403, "no write access to collection %s", coll.id);
        break;
      }
      if (!acc_taxii_content_type_ok(MHD_lookup_connection_value(
              c, MHD_HEADER_KIND, "Content-Type"))) {
        acc_taxii_error(r, q, 415,
                        "the Content-Type must be " ACC_TAXII_MEDIA_TYPE);
        break;
      }
      q->coll = coll;
      break; /* r->status stays 0: read the body */
    }
    if (del) {
      /* Section 5.7: DELETE needs both rights; 404 without either. */
      if (!rd || !wr) {
        acc_taxii_error(r, q, 403,
                        "deleting needs read and write access to collection "
                        "%s",
                        coll.id);
        break;
      }
      delete_object(s, c, q, st, &coll, rt.object, r);
      break;
    }
    if (!rd) {
      acc_taxii_error(r, q, 403, "no read access to collection %s", coll.id);
      break;
    }
    list_resource(s, c, q, st,
                  rt.k == R_OBJECTS    ? PK_OBJECTS
                  : rt.k == R_MANIFEST ? PK_MANIFEST
                  : rt.k == R_OBJECT   ? PK_OBJECT
                                       : PK_VERSIONS,
                  &coll, rt.object, r);
    break;
  default:
    acc_taxii_error(r, q, 404, "no such resource");
    break;
  }
out:
  acc_taxii_store_put(s, st);
}
