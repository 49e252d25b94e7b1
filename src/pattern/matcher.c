/*
 * matcher.c — many indicators compiled into one matcher, YARA-style.
 *
 * Each observation expression ([...]) of each indicator is a "leaf".  For
 * every object type its comparisons name, a leaf gets a prefilter: a set
 * of atoms one of which must fire for the leaf to be true of an SCO of
 * that type (AND needs one operand's atoms, the most selective; OR needs
 * every operand's).  Atoms are:
 *   - hash keys: (path, value) for = and IN, looked up in one hash table;
 *   - prefixes: (path, network) for ISSUBSET, looked up by trying each
 *     prefix length present for that path in the same table;
 *   - regular expressions: LIKE (translated) and MATCHES, one Hyperscan
 *     database per path; expressions beyond Hyperscan's dialect are
 *     compiled in its prefilter mode (a superset), PCRE2 confirms.
 * A leaf with no usable atom for a type (only !=, <, NOT, EXISTS, ...) is
 * evaluated for every SCO of that type.  Candidates are evaluated in full
 * (eval.c); the rest are never looked at.
 */
#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/matcher_int.h"
#include "util/time.h"

#define MAX_INDICATORS ((size_t)1 << 26)

enum { A_NEVER, A_ALWAYS, A_SET };
enum { K_HASH = 1, K_PREFIX = 2, K_REGEX = 3 };

typedef struct atom {
  uint8_t kind;
  const acc_pcmp *c;
  const acc_pval *v; /* K_HASH: the literal */
} atom;

typedef struct aset {
  int state;
  atom *a;
  size_t n;
  size_t score; /* expected leaves woken: lower is more selective */
} aset;

/* Scores of one atom: a hash key scores the number of comparisons that
 * share it (a value many indicators test, like a common port, is common
 * in data too); a network and a regular expression score these. */
#define SCORE_PREFIX 3
#define SCORE_REGEX 6

/* ---- building ----------------------------------------------------------- */

static void *grow_arr(void *p, size_t *cap, size_t n, size_t size,
                      size_t limit) {
  if (n < *cap)
    return p;
  size_t nc = *cap ? *cap * 2 : 16;
  if (nc > limit)
    return NULL;
  void *np = realloc(p, nc * size);
  if (np)
    *cap = nc;
  return np;
}

acc_rc acc_matcher_new(acc_matcher **out) {
  acc_matcher *m = calloc(1, sizeof *m);
  if (!m)
    return ACC_ENOMEM;
  acc_parena_init(&m->arena, 1 << 16, (size_t)4 << 30);
  acc_phtab_init(&m->types, 0);
  acc_phtab_init(&m->paths, 0);
  acc_phtab_init(&m->keys, 0);
  acc_buf_init(&m->tmp, (size_t)64 << 20);
  m->hs_ok = hs_valid_platform() == HS_SUCCESS;
  *out = m;
  return ACC_OK;
}

void acc_matcher_free(acc_matcher *m) {
  if (!m)
    return;
  for (size_t i = 0; i < m->nind; i++)
    acc_pattern_free(m->ind[i].pat);
  for (size_t i = 0; i < m->npathv; i++) {
    mpath *p = m->pathv[i];
    hs_free_database(p->db);
    free(p->rx);
  }
  for (size_t i = 0; i < m->ntypev; i++) {
    free(m->typev[i]->paths);
    free(m->typev[i]->always);
  }
  for (size_t i = 0; i < m->keys.cap; i++)
    if (m->keys.e && m->keys.e[i].key)
      free(((mpost *)m->keys.e[i].val)->leaves);
  hs_free_scratch(m->scratch);
  free(m->ind);
  free(m->leaves);
  free(m->pathv);
  free(m->typev);
  acc_phtab_free(&m->types);
  acc_phtab_free(&m->paths);
  acc_phtab_free(&m->keys);
  acc_buf_free(&m->tmp);
  acc_parena_free(&m->arena);
  free(m);
}

