/*
 * lists.c — anonymiser and relay lists (lists.h): the parsers of the
 * formats lists are published in, import into the store, and lookups by
 * address and date.
 */
#include "correlate/lists.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate.h"
#include "util/time.h"

#define DAY_US ((int64_t)86400 * 1000000)
#define MAX_FIELDS 32
#define FIELD_MAX 512
#define RANGE_MAX_NETS 64

static const char *const kind_names[ACC_LK_COUNT] = {
    [ACC_LK_NONE] = "none",   [ACC_LK_TOR_EXIT] = "tor-exit",
    [ACC_LK_VPN] = "vpn",     [ACC_LK_PROXY] = "proxy",
    [ACC_LK_SCANNER] = "scanner", [ACC_LK_CDN] = "cdn",
};

const char *acc_list_kind_name(int kind) {
  return kind > 0 && kind < ACC_LK_COUNT ? kind_names[kind] : "none";
}

int acc_list_kind_parse(const char *s) {
  char k[32];
  size_t n = 0;
  for (; s && *s && n < sizeof k - 1; s++) {
    char c = *s;
    if (c == ' ' || c == '"')
      continue;
    k[n++] = c == '_' ? '-' : (char)tolower((unsigned char)c);
  }
  k[n] = '\0';
  static const struct {
    const char *n;
    int k;
  } names[] = {
      {"tor-exit", ACC_LK_TOR_EXIT}, {"tor", ACC_LK_TOR_EXIT},
      {"torexit", ACC_LK_TOR_EXIT},  {"exit", ACC_LK_TOR_EXIT},
      {"tor-exit-node", ACC_LK_TOR_EXIT},
      {"vpn", ACC_LK_VPN},           {"vpn-exit", ACC_LK_VPN},
      {"vpn-endpoint", ACC_LK_VPN},  {"proxy", ACC_LK_PROXY},
      {"open-proxy", ACC_LK_PROXY},  {"relay", ACC_LK_PROXY},
      {"scanner", ACC_LK_SCANNER},   {"scan", ACC_LK_SCANNER},
      {"cdn", ACC_LK_CDN},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(k, names[i].n) == 0)
      return names[i].k;
  return ACC_LK_NONE;
}

const char *acc_list_format_name(acc_list_format f) {
  switch (f) {
  case ACC_LF_TOR_EXIT:
    return "tor-exit";
  case ACC_LF_PLAIN:
    return "plain";
  case ACC_LF_CSV:
    return "csv";
  default:
    return "auto";
  }
}

acc_rc acc_lists_date(const char *s, size_t n, int64_t *out, int *date_only) {
  while (n && isspace((unsigned char)*s)) {
    s++;
    n--;
  }
  while (n && isspace((unsigned char)s[n - 1]))
    n--;
  if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
    s++;
    n -= 2;
  }
  char buf[64];
  if (date_only)
    *date_only = 0;
  if (n == 10) {
    snprintf(buf, sizeof buf, "%.10sT00:00:00Z", s);
    if (date_only)
      *date_only = 1;
  } else if (n == 19 && (s[10] == ' ' || s[10] == 'T')) {
    snprintf(buf, sizeof buf, "%.10sT%.8sZ", s, s + 11);
  } else if (n < sizeof buf) {
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (n > 10 && buf[10] == ' ')
      buf[10] = 'T';
  } else {
    return ACC_EINVAL;
  }
  return acc_time_parse(buf, strlen(buf), 1, out);
}

/* ---- entries ---- */

typedef struct parser {
  const acc_list_parse_opts *o;
  acc_list_entry_fn fn;
  void *ctx;
  acc_list_parse_counts *c;
  size_t line;
} parser;

static void bad(parser *p, const char *what) {
  p->c->bad++;
  if (!p->c->first_bad[0])
    snprintf(p->c->first_bad, sizeof p->c->first_bad, "line %zu: %s", p->line,
             what);
}

