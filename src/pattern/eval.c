/*
 * eval.c — comparison expressions against one observation (STIX §9.6,
 * §9.7): object paths resolved from a starting SCO through properties,
 * dictionary keys, list indexes, [*] and references (_ref, _refs[i],
 * followed only to SCOs of the same observation), and each comparison
 * operator with the type rules of §9.6.1-9.6.4: mismatched types compare
 * false except for !=; binary properties (_bin, _hex) are compared as
 * octets, a string constant converted when all its code points are below
 * U+0100; LIKE and MATCHES see NFC-normalised strings; a path that is not
 * present makes the comparison false whatever the operator, NOT included
 * (EXISTS aside).
 */
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_int.h"
#include "util/time.h"

/* Most values one path may visit (bounds [*] over big lists). */
#define PATH_BUDGET 100000

/* PCRE2 backtracking bound per match. */
#define MATCH_LIMIT 1000000

acc_rc acc_peval_init(acc_peval *e) {
  memset(e, 0, sizeof *e);
  acc_buf_init(&e->nfc, (size_t)256 << 20);
  acc_buf_init(&e->oct, (size_t)256 << 20);
  e->md = pcre2_match_data_create(1, NULL);
  e->mctx = pcre2_match_context_create(NULL);
  if (!e->md || !e->mctx) {
    acc_peval_free(e);
    return ACC_ENOMEM;
  }
  pcre2_set_match_limit(e->mctx, MATCH_LIMIT);
  return ACC_OK;
}

void acc_peval_free(acc_peval *e) {
  if (!e)
    return;
  acc_buf_free(&e->nfc);
  acc_buf_free(&e->oct);
  pcre2_match_data_free(e->md);
  pcre2_match_context_free(e->mctx);
  e->md = NULL;
  e->mctx = NULL;
}

/* ---- observations ------------------------------------------------------- */

static int keycmp(const char *a, size_t an, const char *b, size_t bn) {
  int c = memcmp(a, b, an < bn ? an : bn);
  return c ? c : (an > bn) - (an < bn);
}

static int key_less(const acc_pobs *o, uint32_t a, uint32_t b) {
  return keycmp(o->keys[a], o->keylens[a], o->keys[b], o->keylens[b]) < 0;
}

acc_rc acc_pobs_index(acc_pobs *o, acc_parena *a) {
  o->sorted = NULL;
  if (o->n <= 8)
    return ACC_OK;
  o->sorted = acc_parena_alloc(a, o->n * sizeof *o->sorted);
  if (!o->sorted)
    return ACC_ENOMEM;
  for (size_t i = 0; i < o->n; i++)
    o->sorted[i] = (uint32_t)i;
  /* Shell sort (gaps 3h+1): no recursion, no global state. */
  size_t gap = 1;
  while (gap < o->n / 3)
    gap = gap * 3 + 1;
  for (; gap > 0; gap /= 3)
    for (size_t i = gap; i < o->n; i++) {
      uint32_t v = o->sorted[i];
      size_t j = i;
      while (j >= gap && key_less(o, v, o->sorted[j - gap])) {
        o->sorted[j] = o->sorted[j - gap];
        j -= gap;
      }
      o->sorted[j] = v;
    }
  return ACC_OK;
}