acc_rc acc_matcher_add(acc_matcher *m, const char *indicator_id,
                       const char *pattern, size_t len, acc_diag *diag) {
  if (m->compiled)
    return acc_diag_set(diag, ACC_EINVAL, "the matcher is already compiled");
  acc_pattern *p;
  acc_rc rc = acc_pattern_parse(pattern, len, &p, diag, NULL, NULL);
  if (rc)
    return rc;
  mind *ni = grow_arr(m->ind, &m->capind, m->nind, sizeof *ni, MAX_INDICATORS);
  if (!ni)
    goto nomem;
  m->ind = ni;
  size_t need = m->nleaves + p->nleaves;
  while (m->capleaves < need) {
    mleaf *nl = grow_arr(m->leaves, &m->capleaves, m->capleaves, sizeof *nl,
                         MAX_INDICATORS * 4);
    if (!nl)
      goto nomem;
    m->leaves = nl;
  }
  char *id = acc_parena_strdup(&m->arena, indicator_id, strlen(indicator_id));
  if (!id)
    goto nomem;
  mind *in = &m->ind[m->nind];
  in->id = id;
  in->pat = p;
  in->leaf0 = (uint32_t)m->nleaves;
  for (unsigned i = 0; i < p->nleaves; i++) {
    m->leaves[m->nleaves].ind = (uint32_t)m->nind;
    m->leaves[m->nleaves].node = p->leaves[i];
    m->nleaves++;
  }
  m->nind++;
  return ACC_OK;
nomem:
  acc_pattern_free(p);
  return acc_diag_set(diag, ACC_ENOMEM, "out of memory adding an indicator");
}

static mtype *type_entry(acc_matcher *m, const char *name, size_t n) {
  uint64_t h = acc_phash(name, n);
  mtype *t = acc_phtab_get(&m->types, name, n, h);
  if (t)
    return t;
  t = acc_parena_alloc(&m->arena, sizeof *t);
  mtype **tv =
      grow_arr(m->typev, &m->captypev, m->ntypev, sizeof *tv, MAX_INDICATORS);
  if (!t || !tv)
    return NULL;
  m->typev = tv;
  memset(t, 0, sizeof *t);
  t->name = acc_parena_strdup(&m->arena, name, n);
  if (!t->name)
    return NULL;
  t->namelen = n;
  void **slot;
  int existed;
  if (acc_phtab_put(&m->types, t->name, n, h, &slot, &existed))
    return NULL;
  *slot = t;
  m->typev[m->ntypev++] = t;
  return t;
}

/* The canonical key of a path: type NUL, then per step kind, length and
 * text (or index). */
static acc_rc path_key(const acc_ppath *p, acc_buf *b) {
  acc_buf_reset(b);
  acc_rc rc = acc_buf_append(b, p->type, p->typelen + 1);
  for (unsigned i = 0; !rc && i < p->nsteps; i++) {
    const acc_pstep *s = &p->steps[i];
    uint32_t n = (uint32_t)s->keylen;
    rc = acc_buf_putc(b, (char)s->kind);
    if (!rc && s->kind == PS_KEY)
      rc = acc_buf_append(b, &n, 4);
    if (!rc && s->kind == PS_KEY)
      rc = acc_buf_append(b, s->key, s->keylen);
    if (!rc && s->kind == PS_INDEX)
      rc = acc_buf_append(b, &s->index, 8);
  }
  return rc;
}

static mpath *path_entry(acc_matcher *m, const acc_ppath *p) {
  if (path_key(p, &m->tmp))
    return NULL;
  uint64_t h = acc_phash(m->tmp.data, m->tmp.len);
  mpath *e = acc_phtab_get(&m->paths, m->tmp.data, m->tmp.len, h);
  if (e)
    return e;
  mtype *t = type_entry(m, p->type, p->typelen);
  e = acc_parena_alloc(&m->arena, sizeof *e);
  char *key = acc_parena_strdup(&m->arena, m->tmp.data, m->tmp.len);
  mpath **pv =
      grow_arr(m->pathv, &m->cappathv, m->npathv, sizeof *pv, MAX_INDICATORS);
  if (!t || !e || !key || !pv)
    return NULL;
  m->pathv = pv;
  mpath **tp =
      grow_arr(t->paths, &t->cappaths, t->npaths, sizeof *tp, MAX_INDICATORS);
  if (!tp)
    return NULL;
  t->paths = tp;
  memset(e, 0, sizeof *e);
  e->path = p;
  e->id = (uint32_t)m->npathv;
  void **slot;
  int existed;
  if (acc_phtab_put(&m->paths, key, m->tmp.len, h, &slot, &existed))
    return NULL;
  *slot = e;
  m->pathv[m->npathv++] = e;
  t->paths[t->npaths++] = e;
  return e;
}

/* The hash key of a literal compared for equality on path (id pid):
 * 1 built in b, 0 never equal to any value, -1 not indexable. */