static acc_rc emit(parser *p, int kind, const acc_cval *ip, int64_t from,
                   int64_t until) {
  acc_list_entry e = {.kind = kind,
                      .v6 = ip->v.kind == ACC_CK_IPV6,
                      .plen = ip->v.plen};
  memcpy(e.net, ip->v.net, 16);
  e.valid_from_us =
      p->o->valid_from_us != ACC_TIME_NONE ? p->o->valid_from_us : from;
  e.valid_until_us =
      p->o->valid_until_us != ACC_TIME_NONE ? p->o->valid_until_us : until;
  acc_rc rc = p->fn(p->ctx, &e);
  if (!rc)
    p->c->entries++;
  return rc;
}

static uint32_t v4_of(const acc_cval *v) {
  return (uint32_t)v->v.net[0] << 24 | (uint32_t)v->v.net[1] << 16 |
         (uint32_t)v->v.net[2] << 8 | v->v.net[3];
}

/* An address, a network, or an IPv4 range "A-B" (as networks). */
static acc_rc add_addr(parser *p, int kind, const char *s, size_t n,
                       int64_t from, int64_t until) {
  acc_cval ip;
  const char *dash = memchr(s, '-', n);
  if (dash) {
    acc_cval a, b;
    if (acc_corr_ip(s, (size_t)(dash - s), &a) ||
        acc_corr_ip(dash + 1, n - (size_t)(dash - s) - 1, &b) ||
        a.v.kind != ACC_CK_IPV4 || b.v.kind != ACC_CK_IPV4 ||
        a.v.plen != 32 || b.v.plen != 32) {
      bad(p, "not an IPv4 range A-B");
      return ACC_OK;
    }
    uint64_t lo = v4_of(&a), hi = v4_of(&b);
    if (lo > hi) {
      bad(p, "range ends before it starts");
      return ACC_OK;
    }
    /* Count first: a range that needs too many networks is refused
     * whole rather than half-stored. */
    for (int pass = 0; pass < 2; pass++) {
      uint64_t x = lo;
      int nets = 0;
      while (x <= hi) {
        unsigned k = 0;
        while (k < 32 && (x & ((1ULL << (k + 1)) - 1)) == 0 &&
               x + (1ULL << (k + 1)) - 1 <= hi)
          k++;
        if (pass) {
          acc_cval net;
          char txt[32];
          snprintf(txt, sizeof txt, "%u.%u.%u.%u/%u", (unsigned)(x >> 24) & 255,
                   (unsigned)(x >> 16) & 255, (unsigned)(x >> 8) & 255,
                   (unsigned)x & 255, 32 - k);
          if (acc_corr_ip(txt, strlen(txt), &net))
            return ACC_EINVAL;
          acc_rc rc = emit(p, kind, &net, from, until);
          if (rc)
            return rc;
        } else if (++nets > RANGE_MAX_NETS) {
          bad(p, "range too fragmented (more than 64 networks)");
          return ACC_OK;
        }
        x += 1ULL << k;
      }
    }
    return ACC_OK;
  }
  if (acc_corr_ip(s, n, &ip)) {
    bad(p, "not an IP address or network");
    return ACC_OK;
  }
  return emit(p, kind, &ip, from, until);
}

/* Next line of buf: [*ls, *le) without the line feed; 0 at the end. */
static int next_line(const char **cur, const char *end, const char **ls,
                     const char **le) {
  if (*cur >= end)
    return 0;
  *ls = *cur;
  const char *nl = memchr(*cur, '\n', (size_t)(end - *cur));
  *le = nl ? nl : end;
  *cur = nl ? nl + 1 : end;
  if (*le > *ls && (*le)[-1] == '\r')
    (*le)--;
  return 1;
}

static void strip(const char **s, const char **e) {
  while (*s < *e && isspace((unsigned char)**s))
    (*s)++;
  while (*e > *s && isspace((unsigned char)(*e)[-1]))
    (*e)--;
}

