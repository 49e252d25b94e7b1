/*
 * obseval.c — the observation level of a pattern (STIX §9.5): given, for
 * each observation expression [...], the observations it matched, find
 * the sets of distinct observations ("bindings") that satisfy AND, OR,
 * FOLLOWEDBY, WITHIN, REPEATS and START/STOP.
 *
 * An observation's time is its interval first_observed .. last_observed.
 * START/STOP bounds are pushed down to the leaves (every observation of a
 * binding must lie in [start, stop)); a WITHIN window prunes combinations
 * as they are made (a binding only widens when it grows).  REPEATS n
 * takes disjoint bindings in time order until their weights (a single
 * observation weighs its number_observed) reach n.  The number of
 * bindings kept per node and of combinations examined are bounded
 * (ACC_PBIND_MAX, ACC_PBIND_WORK).
 */
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_int.h"

typedef struct oc {
  const uint32_t *const *hits;
  const size_t *nhits;
  const acc_pobsinfo *info;
  acc_parena *a;
  size_t work;
} oc;

static acc_rc push_bind(oc *c, acc_pbindset *s, size_t *cap,
                        const acc_pbind *b) {
  if (s->n >= ACC_PBIND_MAX)
    return ACC_OK;
  if (s->n == *cap) {
    size_t nc = *cap ? *cap * 2 : 16;
    acc_pbind *nb = acc_parena_alloc(c->a, nc * sizeof *nb);
    if (!nb)
      return ACC_ENOMEM;
    if (s->n)
      memcpy(nb, s->b, s->n * sizeof *nb);
    s->b = nb;
    *cap = nc;
  }
  s->b[s->n++] = *b;
  return ACC_OK;
}

static int disjoint(const acc_pbind *x, const acc_pbind *y) {
  uint32_t i = 0, j = 0;
  while (i < x->n && j < y->n) {
    if (x->obs[i] == y->obs[j])
      return 0;
    if (x->obs[i] < y->obs[j])
      i++;
    else
      j++;
  }
  return 1;
}

static acc_rc merge(oc *c, const acc_pbind *x, const acc_pbind *y,
                    acc_pbind *out) {
  uint32_t n = x->n + y->n;
  uint32_t *o = acc_parena_alloc(c->a, n * sizeof *o);
  if (!o)
    return ACC_ENOMEM;
  uint32_t i = 0, j = 0, k = 0;
  while (i < x->n || j < y->n)
    o[k++] = j >= y->n || (i < x->n && x->obs[i] < y->obs[j]) ? x->obs[i++]
                                                              : y->obs[j++];
  out->obs = o;
  out->n = n;
  out->tmin = x->tmin < y->tmin ? x->tmin : y->tmin;
  out->tmax = x->tmax > y->tmax ? x->tmax : y->tmax;
  out->weight = x->weight < y->weight ? x->weight : y->weight;
  return ACC_OK;
}

static int fits(int64_t tmin, int64_t tmax, int64_t maxspan) {
  return maxspan == INT64_MAX || tmax - tmin < maxspan;
}

static acc_rc eval(oc *c, const acc_ponode *n, int64_t lo, int64_t hi,
                   int64_t maxspan, acc_pbindset *out);

static acc_rc leaf(oc *c, const acc_ponode *n, int64_t lo, int64_t hi,
                   int64_t maxspan, acc_pbindset *out) {
  size_t cap = 0;
  const uint32_t *h = c->hits[n->leaf];
  for (size_t i = 0; i < c->nhits[n->leaf] && out->n < ACC_PBIND_MAX; i++) {
    const acc_pobsinfo *in = &c->info[h[i]];
    if (in->first_us < lo || in->last_us >= hi ||
        !fits(in->first_us, in->last_us, maxspan))
      continue;
    uint32_t *o = acc_parena_alloc(c->a, sizeof *o);
    if (!o)
      return ACC_ENOMEM;
    *o = h[i];
    acc_pbind b = {o, 1, in->first_us, in->last_us, in->count};
    acc_rc rc = push_bind(c, out, &cap, &b);
    if (rc)
      return rc;
  }
  return ACC_OK;
}

/* Pairs of x and y (distinct observations, within maxspan; for
 * FOLLOWEDBY y after x). */
static acc_rc combine(oc *c, const acc_pbindset *x, const acc_pbindset *y,
                      int followed, int64_t maxspan, acc_pbindset *out) {
  size_t cap = 0;
  out->n = 0;
  for (size_t i = 0; i < x->n; i++)
    for (size_t j = 0; j < y->n; j++) {
      if (out->n >= ACC_PBIND_MAX || ++c->work > ACC_PBIND_WORK)
        return ACC_OK;
      const acc_pbind *a = &x->b[i], *b = &y->b[j];
      if (followed && b->tmin < a->tmax)
        continue;
      int64_t tmin = a->tmin < b->tmin ? a->tmin : b->tmin;
      int64_t tmax = a->tmax > b->tmax ? a->tmax : b->tmax;
      if (!fits(tmin, tmax, maxspan) || !disjoint(a, b))
        continue;
      acc_pbind m;
      acc_rc rc = merge(c, a, b, &m);
      if (!rc)
        rc = push_bind(c, out, &cap, &m);
      if (rc)
        return rc;
    }
  return ACC_OK;
}