static int lit_key(uint32_t pid, const acc_pval *v, int bin, acc_buf *b) {
  acc_buf_reset(b);
  if (acc_buf_append(b, &pid, 4))
    return -1;
  if (bin) {
    if (v->kind == PV_STR && !v->latin1_ok)
      return 0;
    if (v->kind == PV_STR)
      return acc_buf_putc(b, 'B') || acc_buf_append(b, v->l1, v->l1n) ? -1 : 1;
    if (v->kind == PV_BYTES)
      return acc_buf_putc(b, 'B') || acc_buf_append(b, v->s, v->n) ? -1 : 1;
    return 0;
  }
  switch (v->kind) {
  case PV_STR:
    return acc_buf_putc(b, 'S') || acc_buf_append(b, v->s, v->n) ? -1 : 1;
  case PV_INT:
    return acc_buf_putc(b, 'N') || acc_buf_append(b, &v->u.i, 8) ? -1 : 1;
  case PV_FLOAT: {
    double f = v->u.f;
    if (f != f)
      return 0;
    if (f == (double)(int64_t)f && f > -9.2e18 && f < 9.2e18) {
      int64_t i = (int64_t)f;
      return acc_buf_putc(b, 'N') || acc_buf_append(b, &i, 8) ? -1 : 1;
    }
    return acc_buf_putc(b, 'D') || acc_buf_append(b, &f, 8) ? -1 : 1;
  }
  case PV_BOOL: {
    char c = v->u.b ? 1 : 0;
    return acc_buf_putc(b, 'Z') || acc_buf_putc(b, c) ? -1 : 1;
  }
  default:
    return -1;
  }
}

static size_t cidr_bytes(const acc_cidr *c) {
  return c->v6 ? 16 : 4;
}

/* The key of network c (already masked to its length) on path pid. */
static acc_rc prefix_key(uint32_t pid, const acc_cidr *c, acc_buf *b) {
  acc_buf_reset(b);
  acc_rc rc = acc_buf_append(b, &pid, 4);
  if (!rc)
    rc = acc_buf_putc(b, c->v6 ? 'P' : 'p');
  if (!rc)
    rc = acc_buf_putc(b, (char)c->len);
  return rc ? rc : acc_buf_append(b, c->a, cidr_bytes(c));
}

static acc_rc post(acc_matcher *m, const acc_buf *key, uint32_t leaf,
                   int prefix) {
  uint64_t h = acc_phash(key->data, key->len);
  mpost *p = acc_phtab_get(&m->keys, key->data, key->len, h);
  if (!p) {
    char *k = acc_parena_strdup(&m->arena, key->data, key->len);
    p = acc_parena_alloc(&m->arena, sizeof *p);
    if (!k || !p)
      return ACC_ENOMEM;
    memset(p, 0, sizeof *p);
    void **slot;
    int existed;
    acc_rc rc = acc_phtab_put(&m->keys, k, key->len, h, &slot, &existed);
    if (rc)
      return rc;
    *slot = p;
    if (prefix)
      m->st.prefixes++;
    else
      m->st.hash_keys++;
  }
  if (p->n && p->leaves[p->n - 1] == leaf)
    return ACC_OK;
  uint32_t *nl = grow_arr(p->leaves, &p->cap, p->n, sizeof *nl, UINT32_MAX);
  if (!nl)
    return ACC_ENOMEM;
  p->leaves = nl;
  p->leaves[p->n++] = leaf;
  return ACC_OK;
}

/* A regular expression that turns on caseless matching, or starts with a
 * PCRE2 verb: PCRE2 folds case over all of Unicode in UTF mode, which
 * Hyperscan does not promise, so such expressions get no prefilter. */
static int caseless(const acc_pcmp *c) {
  const char *s = c->val.s;
  size_t n = c->val.n;
  if (n >= 2 && s[0] == '(' && s[1] == '*')
    return 1;
  for (size_t i = 0; i + 2 < n; i++) {
    if (s[i] == '\\') {
      i++;
      continue;
    }
    if (s[i] != '(' || s[i + 1] != '?')
      continue;
    for (size_t k = i + 2; k < n && s[k] != ')' && s[k] != ':' && s[k] != '-';
         k++)
      if (s[k] == 'i')
        return 1;
  }
  return 0;
}

/* Hyperscan flags for comparison c, and whether it can be used at all
 * (normal mode, else prefilter mode); the expression text goes to b. */