/* ---- Tor exit list ---- */

static int word(const char *s, const char *e, const char *w) {
  size_t n = strlen(w);
  return (size_t)(e - s) > n && memcmp(s, w, n) == 0 &&
         (s[n] == ' ' || s[n] == '\t');
}

static acc_rc parse_tor(parser *p, const char *buf, size_t len) {
  const char *cur = buf, *end = buf + len, *ls, *le;
  int64_t published = ACC_TIME_NONE, last = ACC_TIME_NONE;
  int kind = p->o->kind ? p->o->kind : ACC_LK_TOR_EXIT;
  while (next_line(&cur, end, &ls, &le)) {
    p->line++;
    p->c->lines++;
    strip(&ls, &le);
    if (ls == le || *ls == '#' || *ls == '@') {
      p->c->skipped++;
      continue;
    }
    int64_t t;
    if (word(ls, le, "Downloaded")) {
      p->c->skipped++;
    } else if (word(ls, le, "ExitNode")) {
      published = last = ACC_TIME_NONE;
      p->c->skipped++;
    } else if (word(ls, le, "Published")) {
      if (acc_lists_date(ls + 10, (size_t)(le - ls - 10), &t, NULL))
        bad(p, "Published: not a date");
      else {
        published = t;
        p->c->skipped++;
      }
    } else if (word(ls, le, "LastStatus")) {
      if (acc_lists_date(ls + 11, (size_t)(le - ls - 11), &t, NULL))
        bad(p, "LastStatus: not a date");
      else {
        last = t;
        p->c->skipped++;
      }
    } else if (word(ls, le, "ExitAddress")) {
      const char *a = ls + 12;
      while (a < le && *a == ' ')
        a++;
      const char *ae = a;
      while (ae < le && *ae != ' ' && *ae != '\t')
        ae++;
      int64_t tested = ACC_TIME_NONE;
      if (ae < le && acc_lists_date(ae, (size_t)(le - ae), &tested, NULL)) {
        bad(p, "ExitAddress: not a date after the address");
        continue;
      }
      int64_t from = published, until = last;
      if (tested != ACC_TIME_NONE) {
        if (from == ACC_TIME_NONE || tested < from)
          from = tested;
        if (until == ACC_TIME_NONE || tested > until)
          until = tested;
      }
      if (until != ACC_TIME_NONE)
        until += DAY_US;
      acc_rc rc = add_addr(p, kind, a, (size_t)(ae - a), from, until);
      if (rc)
        return rc;
    } else {
      bad(p, "not a line of the Tor exit list");
    }
  }
  return ACC_OK;
}

/* ---- plain lists ---- */

static acc_rc parse_plain(parser *p, const char *buf, size_t len) {
  const char *cur = buf, *end = buf + len, *ls, *le;
  int kind = p->o->kind;
  while (next_line(&cur, end, &ls, &le)) {
    p->line++;
    p->c->lines++;
    const char *hash = memchr(ls, '#', (size_t)(le - ls));
    if (hash)
      le = hash;
    strip(&ls, &le);
    if (ls == le || *ls == ';') {
      p->c->skipped++;
      continue;
    }
    const char *te = ls;
    while (te < le && !isspace((unsigned char)*te) && *te != ',' &&
           *te != ';')
      te++;
    acc_rc rc = add_addr(p, kind, ls, (size_t)(te - ls), ACC_TIME_NONE,
                         ACC_TIME_NONE);
    if (rc)
      return rc;
  }
  return ACC_OK;
}

/* ---- CSV ---- */

typedef struct fields {
  char f[MAX_FIELDS][FIELD_MAX];
  size_t n;
} fields;