static int by_time(const void *p, const void *q) {
  const acc_pbind *a = p, *b = q;
  if (a->tmin != b->tmin)
    return a->tmin < b->tmin ? -1 : 1;
  if (a->tmax != b->tmax)
    return a->tmax < b->tmax ? -1 : 1;
  for (uint32_t i = 0; i < a->n && i < b->n; i++)
    if (a->obs[i] != b->obs[i])
      return a->obs[i] < b->obs[i] ? -1 : 1;
  return (a->n > b->n) - (a->n < b->n);
}

static acc_rc repeats(oc *c, const acc_ponode *n, int64_t lo, int64_t hi,
                      int64_t maxspan, acc_pbindset *out) {
  acc_pbindset x = {0};
  acc_rc rc = eval(c, n->kids[0], lo, hi, maxspan, &x);
  if (rc || x.n == 0)
    return rc;
  qsort(x.b, x.n, sizeof *x.b, by_time);
  size_t cap = 0;
  uint64_t want = n->repeats;
  for (size_t i = 0; i < x.n && out->n < ACC_PBIND_MAX; i++) {
    acc_pbind cur = x.b[i];
    uint64_t total = cur.weight;
    for (size_t j = i + 1; total < want && j < x.n; j++) {
      if (++c->work > ACC_PBIND_WORK)
        return ACC_OK;
      const acc_pbind *b = &x.b[j];
      int64_t tmin = cur.tmin < b->tmin ? cur.tmin : b->tmin;
      int64_t tmax = cur.tmax > b->tmax ? cur.tmax : b->tmax;
      if (!fits(tmin, tmax, maxspan) || !disjoint(&cur, b))
        continue;
      acc_pbind m;
      if ((rc = merge(c, &cur, b, &m)))
        return rc;
      total += b->weight;
      cur = m;
    }
    if (total < want)
      continue;
    cur.weight = total / want;
    if ((rc = push_bind(c, out, &cap, &cur)))
      return rc;
  }
  return ACC_OK;
}

static acc_rc eval(oc *c, const acc_ponode *n, int64_t lo, int64_t hi,
                   int64_t maxspan, acc_pbindset *out) {
  acc_rc rc = ACC_OK;
  out->n = 0;
  out->b = NULL;
  switch (n->kind) {
  case PO_SIMPLE:
    return leaf(c, n, lo, hi, maxspan, out);
  case PO_STARTSTOP:
    return eval(c, n->kids[0], lo > n->start_us ? lo : n->start_us,
                hi < n->stop_us ? hi : n->stop_us, maxspan, out);
  case PO_WITHIN:
    return eval(c, n->kids[0], lo, hi,
                maxspan < n->within_us ? maxspan : n->within_us, out);
  case PO_REPEATS:
    return repeats(c, n, lo, hi, maxspan, out);
  case PO_OR: {
    size_t cap = 0;
    for (unsigned k = 0; k < n->nkids; k++) {
      acc_pbindset s = {0};
      if ((rc = eval(c, n->kids[k], lo, hi, maxspan, &s)))
        return rc;
      for (size_t i = 0; i < s.n; i++)
        if ((rc = push_bind(c, out, &cap, &s.b[i])))
          return rc;
    }
    return ACC_OK;
  }
  default: { /* PO_AND, PO_FBY: left to right */
    acc_pbindset acc = {0};
    if ((rc = eval(c, n->kids[0], lo, hi, maxspan, &acc)))
      return rc;
    for (unsigned k = 1; k < n->nkids && acc.n; k++) {
      acc_pbindset s = {0}, r = {0};
      if ((rc = eval(c, n->kids[k], lo, hi, maxspan, &s)))
        return rc;
      if ((rc = combine(c, &acc, &s, n->kind == PO_FBY, maxspan, &r)))
        return rc;
      acc = r;
    }
    *out = acc;
    return ACC_OK;
  }
  }
}

static int by_obs(const void *p, const void *q) {
  const acc_pbind *a = p, *b = q;
  for (uint32_t i = 0; i < a->n && i < b->n; i++)
    if (a->obs[i] != b->obs[i])
      return a->obs[i] < b->obs[i] ? -1 : 1;
  return (a->n > b->n) - (a->n < b->n);
}

acc_rc acc_pobs_evaluate(const acc_pattern *p, const uint32_t *const *hits,
                         const size_t *nhits, const acc_pobsinfo *info,
                         acc_parena *a, acc_pbindset *out) {
  oc c = {hits, nhits, info, a, 0};
  acc_pbindset s = {0};
  acc_rc rc = eval(&c, p->root, INT64_MIN, INT64_MAX, INT64_MAX, &s);
  if (rc)
    return rc;
  /* the same observations reached in different orders count once */
  if (s.n > 1)
    qsort(s.b, s.n, sizeof *s.b, by_obs);
  size_t k = 0;
  for (size_t i = 0; i < s.n; i++)
    if (k == 0 || by_obs(&s.b[k - 1], &s.b[i]))
      s.b[k++] = s.b[i];
  s.n = k;
  *out = s;
  return ACC_OK;
}