const acc_pj *acc_pobs_deref(const acc_pobs *o, const char *ref, size_t n) {
  if (!o->sorted) {
    for (size_t i = 0; i < o->n; i++)
      if (o->keylens[i] == n && !memcmp(o->keys[i], ref, n))
        return o->scos[i];
    return NULL;
  }
  size_t lo = 0, hi = o->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    uint32_t k = o->sorted[mid];
    int c = keycmp(o->keys[k], o->keylens[k], ref, n);
    if (c == 0)
      return o->scos[k];
    if (c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return NULL;
}

/* ---- object paths ------------------------------------------------------- */

typedef struct walker {
  const acc_pobs *o;
  const acc_ppath *p;
  acc_peval *e;
  acc_pvalue_cb cb;
  void *ctx;
} walker;

static int ends_with(const char *s, size_t n, const char *suf, size_t k) {
  return n >= k && !memcmp(s + n - k, suf, k);
}

/* v is reached by steps[0..i); lastkey is the last property named; refs
 * is set when v is an element of a _refs list. */
static int walk(walker *w, const acc_pj *v, unsigned i, const char *lastkey,
                size_t lastlen, int refs) {
  if (w->e->budget == 0)
    return 0;
  w->e->budget--;
  if (i == w->p->nsteps)
    return w->cb(w->ctx, v, w->p->binary);
  const acc_pstep *st = &w->p->steps[i];
  switch (st->kind) {
  case PS_KEY: {
    const acc_pj *node = v;
    if (v->type == PJ_STR &&
        (refs || (lastkey && ends_with(lastkey, lastlen, "_ref", 4)))) {
      node = acc_pobs_deref(w->o, v->u.s, v->n);
      if (!node)
        return 0;
    }
    if (node->type != PJ_OBJ)
      return 0;
    for (uint32_t k = 0; k < node->n; k++) {
      const acc_pj *m = &node->u.kids[k];
      if (m->keylen == st->keylen && !memcmp(m->key, st->key, st->keylen))
        return walk(w, m, i + 1, st->key, st->keylen, 0);
    }
    return 0;
  }
  case PS_INDEX: {
    if (v->type != PJ_ARR || st->index < 0 || (uint64_t)st->index >= v->n)
      return 0;
    int r = lastkey && ends_with(lastkey, lastlen, "_refs", 5);
    return walk(w, &v->u.kids[st->index], i + 1, lastkey, lastlen, r);
  }
  case PS_STAR: {
    if (v->type != PJ_ARR && v->type != PJ_OBJ)
      return 0;
    int r =
        v->type == PJ_ARR && lastkey && ends_with(lastkey, lastlen, "_refs", 5);
    for (uint32_t k = 0; k < v->n; k++) {
      int rc = walk(w, &v->u.kids[k], i + 1, lastkey, lastlen, r);
      if (rc)
        return rc;
    }
    return 0;
  }
  }
  return 0;
}

static int type_is(const acc_pj *sco, const char *type, size_t n) {
  const acc_pj *t = acc_pj_get(sco, "type");
  return t && t->type == PJ_STR && t->n == n && !memcmp(t->u.s, type, n);
}

int acc_ppath_values(const acc_pobs *o, const acc_pj *root, const acc_ppath *p,
                     acc_peval *e, acc_pvalue_cb cb, void *ctx) {
  if (!type_is(root, p->type, p->typelen))
    return 0;
  walker w = {o, p, e, cb, ctx};
  e->budget = PATH_BUDGET;
  return walk(&w, root, 0, NULL, 0, 0);
}

/* ---- comparing a literal and a value ------------------------------------ */

static int cmp_bytes(const char *a, size_t an, const char *b, size_t bn) {
  int c = memcmp(a, b, an < bn ? an : bn);
  if (c)
    return c < 0 ? -1 : 1;
  return (an > bn) - (an < bn);
}

/* The octets of a binary property's value (base64 for _bin, hex for
 * _hex), in e->oct; -1 when it does not decode. */
static long octets(const acc_pj *v, int bin, acc_peval *e, const char **out) {
  if (v->type != PJ_STR)
    return -1;
  acc_buf_reset(&e->oct);
  if (acc_buf_reserve(&e->oct, v->n + 4))
    return -1;
  long n = bin == 2
               ? acc_pat_hex(v->u.s, v->n, (unsigned char *)e->oct.data)
               : acc_pat_base64(v->u.s, v->n, 0, (unsigned char *)e->oct.data);
  *out = e->oct.data;
  return n;
}

/* A string value as octets (code point = octet), or -1 when a code point
 * is U+0100 or above. */
static long latin1(const acc_pj *v, acc_peval *e, const char **out) {
  const unsigned char *s = (const unsigned char *)v->u.s;
  int ascii = 1;
  for (uint32_t i = 0; i < v->n; i++) {
    if (s[i] >= 0xC4)
      return -1;
    ascii &= s[i] < 0x80;
  }
  if (ascii) {
    *out = v->u.s;
    return (long)v->n;
  }
  acc_buf_reset(&e->oct);
  if (acc_buf_reserve(&e->oct, v->n + 1))
    return -1;
  size_t k = 0;
  for (uint32_t i = 0; i < v->n; i++) {
    if (s[i] >= 0xC0 && i + 1 < v->n) {
      e->oct.data[k++] = (char)(((s[i] & 0x1F) << 6) | (s[i + 1] & 0x3F));
      i++;
    } else {
      e->oct.data[k++] = (char)s[i];
    }
  }
  *out = e->oct.data;
  return (long)k;
}

static int sign_ld(long double a, long double b) {
  return (a > b) - (a < b);
}

int acc_pval_order(const acc_pval *lit, const acc_pj *v, int bin,
                   acc_peval *e) {
  const char *o;
  long n;
  switch (lit->kind) {
  case PV_INT:
  case PV_FLOAT: {
    long double a,
        b = lit->kind == PV_INT ? (long double)lit->u.i : (long double)lit->u.f;
    if (v->type == PJ_INT) {
      if (lit->kind == PV_INT)
        return (v->u.i > lit->u.i) - (v->u.i < lit->u.i);
      a = (long double)v->u.i;
    } else if (v->type == PJ_REAL) {
      a = (long double)v->u.d;
    } else {
      return -2;
    }
    if (a != a || b != b)
      return -2;
    return sign_ld(a, b);
  }
  case PV_STR:
    if (v->type != PJ_STR)
      return -2;
    if (!bin)
      return cmp_bytes(v->u.s, v->n, lit->s, lit->n);
    if (!lit->latin1_ok || (n = octets(v, bin, e, &o)) < 0)
      return -2;
    return cmp_bytes(o, (size_t)n, lit->l1, lit->l1n);
  case PV_BYTES:
    if (v->type != PJ_STR)
      return -2;
    n = bin ? octets(v, bin, e, &o) : latin1(v, e, &o);
    if (n < 0)
      return -2;
    return cmp_bytes(o, (size_t)n, lit->s, lit->n);
  case PV_TS: {
    int64_t t;
    if (v->type != PJ_STR || acc_time_parse(v->u.s, v->n, 0, &t))
      return -2;
    return (t > lit->u.ts) - (t < lit->u.ts);
  }
  case PV_BOOL:
    if (v->type != PJ_TRUE && v->type != PJ_FALSE)
      return -2;
    return (v->type == PJ_TRUE) != (lit->u.b != 0);
  }
  return -2;
}

/* ---- one comparison ----------------------------------------------------- */

typedef struct tctx {
  const acc_pcmp *c;
  acc_peval *e;
  int found;
} tctx;

static int base_op(const acc_pcmp *c, const acc_pj *v, int bin, acc_peval *e) {
  int ord;
  switch (c->op) {
  case PC_EQ:
    return acc_pval_order(&c->val, v, bin, e) == 0;
  case PC_NE:
    return acc_pval_order(&c->val, v, bin, e) != 0;
  case PC_LT:
    return acc_pval_order(&c->val, v, bin, e) == -1;
  case PC_LE:
    ord = acc_pval_order(&c->val, v, bin, e);
    return ord == -1 || ord == 0;
  case PC_GT:
    return acc_pval_order(&c->val, v, bin, e) == 1;
  case PC_GE:
    ord = acc_pval_order(&c->val, v, bin, e);
    return ord == 1 || ord == 0;
  case PC_IN:
    for (unsigned i = 0; i < c->nset; i++)
      if (acc_pval_order(&c->set[i], v, bin, e) == 0)
        return 1;
    return 0;
  case PC_LIKE: {
    const char *s;
    size_t n;
    if (v->type != PJ_STR || bin || acc_pat_nfc(v->u.s, v->n, &e->nfc, &s, &n))
      return 0;
    return acc_pat_like(c->val.s, c->val.n, s, n);
  }
  case PC_MATCHES: {
    const char *s;
    size_t n;
    if (v->type != PJ_STR || !c->re)
      return 0;
    if (bin) {
      long k = octets(v, bin, e, &s);
      if (k < 0)
        return 0;
      n = (size_t)k;
    } else if (acc_pat_nfc(v->u.s, v->n, &e->nfc, &s, &n)) {
      return 0;
    }
    return pcre2_match(c->re, (PCRE2_SPTR)s, n, 0, bin ? 0 : PCRE2_NO_UTF_CHECK,
                       e->md, e->mctx) >= 0;
  }
  case PC_SUBSET:
  case PC_SUPERSET: {
    acc_cidr a;
    if (v->type != PJ_STR || !acc_pat_cidr_parse(v->u.s, v->n, &a))
      return 0;
    return c->op == PC_SUBSET ? acc_pat_cidr_within(&a, &c->cidr)
                              : acc_pat_cidr_within(&c->cidr, &a);
  }
  case PC_EXISTS:
    return 1;
  }
  return 0;
}

static int on_value(void *ctx, const acc_pj *v, int bin) {
  tctx *t = ctx;
  t->found = 1;
  return base_op(t->c, v, bin, t->e);
}

int acc_pcmp_eval(const acc_pobs *o, const acc_pj *root, const acc_pcmp *c,
                  acc_peval *e) {
  if (!type_is(root, c->path.type, c->path.typelen))
    return 0;
  tctx t = {c, e, 0};
  int r = acc_ppath_values(o, root, &c->path, e, on_value, &t);
  if (!t.found)
    return c->op == PC_EXISTS ? c->negated : 0;
  return c->negated ? !r : r;
}

int acc_pcnode_eval(const acc_pobs *o, const acc_pj *root, const acc_pcnode *n,
                    acc_peval *e) {
  switch (n->kind) {
  case PN_TEST:
    return acc_pcmp_eval(o, root, n->cmp, e);
  case PN_AND:
    for (unsigned i = 0; i < n->nkids; i++)
      if (!acc_pcnode_eval(o, root, n->kids[i], e))
        return 0;
    return 1;
  default:
    for (unsigned i = 0; i < n->nkids; i++)
      if (acc_pcnode_eval(o, root, n->kids[i], e))
        return 1;
    return 0;
  }
}

int acc_pcnode_eval_obs(const acc_pobs *o, const acc_pcnode *n, acc_peval *e) {
  for (size_t i = 0; i < o->n; i++)
    if (acc_pcnode_eval(o, o->scos[i], n, e))
      return 1;
  return 0;
}
