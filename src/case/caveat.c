/*
 * caveat.c — what the system says about a case by itself, recomputed from
 * the evidence every time a case is loaded (and written into the report's
 * extension whenever the case is saved):
 *
 *  - anonymiser: an evidence item rests on an IP address that a list of
 *    anonymisers or relays (Tor exits, VPNs, proxies ...) held at the time
 *    of the activity;
 *  - single source: all the evidence (or all of one link's) comes from one
 *    source;
 *  - non-releasable: none of the evidence (or of one link's) can be
 *    released at TLP:CLEAR or TLP:GREEN;
 *  - unsupported link: a link of the claim rests on no evidence;
 *  - overstated likelihood: the stated likelihood is higher than the
 *    graded evidence supports (the rule is acc_case_ceiling, documented in
 *    docs/CASES.md).
 *
 * And where the endorsement rule stands.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_int.h"
#include "util/time.h"

const char *acc_case_link_name(unsigned link) {
  return link == ACC_SUP_STATE ? "actor to state" : "operation to actor";
}

acc_ev_strength acc_case_strength(char rel, int cred) {
  if ((rel == 'A' || rel == 'B') && (cred == 1 || cred == 2))
    return ACC_EV_STRONG;
  if (rel >= 'A' && rel <= 'C' && cred >= 1 && cred <= 3)
    return ACC_EV_MODERATE;
  return ACC_EV_WEAK;
}

int acc_case_ceiling(size_t strong, size_t moderate, size_t sources,
                     size_t categories) {
  if (strong >= 3 && sources >= 2 && categories >= 2)
    return 7; /* almost certain */
  if (sources >= 2 && (strong >= 2 || (strong >= 1 && moderate >= 2)))
    return 6; /* very likely */
  if (strong >= 1 || moderate >= 2)
    return 5; /* likely */
  if (moderate >= 1)
    return 4; /* roughly even chance */
  return 3;   /* unlikely: no usable evidence bears more */
}

/* ---- small string sets ---- */

typedef struct strset {
  const char **v;
  size_t n, cap;
} strset;

static int set_add(strset *s, const char *x) {
  for (size_t i = 0; i < s->n; i++)
    if (!strcmp(s->v[i], x))
      return 0;
  if (s->n == s->cap) {
    size_t nc = s->cap ? s->cap * 2 : 8;
    const char **nv = realloc(s->v, nc * sizeof *nv);
    if (!nv)
      return -1;
    s->v = nv;
    s->cap = nc;
  }
  s->v[s->n++] = x;
  return 0;
}

/* ---- caveats ---- */

