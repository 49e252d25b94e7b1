/*
 * observe.c — a match run: STIX objects stream in (pjson.c), SCOs are kept
 * by id for the object_refs of observed-data that come later, each
 * observed-data becomes an observation (its SCOs from object_refs or from
 * the deprecated embedded `objects`) and is scanned against the matcher.
 * Observed-data whose SCOs have not been seen yet wait until the end.
 *
 * A pattern of one observation expression ([...] with at most START/STOP)
 * gives a match per matching observation at once; for the others the
 * observations each leaf matched are collected and the observation-level
 * operators are evaluated at the end (obseval.c).  Only observations that
 * matched something are remembered (id, times, number_observed).
 */
#include <stdlib.h>
#include <string.h>

#include "pattern/matcher_int.h"
#include "stix/stix.h"
#include "util/time.h"

/* Most leaf hits kept for multi-observation patterns. */
#define MAX_HITS ((size_t)1 << 26)

#define NO_OBS UINT32_MAX

typedef struct hitv {
  uint32_t *v;
  size_t n, cap;
} hitv;

typedef struct single {
  uint32_t ind, obs;
} single;

struct acc_match_run {
  const acc_matcher *m;
  acc_mscan scan;
  acc_parena scratch; /* the object being read */
  acc_parena keep;    /* SCOs, waiting observed-data, observation ids */
  acc_parena tmp;     /* per observation at the end */
  acc_phtab scos;     /* id -> acc_pj (in keep) */
  acc_pj **waiting;
  size_t nwait, capwait;
  /* observations that matched something */
  acc_pobsinfo *info;
  const char **ids;
  size_t nobs, capobs;
  /* the observation being scanned */
  const char *cur_id;
  size_t cur_idlen;
  acc_pobsinfo cur;
  uint32_t cur_obs; /* its index once interned, else NO_OBS */
  /* results */
  single *singles;
  size_t nsingle, capsingle;
  hitv *hits; /* per leaf */
  size_t total_hits;
  /* the observation's SCOs */
  const acc_pj **scov;
  const char **keyv;
  uint32_t *keylenv;
  size_t capv;
  acc_match_counts counts;
  int finished;
};

static void *grow(void *p, size_t *cap, size_t n, size_t size, size_t limit) {
  if (n < *cap)
    return p;
  size_t nc = *cap ? *cap * 2 : 64;
  if (nc > limit)
    return NULL;
  void *np = realloc(p, nc * size);
  if (np)
    *cap = nc;
  return np;
}

acc_rc acc_match_run_new(const acc_matcher *m, acc_match_run **out) {
  if (!m->compiled)
    return ACC_EINVAL;
  acc_match_run *r = calloc(1, sizeof *r);
  if (!r)
    return ACC_ENOMEM;
  r->m = m;
  acc_parena_init(&r->scratch, 1 << 16, (size_t)512 << 20);
  acc_parena_init(&r->keep, 1 << 20, (size_t)16 << 30);
  acc_parena_init(&r->tmp, 1 << 16, (size_t)1 << 30);
  acc_phtab_init(&r->scos, (size_t)1 << 30);
  r->hits = calloc(m->nleaves ? m->nleaves : 1, sizeof *r->hits);
  if (!r->hits || acc_mscan_init(&r->scan, m)) {
    acc_match_run_free(r);
    return ACC_ENOMEM;
  }
  *out = r;
  return ACC_OK;
}

void acc_match_run_free(acc_match_run *r) {
  if (!r)
    return;
  acc_mscan_free(&r->scan);
  acc_parena_free(&r->scratch);
  acc_parena_free(&r->keep);
  acc_parena_free(&r->tmp);
  acc_phtab_free(&r->scos);
  if (r->hits)
    for (size_t i = 0; i < r->m->nleaves; i++)
      free(r->hits[i].v);
  free(r->hits);
  free(r->waiting);
  free(r->info);
  free(r->ids);
  free(r->singles);
  free(r->scov);
  free(r->keyv);
  free(r->keylenv);
  free(r);
}

void acc_match_run_counts(const acc_match_run *r, acc_match_counts *c) {
  *c = r->counts;
  c->candidates = r->scan.candidates;
}

/* ---- hits --------------------------------------------------------------- */