static int regex_usable(acc_matcher *m, const acc_pcmp *c, acc_buf *b,
                        unsigned *flags) {
  if (!m->hs_ok)
    return 0;
  acc_buf_reset(b);
  if (c->op == PC_LIKE) {
    if (acc_pat_like_regex(c->val.s, c->val.n, b))
      return 0;
  } else if (memchr(c->val.s, '\0', c->val.n) || caseless(c) ||
             acc_buf_append(b, c->val.s, c->val.n)) {
    return 0;
  }
  unsigned f = HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY |
               (c->path.binary ? 0 : HS_FLAG_UTF8);
  hs_expr_info_t *info = NULL;
  hs_compile_error_t *err = NULL;
  const char *expr = acc_buf_cstr(b);
  if (hs_expression_info(expr, f, &info, &err) == HS_SUCCESS) {
    free(info);
    *flags = f;
    return 1;
  }
  hs_free_compile_error(err);
  err = NULL;
  f |= HS_FLAG_PREFILTER;
  f &= ~(unsigned)HS_FLAG_ALLOWEMPTY;
  if (hs_expression_info(expr, f | HS_FLAG_ALLOWEMPTY, &info, &err) ==
      HS_SUCCESS) {
    free(info);
    *flags = f | HS_FLAG_ALLOWEMPTY;
    return 1;
  }
  hs_free_compile_error(err);
  return 0;
}

/* The key of an equality literal independent of path ids: the
 * canonical path, then lit_key's bytes. */
static int global_key(acc_matcher *m, const acc_pcmp *c, const acc_pval *v) {
  int k = lit_key(0, v, c->path.binary, &m->tmp);
  if (k != 1)
    return k;
  acc_buf lk = m->tmp;
  acc_buf_init(&m->tmp, lk.limit);
  acc_rc rc = path_key(&c->path, &m->tmp);
  if (!rc)
    rc = acc_buf_append(&m->tmp, lk.data + 4, lk.len - 4);
  acc_buf_free(&lk);
  return rc ? -1 : 1;
}

/* How many equality comparisons test literal v on c's path (counted by
 * count_keys); -1 not indexable, 0 never equal, 1 with *f set. */
static int freq_key(acc_matcher *m, const acc_pcmp *c, const acc_pval *v,
                    size_t *f) {
  int k = global_key(m, c, v);
  if (k != 1)
    return k;
  uintptr_t n = (uintptr_t)acc_phtab_get(&m->freq, m->tmp.data, m->tmp.len,
                                         acc_phash(m->tmp.data, m->tmp.len));
  *f = n ? (size_t)n : 1;
  return 1;
}

/* Count, over all indicators, the equality literals per path. */
static acc_rc count_keys(acc_matcher *m, acc_parena *a) {
  for (size_t i = 0; i < m->nind; i++) {
    const acc_pattern *p = m->ind[i].pat;
    for (unsigned k = 0; k < p->ncmps; k++) {
      const acc_pcmp *c = p->cmps[k];
      if (c->negated || (c->op != PC_EQ && c->op != PC_IN))
        continue;
      const acc_pval *vals = c->op == PC_EQ ? &c->val : c->set;
      unsigned nv = c->op == PC_EQ ? 1 : c->nset;
      for (unsigned j = 0; j < nv; j++) {
        if (global_key(m, c, &vals[j]) != 1)
          continue;
        uint64_t h = acc_phash(m->tmp.data, m->tmp.len);
        void **slot;
        int existed;
        char *kk = acc_parena_strdup(a, m->tmp.data, m->tmp.len);
        if (!kk)
          return ACC_ENOMEM;
        acc_rc rc = acc_phtab_put(&m->freq, kk, m->tmp.len, h, &slot, &existed);
        if (rc)
          return rc;
        *slot = (void *)((uintptr_t)*slot + 1);
      }
    }
  }
  return ACC_OK;
}