/* Split one line (RFC 4180 quoting within the line). */
static int split_csv(const char *s, const char *e, fields *out) {
  out->n = 0;
  const char *p = s;
  for (;;) {
    if (out->n == MAX_FIELDS)
      return -1;
    char *dst = out->f[out->n];
    size_t k = 0;
    while (p < e && (*p == ' ' || *p == '\t'))
      p++;
    if (p < e && *p == '"') {
      p++;
      while (p < e) {
        if (*p == '"') {
          if (p + 1 < e && p[1] == '"') {
            if (k + 1 < FIELD_MAX)
              dst[k++] = '"';
            p += 2;
            continue;
          }
          p++;
          break;
        }
        if (k + 1 < FIELD_MAX)
          dst[k++] = *p;
        p++;
      }
      while (p < e && *p != ',')
        p++;
    } else {
      while (p < e && *p != ',') {
        if (k + 1 < FIELD_MAX)
          dst[k++] = *p;
        p++;
      }
      while (k && (dst[k - 1] == ' ' || dst[k - 1] == '\t'))
        k--;
    }
    dst[k] = '\0';
    out->n++;
    if (p >= e)
      return 0;
    p++; /* the comma */
  }
}

static int col_is(const char *name, const char *const *names) {
  char k[64];
  size_t n = 0;
  for (; *name && n < sizeof k - 1; name++)
    k[n++] = *name == '-' || *name == ' ' ? '_'
                                          : (char)tolower((unsigned char)*name);
  k[n] = '\0';
  for (; *names; names++)
    if (strcmp(k, *names) == 0)
      return 1;
  return 0;
}

static acc_rc parse_csv(parser *p, const char *buf, size_t len,
                        acc_diag *d) {
  static const char *const addr_names[] = {
      "ip",   "ip_address", "ipaddress", "address", "addr",      "network",
      "cidr", "range",      "value",     "indicator", "ip_range", "subnet",
      "prefix", NULL};
  static const char *const type_names[] = {"type", "kind", "category", "list",
                                           "tag",  "class", NULL};
  static const char *const from_names[] = {
      "valid_from", "first_seen", "firstseen", "from",  "start",
      "since",      "valid_since", "first",    "date", NULL};
  static const char *const until_names[] = {
      "valid_until", "last_seen", "lastseen", "until", "end",
      "expires",     "last",      "valid_to", NULL};
  const char *cur = buf, *end = buf + len, *ls, *le;
  int c_addr = 0, c_type = 1, c_from = 2, c_until = 3, header_done = 0;
  fields *f = malloc(sizeof *f);
  if (!f)
    return ACC_ENOMEM;
  acc_rc rc = ACC_OK;
  while (!rc && next_line(&cur, end, &ls, &le)) {
    p->line++;
    p->c->lines++;
    strip(&ls, &le);
    if (ls == le || *ls == '#') {
      p->c->skipped++;
      continue;
    }
    if (split_csv(ls, le, f)) {
      bad(p, "more than 32 fields");
      continue;
    }
    if (!header_done) {
      header_done = 1;
      acc_cval probe;
      if (acc_corr_ip(f->f[0], strlen(f->f[0]), &probe)) {
        /* a header: find the columns by name */
        c_addr = c_type = c_from = c_until = -1;
        for (size_t i = 0; i < f->n; i++) {
          if (c_addr < 0 && col_is(f->f[i], addr_names))
            c_addr = (int)i;
          else if (c_type < 0 && col_is(f->f[i], type_names))
            c_type = (int)i;
          else if (c_from < 0 && col_is(f->f[i], from_names))
            c_from = (int)i;
          else if (c_until < 0 && col_is(f->f[i], until_names))
            c_until = (int)i;
        }
        if (c_addr < 0) {
          rc = acc_diag_set(d, ACC_EINVAL,
                            "line %zu: CSV header without an address column "
                            "(ip, address, network, cidr ...)",
                            p->line);
          break;
        }
        if (c_type < 0 && !p->o->kind) {
          rc = acc_diag_set(d, ACC_EINVAL,
                            "line %zu: CSV header without a type column "
                            "(type, kind, category): give --kind",
                            p->line);
          break;
        }
        p->c->skipped++;
        continue;
      }
    }
    if ((size_t)c_addr >= f->n) {
      bad(p, "no address field");
      continue;
    }
    int kind = p->o->kind;
    if (c_type >= 0 && (size_t)c_type < f->n && f->f[c_type][0]) {
      int k = acc_list_kind_parse(f->f[c_type]);
      if (!k) {
        if (!p->o->kind) {
          bad(p, "unknown type (tor-exit, vpn, proxy, scanner, cdn)");
          continue;
        }
        p->c->other_kind++;
        continue;
      }
      if (p->o->kind && k != p->o->kind) {
        p->c->other_kind++;
        continue;
      }
      kind = k;
    }
    if (!kind) {
      bad(p, "no type");
      continue;
    }
    int64_t from = ACC_TIME_NONE, until = ACC_TIME_NONE;
    if (c_from >= 0 && (size_t)c_from < f->n && f->f[c_from][0] &&
        acc_lists_date(f->f[c_from], strlen(f->f[c_from]), &from, NULL)) {
      bad(p, "valid-from: not a date");
      continue;
    }
    if (c_until >= 0 && (size_t)c_until < f->n && f->f[c_until][0]) {
      int day = 0;
      if (acc_lists_date(f->f[c_until], strlen(f->f[c_until]), &until, &day)) {
        bad(p, "valid-until: not a date");
        continue;
      }
      if (day)
        until += DAY_US - 1; /* a date: to the end of that day */
    }
    rc = add_addr(p, kind, f->f[c_addr], strlen(f->f[c_addr]), from, until);
  }
  free(f);
  return rc;
}