static acc_rc add_caveat(acc_case *c, acc_caveat_kind kind, unsigned link,
                         const size_t *ev, size_t n_ev, const char *detail,
                         const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static acc_rc add_caveat(acc_case *c, acc_caveat_kind kind, unsigned link,
                         const size_t *ev, size_t n_ev, const char *detail,
                         const char *fmt, ...) {
  acc_case_caveat *n = realloc(c->cav, (c->n_cav + 1) * sizeof *n);
  if (!n)
    return ACC_ENOMEM;
  c->cav = n;
  acc_case_caveat *k = &c->cav[c->n_cav];
  memset(k, 0, sizeof *k);
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  k->kind = kind;
  k->link = link;
  k->text = strdup(text);
  k->detail = detail ? strdup(detail) : NULL;
  k->ev = calloc(n_ev + 1, sizeof *k->ev);
  c->n_cav++;
  if (!k->text || !k->ev || (detail && !k->detail))
    return ACC_ENOMEM;
  if (n_ev)
    memcpy(k->ev, ev, n_ev * sizeof *ev);
  k->n_ev = n_ev;
  return ACC_OK;
}

/* Sources of each item: the one named on it, else the organisations that
 * added what it rests on ("this instance" for the operator's imports). */
static acc_rc item_facts(acc_case *c) {
  for (size_t i = 0; i < c->n_ev; i++) {
    acc_case_evidence *e = &c->ev[i];
    for (size_t k = 0; k < e->n_sources; k++)
      free(e->sources[k]);
    free(e->sources);
    e->sources = NULL;
    e->n_sources = 0;
    strset s = {0};
    int oom = 0;
    if (e->source)
      oom |= set_add(&s, e->source);
    acc_tlp m = e->tlp;
    for (size_t r = 0; r < e->n_refs; r++) {
      acc_case_obj *o = &c->objs[e->refs[r]];
      acc_tlp t = o->visible ? o->tlp : ACC_TLP_RED;
      if (t > m)
        m = t;
      if (!e->source && o->visible)
        oom |= set_add(&s, o->origin_org[0] ? o->origin_org : "this instance");
    }
    e->material_tlp = m;
    e->sources = calloc(s.n + 1, sizeof *e->sources);
    oom |= !e->sources;
    for (size_t k = 0; !oom && k < s.n; k++) {
      if (!(e->sources[k] = strdup(s.v[k])))
        oom = 1;
      else
        e->n_sources++;
    }
    free(s.v);
    if (oom)
      return ACC_ENOMEM;
  }
  return ACC_OK;
}

/* When the activity behind address ip of object o (a ref of evidence e,
 * perhaps through parent) happened. */
static int64_t activity_time(const acc_case *c, const acc_case_evidence *e,
                             const acc_case_obj *parent,
                             const acc_case_obj *o) {
  if (e->observed_us != ACC_TIME_NONE)
    return e->observed_us;
  if (parent && parent->when_us != ACC_TIME_NONE)
    return parent->when_us;
  if (o->when_us != ACC_TIME_NONE && strcmp(o->type, "ipv4-addr") &&
      strcmp(o->type, "ipv6-addr"))
    return o->when_us;
  const acc_case_obj *op = &c->objs[c->claim[0]];
  if (op->visible && op->when_us != ACC_TIME_NONE)
    return op->when_us;
  return e->created_us;
}

static acc_rc check_ip(const acc_case_ctx *ctx, acc_case *c, size_t ei,
                       const acc_case_obj *parent, const acc_case_obj *o,
                       acc_buf *detail, size_t *n_hits, acc_diag *d) {
  acc_case_evidence *e = &c->ev[ei];
  for (size_t k = 0; k < o->n_ips; k++) {
    acc_case_list_hit hits[8];
    size_t n = 0;
    int64_t at = activity_time(c, e, parent, o);
    acc_rc rc =
        ctx->lists(ctx->lists_ctx, ctx->st, o->ips[k], at, hits, 8, &n, d);
    if (rc)
      return rc;
    if (!n)
      continue;
    char ts[ACC_TIME_BUFSZ];
    acc_time_format_ms(at, ts);
    ts[10] = '\0'; /* the day is what a reader needs */
    rc = acc_buf_printf(detail, "%s%s, listed as %s (%s) on %s",
                        detail->len ? "; " : "", o->ips[k], hits[0].kind,
                        hits[0].list, ts);
    for (size_t h = 1; !rc && h < n && h < 8; h++)
      rc =
          acc_buf_printf(detail, " and as %s (%s)", hits[h].kind, hits[h].list);
    if (rc)
      return rc;
    (*n_hits)++;
  }
  return ACC_OK;
}

static acc_rc anonymiser_caveats(const acc_case_ctx *ctx, acc_case *c,
                                 acc_diag *d) {
  if (!ctx->lists)
    return ACC_OK;
  for (size_t i = 0; i < c->n_ev; i++) {
    acc_case_evidence *e = &c->ev[i];
    acc_buf det;
    acc_buf_init(&det, 4096);
    size_t hits = 0;
    acc_rc rc = ACC_OK;
    for (size_t r = 0; !rc && r < e->n_refs; r++) {
      const acc_case_obj *o = &c->objs[e->refs[r]];
      if (!o->visible)
        continue;
      rc = check_ip(ctx, c, i, NULL, o, &det, &hits, d);
      for (size_t s = 0; !rc && s < o->n_sub; s++) {
        const acc_case_obj *so = &c->objs[o->sub[s]];
        if (so->visible)
          rc = check_ip(ctx, c, i, o, so, &det, &hits, d);
      }
    }
    if (!rc && hits)
      rc = add_caveat(c, ACC_CAVEAT_ANONYMISER, 0, &i, 1, det.data,
                      "E%zu rests on an address known as an anonymiser or "
                      "relay at the time of the activity: %s. The activity "
                      "may have been routed through it by anyone.",
                      i + 1, det.data);
    acc_buf_free(&det);
    if (rc == ACC_ETOOBIG)
      rc = ACC_OK; /* the detail is long enough to make the point */
    if (rc)
      return rc;
  }
  return ACC_OK;
}

/* Facts of the items bearing on one link (or all: link 0). */
typedef struct link_facts {
  size_t *ev;
  size_t n;
  size_t strong, moderate, releasable;
  strset sources;      /* of all its items */
  strset good_sources; /* of its strong and moderate items */
  strset good_cats;
} link_facts;

static acc_rc gather(const acc_case *c, unsigned link, link_facts *f) {
  memset(f, 0, sizeof *f);
  f->ev = calloc(c->n_ev + 1, sizeof *f->ev);
  if (!f->ev)
    return ACC_ENOMEM;
  int oom = 0;
  for (size_t i = 0; i < c->n_ev; i++) {
    const acc_case_evidence *e = &c->ev[i];
    if (link && !(e->supports & link))
      continue;
    f->ev[f->n++] = i;
    if (e->material_tlp <= ACC_TLP_GREEN)
      f->releasable++;
    acc_ev_strength s = acc_case_strength(e->reliability, e->credibility);
    for (size_t k = 0; k < e->n_sources; k++) {
      oom |= set_add(&f->sources, e->sources[k]);
      if (s != ACC_EV_WEAK)
        oom |= set_add(&f->good_sources, e->sources[k]);
    }
    if (s == ACC_EV_STRONG)
      f->strong++;
    else if (s == ACC_EV_MODERATE)
      f->moderate++;
    if (s != ACC_EV_WEAK)
      oom |= set_add(&f->good_cats, e->category);
  }
  return oom ? ACC_ENOMEM : ACC_OK;
}

static void gather_free(link_facts *f) {
  free(f->ev);
  free(f->sources.v);
  free(f->good_sources.v);
  free(f->good_cats.v);
}

static acc_rc evidence_caveats(acc_case *c) {
  link_facts all, lk[2];
  acc_rc rc = gather(c, 0, &all);
  if (!rc)
    rc = gather(c, ACC_SUP_ACTOR, &lk[0]);
  if (!rc)
    rc = gather(c, ACC_SUP_STATE, &lk[1]);
  if (rc)
    return rc;
  /* Single source */
  if (all.n && all.sources.n == 1)
    rc = add_caveat(
        c, ACC_CAVEAT_SINGLE_SOURCE, 0, all.ev, all.n, all.sources.v[0],
        "All %zu evidence item%s come%s from a single source "
        "(%s): nothing corroborates it independently.",
        all.n, all.n == 1 ? "" : "s", all.n == 1 ? "s" : "", all.sources.v[0]);
  /* Only non-releasable material */
  if (!rc && all.n && all.releasable == 0)
    rc = add_caveat(c, ACC_CAVEAT_NON_RELEASABLE, 0, all.ev, all.n, NULL,
                    "None of the %zu evidence item%s can be released at "
                    "TLP:CLEAR or TLP:GREEN: a public statement could cite "
                    "no exhibit.",
                    all.n, all.n == 1 ? "" : "s");
  for (int l = 0; l < 2 && !rc; l++) {
    unsigned link = l ? ACC_SUP_STATE : ACC_SUP_ACTOR;
    link_facts *f = &lk[l];
    if (f->n == 0) {
      rc = add_caveat(c, ACC_CAVEAT_UNSUPPORTED, link, NULL, 0, NULL,
                      "The %s link of the claim rests on no evidence.",
                      acc_case_link_name(link));
      continue;
    }
    if (f->sources.n == 1 && all.sources.n > 1)
      rc = add_caveat(c, ACC_CAVEAT_SINGLE_SOURCE, link, f->ev, f->n,
                      f->sources.v[0],
                      "The %s link rests on a single source (%s).",
                      acc_case_link_name(link), f->sources.v[0]);
    if (!rc && f->releasable == 0 && all.releasable > 0)
      rc = add_caveat(c, ACC_CAVEAT_NON_RELEASABLE, link, f->ev, f->n, NULL,
                      "The %s link rests only on material that cannot be "
                      "released at TLP:CLEAR or TLP:GREEN.",
                      acc_case_link_name(link));
  }
  /* Overstated likelihood: the claim is a chain, so it can be no more
   * likely than its weaker link bears. */
  int ceil[2];
  for (int l = 0; l < 2; l++)
    ceil[l] = acc_case_ceiling(lk[l].strong, lk[l].moderate,
                               lk[l].good_sources.n, lk[l].good_cats.n);
  int weak = ceil[1] < ceil[0] ? 1 : 0;
  c->ceiling_rank = ceil[weak];
  if (!rc && c->likelihood && c->likelihood->rank > c->ceiling_rank) {
    const acc_likelihood *cl = acc_case_likelihood_rank(c->ceiling_rank);
    link_facts *f = &lk[weak];
    char det[128];
    snprintf(det, sizeof det, "%s", cl->key);
    rc = add_caveat(
        c, ACC_CAVEAT_OVERSTATED, weak ? ACC_SUP_STATE : ACC_SUP_ACTOR, f->ev,
        f->n, det,
        "The stated likelihood, %s (%s, STIX confidence %d), is higher than "
        "the graded evidence supports: the %s link has %zu strong and %zu "
        "moderate item%s from %zu source%s in %zu categor%s, which bear at "
        "most %s (%s, %d).",
        c->likelihood->label, c->likelihood->range, c->likelihood->stix,
        acc_case_link_name(weak ? ACC_SUP_STATE : ACC_SUP_ACTOR), f->strong,
        f->moderate, f->strong + f->moderate == 1 ? "" : "s", f->good_sources.n,
        f->good_sources.n == 1 ? "" : "s", f->good_cats.n,
        f->good_cats.n == 1 ? "y" : "ies", cl->label, cl->range, cl->stix);
  }
  gather_free(&all);
  gather_free(&lk[0]);
  gather_free(&lk[1]);
  return rc;
}

static void rule_status(acc_case *c) {
  acc_case_rule *r = &c->rule;
  r->concur = r->dissent = r->abstain = r->pending = 0;
  for (size_t k = 0; k < c->n_en; k++)
    c->en[k].partner = 0;
  for (size_t i = 0; i < r->n_partners; i++) {
    acc_case_endorsement *en = NULL;
    for (size_t k = 0; k < c->n_en && !en; k++)
      if (!strcmp(c->en[k].org, r->partners[i]))
        en = &c->en[k];
    if (!en) {
      r->pending++;
      continue;
    }
    en->partner = 1;
    if (!strcmp(en->stance, "concur"))
      r->concur++;
    else if (!strcmp(en->stance, "dissent"))
      r->dissent++;
    else
      r->abstain++;
  }
  /* Unanimity: every partner has answered, none dissents, one at least
   * concurs (an abstention does not block: constructive abstention, as
   * in Art. 31 TEU).  Quorum: that many partners concur. */
  if (r->n_partners == 0)
    r->met = 1;
  else if (r->quorum > 0)
    r->met = r->concur >= (size_t)r->quorum;
  else
    r->met = r->pending == 0 && r->dissent == 0 && r->concur >= 1;
}

acc_rc acc_case_derive(const acc_case_ctx *ctx, acc_case *c, acc_diag *d) {
  for (size_t i = 0; i < c->n_cav; i++) {
    free(c->cav[i].text);
    free(c->cav[i].ev);
    free(c->cav[i].detail);
  }
  free(c->cav);
  c->cav = NULL;
  c->n_cav = 0;
  acc_rc rc = item_facts(c);
  if (!rc)
    rc = anonymiser_caveats(ctx, c, d);
  if (!rc)
    rc = evidence_caveats(c);
  rule_status(c);
  return rc;
}