/* Atoms of comparison expression n for SCOs of type `type`. */
static acc_rc atoms(acc_matcher *m, const acc_pcnode *n, const char *type,
                    acc_parena *a, aset *out) {
  acc_rc rc;
  memset(out, 0, sizeof *out);
  if (n->kind == PN_TEST) {
    const acc_pcmp *c = n->cmp;
    if (strcmp(c->path.type, type)) {
      out->state = A_NEVER;
      return ACC_OK;
    }
    out->state = A_ALWAYS;
    if (c->negated)
      return ACC_OK;
    switch (c->op) {
    case PC_EQ:
    case PC_IN: {
      const acc_pval *vals = c->op == PC_EQ ? &c->val : c->set;
      unsigned nv = c->op == PC_EQ ? 1 : c->nset;
      out->a = acc_parena_alloc(a, (nv ? nv : 1) * sizeof *out->a);
      if (!out->a)
        return ACC_ENOMEM;
      for (unsigned i = 0; i < nv; i++) {
        size_t f;
        int k = freq_key(m, c, &vals[i], &f);
        if (k < 0) {
          out->n = 0;
          return ACC_OK; /* one value not indexable: always */
        }
        if (k == 1) {
          out->a[out->n++] = (atom){K_HASH, c, &vals[i]};
          out->score += f;
        }
      }
      out->state = out->n ? A_SET : A_NEVER;
      return ACC_OK;
    }
    case PC_SUBSET:
      out->a = acc_parena_alloc(a, sizeof *out->a);
      if (!out->a)
        return ACC_ENOMEM;
      out->a[0] = (atom){K_PREFIX, c, NULL};
      out->n = 1;
      out->state = A_SET;
      out->score = SCORE_PREFIX;
      return ACC_OK;
    case PC_LIKE:
    case PC_MATCHES: {
      unsigned f;
      if (c->op == PC_LIKE && c->path.binary) {
        out->state = A_NEVER;
        return ACC_OK;
      }
      if (!regex_usable(m, c, &m->tmp, &f))
        return ACC_OK;
      out->a = acc_parena_alloc(a, sizeof *out->a);
      if (!out->a)
        return ACC_ENOMEM;
      out->a[0] = (atom){K_REGEX, c, NULL};
      out->n = 1;
      out->state = A_SET;
      out->score = SCORE_REGEX;
      return ACC_OK;
    }
    default:
      return ACC_OK;
    }
  }
  if (n->kind == PN_AND) {
    aset best = {A_ALWAYS, NULL, 0, 0};
    for (unsigned i = 0; i < n->nkids; i++) {
      aset k;
      if ((rc = atoms(m, n->kids[i], type, a, &k)))
        return rc;
      if (k.state == A_NEVER) {
        out->state = A_NEVER;
        return ACC_OK;
      }
      if (k.state == A_SET && (best.state != A_SET || k.score < best.score ||
                               (k.score == best.score && k.n < best.n)))
        best = k;
    }
    *out = best;
    return ACC_OK;
  }
  /* PN_OR: every operand's atoms */
  aset acc = {A_NEVER, NULL, 0, 0};
  size_t cap = 0;
  for (unsigned i = 0; i < n->nkids; i++) {
    aset k;
    if ((rc = atoms(m, n->kids[i], type, a, &k)))
      return rc;
    if (k.state == A_ALWAYS) {
      out->state = A_ALWAYS;
      return ACC_OK;
    }
    if (k.state == A_NEVER)
      continue;
    if (acc.n + k.n > cap) {
      size_t nc = (acc.n + k.n) * 2;
      atom *na = acc_parena_alloc(a, nc * sizeof *na);
      if (!na)
        return ACC_ENOMEM;
      if (acc.n)
        memcpy(na, acc.a, acc.n * sizeof *na);
      acc.a = na;
      cap = nc;
    }
    memcpy(acc.a + acc.n, k.a, k.n * sizeof *k.a);
    acc.n += k.n;
    acc.state = A_SET;
    acc.score += k.score;
  }
  *out = acc;
  return ACC_OK;
}

static acc_rc add_always(acc_matcher *m, const char *type, uint32_t leaf) {
  mtype *t = type_entry(m, type, strlen(type));
  if (!t)
    return ACC_ENOMEM;
  uint32_t *na =
      grow_arr(t->always, &t->capalways, t->nalways, sizeof *na, UINT32_MAX);
  if (!na)
    return ACC_ENOMEM;
  t->always = na;
  t->always[t->nalways++] = leaf;
  m->st.unfiltered++;
  return ACC_OK;
}

static acc_rc register_atom(acc_matcher *m, const atom *at, uint32_t leaf) {
  mpath *p = path_entry(m, &at->c->path);
  if (!p)
    return ACC_ENOMEM;
  acc_rc rc;
  switch (at->kind) {
  case K_HASH:
    if (lit_key(p->id, at->v, at->c->path.binary, &m->tmp) != 1)
      return ACC_OK;
    p->has_hash = 1;
    return post(m, &m->tmp, leaf, 0);
  case K_PREFIX: {
    const acc_cidr *c = &at->c->cidr;
    if ((rc = prefix_key(p->id, c, &m->tmp)))
      return rc;
    if (c->v6)
      p->v6lens[c->len / 64] |= UINT64_C(1) << (c->len % 64);
    else
      p->v4lens |= UINT64_C(1) << c->len;
    p->has_prefix = 1;
    return post(m, &m->tmp, leaf, 1);
  }
  default: {
    unsigned f;
    if (!regex_usable(m, at->c, &m->tmp, &f))
      return ACC_EINVAL;
    mregex *nr = grow_arr(p->rx, &p->caprx, p->nrx, sizeof *nr, UINT32_MAX);
    if (!nr)
      return ACC_ENOMEM;
    p->rx = nr;
    char *expr = acc_parena_strdup(&m->arena, m->tmp.data, m->tmp.len);
    if (!expr)
      return ACC_ENOMEM;
    p->rx[p->nrx++] = (mregex){expr, f, leaf};
    return ACC_OK;
  }
  }
}