static acc_rc intern_obs(acc_match_run *r) {
  if (r->cur_obs != NO_OBS)
    return ACC_OK;
  if (r->nobs >= UINT32_MAX - 1)
    return ACC_ENOMEM;
  size_t cap = r->capobs;
  acc_pobsinfo *ni = grow(r->info, &cap, r->nobs, sizeof *ni, UINT32_MAX);
  if (!ni)
    return ACC_ENOMEM;
  r->info = ni;
  cap = r->capobs;
  const char **nd = grow(r->ids, &cap, r->nobs, sizeof *nd, UINT32_MAX);
  if (!nd)
    return ACC_ENOMEM;
  r->ids = nd;
  r->capobs = cap;
  char *id = acc_parena_strdup(&r->keep, r->cur_id, r->cur_idlen);
  if (!id)
    return ACC_ENOMEM;
  r->ids[r->nobs] = id;
  r->info[r->nobs] = r->cur;
  r->cur_obs = (uint32_t)r->nobs++;
  return ACC_OK;
}

static acc_rc on_hit(void *ctx, uint32_t leaf) {
  acc_match_run *r = ctx;
  const mleaf *l = &r->m->leaves[leaf];
  const acc_pattern *pat = r->m->ind[l->ind].pat;
  acc_rc rc;
  if (pat->single) {
    for (const acc_ponode *n = pat->root; n->kind == PO_STARTSTOP;
         n = n->kids[0])
      if (r->cur.first_us < n->start_us || r->cur.last_us >= n->stop_us)
        return ACC_OK;
    if ((rc = intern_obs(r)))
      return rc;
    single *ns =
        grow(r->singles, &r->capsingle, r->nsingle, sizeof *ns, MAX_HITS);
    if (!ns)
      return ACC_ENOMEM;
    r->singles = ns;
    r->singles[r->nsingle++] = (single){l->ind, r->cur_obs};
    return ACC_OK;
  }
  if (r->total_hits >= MAX_HITS)
    return ACC_ENOMEM;
  if ((rc = intern_obs(r)))
    return rc;
  hitv *h = &r->hits[leaf];
  uint32_t *nv = grow(h->v, &h->cap, h->n, sizeof *nv, MAX_HITS);
  if (!nv)
    return ACC_ENOMEM;
  h->v = nv;
  h->v[h->n++] = r->cur_obs;
  r->total_hits++;
  return ACC_OK;
}

/* ---- observations ------------------------------------------------------- */

static int get_ts(const acc_pj *o, const char *key, int64_t *us) {
  const acc_pj *v = acc_pj_get(o, key);
  return v && v->type == PJ_STR && acc_time_parse(v->u.s, v->n, 0, us) == 0;
}

static acc_rc push_sco(acc_match_run *r, size_t *n, const acc_pj *sco,
                       const char *key, size_t keylen) {
  if (*n == r->capv) {
    size_t nc = r->capv ? r->capv * 2 : 64;
    if (nc > ((size_t)1 << 24))
      return ACC_ENOMEM;
    const acc_pj **a = realloc(r->scov, nc * sizeof *a);
    if (!a)
      return ACC_ENOMEM;
    r->scov = a;
    const char **b = realloc(r->keyv, nc * sizeof *b);
    if (!b)
      return ACC_ENOMEM;
    r->keyv = b;
    uint32_t *c = realloc(r->keylenv, nc * sizeof *c);
    if (!c)
      return ACC_ENOMEM;
    r->keylenv = c;
    r->capv = nc;
  }
  r->scov[*n] = sco;
  r->keyv[*n] = key;
  r->keylenv[*n] = (uint32_t)keylen;
  (*n)++;
  return ACC_OK;
}

/* Scan observed-data od.  With may_wait, one whose object_refs name an
 * SCO not seen yet is kept for the end instead. */