static acc_list_format detect(const char *buf, size_t len) {
  const char *cur = buf, *end = buf + len, *ls, *le;
  int lines = 0;
  acc_list_format first = ACC_LF_AUTO;
  while (lines < 200 && next_line(&cur, end, &ls, &le)) {
    strip(&ls, &le);
    if (ls == le || *ls == '#')
      continue;
    lines++;
    if (word(ls, le, "ExitNode") || word(ls, le, "ExitAddress"))
      return ACC_LF_TOR_EXIT;
    if (first == ACC_LF_AUTO)
      first = memchr(ls, ',', (size_t)(le - ls)) ? ACC_LF_CSV : ACC_LF_PLAIN;
  }
  return first == ACC_LF_AUTO ? ACC_LF_PLAIN : first;
}

acc_rc acc_list_parse(const char *buf, size_t len,
                      const acc_list_parse_opts *o, acc_list_entry_fn fn,
                      void *ctx, acc_list_parse_counts *c, acc_diag *d) {
  memset(c, 0, sizeof *c);
  parser p = {.o = o, .fn = fn, .ctx = ctx, .c = c};
  acc_list_format f = o->format ? o->format : detect(buf, len);
  c->format = f;
  if (memchr(buf, '\0', len))
    return acc_diag_set(d, ACC_EINVAL,
                        "binary content (a NUL byte): not a list");
  acc_rc rc;
  switch (f) {
  case ACC_LF_TOR_EXIT:
    rc = parse_tor(&p, buf, len);
    break;
  case ACC_LF_CSV:
    rc = parse_csv(&p, buf, len, d);
    break;
  default:
    if (!o->kind)
      return acc_diag_set(d, ACC_EINVAL,
                          "a plain list needs --kind (tor-exit, vpn, proxy, "
                          "scanner, cdn)");
    rc = parse_plain(&p, buf, len);
  }
  if (rc)
    return rc;
  if (!c->entries && c->bad)
    return acc_diag_set(d, ACC_EINVAL, "no entry could be read (%s)",
                        c->first_bad);
  return ACC_OK;
}

/* ---- import ---- */

