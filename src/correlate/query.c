/*
 * query.c — correlation answers, under the sharing policy.
 *
 * For each value asked about: the postings of the value itself, of the
 * networks containing it and of the addresses and networks inside it
 * (IP kinds), then one or two hops through references (an SCO's id named
 * by a report's object_refs; an indicator's id named by a sighting; an
 * observed-data id named by a sighting or report).  Every posting is
 * decided by its sharing class: the class's facts are handed to
 * acc_guard_visible once per distinct set of facts, and an invisible
 * posting is dropped before anything is counted — occurrences, sources,
 * first and last seen, TLP, the "common" flag and list flags are all
 * computed over visible postings only, so an answer reads exactly as if
 * the invisible objects did not exist.  Postings of classes with granular
 * markings are kept only when the value survives the reader's redaction
 * (the object is read through acc_guard_scan and its values extracted
 * again).  The objects named in the answer are read through
 * acc_guard_scan, which audits the release.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate.h"
#include "correlate/lists.h"
#include "util/time.h"

#define DEFAULT_MAX_OBJECTS 50
#define DEFAULT_MAX_VALUES 1000
#define DEFAULT_MAX_NETS 100
#define MAX_SOURCES_NAMED 100 /* per value; n_sources counts them all */
#define HOP_MAX 200       /* hop from at most this many objects per value */
#define MAX_LIST_HITS 16
#define GUARD_BATCH 64
#define EXPAND_MAX 10000  /* referenced objects read for an object query */

/* ---- small containers ---- */

typedef struct i64set {
  int64_t *v;
  size_t n, cap;
} i64set;