static acc_rc observe(acc_match_run *r, const acc_pj *od, int may_wait,
                      acc_parena *a) {
  const acc_pj *id = acc_pj_get(od, "id");
  acc_pobsinfo in;
  if (!id || id->type != PJ_STR ||
      !get_ts(od, "first_observed", &in.first_us) ||
      !get_ts(od, "last_observed", &in.last_us)) {
    r->counts.bad++;
    return ACC_OK;
  }
  const acc_pj *no = acc_pj_get(od, "number_observed");
  in.count = no && no->type == PJ_INT && no->u.i > 0 ? (uint64_t)no->u.i : 1;
  size_t n = 0;
  acc_rc rc = ACC_OK;
  const acc_pj *objs = acc_pj_get(od, "objects");
  const acc_pj *refs = acc_pj_get(od, "object_refs");
  if (objs && objs->type == PJ_OBJ) {
    for (uint32_t i = 0; !rc && i < objs->n; i++) {
      const acc_pj *s = &objs->u.kids[i];
      if (s->type == PJ_OBJ && acc_pj_get(s, "type"))
        rc = push_sco(r, &n, s, s->key, s->keylen);
    }
  } else if (refs && refs->type == PJ_ARR) {
    for (uint32_t i = 0; !rc && i < refs->n; i++) {
      const acc_pj *ref = &refs->u.kids[i];
      if (ref->type != PJ_STR)
        continue;
      const acc_pj *s = acc_phtab_get(&r->scos, ref->u.s, ref->n,
                                      acc_phash(ref->u.s, ref->n));
      if (!s && may_wait) {
        /* an SCO not seen yet: try again at the end */
        acc_pj **nw = grow(r->waiting, &r->capwait, r->nwait, sizeof *nw,
                           (size_t)1 << 28);
        acc_pj *copy = acc_parena_alloc(&r->keep, sizeof *copy);
        if (!nw || !copy)
          return ACC_ENOMEM;
        r->waiting = nw;
        if ((rc = acc_pj_copy(&r->keep, od, copy)))
          return rc;
        r->waiting[r->nwait++] = copy;
        return ACC_OK;
      }
      if (!s) {
        r->counts.unresolved++;
        continue;
      }
      rc = push_sco(r, &n, s, ref->u.s, ref->n);
    }
  }
  if (rc)
    return rc;
  acc_pobs o = {r->scov, r->keyv, r->keylenv, n, NULL};
  if ((rc = acc_pobs_index(&o, a)))
    return rc;
  r->cur_id = id->u.s;
  r->cur_idlen = id->n;
  r->cur = in;
  r->cur_obs = NO_OBS;
  r->counts.observations++;
  return acc_mscan_obs(&r->scan, &o, on_hit, r);
}

static int is_type(const acc_pj *t, const char *name) {
  size_t n = strlen(name);
  return t->n == n && !memcmp(t->u.s, name, n);
}

static acc_rc on_object(void *ctx, const acc_pj *obj, size_t index,
                        size_t line) {
  acc_match_run *r = ctx;
  (void)index, (void)line;
  r->counts.objects++;
  const acc_pj *t = acc_pj_get(obj, "type");
  if (!t || t->type != PJ_STR || t->n == 0 || t->n > 250) {
    r->counts.bad++;
    return ACC_OK;
  }
  if (is_type(t, "observed-data"))
    return observe(r, obj, 1, &r->scratch);
  char type[251];
  memcpy(type, t->u.s, t->n);
  type[t->n] = '\0';
  acc_stix_kind k = acc_stix_type_kind(type);
  if (k != ACC_KIND_SCO && k != ACC_KIND_CUSTOM)
    return ACC_OK;
  const acc_pj *id = acc_pj_get(obj, "id");
  if (!id || id->type != PJ_STR)
    return ACC_OK;
  uint64_t h = acc_phash(id->u.s, id->n);
  if (acc_phtab_get(&r->scos, id->u.s, id->n, h))
    return ACC_OK; /* the first one given is kept */
  acc_pj *copy = acc_parena_alloc(&r->keep, sizeof *copy);
  if (!copy)
    return ACC_ENOMEM;
  acc_rc rc = acc_pj_copy(&r->keep, obj, copy);
  if (rc)
    return rc;
  const acc_pj *cid = acc_pj_get(copy, "id");
  void **slot;
  int existed;
  if ((rc = acc_phtab_put(&r->scos, cid->u.s, cid->n, h, &slot, &existed)))
    return rc;
  *slot = copy;
  r->counts.scos++;
  return ACC_OK;
}