/* Register leaf (global index) for each object type it names. */
static acc_rc compile_leaf(acc_matcher *m, uint32_t leaf, acc_parena *a) {
  const acc_pattern *pat = m->ind[m->leaves[leaf].ind].pat;
  const acc_ponode *node = m->leaves[leaf].node;
  const char *seen[16];
  unsigned nseen = 0;
  acc_rc rc = ACC_OK;
  for (unsigned i = 0; !rc && i < pat->ncmps; i++) {
    const acc_pcmp *c = pat->cmps[i];
    /* comparisons of this leaf only: those reachable from its tree are
     * found by type; a type already done is skipped */
    const char *t = c->path.type;
    int dup = 0;
    for (unsigned k = 0; k < nseen; k++)
      dup |= !strcmp(seen[k], t);
    if (dup)
      continue;
    aset s;
    acc_parena_reset(a);
    if ((rc = atoms(m, node->cexpr, t, a, &s)))
      break;
    if (nseen < 16)
      seen[nseen++] = t;
    if (s.state == A_NEVER && !m->no_prefilter)
      continue;
    if (s.state == A_ALWAYS || m->no_prefilter) {
      rc = add_always(m, t, leaf);
      continue;
    }
    for (size_t k = 0; !rc && k < s.n; k++)
      rc = register_atom(m, &s.a[k], leaf);
    if (rc == ACC_EINVAL) /* a regex Hyperscan refused after all */
      rc = add_always(m, t, leaf);
  }
  return rc;
}

static acc_rc build_db(acc_matcher *m, mpath *p, acc_diag *diag) {
  size_t n = p->nrx;
  const char **exprs = malloc(n * sizeof *exprs);
  unsigned *flags = malloc(n * sizeof *flags);
  unsigned *ids = malloc(n * sizeof *ids);
  acc_rc rc = ACC_OK;
  if (!exprs || !flags || !ids) {
    rc = acc_diag_set(diag, ACC_ENOMEM, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    exprs[i] = p->rx[i].expr;
    flags[i] = p->rx[i].flags;
    ids[i] = (unsigned)i;
  }
  /* An expression refused by the whole-database compile (resource
   * limits) is dropped, its leaf evaluated for every SCO of the type. */
  for (size_t tries = 0; tries <= n; tries++) {
    hs_compile_error_t *err = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL,
                         &p->db, &err) == HS_SUCCESS)
      break;
    int bad = err ? err->expression : -1;
    hs_free_compile_error(err);
    p->db = NULL;
    if (bad < 0 || (size_t)bad >= n) {
      rc = acc_diag_set(diag, ACC_EINVAL,
                        "Hyperscan could not compile the expressions of "
                        "path %s",
                        p->path->type);
      goto out;
    }
    /* find the entry whose id is bad and move it out */
    for (size_t i = 0; i < n; i++)
      if (ids[i] == (unsigned)bad) {
        if ((rc = add_always(m, p->path->type, p->rx[bad].leaf)))
          goto out;
        exprs[i] = exprs[n - 1];
        flags[i] = flags[n - 1];
        ids[i] = ids[n - 1];
        n--;
        break;
      }
    if (n == 0)
      break;
  }
  for (size_t i = 0; i < n; i++) {
    m->st.regexes++;
    if (flags[i] & HS_FLAG_PREFILTER)
      m->st.prefiltered++;
  }
  if (p->db) {
    m->st.databases++;
    if (hs_alloc_scratch(p->db, &m->scratch) != HS_SUCCESS)
      rc = acc_diag_set(diag, ACC_ENOMEM, "Hyperscan scratch space");
  }
out:
  free(exprs);
  free(flags);
  free(ids);
  return rc;
}