static acc_rc i64_push(i64set *s, int64_t x) {
  if (s->n == s->cap) {
    size_t ncap = s->cap ? s->cap * 2 : 16;
    int64_t *p = realloc(s->v, ncap * sizeof *p);
    if (!p)
      return ACC_ENOMEM;
    s->v = p;
    s->cap = ncap;
  }
  s->v[s->n++] = x;
  return ACC_OK;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static void i64_sort_unique(i64set *s) {
  if (!s->n)
    return;
  qsort(s->v, s->n, sizeof *s->v, cmp_i64);
  size_t m = 1;
  for (size_t i = 1; i < s->n; i++)
    if (s->v[i] != s->v[m - 1])
      s->v[m++] = s->v[i];
  s->n = m;
}

static int i64_has(const i64set *s, int64_t x) {
  return s->n && bsearch(&x, s->v, s->n, sizeof x, cmp_i64) != NULL;
}

/* Interned strings (sources, ids reached through), found by hash. */
typedef struct strtab {
  char **v;
  size_t n, cap;
  int *slot; /* open addressing: index + 1, 0 = empty */
  size_t nslot;
} strtab;

static uint64_t str_hash(const char *s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
  return h;
}

static acc_rc intern(strtab *t, const char *s, int *idx) {
  if ((t->n + 1) * 2 > t->nslot) {
    size_t ns = t->nslot ? t->nslot * 2 : 64;
    int *sl = calloc(ns, sizeof *sl);
    if (!sl)
      return ACC_ENOMEM;
    for (size_t i = 0; i < t->n; i++) {
      size_t j = (size_t)str_hash(t->v[i]) & (ns - 1);
      while (sl[j])
        j = (j + 1) & (ns - 1);
      sl[j] = (int)i + 1;
    }
    free(t->slot);
    t->slot = sl;
    t->nslot = ns;
  }
  size_t j = (size_t)str_hash(s) & (t->nslot - 1);
  while (t->slot[j]) {
    if (strcmp(t->v[t->slot[j] - 1], s) == 0) {
      *idx = t->slot[j] - 1;
      return ACC_OK;
    }
    j = (j + 1) & (t->nslot - 1);
  }
  if (t->n == t->cap) {
    size_t ncap = t->cap ? t->cap * 2 : 16;
    char **p = realloc(t->v, ncap * sizeof *p);
    if (!p)
      return ACC_ENOMEM;
    t->v = p;
    t->cap = ncap;
  }
  char *c = strdup(s);
  if (!c)
    return ACC_ENOMEM;
  t->v[t->n] = c;
  t->slot[j] = (int)t->n + 1;
  *idx = (int)t->n++;
  return ACC_OK;
}

static void strtab_free(strtab *t) {
  for (size_t i = 0; i < t->n; i++)
    free(t->v[i]);
  free(t->v);
  free(t->slot);
}

/* ---- per-query state ---- */

/* What is known of one sharing class for this reader. */
typedef struct cls_info {
  int64_t cls;      /* 0 = empty slot */
  int visible;      /* the reader may see postings of this class */
  int granular;     /* and must check each posting against redaction */
  int tlp;          /* effective TLP (collection default applied) */
  int source;       /* index into q->sources */
} cls_info;

typedef struct hit {
  int64_t seq;
  int64_t t, te;
  int source;
  int tlp;
  int via; /* index into q->vias, -1 = the value itself */
} hit;

typedef struct group {
  int kind;
  char *text;     /* the indexed value */
  char *from;     /* the queried value it relates to */
  int relation;   /* 0 exact, 1 inside the queried network, 2 contains it */
  hit *hits;
  size_t n_hits, cap_hits;
  /* what is answered (group_finish fills it from hits unless summed) */
  int summed;    /* many postings: summed per class; hits = most recent */
  size_t occ;    /* visible occurrences */
  int64_t first, last;
  int tlp;
  size_t listed_max; /* objects named */
  int partial;   /* common: counting stopped past the threshold */
  int *srcs;     /* distinct visible sources */
  size_t n_srcs, cap_srcs;
} group;

typedef struct query {
  acc_store *s;
  const acc_reader *rd;
  acc_corr_opts o;
  acc_diag *d;
  cls_info *cls;
  size_t cap_cls, n_cls;
  size_t cls_misses;
  strtab sources;
  strtab vias;
  i64set self; /* versions of the object asked about (left out) */
  group *groups;
  size_t n_groups, cap_groups;
  /* granular checks: seq -> values as the reader sees them */
  int64_t *gseq;
  acc_cvals *gvals;
  size_t n_g, cap_g;
  /* org names by oid */
  int64_t *org_oid;
  char **org_name;
  size_t n_orgs;
  acc_guard_view *view; /* the reader's decisions */
  const i64set *vself;  /* versions asked about that hold the current value */
  unsigned common;      /* sources above which a value is common */
  int *mark;            /* per source: the group that added it last */
  size_t n_mark;
  acc_corr_agg *aggs;   /* per-class sums of the current value */
  size_t n_aggs, cap_aggs;
  unsigned *agg_seen;   /* per source: the round that saw it */
  size_t n_agg_seen;
  unsigned agg_round;   /* one per value summed */
  size_t agg_sources;   /* distinct visible sources seen this round */
  int64_t dflt_cid[16];   /* collections' default TLP, cached */
  int dflt_tlp[16];
  size_t n_dflt;
  /* postings collected for one value */
  acc_corr_posting *posts;
  size_t n_posts, cap_posts;
  struct row_slot *rows; /* rows read, by seq (row_of) */
  size_t n_rows, cap_rows;
} query;

static int on_org(void *ctx, const acc_org *o) {
  query *q = ctx;
  int64_t *po = realloc(q->org_oid, (q->n_orgs + 1) * sizeof *po);
  if (!po)
    return 1;
  q->org_oid = po;
  char **pn = realloc(q->org_name, (q->n_orgs + 1) * sizeof *pn);
  if (!pn)
    return 1;
  q->org_name = pn;
  q->org_name[q->n_orgs] = strdup(o->name);
  if (!q->org_name[q->n_orgs])
    return 1;
  q->org_oid[q->n_orgs++] = o->oid;
  return 0;
}

static const char *org_name(query *q, int64_t oid) {
  for (size_t i = 0; i < q->n_orgs; i++)
    if (q->org_oid[i] == oid)
      return q->org_name[i];
  return NULL;
}


/* The effective TLP of a class for display: its own, else its
 * collection's default. */
static int effective_tlp(query *q, const acc_corr_cls *c) {
  if (c->tlp >= 0)
    return c->tlp;
  for (size_t i = 0; i < q->n_dflt; i++)
    if (q->dflt_cid[i] == c->collection)
      return q->dflt_tlp[i];
  acc_collection coll;
  acc_diag d;
  int t = ACC_TLP_AMBER;
  if (!q->s->ops->coll_by_cid(q->s, c->collection, &coll, &d) &&
      coll.default_marking[0]) {
    acc_tlp m = acc_tlp_of_marking(coll.default_marking);
    t = m == ACC_TLP_NONE ? ACC_TLP_AMBER : (int)m;
  }
  size_t slot = q->n_dflt < 16 ? q->n_dflt++ : (size_t)c->collection % 16;
  q->dflt_cid[slot] = c->collection;
  q->dflt_tlp[slot] = t;
  return t;
}

/* The slot of class cls in the cache (empty when not there), growing the
 * table first when needed. */
static acc_rc class_slot(query *q, int64_t cls, cls_info **out) {
  if ((q->n_cls + 1) * 2 > q->cap_cls) {
    size_t ncap = q->cap_cls ? q->cap_cls * 2 : 256;
    cls_info *nc = calloc(ncap, sizeof *nc);
    if (!nc)
      return ACC_ENOMEM;
    for (size_t i = 0; i < q->cap_cls; i++) {
      if (!q->cls[i].cls)
        continue;
      size_t j = (size_t)((uint64_t)q->cls[i].cls * 0x9E3779B97F4A7C15ULL) &
                 (ncap - 1);
      while (nc[j].cls)
        j = (j + 1) & (ncap - 1);
      nc[j] = q->cls[i];
    }
    free(q->cls);
    q->cls = nc;
    q->cap_cls = ncap;
  }
  size_t j = (size_t)((uint64_t)cls * 0x9E3779B97F4A7C15ULL) & (q->cap_cls - 1);
  while (q->cls[j].cls && q->cls[j].cls != cls)
    j = (j + 1) & (q->cap_cls - 1);
  *out = &q->cls[j];
  return ACC_OK;
}

/* Decide class c for this reader and cache it. */
static acc_rc class_add(query *q, const acc_corr_cls *c, cls_info **out) {
  cls_info *slot;
  acc_rc rc = class_slot(q, c->cls, &slot);
  if (rc)
    return rc;
  if (slot->cls) {
    *out = slot;
    return ACC_OK;
  }
  cls_info ci = {.cls = c->cls};
  acc_record r;
  memset(&r, 0, sizeof r);
  r.collection = c->collection;
  r.tlp = c->tlp;
  r.granular_tlp = c->granular_tlp;
  r.share_orgs = c->share_orgs;
  r.share_users = c->share_users;
  r.origin_oid = c->origin_oid;
  r.origin_uid = c->origin_uid;
  r.created_us = r.modified_us = ACC_TIME_NONE;
  ci.visible = acc_guard_view_visible(q->view, &r);
  ci.tlp = effective_tlp(q, c);
  ci.granular = ci.visible && c->granular_tlp >= 0 && q->rd->who->uid != -1;
  char src[ACC_ID_MAX + ACC_NAME_MAX + 16];
  const char *on = c->origin_oid > 0 ? org_name(q, c->origin_oid) : NULL;
  if (on)
    snprintf(src, sizeof src, "%s", on);
  else if (c->created_by_ref)
    snprintf(src, sizeof src, "%s", c->created_by_ref);
  else
    snprintf(src, sizeof src, "(this instance)");
  if ((rc = intern(&q->sources, src, &ci.source)))
    return rc;
  *slot = ci;
  q->n_cls++;
  *out = slot;
  return ACC_OK;
}

static int on_cls(void *ctx, const acc_corr_cls *c) {
  query *q = ctx;
  cls_info *ci;
  return class_add(q, c, &ci) ? 1 : 0;
}

/* Decide a class for this reader (cached).  After CLS_PRELOAD misses, every
 * class is read and decided in one pass: a common value can touch
 * thousands. */
#define CLS_PRELOAD 1024
static acc_rc class_info(query *q, int64_t cls, cls_info **out) {
  cls_info *slot;
  acc_rc rc = class_slot(q, cls, &slot);
  if (rc)
    return rc;
  if (slot->cls) {
    *out = slot;
    return ACC_OK;
  }
  if (++q->cls_misses == CLS_PRELOAD) {
    rc = q->s->ops->corr_cls_all(q->s, on_cls, q, q->d);
    if (rc)
      return rc == (acc_rc)1 ? ACC_ENOMEM : rc;
    if ((rc = class_slot(q, cls, &slot)))
      return rc;
    if (slot->cls) {
      *out = slot;
      return ACC_OK;
    }
  }
  acc_corr_cls c;
  if ((rc = q->s->ops->corr_cls(q->s, cls, &c, q->d)))
    return rc;
  rc = class_add(q, &c, out);
  acc_corr_cls_clear(&c);
  return rc;
}

/* ---- reading objects through the guard ---- */

/* Ids of versions (seq → id, type) from the store's rows. */
typedef struct rowinfo {
  int64_t seq;
  char id[ACC_ID_MAX];
  char type[64];
  int64_t modified_us, created_us;
  int64_t collection;
} rowinfo;

static int on_row(void *ctx, const acc_record *r) {
  rowinfo *ri = ctx;
  ri->seq = r->seq;
  snprintf(ri->id, sizeof ri->id, "%s", r->id);
  snprintf(ri->type, sizeof ri->type, "%s", r->type);
  ri->modified_us = r->modified_us;
  ri->created_us = r->created_us;
  ri->collection = r->collection;
  return 0;
}

/* The row of a version, read once per answer (hops and the objects named
 * ask for the same ones). */
typedef struct row_slot {
  int64_t seq; /* 0 = empty */
  acc_rc rc;
  rowinfo *ri;
} row_slot;

static acc_rc row_of(query *q, int64_t seq, rowinfo *ri) {
  if ((q->n_rows + 1) * 2 > q->cap_rows) {
    size_t ncap = q->cap_rows ? q->cap_rows * 2 : 1024;
    row_slot *nr = calloc(ncap, sizeof *nr);
    if (nr) {
      for (size_t i = 0; i < q->cap_rows; i++) {
        if (!q->rows[i].seq)
          continue;
        size_t j = (size_t)((uint64_t)q->rows[i].seq * 0x9E3779B97F4A7C15ULL >>
                            20) & (ncap - 1);
        while (nr[j].seq)
          j = (j + 1) & (ncap - 1);
        nr[j] = q->rows[i];
      }
      free(q->rows);
      q->rows = nr;
      q->cap_rows = ncap;
    }
  }
  row_slot *slot = NULL;
  if ((q->n_rows + 1) * 2 <= q->cap_rows) {
    size_t j = (size_t)((uint64_t)seq * 0x9E3779B97F4A7C15ULL >> 20) &
               (q->cap_rows - 1);
    while (q->rows[j].seq && q->rows[j].seq != seq)
      j = (j + 1) & (q->cap_rows - 1);
    slot = &q->rows[j];
    if (slot->seq) {
      if (slot->ri)
        *ri = *slot->ri;
      else
        memset(ri, 0, sizeof *ri);
      return slot->rc;
    }
  }
  memset(ri, 0, sizeof *ri);
  acc_diag d;
  acc_rc rc = q->s->ops->corr_record(q->s, seq, on_row, ri, &d);
  if (rc && rc != ACC_ENOTFOUND)
    return acc_diag_set(q->d, rc, "%s", d.msg);
  if (slot) {
    slot->seq = seq;
    slot->rc = rc;
    slot->ri = rc ? NULL : malloc(sizeof *ri);
    if (slot->ri)
      *slot->ri = *ri;
    q->n_rows++;
  }
  return rc;
}

/* A version as released to the reader. */
typedef struct released {
  int64_t seq;
  json_t *obj; /* parsed (redacted) content */
} released;

typedef struct fetch_ctx {
  const i64set *want;
  int full; /* the whole content is needed (else only its name) */
  released *out;
  size_t n, cap;
  acc_rc rc;
} fetch_ctx;

static int on_released(void *ctx, const acc_record *r) {
  fetch_ctx *f = ctx;
  if (!i64_has(f->want, r->seq))
    return 0;
  if (f->n == f->cap) {
    size_t ncap = f->cap ? f->cap * 2 : 64;
    released *p = realloc(f->out, ncap * sizeof *p);
    if (!p) {
      f->rc = ACC_ENOMEM;
      return 1;
    }
    f->out = p;
    f->cap = ncap;
  }
  /* naming an object needs its name only: objects without one (SCOs,
   * observed-data, sightings) are not parsed at all */
  json_t *j = f->full || memmem(r->raw, r->raw_len, "\"name\"", 6)
                  ? json_loadb(r->raw, r->raw_len, 0, NULL)
                  : json_object();
  if (!j)
    return 0;
  f->out[f->n].seq = r->seq;
  f->out[f->n].obj = j;
  f->n++;
  return 0;
}

static int cmp_released(const void *a, const void *b) {
  const released *x = a, *y = b;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Read the versions in seqs (sorted, unique) through the guard, with ids
 * already known (rows).  Returns what was released, sorted by seq. */
static acc_rc fetch(query *q, const i64set *seqs, const rowinfo *rows,
                    int full, released **out, size_t *n_out) {
  fetch_ctx f = {.want = seqs, .full = full};
  acc_rc rc = ACC_OK;
  for (size_t i = 0; i < seqs->n && !rc;) {
    acc_query aq;
    acc_query_init(&aq);
    aq.version = ACC_VER_ALL;
    size_t start = i;
    for (; i < seqs->n && aq.n_ids < GUARD_BATCH; i++) {
      int dup = 0;
      for (size_t k = start; k < i && !dup; k++)
        dup = strcmp(rows[k].id, rows[i].id) == 0;
      if (!dup)
        aq.ids[aq.n_ids++] = rows[i].id;
    }
    rc = acc_guard_scan(q->s, q->rd, &aq, on_released, &f, NULL, q->d);
    if (!rc && f.rc)
      rc = f.rc;
  }
  if (rc) {
    for (size_t i = 0; i < f.n; i++)
      json_decref(f.out[i].obj);
    free(f.out);
    return rc;
  }
  if (f.n)
    qsort(f.out, f.n, sizeof *f.out, cmp_released);
  *out = f.out;
  *n_out = f.n;
  return ACC_OK;
}

static void released_free(released *r, size_t n) {
  for (size_t i = 0; i < n; i++)
    json_decref(r[i].obj);
  free(r);
}

/* Whether a granular-marked version still holds the value once redacted
 * for the reader. */
static acc_rc granular_ok(query *q, int64_t seq, int kind, const char *text,
                          int *ok) {
  *ok = 0;
  size_t i;
  for (i = 0; i < q->n_g; i++)
    if (q->gseq[i] == seq)
      break;
  if (i == q->n_g) {
    if (q->n_g == q->cap_g) {
      size_t ncap = q->cap_g ? q->cap_g * 2 : 16;
      int64_t *ps = realloc(q->gseq, ncap * sizeof *ps);
      if (!ps)
        return ACC_ENOMEM;
      q->gseq = ps;
      acc_cvals *pv = realloc(q->gvals, ncap * sizeof *pv);
      if (!pv)
        return ACC_ENOMEM;
      q->gvals = pv;
      q->cap_g = ncap;
    }
    acc_cvals_init(&q->gvals[i]);
    q->gseq[i] = seq;
    q->n_g++;
    rowinfo ri;
    if (row_of(q, seq, &ri) == ACC_OK) {
      i64set one = {0};
      acc_rc rc = i64_push(&one, seq);
      released *rel = NULL;
      size_t nrel = 0;
      if (!rc)
        rc = fetch(q, &one, &ri, 1, &rel, &nrel);
      free(one.v);
      if (rc)
        return rc;
      if (nrel)
        acc_corr_extract(rel[0].obj, &q->gvals[i]);
      released_free(rel, nrel);
    }
  }
  for (size_t k = 0; k < q->gvals[i].n; k++)
    if (q->gvals[i].v[k].v.kind == kind &&
        strcmp(q->gvals[i].v[k].text, text) == 0)
      *ok = 1;
  return ACC_OK;
}

/* ---- collecting hits ---- */

static int on_posting(void *ctx, const acc_corr_posting *p) {
  query *q = ctx;
  if (q->n_posts == q->cap_posts) {
    size_t ncap = q->cap_posts ? q->cap_posts * 2 : 256;
    acc_corr_posting *np = realloc(q->posts, ncap * sizeof *np);
    if (!np)
      return 1;
    q->posts = np;
    q->cap_posts = ncap;
  }
  q->posts[q->n_posts++] = *p;
  return 0;
}

static acc_rc group_add_hit(group *g, const hit *h) {
  for (size_t i = 0; i < g->n_hits; i++)
    if (g->hits[i].seq == h->seq)
      return ACC_OK;
  if (g->n_hits == g->cap_hits) {
    size_t ncap = g->cap_hits ? g->cap_hits * 2 : 16;
    hit *p = realloc(g->hits, ncap * sizeof *p);
    if (!p)
      return ACC_ENOMEM;
    g->hits = p;
    g->cap_hits = ncap;
  }
  g->hits[g->n_hits++] = *h;
  return ACC_OK;
}

/* The visible postings of value vid into g (via: -1 or a via index);
 * kind/text is what the posting's object holds (for granular checks). */
/* Add a source to g once: q->mark[src] says which group added it last
 * (a group's sources are gathered while no other group is). */
static acc_rc group_src(query *q, group *g, int src) {
  int gid = (int)(g - q->groups) + 1;
  if ((size_t)src >= q->n_mark) {
    size_t nm = q->n_mark ? q->n_mark : 256;
    while (nm <= (size_t)src)
      nm *= 2;
    int *p = realloc(q->mark, nm * sizeof *p);
    if (!p)
      return ACC_ENOMEM;
    memset(p + q->n_mark, 0, (nm - q->n_mark) * sizeof *p);
    q->mark = p;
    q->n_mark = nm;
  }
  if (q->mark[src] == gid)
    return ACC_OK;
  q->mark[src] = gid;
  if (g->n_srcs == g->cap_srcs) {
    size_t ncap = g->cap_srcs ? g->cap_srcs * 2 : 8;
    int *p = realloc(g->srcs, ncap * sizeof *p);
    if (!p)
      return ACC_ENOMEM;
    g->srcs = p;
    g->cap_srcs = ncap;
  }
  g->srcs[g->n_srcs++] = src;
  return ACC_OK;
}

static void group_time(group *g, int64_t t, int64_t te, int tlp) {
  if (g->first == ACC_TIME_NONE || t < g->first)
    g->first = t;
  if (g->last == ACC_TIME_NONE || te > g->last)
    g->last = te;
  if (tlp > g->tlp)
    g->tlp = tlp;
}

static int on_agg(void *ctx, const acc_corr_agg *a) {
  query *q = ctx;
  if (q->n_aggs == q->cap_aggs) {
    size_t ncap = q->cap_aggs ? q->cap_aggs * 2 : 64;
    acc_corr_agg *p = realloc(q->aggs, ncap * sizeof *p);
    if (!p)
      return 1;
    q->aggs = p;
    q->cap_aggs = ncap;
  }
  q->aggs[q->n_aggs++] = *a;
  /* Counting stops once the value is known to be common for this reader:
   * more than `common` distinct visible sources (decided on visible
   * classes only, so where it stops reveals nothing of the others). */
  cls_info *ci;
  if (!q->common || class_info(q, a->cls, &ci) || !ci->visible)
    return 0;
  if ((size_t)ci->source >= q->n_agg_seen) {
    size_t nm = q->n_agg_seen ? q->n_agg_seen : 256;
    while (nm <= (size_t)ci->source)
      nm *= 2;
    unsigned *p = realloc(q->agg_seen, nm * sizeof *p);
    if (!p)
      return 1;
    memset(p + q->n_agg_seen, 0, (nm - q->n_agg_seen) * sizeof *p);
    q->agg_seen = p;
    q->n_agg_seen = nm;
  }
  if (q->agg_seen[ci->source] != q->agg_round) {
    q->agg_seen[ci->source] = q->agg_round;
    if (++q->agg_sources > q->common)
      return 2; /* stop: common */
  }
  return 0;
}

static int cmp_agg_recent(const void *a, const void *b) {
  const acc_corr_agg *x = a, *y = b;
  return x->seq_max > y->seq_max ? -1 : x->seq_max < y->seq_max;
}

static int cmp_hit_seq_desc(const void *a, const void *b) {
  const hit *x = a, *y = b;
  return x->seq > y->seq ? -1 : x->seq < y->seq;
}

/* Objects named for a value: fewer for a common one (the count says how
 * many more there are). */
#define COMMON_LISTED 10
static size_t listed_max(const query *q, const group *g) {
  size_t n = g->summed ? g->n_srcs : 0;
  if (!g->summed) {
    /* sources of a value read one by one: an upper bound is enough */
    n = g->n_hits;
  }
  if (q->common && n > q->common && q->o.max_objects > COMMON_LISTED)
    return COMMON_LISTED;
  return q->o.max_objects;
}

/* A value with many postings: summed per visible class (the store adds
 * them up), and only the most recent ones read one by one. */
static acc_rc collect_summed(query *q, group *g, int64_t vid, int kind,
                             const char *text) {
  acc_rc rc = ACC_OK;
  g->summed = 1;
  /* the versions asked about are not counted */
  for (size_t i = 0; q->vself && i < q->vself->n; i++) {
    int64_t cls;
    acc_diag d;
    if (q->s->ops->corr_doc_cls(q->s, q->vself->v[i], &cls, &d))
      continue;
    for (size_t k = 0; k < q->n_aggs; k++)
      if (q->aggs[k].cls == cls && q->aggs[k].n > 0)
        q->aggs[k].n--;
  }
  size_t n_vis = 0;
  for (size_t k = 0; k < q->n_aggs && !rc; k++) {
    acc_corr_agg *a = &q->aggs[k];
    cls_info *ci;
    if (!a->n || (rc = class_info(q, a->cls, &ci)))
      continue;
    if (!ci->visible)
      continue;
    if (ci->granular) {
      /* each posting checked against the reader's redaction */
      q->n_posts = 0;
      rc = q->s->ops->corr_recent(q->s, vid, a->cls, (size_t)a->n + 64,
                                  on_posting, q, q->d);
      if (rc == (acc_rc)1)
        rc = ACC_ENOMEM;
      for (size_t i = 0; i < q->n_posts && !rc; i++) {
        const acc_corr_posting *p = &q->posts[i];
        int ok;
        if (i64_has(&q->self, p->seq))
          continue;
        if ((rc = granular_ok(q, p->seq, kind, text, &ok)) || !ok)
          continue;
        hit h = {.seq = p->seq, .t = p->t_us, .te = p->t_end_us,
                 .source = ci->source, .tlp = ci->tlp, .via = -1};
        g->occ++;
        group_time(g, h.t, h.te, h.tlp);
        if (!(rc = group_src(q, g, ci->source)))
          rc = group_add_hit(g, &h);
      }
      continue;
    }
    g->occ += (size_t)a->n;
    group_time(g, a->t_min_us, a->t_max_us, ci->tlp);
    if ((rc = group_src(q, g, ci->source)))
      break;
    q->aggs[n_vis++] = *a; /* keep the visible ones, in place */
  }
  if (rc)
    return rc;
  /* the most recent postings lie in the classes with the most recent */
  if (n_vis)
    qsort(q->aggs, n_vis, sizeof *q->aggs, cmp_agg_recent);
  size_t want = listed_max(q, g);
  for (size_t k = 0; k < n_vis && k < want && !rc; k++) {
    cls_info *ci;
    if ((rc = class_info(q, q->aggs[k].cls, &ci)))
      break;
    q->n_posts = 0;
    size_t lim = want + (q->vself ? q->vself->n : 0);
    rc = q->s->ops->corr_recent(q->s, vid, q->aggs[k].cls, lim, on_posting, q,
                                q->d);
    if (rc == (acc_rc)1)
      rc = ACC_ENOMEM;
    for (size_t i = 0; i < q->n_posts && !rc; i++) {
      const acc_corr_posting *p = &q->posts[i];
      if (i64_has(&q->self, p->seq))
        continue;
      hit h = {.seq = p->seq, .t = p->t_us, .te = p->t_end_us,
               .source = ci->source, .tlp = ci->tlp, .via = -1};
      if (g->n_hits == g->cap_hits) {
        size_t ncap = g->cap_hits ? g->cap_hits * 2 : 64;
        hit *np = realloc(g->hits, ncap * sizeof *np);
        if (!np)
          return ACC_ENOMEM;
        g->hits = np;
        g->cap_hits = ncap;
      }
      g->hits[g->n_hits++] = h;
    }
  }
  if (g->n_hits) {
    qsort(g->hits, g->n_hits, sizeof *g->hits, cmp_hit_seq_desc);
    if (g->n_hits > want)
      g->n_hits = want;
  }
  return rc;
}

/* Postings above which a value is summed per class rather than read one
 * by one. */
#define SUM_MIN 512

/* Whether the per-class sums just read hold one posting each (then each
 * is that posting: its seq, its start and its end). */
static int aggs_are_postings(const query *q) {
  for (size_t k = 0; k < q->n_aggs; k++)
    if (q->aggs[k].n != 1)
      return 0;
  return 1;
}

static acc_rc collect(query *q, group *g, int64_t vid, int kind,
                      const char *text, int via) {
  acc_rc rc;
  if (via < 0 && !g->summed) {
    q->n_aggs = 0;
    q->agg_round++;
    q->agg_sources = 0;
    rc = q->s->ops->corr_agg(q->s, vid, on_agg, q, q->d);
    if (rc == (acc_rc)2) {
      /* common: what was summed so far is the answer, as "at least" */
      g->partial = 1;
      return collect_summed(q, g, vid, kind, text);
    }
    if (rc)
      return rc == (acc_rc)1 ? ACC_ENOMEM : rc;
    int64_t total = 0;
    for (size_t k = 0; k < q->n_aggs; k++)
      total += q->aggs[k].n;
    if (total > (int64_t)(q->o.sum_min ? q->o.sum_min : SUM_MIN))
      return collect_summed(q, g, vid, kind, text);
  }
  q->n_posts = 0;
  if (via < 0 && !g->summed && aggs_are_postings(q)) {
    /* one posting per class: the sums are the postings (no second read) */
    for (size_t k = 0; k < q->n_aggs; k++) {
      const acc_corr_agg *a = &q->aggs[k];
      acc_corr_posting p = {.vid = vid, .cls = a->cls, .seq = a->seq_max,
                            .t_us = a->t_min_us, .t_end_us = a->t_max_us};
      if (on_posting(q, &p))
        return ACC_ENOMEM;
    }
  } else {
    rc = q->s->ops->corr_postings(q->s, vid, on_posting, q, q->d);
  }
  if (rc)
    return rc == (acc_rc)1 ? ACC_ENOMEM : rc;
  /* group_add_hit is linear: keep groups of huge values fast by
   * de-duplicating only hop hits (direct postings are distinct seqs) */
  for (size_t i = 0; i < q->n_posts && !rc; i++) {
    const acc_corr_posting *p = &q->posts[i];
    if (i64_has(&q->self, p->seq))
      continue;
    cls_info *ci;
    if ((rc = class_info(q, p->cls, &ci)))
      break;
    if (!ci->visible)
      continue;
    if (ci->granular) {
      int ok;
      if ((rc = granular_ok(q, p->seq, kind, text, &ok)))
        break;
      if (!ok)
        continue;
    }
    hit h = {.seq = p->seq,
             .t = p->t_us,
             .te = p->t_end_us,
             .source = ci->source,
             .tlp = ci->tlp,
             .via = via};
    if (via < 0 && !g->summed) {
      if (g->n_hits == g->cap_hits) {
        size_t ncap = g->cap_hits ? g->cap_hits * 2 : 16;
        hit *np = realloc(g->hits, ncap * sizeof *np);
        if (!np)
          return ACC_ENOMEM;
        g->hits = np;
        g->cap_hits = ncap;
      }
      g->hits[g->n_hits++] = h;
    } else {
      size_t before = g->n_hits;
      rc = group_add_hit(g, &h);
      if (!rc && g->summed && g->n_hits > before) {
        /* a hop hit of a summed value: counted here */
        g->occ++;
        group_time(g, h.t, h.te, h.tlp);
        rc = group_src(q, g, h.source);
      }
    }
  }
  return rc;
}

/* Fill what is answered from the hits (values read one by one). */
static acc_rc group_finish(query *q, group *g) {
  if (g->summed)
    return ACC_OK;
  g->occ = g->n_hits;
  for (size_t i = 0; i < g->n_hits; i++) {
    group_time(g, g->hits[i].t, g->hits[i].te, g->hits[i].tlp);
    acc_rc rc = group_src(q, g, g->hits[i].source);
    if (rc)
      return rc;
  }
  return ACC_OK;
}

static size_t n_sources_of(const query *q, const group *g) {
  if (g->summed)
    return g->n_srcs;
  unsigned char *seen = calloc(q->sources.n + 1, 1);
  if (!seen)
    return (size_t)-1; /* treated as common: no hops */
  size_t k = 0;
  for (size_t i = 0; i < g->n_hits; i++)
    if (!seen[g->hits[i].source]) {
      seen[g->hits[i].source] = 1;
      k++;
    }
  free(seen);
  return k;
}

/* The hops: objects naming the ones that hold the value. */
static acc_rc hop(query *q, group *g) {
  size_t n0 = g->n_hits;
  if (n0 > HOP_MAX)
    n0 = HOP_MAX;
  acc_rc rc = ACC_OK;
  /* two levels: the value's holders, then observed-data and indicators
   * found at the first level */
  size_t from = 0, to = n0;
  for (int level = 0; level < 2 && !rc; level++) {
    size_t end = g->n_hits;
    for (size_t i = from; i < to && i < end && !rc; i++) {
      rowinfo ri;
      if (row_of(q, g->hits[i].seq, &ri))
        continue;
      const char *dd = strstr(ri.id, "--");
      if (!dd)
        continue;
      int is_sco = 0;
      char type[64];
      size_t tn = (size_t)(dd - ri.id) < sizeof type ? (size_t)(dd - ri.id)
                                                     : sizeof type - 1;
      memcpy(type, ri.id, tn);
      type[tn] = '\0';
      is_sco = acc_stix_type_kind(type) == ACC_KIND_SCO;
      if (!is_sco && strcmp(type, "observed-data") && strcmp(type, "indicator"))
        continue;
      if (level == 1 && is_sco)
        continue;
      acc_cval ref;
      if (acc_corr_normalise(ACC_CK_REF, NULL, ri.id, strlen(ri.id), &ref))
        continue;
      int64_t vid;
      acc_diag d;
      if (q->s->ops->corr_find(q->s, &ref.v, &vid, &d))
        continue;
      int via;
      if ((rc = intern(&q->vias, ri.id, &via)))
        break;
      rc = collect(q, g, vid, ACC_CK_REF, ref.text, via);
    }
    from = end;
    to = g->n_hits;
    if (to - from > HOP_MAX)
      to = from + HOP_MAX;
  }
  return rc;
}

static acc_rc new_group(query *q, int kind, const char *text, const char *qv,
                        int relation, group **out) {
  if (q->n_groups == q->cap_groups) {
    size_t ncap = q->cap_groups ? q->cap_groups * 2 : 16;
    group *p = realloc(q->groups, ncap * sizeof *p);
    if (!p)
      return ACC_ENOMEM;
    q->groups = p;
    q->cap_groups = ncap;
  }
  group *g = &q->groups[q->n_groups];
  memset(g, 0, sizeof *g);
  g->kind = kind;
  g->relation = relation;
  g->first = g->last = ACC_TIME_NONE;
  g->tlp = -1;
  g->text = strdup(text);
  g->from = strdup(qv);
  if (!g->text || !g->from) {
    free(g->text);
    free(g->from);
    return ACC_ENOMEM;
  }
  q->n_groups++;
  *out = g;
  return ACC_OK;
}

typedef struct netv {
  int64_t vid;
  int kind;
  char text[64];
} netv;

typedef struct nets_ctx {
  netv *v;
  size_t n, max;
  int64_t self_vid;
} nets_ctx;

static int on_net(void *ctx, const acc_corr_value *v) {
  nets_ctx *x = ctx;
  if (v->vid == x->self_vid)
    return 0;
  if (x->n >= x->max)
    return 1;
  x->v[x->n].vid = v->vid;
  x->v[x->n].kind = v->kind;
  snprintf(x->v[x->n].text, sizeof x->v[x->n].text, "%s", v->text);
  x->n++;
  return 0;
}

/* Groups for one queried value. */
static acc_rc correlate_value(query *q, const acc_cval *v, unsigned common) {
  int64_t vid = 0;
  acc_diag d;
  acc_rc rc;
  group *g;
  if ((rc = new_group(q, v->v.kind, v->text, v->text, 0, &g)))
    return rc;
  size_t gi = q->n_groups - 1;
  if (!q->s->ops->corr_find(q->s, &v->v, &vid, &d)) {
    if ((rc = collect(q, g, vid, v->v.kind, v->text, -1)))
      return rc;
    g = &q->groups[gi];
    if (n_sources_of(q, g) <= common &&
        (rc = hop(q, &q->groups[gi])))
      return rc;
  }
  if (v->v.kind != ACC_CK_IPV4 && v->v.kind != ACC_CK_IPV6)
    return ACC_OK;
  nets_ctx x = {.max = q->o.max_nets, .self_vid = vid};
  x.v = calloc(x.max, sizeof *x.v);
  if (!x.v)
    return ACC_ENOMEM;
  for (int mode = 0; mode < 2 && !rc; mode++) {
    x.n = 0;
    if (mode == 0 && v->v.plen == (v->v.kind == ACC_CK_IPV6 ? 128 : 32))
      continue; /* an address contains nothing else */
    rc = q->s->ops->corr_nets(q->s, &v->v,
                              mode == 0 ? ACC_CORR_NET_INSIDE
                                        : ACC_CORR_NET_CONTAINING,
                              on_net, &x, q->d);
    if (rc == (acc_rc)1)
      rc = ACC_OK; /* max_nets reached */
    for (size_t i = 0; i < x.n && !rc; i++) {
      rc = new_group(q, x.v[i].kind, x.v[i].text, v->text, mode == 0 ? 1 : 2,
                     &g);
      if (rc)
        break;
      size_t k = q->n_groups - 1;
      rc = collect(q, g, x.v[i].vid, x.v[i].kind, x.v[i].text, -1);
      if (!rc && n_sources_of(q, &q->groups[k]) <= common)
        rc = hop(q, &q->groups[k]);
      if (!rc && !q->groups[k].n_hits && !q->groups[k].occ) {
        /* nothing visible: the group is not shown at all */
        free(q->groups[k].text);
        free(q->groups[k].from);
        free(q->groups[k].hits);
        free(q->groups[k].srcs);
        q->n_groups--;
      }
    }
  }
  free(x.v);
  return rc;
}

/* ---- the answer ---- */

static json_t *jtime(int64_t us) {
  if (us == ACC_TIME_NONE)
    return json_null();
  char ts[ACC_TIME_BUFSZ];
  acc_time_format_ms(us, ts);
  return json_string(ts);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A JSON array of strings, sorted (answers list sources in name order). */
static json_t *sorted_strings(json_t *arr) {
  size_t n = json_array_size(arr);
  const char **v = malloc((n ? n : 1) * sizeof *v);
  json_t *out = json_array();
  if (v && out) {
    for (size_t i = 0; i < n; i++)
      v[i] = json_string_value(json_array_get(arr, i));
    if (n)
      qsort(v, n, sizeof *v, cmp_str);
    for (size_t i = 0; i < n; i++)
      json_array_append_new(out, json_string(v[i]));
  }
  free(v);
  json_decref(arr);
  return out;
}

static int cmp_hit_recent(const void *a, const void *b) {
  const hit *x = a, *y = b;
  return x->seq > y->seq ? -1 : x->seq < y->seq;
}

static const char *relation_name(int r) {
  return r == 1 ? "inside" : r == 2 ? "contains" : "exact";
}

static json_t *list_flags(query *q, const group *g, int64_t first,
                          int64_t last, json_t *flags) {
  if (g->kind != ACC_CK_IPV4 && g->kind != ACC_CK_IPV6)
    return NULL;
  acc_list_hit lh[MAX_LIST_HITS];
  size_t n = 0;
  acc_diag d;
  int64_t from = q->o.at_us != ACC_TIME_NONE ? q->o.at_us : first;
  int64_t until = q->o.at_us != ACC_TIME_NONE ? q->o.at_us : last;
  if (from == ACC_TIME_NONE)
    from = until = acc_time_now_us();
  if (acc_lists_lookup_span(q->s, g->text, from, until, lh, MAX_LIST_HITS, &n,
                            &d))
    return NULL;
  if (!n)
    return NULL;
  json_t *arr = json_array();
  for (size_t i = 0; i < n && i < MAX_LIST_HITS; i++) {
    json_array_append_new(
        arr, json_pack("{s:s,s:s,s:o,s:o}", "kind", lh[i].kind, "list",
                       lh[i].list, "valid_from", jtime(lh[i].valid_from_us),
                       "valid_until", jtime(lh[i].valid_until_us)));
    int dup = 0;
    size_t k;
    json_t *f;
    json_array_foreach(flags, k, f) {
      if (!strcmp(json_string_value(f), lh[i].kind))
        dup = 1;
    }
    if (!dup)
      json_array_append_new(flags, json_string(lh[i].kind));
  }
  return arr;
}

static acc_rc answer(query *q, const char *what, const char *self_id,
                     unsigned common, json_t **out) {
  acc_rc rc = ACC_OK;
  size_t seen_n = q->sources.n + 1;
  unsigned char *seen = calloc(seen_n, 1);
  i64set listed = {0};
  rowinfo *rows = NULL;
  released *rel = NULL;
  size_t n_rel = 0;
  json_t *top = json_object();
  json_t *values = json_array();
  if (!seen || !top || !values) {
    rc = ACC_ENOMEM;
    goto out;
  }
  /* the objects to name: the most recent max_objects of each group */
  for (size_t gi = 0; gi < q->n_groups && !rc; gi++) {
    group *g = &q->groups[gi];
    if (g->n_hits)
      qsort(g->hits, g->n_hits, sizeof *g->hits, cmp_hit_recent);
    size_t lm = g->summed ? listed_max(q, g)
                : (n_sources_of(q, g) > q->common && q->o.max_objects >
                                                         COMMON_LISTED
                       ? COMMON_LISTED
                       : q->o.max_objects);
    g->listed_max = lm;
    for (size_t i = 0; i < g->n_hits && i < lm && !rc; i++)
      rc = i64_push(&listed, g->hits[i].seq);
  }
  if (rc)
    goto out;
  i64_sort_unique(&listed);
  rows = calloc(listed.n ? listed.n : 1, sizeof *rows);
  if (!rows) {
    rc = ACC_ENOMEM;
    goto out;
  }
  for (size_t i = 0; i < listed.n; i++)
    if (row_of(q, listed.v[i], &rows[i]))
      rows[i].seq = 0;
  if ((rc = fetch(q, &listed, rows, 0, &rel, &n_rel)))
    goto out;
  json_t *all_sources = json_array();
  memset(seen, 0, seen_n);
  size_t n_matched = 0;
  size_t n_checked = 0;
  for (size_t gi = 0; gi < q->n_groups; gi++) {
    group *g = &q->groups[gi];
    if ((rc = group_finish(q, g)))
      break;
    if (g->relation == 0)
      n_checked++;
    /* asked by id: only the values something else shares are listed (a
     * report of 1,000 SCOs would otherwise list hundreds of empty ones);
     * values_checked says how many were looked up */
    if (self_id && !g->occ)
      continue;
    int64_t first = g->first, last = g->last;
    int tlp = g->tlp;
    json_t *srcs = json_array();
    size_t n_src = g->n_srcs;
    /* sources in name order; a common value's are counted, and named up
     * to a limit */
    const char **names = malloc((n_src ? n_src : 1) * sizeof *names);
    if (!names) {
      json_decref(srcs);
      rc = ACC_ENOMEM;
      break;
    }
    for (size_t i = 0; i < n_src; i++) {
      names[i] = q->sources.v[g->srcs[i]];
      if (!seen[g->srcs[i]]) {
        seen[g->srcs[i]] = 1;
        if (json_array_size(all_sources) < MAX_SOURCES_NAMED * 10)
          json_array_append_new(all_sources, json_string(names[i]));
      }
    }
    if (n_src)
      qsort(names, n_src, sizeof *names, cmp_str);
    for (size_t i = 0; i < n_src && i < MAX_SOURCES_NAMED; i++)
      json_array_append_new(srcs, json_string(names[i]));
    free(names);
    json_t *flags = json_array();
    if (n_src > common)
      json_array_append_new(flags, json_string("common"));
    json_t *lists = list_flags(q, g, first, last, flags);
    json_t *objs = json_array();
    size_t shown = 0;
    for (size_t i = 0; i < g->n_hits && i < g->listed_max; i++) {
      hit *h = &g->hits[i];
      released key = {.seq = h->seq};
      released *r =
          n_rel ? bsearch(&key, rel, n_rel, sizeof *rel, cmp_released) : NULL;
      if (!r)
        continue; /* not released after all: not named */
      const int64_t *pos =
          bsearch(&h->seq, listed.v, listed.n, sizeof *listed.v, cmp_i64);
      const rowinfo *ri = pos ? &rows[pos - listed.v] : NULL;
      json_t *o = json_pack(
          "{s:s,s:s,s:s,s:s,s:o,s:o}", "id", ri ? ri->id : "", "type",
          ri ? ri->type : "", "source", q->sources.v[h->source], "tlp",
          acc_tlp_name((acc_tlp)h->tlp), "first_seen", jtime(h->t),
          "last_seen", jtime(h->te));
      json_t *name = json_object_get(r->obj, "name");
      if (json_is_string(name))
        json_object_set(o, "name", name);
      if (h->via >= 0)
        json_object_set_new(o, "via", json_string(q->vias.v[h->via]));
      json_array_append_new(objs, o);
      shown++;
    }
    if (g->occ)
      n_matched++;
    json_t *gv = json_pack("{s:s,s:s,s:s,s:s}", "value", g->text, "kind",
                           acc_corr_kind_name(g->kind), "relation",
                           relation_name(g->relation), "queried", g->from);
    json_object_set_new(gv, "occurrences", json_integer((json_int_t)g->occ));
    if (g->partial)
      json_object_set_new(gv, "counted", json_string("at least"));
    json_object_set_new(gv, "n_sources", json_integer((json_int_t)n_src));
    json_object_set_new(gv, "sources", srcs);
    json_object_set_new(gv, "first_seen", g->occ ? jtime(first) : json_null());
    json_object_set_new(gv, "last_seen", g->occ ? jtime(last) : json_null());
    json_object_set_new(gv, "tlp", tlp >= 0
                                       ? json_string(acc_tlp_name((acc_tlp)tlp))
                                       : json_null());
    json_object_set_new(gv, "flags", flags);
    if (lists)
      json_object_set_new(gv, "lists", lists);
    json_object_set_new(gv, "objects", objs);
    json_object_set_new(gv, "more_objects",
                        json_integer((json_int_t)(g->occ - shown)));
    json_array_append_new(values, gv);
  }
  json_object_set_new(top, "query", json_string(what));
  if (self_id)
    json_object_set_new(top, "id", json_string(self_id));
  json_object_set_new(top, "common_sources", json_integer(common));
  json_object_set_new(top, "values_matched", json_integer((json_int_t)n_matched));
  if (self_id)
    json_object_set_new(top, "values_checked",
                        json_integer((json_int_t)n_checked));
  json_object_set_new(top, "sources", sorted_strings(all_sources));
  json_object_set_new(top, "values", values);
  values = NULL;
  if (!rc) {
    *out = top;
    top = NULL;
  }
out:
  json_decref(values);
  json_decref(top);
  free(seen);
  free(listed.v);
  free(rows);
  released_free(rel, n_rel);
  return rc;
}

static void query_free(query *q) {
  acc_guard_view_free(q->view);
  free(q->cls);
  strtab_free(&q->sources);
  strtab_free(&q->vias);
  free(q->self.v);
  for (size_t i = 0; i < q->n_groups; i++) {
    free(q->groups[i].text);
    free(q->groups[i].from);
    free(q->groups[i].hits);
    free(q->groups[i].srcs);
  }
  free(q->groups);
  free(q->aggs);
  free(q->agg_seen);
  free(q->mark);
  for (size_t i = 0; i < q->n_g; i++)
    acc_cvals_free(&q->gvals[i]);
  free(q->gseq);
  free(q->gvals);
  for (size_t i = 0; i < q->n_orgs; i++)
    free(q->org_name[i]);
  free(q->org_oid);
  free(q->org_name);
  free(q->posts);
  for (size_t i = 0; i < q->cap_rows; i++)
    free(q->rows[i].ri);
  free(q->rows);
}

static acc_rc query_init(query *q, acc_store *s, const acc_reader *rd,
                         const acc_corr_opts *o, acc_diag *d) {
  memset(q, 0, sizeof *q);
  q->s = s;
  q->rd = rd;
  q->d = d;
  if (o)
    q->o = *o;
  else
    q->o.at_us = ACC_TIME_NONE;
  if (!q->o.max_objects)
    q->o.max_objects = DEFAULT_MAX_OBJECTS;
  if (!q->o.max_values)
    q->o.max_values = DEFAULT_MAX_VALUES;
  if (!q->o.max_nets)
    q->o.max_nets = DEFAULT_MAX_NETS;
  if (!rd || !rd->who || !rd->audit || !rd->path)
    return acc_diag_set(d, ACC_EINVAL,
                        "a read needs a principal, a path and an audit log");
  if (acc_guard_view_new(s, rd->who, &q->view))
    return acc_diag_set(d, ACC_ENOMEM, "deciding for the reader");
  acc_diag ignore;
  if (s->ops->org_list(s, on_org, q, &ignore))
    return acc_diag_set(d, ACC_ENOMEM, "reading organisations");
  return ACC_OK;
}

acc_rc acc_corr_query_values(acc_store *s, const acc_reader *rd,
                             const acc_cvals *vs, const char *self_id,
                             const acc_corr_opts *o, json_t **out,
                             acc_diag *d) {
  query q;
  acc_rc rc = query_init(&q, s, rd, o, d);
  (void)self_id;
  unsigned common = q.o.common ? q.o.common : acc_corr_common_sources(s);
  q.common = common;
  for (size_t i = 0; i < vs->n && i < q.o.max_values && !rc; i++)
    if (vs->v[i].v.kind != ACC_CK_REF)
      rc = correlate_value(&q, &vs->v[i], common);
  if (!rc)
    rc = answer(&q, vs->n ? vs->v[0].text : "", self_id, common, out);
  query_free(&q);
  return rc;
}

/* ---- entry point ---- */

typedef struct self_ctx {
  int64_t seq;
  json_t *obj;
} self_ctx;

static int on_self(void *ctx, const acc_record *r) {
  self_ctx *x = ctx;
  if (x->obj)
    return 0;
  x->seq = r->seq;
  x->obj = json_loadb(r->raw, r->raw_len, 0, NULL);
  return 0;
}

/* A value of the object asked about (or of what it names) and the
 * version holding it. */
typedef struct held {
  int64_t seq;
  acc_cval *v; /* into the owning acc_cvals of its object */
} held;

typedef struct expand_ctx {
  acc_cvals *objs; /* one acc_cvals per object read, values kept */
  size_t n_objs, cap_objs;
  int64_t *seqs;
  i64set *self;
  acc_rc rc;
} expand_ctx;

static acc_rc keep_values(expand_ctx *x, json_t *j, int64_t seq) {
  if (x->n_objs == x->cap_objs) {
    size_t ncap = x->cap_objs ? x->cap_objs * 2 : 64;
    acc_cvals *p = realloc(x->objs, ncap * sizeof *p);
    int64_t *ps = realloc(x->seqs, ncap * sizeof *ps);
    if (p)
      x->objs = p;
    if (ps)
      x->seqs = ps;
    if (!p || !ps)
      return ACC_ENOMEM;
    x->cap_objs = ncap;
  }
  acc_cvals *vs = &x->objs[x->n_objs];
  acc_cvals_init(vs);
  acc_rc rc = acc_corr_extract(j, vs);
  if (rc) {
    acc_cvals_free(vs);
    return rc;
  }
  x->seqs[x->n_objs++] = seq;
  return i64_push(x->self, seq);
}

static int cmp_held(const void *a, const void *b) {
  const held *x = a, *y = b;
  if (x->v->v.kind != y->v->v.kind)
    return x->v->v.kind - y->v->v.kind;
  return strcmp(x->v->text, y->v->text);
}

static int on_expand(void *ctx, const acc_record *r) {
  expand_ctx *x = ctx;
  json_t *j = json_loadb(r->raw, r->raw_len, 0, NULL);
  if (!j)
    return 0;
  x->rc = keep_values(x, j, r->seq);
  json_decref(j);
  return x->rc ? 1 : 0;
}

static acc_rc corr_query(acc_store *s, const acc_reader *rd, const char *what,
                         const acc_corr_opts *o, json_t **out, acc_diag *d);

/* One read transaction for the whole answer: a consistent view, and no
 * lock taken and dropped per statement. */
acc_rc acc_corr_query(acc_store *s, const acc_reader *rd, const char *what,
                      const acc_corr_opts *o, json_t **out, acc_diag *d) {
  acc_diag sd;
  int sp = acc_store_savepoint(s, &sd) == ACC_OK;
  acc_rc rc = corr_query(s, rd, what, o, out, d);
  if (sp)
    acc_store_release(s, &sd);
  return rc;
}

static acc_rc corr_query(acc_store *s, const acc_reader *rd, const char *what,
                         const acc_corr_opts *o, json_t **out, acc_diag *d) {
  acc_cvals vs;
  acc_cvals_init(&vs);
  acc_rc rc;
  if (!acc_stix_id_valid(what, NULL)) {
    acc_cval v;
    if (acc_corr_guess(what, &v))
      return acc_diag_set(d, ACC_EINVAL,
                          "'%s' is not a value correlation knows (an IP "
                          "address or network, domain, URL, e-mail, hash, "
                          "MAC, ASN, or KIND:VALUE such as sha256:..., "
                          "mutex:..., regkey:..., account:...) nor a STIX id",
                          what);
    rc = acc_cvals_add(&vs, &v);
    if (!rc)
      rc = acc_corr_query_values(s, rd, &vs, NULL, o, out, d);
    acc_cvals_free(&vs);
    return rc;
  }
  /* An object: its values as the reader sees it, and those of the SCOs,
   * observed-data and indicators it names. */
  self_ctx sx = {0};
  rc = acc_guard_get(s, rd, 0, what, ACC_TIME_NONE, on_self, &sx, d);
  if (rc)
    return rc;
  if (!sx.obj)
    return acc_diag_set(d, ACC_EJSON, "%s: stored content unreadable", what);
  i64set self = {0};
  expand_ctx ex = {.self = &self};
  rc = keep_values(&ex, sx.obj, sx.seq);
  json_decref(sx.obj);
  /* follow its references (in batches through the guard) */
  /* a copy: ex.objs moves as objects are added (the values do not) */
  acc_cvals mine_copy;
  if (!rc)
    mine_copy = ex.objs[0];
  const acc_cvals *mine = rc ? NULL : &mine_copy;
  size_t n_refs = 0;
  for (size_t i = 0; mine && i < mine->n && n_refs < EXPAND_MAX && !rc;) {
    acc_query aq;
    acc_query_init(&aq);
    for (; i < mine->n && aq.n_ids < GUARD_BATCH && n_refs < EXPAND_MAX; i++)
      if (mine->v[i].v.kind == ACC_CK_REF) {
        aq.ids[aq.n_ids++] = mine->v[i].text;
        n_refs++;
      }
    if (aq.n_ids)
      rc = acc_guard_scan(s, rd, &aq, on_expand, &ex, NULL, d);
    if (!rc && ex.rc)
      rc = ex.rc;
  }
  /* every value once, with the versions asked about that hold it */
  size_t n_held = 0;
  for (size_t k = 0; k < ex.n_objs; k++)
    n_held += ex.objs[k].n;
  held *hs = rc ? NULL : malloc((n_held ? n_held : 1) * sizeof *hs);
  if (!rc && !hs)
    rc = ACC_ENOMEM;
  size_t m = 0;
  for (size_t k = 0; !rc && k < ex.n_objs; k++)
    for (size_t i = 0; i < ex.objs[k].n; i++)
      if (ex.objs[k].v[i].v.kind != ACC_CK_REF)
        hs[m++] = (held){ex.seqs[k], &ex.objs[k].v[i]};
  if (!rc && m)
    qsort(hs, m, sizeof *hs, cmp_held);
  if (!rc) {
    /* answer as for values, leaving the object and what it names out */
    query qq;
    rc = query_init(&qq, s, rd, o, d);
    if (!rc) {
      qq.self = self;
      self.v = NULL;
      i64_sort_unique(&qq.self);
      unsigned common = qq.o.common ? qq.o.common : acc_corr_common_sources(s);
      qq.common = common;
      i64set holders = {0};
      for (size_t i = 0, k = 0; i < m && k < qq.o.max_values && !rc;) {
        size_t j = i;
        holders.n = 0;
        while (j < m && !cmp_held(&hs[i], &hs[j]))
          rc = rc ? rc : i64_push(&holders, hs[j++].seq);
        if (rc)
          break;
        i64_sort_unique(&holders);
        qq.vself = &holders;
        k++;
        rc = correlate_value(&qq, hs[i].v, common);
        i = j;
      }
      qq.vself = NULL;
      free(holders.v);
      if (!rc)
        rc = answer(&qq, what, what, common, out);
    }
    query_free(&qq);
  }
  free(hs);
  for (size_t k = 0; k < ex.n_objs; k++)
    acc_cvals_free(&ex.objs[k]);
  free(ex.objs);
  free(ex.seqs);
  free(self.v);
  acc_cvals_free(&vs);
  return rc;
}

/* ---- for people ---- */

void acc_corr_print(FILE *f, const json_t *a) {
  const json_t *values = json_object_get(a, "values");
  size_t i;
  json_t *g;
  size_t shown = 0;
  json_array_foreach(values, i, g) {
    json_int_t occ = json_integer_value(json_object_get(g, "occurrences"));
    const char *rel = json_string_value(json_object_get(g, "relation"));
    json_t *flags = json_object_get(g, "flags");
    fprintf(f, "%s %s", json_string_value(json_object_get(g, "kind")),
            json_string_value(json_object_get(g, "value")));
    if (rel && strcmp(rel, "exact"))
      fprintf(f, " (%s %s)",
              !strcmp(rel, "inside") ? "inside" : "contains",
              json_string_value(json_object_get(g, "queried")));
    fprintf(f, ": %lld occurrence%s, %lld source%s", (long long)occ,
            occ == 1 ? "" : "s",
            (long long)json_integer_value(json_object_get(g, "n_sources")),
            json_integer_value(json_object_get(g, "n_sources")) == 1 ? "" : "s");
    if (occ) {
      fprintf(f, ", seen %s .. %s, up to %s",
              json_string_value(json_object_get(g, "first_seen")),
              json_string_value(json_object_get(g, "last_seen")),
              json_string_value(json_object_get(g, "tlp")));
    }
    size_t k;
    json_t *fl;
    json_array_foreach(flags, k, fl) {
      fprintf(f, " [%s]", json_string_value(fl));
    }
    fputc('\n', f);
    json_t *srcs = json_object_get(g, "sources");
    if (json_array_size(srcs)) {
      fprintf(f, "  sources:");
      json_t *sv;
      json_array_foreach(srcs, k, sv) {
        fprintf(f, "%s %s", k ? "," : "", json_string_value(sv));
      }
      fputc('\n', f);
    }
    json_t *lists = json_object_get(g, "lists");
    json_t *l;
    json_array_foreach(lists, k, l) {
      fprintf(f, "  on list %s (%s)\n",
              json_string_value(json_object_get(l, "list")),
              json_string_value(json_object_get(l, "kind")));
    }
    json_t *objs = json_object_get(g, "objects");
    json_t *o;
    json_array_foreach(objs, k, o) {
      const char *name = json_string_value(json_object_get(o, "name"));
      const char *via = json_string_value(json_object_get(o, "via"));
      fprintf(f, "  %s%s%s%s [%s, %s]%s%s\n",
              json_string_value(json_object_get(o, "id")), name ? " \"" : "",
              name ? name : "", name ? "\"" : "",
              json_string_value(json_object_get(o, "source")),
              json_string_value(json_object_get(o, "tlp")),
              via ? " via " : "", via ? via : "");
    }
    json_int_t more = json_integer_value(json_object_get(g, "more_objects"));
    if (more)
      fprintf(f, "  ... and %lld more\n", (long long)more);
    shown++;
  }
  if (!shown)
    fprintf(f, "no values\n");
}