acc_rc acc_match_run_feed(acc_match_run *r, const char *doc, size_t len,
                          acc_diag *diag) {
  if (r->finished)
    return acc_diag_set(diag, ACC_EINVAL, "the run is finished");
  acc_rc rc =
      acc_pj_stream(doc, len, &r->scratch, on_object, r, &r->counts.bad, diag);
  if (rc == ACC_ENOMEM)
    acc_diag_set(diag, rc,
                 "out of memory (or a limit reached) while "
                 "matching");
  return rc;
}

/* ---- results ------------------------------------------------------------ */

static int by_ind(const void *p, const void *q) {
  const single *a = p, *b = q;
  if (a->ind != b->ind)
    return a->ind < b->ind ? -1 : 1;
  return (a->obs > b->obs) - (a->obs < b->obs);
}

acc_rc acc_match_run_finish(acc_match_run *r, acc_match_cb cb, void *ctx,
                            acc_diag *diag) {
  if (r->finished)
    return acc_diag_set(diag, ACC_EINVAL, "the run is finished");
  r->finished = 1;
  acc_rc rc = ACC_OK;
  for (size_t i = 0; !rc && i < r->nwait; i++) {
    acc_parena_reset(&r->tmp);
    rc = observe(r, r->waiting[i], 0, &r->tmp);
  }
  if (rc)
    return acc_diag_set(diag, rc,
                        "matching the observed-data that waited "
                        "for their SCOs: %s",
                        acc_strerror(rc));
  if (r->nsingle > 1)
    qsort(r->singles, r->nsingle, sizeof *r->singles, by_ind);
  const acc_matcher *m = r->m;
  size_t si = 0;
  const uint32_t **hp = NULL;
  size_t *hn = NULL;
  for (size_t ind = 0; !rc && ind < m->nind; ind++) {
    const mind *in = &m->ind[ind];
    acc_match mt = {in->id, ind, NULL, 0, 0, 0, 0};
    if (in->pat->single) {
      for (; si < r->nsingle && r->singles[si].ind == ind; si++) {
        uint32_t o = r->singles[si].obs;
        mt.obs_ids = &r->ids[o];
        mt.n_obs = 1;
        mt.first_us = r->info[o].first_us;
        mt.last_us = r->info[o].last_us;
        mt.count = r->info[o].count;
        r->counts.matches++;
        if ((rc = cb(ctx, &mt)))
          break;
      }
      continue;
    }
    unsigned nl = in->pat->nleaves;
    int any = 0;
    for (unsigned k = 0; k < nl; k++)
      any |= r->hits[in->leaf0 + k].n > 0;
    if (!any)
      continue;
    free(hp);
    free(hn);
    hp = malloc(nl * sizeof *hp);
    hn = malloc(nl * sizeof *hn);
    if (!hp || !hn) {
      rc = ACC_ENOMEM;
      break;
    }
    for (unsigned k = 0; k < nl; k++) {
      hp[k] = r->hits[in->leaf0 + k].v;
      hn[k] = r->hits[in->leaf0 + k].n;
    }
    acc_parena_reset(&r->tmp);
    acc_pbindset bs;
    if ((rc = acc_pobs_evaluate(in->pat, hp, hn, r->info, &r->tmp, &bs)))
      break;
    for (size_t b = 0; !rc && b < bs.n; b++) {
      const acc_pbind *bd = &bs.b[b];
      const char **ids = acc_parena_alloc(&r->tmp, bd->n * sizeof *ids);
      if (!ids) {
        rc = ACC_ENOMEM;
        break;
      }
      for (uint32_t k = 0; k < bd->n; k++)
        ids[k] = r->ids[bd->obs[k]];
      mt.obs_ids = ids;
      mt.n_obs = bd->n;
      mt.first_us = bd->tmin;
      mt.last_us = bd->tmax;
      mt.count = 1;
      r->counts.matches++;
      rc = cb(ctx, &mt);
    }
  }
  free(hp);
  free(hn);
  if (rc == ACC_ENOMEM)
    acc_diag_set(diag, rc,
                 "out of memory evaluating multi-observation "
                 "patterns");
  else if (rc && diag && !diag->msg[0])
    acc_diag_set(diag, rc, "stopped: %s", acc_strerror(rc));
  return rc;
}