acc_rc acc_matcher_compile(acc_matcher *m, acc_diag *diag) {
  if (m->compiled)
    return ACC_OK;
  acc_parena a, fa;
  acc_parena_init(&a, 1 << 14, (size_t)1 << 30);
  acc_parena_init(&fa, 1 << 16, (size_t)1 << 30);
  acc_phtab_init(&m->freq, 0);
  acc_rc rc = count_keys(m, &fa);
  for (size_t l = 0; !rc && l < m->nleaves; l++)
    rc = compile_leaf(m, (uint32_t)l, &a);
  acc_phtab_free(&m->freq);
  acc_parena_free(&fa);
  if (rc) {
    acc_diag_set(diag, rc, "cannot compile the matcher: %s", acc_strerror(rc));
    goto out;
  }
  for (size_t i = 0; !rc && i < m->npathv; i++)
    if (m->pathv[i]->nrx)
      rc = build_db(m, m->pathv[i], diag);
  if (rc)
    goto out;
  m->st.indicators = m->nind;
  m->st.leaves = m->nleaves;
  m->compiled = 1;
out:
  acc_parena_free(&a);
  return rc;
}

void acc_matcher_no_prefilter(acc_matcher *m) {
  m->no_prefilter = 1;
}

void acc_matcher_stats_get(const acc_matcher *m, acc_matcher_stats *st) {
  *st = m->st;
  st->indicators = m->nind;
  st->leaves = m->nleaves;
}

/* ---- scanning ----------------------------------------------------------- */

acc_rc acc_mscan_init(acc_mscan *s, const acc_matcher *m) {
  memset(s, 0, sizeof *s);
  s->m = m;
  acc_rc rc = acc_peval_init(&s->ev);
  if (rc)
    return rc;
  acc_buf_init(&s->key, (size_t)256 << 20);
  s->mark = calloc(m->nleaves ? m->nleaves : 1, sizeof *s->mark);
  s->hitobs = calloc(m->nleaves ? m->nleaves : 1, sizeof *s->hitobs);
  if (!s->mark || !s->hitobs)
    goto nomem;
  if (m->scratch && hs_clone_scratch(m->scratch, &s->scratch) != HS_SUCCESS)
    goto nomem;
  return ACC_OK;
nomem:
  acc_mscan_free(s);
  return ACC_ENOMEM;
}

void acc_mscan_free(acc_mscan *s) {
  if (!s)
    return;
  acc_peval_free(&s->ev);
  acc_buf_free(&s->key);
  free(s->mark);
  free(s->hitobs);
  free(s->cand);
  hs_free_scratch(s->scratch);
  memset(s, 0, sizeof *s);
}

static void add_cand(acc_mscan *s, uint32_t leaf) {
  if (s->mark[leaf] == s->stamp)
    return;
  s->mark[leaf] = s->stamp;
  if (s->ncand == s->capcand) {
    uint32_t *nc =
        grow_arr(s->cand, &s->capcand, s->ncand, sizeof *nc, UINT32_MAX);
    if (!nc) {
      s->oom = 1;
      return;
    }
    s->cand = nc;
  }
  s->cand[s->ncand++] = leaf;
}

static void add_post(acc_mscan *s, const acc_buf *key) {
  const mpost *p = acc_phtab_get(&s->m->keys, key->data, key->len,
                                 acc_phash(key->data, key->len));
  for (uint32_t i = 0; p && i < p->n; i++)
    add_cand(s, p->leaves[i]);
}

typedef struct vctx {
  acc_mscan *s;
  const mpath *p;
} vctx;

static int on_hs(unsigned id, unsigned long long from, unsigned long long to,
                 unsigned fl, void *ctx) {
  (void)from, (void)to, (void)fl;
  vctx *v = ctx;
  add_cand(v->s, v->p->rx[id].leaf);
  return 0;
}

/* The hash key of a value found at path p, in b: 1 built, 0 none. */
static int value_key(const mpath *p, const acc_pj *v, acc_peval *e,
                     acc_buf *b) {
  uint32_t pid = p->id;
  acc_buf_reset(b);
  if (acc_buf_append(b, &pid, 4))
    return 0;
  int bin = p->path->binary;
  if (bin) {
    if (v->type != PJ_STR || acc_buf_putc(b, 'B') ||
        acc_buf_reserve(b, v->n + 4))
      return 0;
    long n = bin == 2
                 ? acc_pat_hex(v->u.s, v->n, (unsigned char *)b->data + b->len)
                 : acc_pat_base64(v->u.s, v->n, 0,
                                  (unsigned char *)b->data + b->len);
    if (n < 0)
      return 0;
    b->len += (size_t)n;
    return 1;
  }
  (void)e;
  switch (v->type) {
  case PJ_STR:
    return !acc_buf_putc(b, 'S') && !acc_buf_append(b, v->u.s, v->n);
  case PJ_INT:
    return !acc_buf_putc(b, 'N') && !acc_buf_append(b, &v->u.i, 8);
  case PJ_REAL: {
    double f = v->u.d;
    if (f != f)
      return 0;
    if (f == (double)(int64_t)f && f > -9.2e18 && f < 9.2e18) {
      int64_t i = (int64_t)f;
      return !acc_buf_putc(b, 'N') && !acc_buf_append(b, &i, 8);
    }
    if (f == 0)
      f = 0; /* -0.0 */
    return !acc_buf_putc(b, 'D') && !acc_buf_append(b, &f, 8);
  }
  case PJ_TRUE:
  case PJ_FALSE: {
    char c = v->type == PJ_TRUE;
    return !acc_buf_putc(b, 'Z') && !acc_buf_putc(b, c);
  }
  default:
    return 0;
  }
}