typedef struct import_ctx {
  acc_store *s;
  int64_t lid;
  acc_diag *d;
} import_ctx;

static acc_rc import_one(void *ctx, const acc_list_entry *e) {
  import_ctx *x = ctx;
  return x->s->ops->list_entry_add(x->s, x->lid, e, x->d);
}

acc_rc acc_lists_import(acc_store *s, const char *name, const char *source,
                        const char *buf, size_t len,
                        const acc_list_parse_opts *o, int replace,
                        acc_list_parse_counts *c, acc_diag *d) {
  acc_list_info l;
  memset(&l, 0, sizeof l);
  if (!name || !*name || strlen(name) >= sizeof l.name)
    return acc_diag_set(d, ACC_EINVAL, "a list needs a name of at most %zu "
                        "characters", sizeof l.name - 1);
  snprintf(l.name, sizeof l.name, "%s", name);
  acc_list_format f = o->format ? o->format : detect(buf, len);
  snprintf(l.kind, sizeof l.kind, "%s",
           o->kind              ? acc_list_kind_name(o->kind)
           : f == ACC_LF_TOR_EXIT ? "tor-exit"
                                  : "mixed");
  snprintf(l.source, sizeof l.source, "%s", source ? source : "");
  snprintf(l.format, sizeof l.format, "%s", acc_list_format_name(f));
  acc_rc rc = acc_store_begin(s, d);
  if (rc)
    return rc;
  if ((rc = s->ops->list_put(s, &l, replace, d)))
    goto out_rollback;
  import_ctx x = {.s = s, .lid = l.lid, .d = d};
  acc_list_parse_opts po = *o;
  po.format = f;
  if ((rc = acc_list_parse(buf, len, &po, import_one, &x, c, d)))
    goto out_rollback;
  if ((rc = s->ops->list_finish(s, l.lid, d)))
    goto out_rollback;
  return acc_store_commit(s, d);
out_rollback:
  acc_store_rollback(s);
  return rc;
}

/* ---- lookups ---- */

typedef struct lookup_ctx {
  acc_list_hit *out;
  size_t max, n;
  unsigned plen; /* entries must cover the whole queried network */
} lookup_ctx;

static int on_match(void *ctx, const acc_list_match *m) {
  lookup_ctx *x = ctx;
  if (m->e->plen > x->plen)
    return 0;
  if (x->n < x->max) {
    acc_list_hit *h = &x->out[x->n];
    memset(h, 0, sizeof *h);
    snprintf(h->kind, sizeof h->kind, "%s", acc_list_kind_name(m->e->kind));
    snprintf(h->list, sizeof h->list, "%s", m->list ? m->list : "");
    h->valid_from_us = m->e->valid_from_us;
    h->valid_until_us = m->e->valid_until_us;
  }
  x->n++;
  return 0;
}

acc_rc acc_lists_lookup_span(acc_store *s, const char *ip, int64_t from_us,
                             int64_t until_us, acc_list_hit *out, size_t max,
                             size_t *n, acc_diag *d) {
  acc_cval v;
  if (!ip || acc_corr_ip(ip, strlen(ip), &v))
    return acc_diag_set(d, ACC_EINVAL, "'%s' is not an IP address",
                        ip ? ip : "");
  lookup_ctx x = {.out = out, .max = max, .plen = v.v.plen};
  acc_rc rc = s->ops->list_lookup(s, v.v.kind == ACC_CK_IPV6, v.v.net,
                                  from_us, until_us, on_match, &x, d);
  if (rc)
    return rc;
  *n = x.n;
  return ACC_OK;
}

acc_rc acc_lists_lookup(acc_store *s, const char *ip, int64_t at_us,
                        acc_list_hit *out, size_t max, size_t *n,
                        acc_diag *d) {
  int64_t at = at_us == ACC_TIME_NONE ? acc_time_now_us() : at_us;
  return acc_lists_lookup_span(s, ip, at, at, out, max, n, d);
}