static int on_value(void *ctx, const acc_pj *v, int bin) {
  vctx *x = ctx;
  acc_mscan *s = x->s;
  const mpath *p = x->p;
  if (p->has_hash && value_key(p, v, &s->ev, &s->key))
    add_post(s, &s->key);
  if (v->type != PJ_STR)
    return 0;
  if (p->has_prefix) {
    acc_cidr c;
    if (acc_pat_cidr_parse(v->u.s, v->n, &c)) {
      for (unsigned len = 0; len <= c.len; len++) {
        int present = c.v6 ? (int)(p->v6lens[len / 64] >> (len % 64) & 1)
                           : (int)(p->v4lens >> len & 1);
        if (!present)
          continue;
        acc_cidr q = c;
        q.len = (uint8_t)len;
        for (unsigned i = 0; i < cidr_bytes(&q); i++) {
          unsigned lo = i * 8;
          if (lo >= len)
            q.a[i] = 0;
          else if (len - lo < 8)
            q.a[i] &= (uint8_t)(0xFF << (8 - (len - lo)));
        }
        if (!prefix_key(p->id, &q, &s->key))
          add_post(s, &s->key);
      }
    }
  }
  if (p->db) {
    const char *d;
    size_t n;
    if (bin) {
      acc_buf_reset(&s->key);
      if (acc_buf_reserve(&s->key, v->n + 4))
        return 0;
      long k =
          bin == 2
              ? acc_pat_hex(v->u.s, v->n, (unsigned char *)s->key.data)
              : acc_pat_base64(v->u.s, v->n, 0, (unsigned char *)s->key.data);
      if (k < 0)
        return 0;
      d = s->key.data;
      n = (size_t)k;
    } else if (acc_pat_nfc(v->u.s, v->n, &s->ev.nfc, &d, &n)) {
      return 0;
    }
    if (n > UINT32_MAX)
      return 0;
    hs_scan(p->db, n ? d : "", (unsigned)n, 0, s->scratch, on_hs, x);
  }
  return 0;
}

acc_rc acc_mscan_obs(acc_mscan *s, const acc_pobs *o, acc_mscan_hit_fn hit,
                     void *ctx) {
  const acc_matcher *m = s->m;
  if (++s->obsstamp == 0) {
    memset(s->hitobs, 0, m->nleaves * sizeof *s->hitobs);
    s->obsstamp = 1;
  }
  acc_rc rc = ACC_OK;
  for (size_t i = 0; i < o->n && !rc; i++) {
    const acc_pj *sco = o->scos[i];
    const acc_pj *t = acc_pj_get(sco, "type");
    if (!t || t->type != PJ_STR)
      continue;
    const mtype *ty =
        acc_phtab_get(&m->types, t->u.s, t->n, acc_phash(t->u.s, t->n));
    if (!ty)
      continue;
    if (++s->stamp == 0) {
      memset(s->mark, 0, m->nleaves * sizeof *s->mark);
      s->stamp = 1;
    }
    s->ncand = 0;
    for (size_t k = 0; k < ty->nalways; k++)
      add_cand(s, ty->always[k]);
    for (size_t k = 0; k < ty->npaths; k++) {
      vctx x = {s, ty->paths[k]};
      acc_ppath_values(o, sco, ty->paths[k]->path, &s->ev, on_value, &x);
    }
    if (s->oom)
      return ACC_ENOMEM;
    for (size_t k = 0; k < s->ncand && !rc; k++) {
      uint32_t leaf = s->cand[k];
      if (s->hitobs[leaf] == s->obsstamp)
        continue;
      s->candidates++;
      if (acc_pcnode_eval(o, sco, m->leaves[leaf].node->cexpr, &s->ev)) {
        s->hitobs[leaf] = s->obsstamp;
        rc = hit(ctx, leaf);
      }
    }
  }
  return rc;
}
