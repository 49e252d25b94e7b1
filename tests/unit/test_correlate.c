/*
 * test_correlate.c — correlation: normalisation cases (hash case and
 * algorithm names, IPv6 forms, trailing dots, punycode, URL forms, ...);
 * answers compared with a brute-force correlation computed here over a
 * generated corpus (SCOs, indicators with =, IN and ISSUBSET, observed-data
 * with embedded objects, reports naming SCOs; values written in varying
 * case; random sources and TLPs) for the operator and one user per
 * organisation; versions, revocation and removal; the rebuild.  The seed
 * is fixed (ACC_CORR_SEED overrides it) and printed on failure.
 */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "correlate/correlate.h"
#include "ingest/ingest.h"
#include "policy/guard.h"
#include "testutil.h"
#include "util/time.h"

/* ---- normalisation ---- */

typedef struct ncase {
  int kind;
  const char *algo;
  const char *in;
  const char *want; /* NULL: refused */
} ncase;

static void test_normalise(void **state) {
  (void)state;
  static const ncase cases[] = {
      {ACC_CK_IPV4, NULL, "1.2.3.4", "1.2.3.4"},
      {ACC_CK_IPV4, NULL, " 010.001.002.003 ", "10.1.2.3"},
      {ACC_CK_IPV4, NULL, "1.2.3.4/32", "1.2.3.4"},
      {ACC_CK_IPV4, NULL, "10.1.2.3/8", "10.0.0.0/8"},
      {ACC_CK_IPV4, NULL, "256.1.1.1", NULL},
      {ACC_CK_IPV4, NULL, "1.2.3", NULL},
      {ACC_CK_IPV4, NULL, "1.2.3.4/33", NULL},
      {ACC_CK_IPV4, NULL, "::ffff:1.2.3.4", "1.2.3.4"},
      {ACC_CK_IPV4, NULL, "::ffff:10.0.0.0/104", "10.0.0.0/8"},
      {ACC_CK_IPV6, NULL, "2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
      {ACC_CK_IPV6, NULL, "2001:0db8::0001/128", "2001:db8::1"},
      {ACC_CK_IPV6, NULL, "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
      {ACC_CK_IPV6, NULL, "[2001:db8::1]", "2001:db8::1"},
      {ACC_CK_IPV6, NULL, "fe80::1%eth0", "fe80::1"},
      {ACC_CK_IPV6, NULL, "2001:db8:1:2::/32", "2001:db8::/32"},
      {ACC_CK_IPV6, NULL, "2001:db8::g", NULL},
      {ACC_CK_DOMAIN, NULL, "EXAMPLE.com.", "example.com"},
      {ACC_CK_DOMAIN, NULL, "bücher.example", "xn--bcher-kva.example"},
      {ACC_CK_DOMAIN, NULL, "BÜCHER.Example.", "xn--bcher-kva.example"},
      {ACC_CK_DOMAIN, NULL, "xn--bcher-kva.example", "xn--bcher-kva.example"},
      {ACC_CK_DOMAIN, NULL, "a..b", NULL},
      {ACC_CK_DOMAIN, NULL, "bad domain", NULL},
      {ACC_CK_URL, NULL, "HTTP://Example.COM:80/a/./b/../c?q=%7e#frag",
       "http://example.com/a/c?q=~"},
      {ACC_CK_URL, NULL, "https://example.com:443", "https://example.com/"},
      {ACC_CK_URL, NULL, "https://example.com:8443/x%2fy",
       "https://example.com:8443/x%2Fy"},
      {ACC_CK_URL, NULL, "example.com/x", "http://example.com/x"},
      {ACC_CK_URL, NULL, "http://bücher.example/", "http://xn--bcher-kva.example/"},
      {ACC_CK_URL, NULL, "http://EXAMPLE.com./p", "http://example.com/p"},
      {ACC_CK_URL, NULL, "http://[2001:DB8::1]:8080/", "http://[2001:db8::1]:8080/"},
      /* in a URL, a host is read as a browser (and curl) resolves it:
       * leading zeros are octal */
      {ACC_CK_URL, NULL, "http://010.1.1.1/", "http://8.1.1.1/"},
      {ACC_CK_EMAIL, NULL, "John.Doe@Example.COM", "john.doe@example.com"},
      {ACC_CK_EMAIL, NULL, "mailto:<a@Bücher.example>", "a@xn--bcher-kva.example"},
      {ACC_CK_EMAIL, NULL, "nobody", NULL},
      {ACC_CK_HASH, "SHA-256",
       "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
       "sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"},
      {ACC_CK_HASH, "sha256",
       "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
       "sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"},
      {ACC_CK_HASH, "MD5", "D41D8CD98F00B204E9800998ECF8427E",
       "md5:d41d8cd98f00b204e9800998ecf8427e"},
      {ACC_CK_HASH, "SHA-1", "da39a3ee5e6b4b0d3255bfef95601890afd8070", NULL},
      {ACC_CK_HASH, "SHA3-256",
       "ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
       "sha3-256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"},
      {ACC_CK_HASH, "SSDEEP", "3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C",
       "ssdeep:3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C"},
      {ACC_CK_MAC, NULL, "00-11-22-AA-BB-CC", "00:11:22:aa:bb:cc"},
      {ACC_CK_MAC, NULL, "0011.22aa.bbcc", "00:11:22:aa:bb:cc"},
      {ACC_CK_MAC, NULL, "00:11:22:aa:bb", NULL},
      {ACC_CK_ASN, NULL, "AS15169", "15169"},
      {ACC_CK_ASN, NULL, "15169", "15169"},
      {ACC_CK_ASN, NULL, "AS99999999999", NULL},
      {ACC_CK_X509_SERIAL, NULL, "0x00:AB:cd", "abcd"},
      {ACC_CK_REGKEY, NULL, "HKLM\\Software\\Foo\\",
       "hkey_local_machine\\software\\foo"},
      {ACC_CK_REGKEY, NULL, "HKEY_LOCAL_MACHINE\\SOFTWARE\\\\Foo",
       "hkey_local_machine\\software\\foo"},
      {ACC_CK_MUTEX, NULL, "Global\\MyMutex", "Global\\MyMutex"},
      {ACC_CK_ACCOUNT, NULL, " root ", "root"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const ncase *c = &cases[i];
    acc_cval v;
    acc_rc rc = acc_corr_normalise(c->kind, c->algo, c->in, strlen(c->in), &v);
    if (!c->want) {
      if (!rc)
        fail_msg("case %zu: '%s' accepted as '%s'", i, c->in, v.text);
      continue;
    }
    if (rc)
      fail_msg("case %zu: '%s' refused", i, c->in);
    if (strcmp(v.text, c->want))
      fail_msg("case %zu: '%s' -> '%s', want '%s'", i, c->in, v.text, c->want);
  }
  /* guessing the kind of a typed value */
  static const struct {
    const char *in;
    int kind;
    const char *want;
  } guess[] = {
      {"1.2.3.4", ACC_CK_IPV4, "1.2.3.4"},
      {"2001:db8::1", ACC_CK_IPV6, "2001:db8::1"},
      {"Evil.Example.", ACC_CK_DOMAIN, "evil.example"},
      {"hxxp://x", ACC_CK_URL, NULL},
      {"http://Evil.Example/a", ACC_CK_URL, "http://evil.example/a"},
      {"a@B.example", ACC_CK_EMAIL, "a@b.example"},
      {"d41d8cd98f00b204e9800998ecf8427e", ACC_CK_HASH,
       "md5:d41d8cd98f00b204e9800998ecf8427e"},
      {"SHA-256:ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
       ACC_CK_HASH,
       "sha256:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"},
      {"AS64500", ACC_CK_ASN, "64500"},
      {"00:11:22:AA:BB:CC", ACC_CK_MAC, "00:11:22:aa:bb:cc"},
      {"mutex:Global\\X", ACC_CK_MUTEX, "Global\\X"},
      {"HKCU\\Run", ACC_CK_REGKEY, "hkey_current_user\\run"},
      {"not a value", ACC_CK_NONE, NULL},
  };
  for (size_t i = 0; i < sizeof guess / sizeof guess[0]; i++) {
    acc_cval v;
    acc_rc rc = acc_corr_guess(guess[i].in, &v);
    if (!guess[i].want) {
      if (!rc && guess[i].kind == ACC_CK_NONE)
        fail_msg("guess %zu: '%s' accepted", i, guess[i].in);
      continue;
    }
    if (rc || v.v.kind != guess[i].kind || strcmp(v.text, guess[i].want))
      fail_msg("guess %zu: '%s' -> %d '%s'", i, guess[i].in,
               rc ? -1 : v.v.kind, rc ? "" : v.text);
  }
}

/* ---- a generated corpus and its brute-force correlation ---- */

#define N_ORG 4
#define N_IP 50
#define N_DOM 30
#define N_HASH 30
#define N_NET 8
#define N_OBJ 500
#define MAX_VALS 6
#define COMMON 1000 /* no value is common here: hops always happen */

static uint64_t seed = 77;
static size_t sum_min; /* 1: every value summed per class */
static size_t total_wanted; /* so a vacuous comparison cannot pass */
static uint64_t rng;

static uint64_t rnd(void) {
  uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static unsigned pick(unsigned n) {
  return (unsigned)(rnd() % n);
}
/* skewed: small indexes far more often */
static unsigned skew(unsigned n) {
  unsigned a = pick(n), b = pick(n);
  return a < b ? a : b;
}

enum { K_IP, K_DOM, K_HASH, K_NET };

typedef struct gval {
  int k;
  unsigned i;
} gval;

typedef struct gobj {
  char id[80];
  char type[24];
  int org;
  int tlp; /* 0 clear, 1 green, 2 amber (named: own org) */
  gval v[MAX_VALS];
  int nv;
  int refs[3]; /* reports: SCO objects named */
  int nrefs;
  int gone; /* removed or revoked */
} gobj;

static gobj objs[N_OBJ];

static void canon(gval v, char *out, size_t n) {
  switch (v.k) {
  case K_IP:
    snprintf(out, n, "10.%u.%u.%u", v.i % 7, v.i % 5, v.i);
    break;
  case K_DOM:
    snprintf(out, n, "d%u.example", v.i);
    break;
  case K_HASH:
    snprintf(out, n, "%064x", v.i * 2654435761u + 17);
    break;
  default:
    snprintf(out, n, "10.%u.0.0/16", v.i % 7);
  }
}

/* The value as written in the object: case varies. */
static void written(gval v, char *out, size_t n) {
  canon(v, out, n);
  if ((v.k == K_DOM || v.k == K_HASH) && pick(2))
    for (char *p = out; *p; p++)
      if (*p >= 'a' && *p <= 'z')
        *p = (char)(*p - 'a' + 'A');
  if (v.k == K_DOM && pick(3) == 0) {
    size_t l = strlen(out);
    if (l + 1 < n) {
      out[l] = '.';
      out[l + 1] = '\0';
    }
  }
}

static gval rand_val(void) {
  gval v;
  v.k = (int)pick(3);
  v.i = skew(v.k == K_IP ? N_IP : v.k == K_DOM ? N_DOM : N_HASH);
  return v;
}

static const char *const TLPS[] = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"};

static char *make_json(int i, gobj *o) {
  char w[3][128];
  char buf[4096];
  const char *tail = ",\"created\":\"2024-01-01T00:00:00.000Z\",\"modified\":"
                     "\"2024-01-01T00:00:00.000Z\"";
  unsigned t = pick(5);
  if (i < 100 || t == 0) { /* an SCO */
    o->nv = 1;
    o->v[0] = rand_val();
    written(o->v[0], w[0], sizeof w[0]);
    const char *types[] = {"ipv4-addr", "domain-name", "file"};
    snprintf(o->type, sizeof o->type, "%s", types[o->v[0].k]);
    snprintf(o->id, sizeof o->id, "%s--00000000-0000-4000-8000-%012d",
             o->type, i);
    if (o->v[0].k == K_HASH)
      snprintf(buf, sizeof buf,
               "{\"type\":\"file\",\"spec_version\":\"2.1\",\"id\":\"%.79s\","
               "\"hashes\":{\"SHA-256\":\"%s\"}",
               o->id, w[0]);
    else
      snprintf(buf, sizeof buf,
               "{\"type\":\"%s\",\"spec_version\":\"2.1\",\"id\":\"%.79s\","
               "\"value\":\"%s\"",
               o->type, o->id, w[0]);
  } else if (t <= 2) { /* an indicator */
    snprintf(o->type, sizeof o->type, "indicator");
    snprintf(o->id, sizeof o->id, "indicator--00000000-0000-4000-8000-%012d",
             i);
    char pat[2048] = "";
    size_t pn = 0;
    if (pick(4) == 0) {
      o->v[0] = (gval){K_NET, pick(N_NET)};
      o->nv = 1;
      canon(o->v[0], w[0], sizeof w[0]);
      pn = (size_t)snprintf(pat, sizeof pat,
                            "[ipv4-addr:value ISSUBSET '%s']", w[0]);
    } else if (pick(3) == 0) {
      o->nv = 2;
      o->v[0] = (gval){K_IP, skew(N_IP)};
      o->v[1] = (gval){K_IP, skew(N_IP)};
      written(o->v[0], w[0], sizeof w[0]);
      written(o->v[1], w[1], sizeof w[1]);
      pn = (size_t)snprintf(pat, sizeof pat,
                            "[ipv4-addr:value IN ('%s', '%s')]", w[0], w[1]);
    } else {
      o->nv = 1 + (int)pick(3);
      for (int k = 0; k < o->nv; k++) {
        o->v[k] = rand_val();
        written(o->v[k], w[k], sizeof w[k]);
        const char *path = o->v[k].k == K_IP    ? "ipv4-addr:value"
                           : o->v[k].k == K_DOM ? "domain-name:value"
                                                : "file:hashes.'SHA-256'";
        pn += (size_t)snprintf(pat + pn, sizeof pat - pn, "%s[%s = '%s']",
                               k ? " OR " : "", path, w[k]);
      }
    }
    (void)pn;
    snprintf(buf, sizeof buf,
             "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%.79s\"%s,"
             "\"pattern_type\":\"stix\",\"pattern\":\"%s\",\"valid_from\":"
             "\"2024-01-01T00:00:00Z\"",
             o->id, tail, pat);
  } else if (t == 3) { /* observed-data with embedded objects */
    snprintf(o->type, sizeof o->type, "observed-data");
    snprintf(o->id, sizeof o->id,
             "observed-data--00000000-0000-4000-8000-%012d", i);
    o->nv = 1 + (int)pick(3);
    char ob[2048];
    size_t on = 0;
    for (int k = 0; k < o->nv; k++) {
      o->v[k] = rand_val();
      written(o->v[k], w[k], sizeof w[k]);
      if (o->v[k].k == K_HASH)
        on += (size_t)snprintf(ob + on, sizeof ob - on,
                               "%s\"%d\":{\"type\":\"file\",\"hashes\":"
                               "{\"sha256\":\"%s\"}}",
                               k ? "," : "", k, w[k]);
      else
        on += (size_t)snprintf(ob + on, sizeof ob - on,
                               "%s\"%d\":{\"type\":\"%s\",\"value\":\"%s\"}",
                               k ? "," : "", k,
                               o->v[k].k == K_IP ? "ipv4-addr" : "domain-name",
                               w[k]);
    }
    snprintf(buf, sizeof buf,
             "{\"type\":\"observed-data\",\"id\":\"%.79s\"%s,\"first_observed\":"
             "\"2024-02-01T00:00:00Z\",\"last_observed\":\"2024-02-02T00:00:00Z\","
             "\"number_observed\":1,\"objects\":{%s}",
             o->id, tail, ob);
  } else { /* a report naming SCOs */
    snprintf(o->type, sizeof o->type, "report");
    snprintf(o->id, sizeof o->id, "report--00000000-0000-4000-8000-%012d", i);
    o->nrefs = 1 + (int)pick(3);
    char refs[1024];
    size_t rn = 0;
    for (int k = 0; k < o->nrefs; k++) {
      int target = (int)pick(100); /* the first 100 are SCOs */
      o->refs[k] = target;
      rn += (size_t)snprintf(refs + rn, sizeof refs - rn, "%s\"%.79s\"",
                             k ? "," : "", objs[target].id);
    }
    snprintf(buf, sizeof buf,
             "{\"type\":\"report\",\"spec_version\":\"2.1\",\"id\":\"%.79s\"%s,"
             "\"name\":\"r%d\",\"published\":\"2024-01-01T00:00:00Z\","
             "\"object_refs\":[%s]",
             o->id, tail, i, refs);
  }
  size_t bn = strlen(buf);
  snprintf(buf + bn, sizeof buf - bn, ",\"object_marking_refs\":[\"%s\"]}",
           TLPS[o->tlp]);
  return strdup(buf);
}

typedef struct world {
  acc_store *s;
  int64_t oid[N_ORG];
  int64_t uid[N_ORG];
  char org[N_ORG][16];
} world;

static void build(world *w, fx *f) {
  acc_diag d;
  w->s = f->s;
  for (int k = 0; k < N_ORG; k++) {
    acc_org o = {.member = 1};
    snprintf(o.name, sizeof o.name, "org%d", k);
    snprintf(w->org[k], sizeof w->org[k], "org%d", k);
    assert_int_equal(f->s->ops->org_add(f->s, &o, &d), ACC_OK);
    w->oid[k] = o.oid;
    acc_user u = {.oid = o.oid};
    snprintf(u.name, sizeof u.name, "user%d", k);
    assert_int_equal(f->s->ops->user_add(f->s, &u, &d), ACC_OK);
    w->uid[k] = u.uid;
    assert_int_equal(f->s->ops->grant_set(f->s, ACC_DEFAULT_COLLECTION, o.oid,
                                          1, 1, &d),
                     ACC_OK);
  }
  for (int i = 0; i < N_OBJ; i++) {
    gobj *o = &objs[i];
    memset(o, 0, sizeof *o);
    o->org = (int)pick(N_ORG);
    o->tlp = (int)pick(3);
    char *txt = make_json(i, o);
    const char *share[1] = {w->org[o->org]};
    acc_ingest_opts io = {.origin_oid = w->oid[o->org],
                          .origin_uid = w->uid[o->org],
                          .share_orgs = o->tlp == 2 ? share : NULL,
                          .n_share_orgs = o->tlp == 2 ? 1 : 0};
    acc_ingest_counts c;
    acc_rc rc = acc_ingest(f->s, txt, strlen(txt), &io, &c, NULL, &d);
    if (rc || c.stored != 1)
      fail_msg("seed %llu: object %d not stored (%s): %s",
               (unsigned long long)seed, i, d.msg, txt);
    free(txt);
  }
}

static int visible(int reader, const gobj *o) {
  return !o->gone && (reader < 0 || o->tlp < 2 || o->org == reader);
}

static int holds(const gobj *o, gval v) {
  for (int k = 0; k < o->nv; k++)
    if (o->v[k].k == v.k && o->v[k].i == v.i)
      return 1;
  /* the same written value from another index (10.x.y.z collisions) */
  char a[128], b[128];
  canon(v, a, sizeof a);
  for (int k = 0; k < o->nv; k++) {
    canon(o->v[k], b, sizeof b);
    if (o->v[k].k == v.k && !strcmp(a, b))
      return 1;
  }
  return 0;
}

static int in_net(const gobj *o, gval ip) {
  char a[64], b[64];
  canon(ip, a, sizeof a);
  for (int k = 0; k < o->nv; k++)
    if (o->v[k].k == K_NET) {
      canon(o->v[k], b, sizeof b);
      /* "10.N.0.0/16" holds "10.N.*" */
      size_t l = strlen(b) - strlen(".0.0/16");
      if (!strncmp(a, b, l) && a[l] == '.')
        return 1;
    }
  return 0;
}

static int idx_of(const char *id) {
  const char *p = strrchr(id, '-');
  return p ? (int)strtol(p + 1, NULL, 10) : -1;
}

static void check_value(world *w, int reader, gval v) {
  acc_reader rd;
  acc_principal p = acc_principal_operator;
  acc_diag d;
  acc_audit *audit;
  if (reader >= 0) {
    char name[16];
    snprintf(name, sizeof name, "user%d", reader);
    assert_int_equal(acc_auth_principal_of(w->s, name, &p, &d), ACC_OK);
  }
  assert_int_equal(acc_audit_open(getenv("ACC_CORR_DIR"), &audit, &d), ACC_OK);
  rd = (acc_reader){.who = &p, .path = "test", .audit = audit};
  char q[160], text[128];
  canon(v, text, sizeof text);
  if (v.k == K_HASH)
    snprintf(q, sizeof q, "sha256:%s", text);
  else
    snprintf(q, sizeof q, "%s", text);
  acc_corr_opts o = {.common = COMMON, .max_objects = 1000,
                     .at_us = ACC_TIME_NONE, .sum_min = sum_min};
  json_t *ans;
  assert_int_equal(acc_corr_query(w->s, &rd, q, &o, &ans, &d), ACC_OK);
  /* brute force */
  char want[N_OBJ] = {0}; /* 1 direct, 2 via a reference, 3 containing */
  int src[N_ORG] = {0};
  size_t n_want = 0;
  for (int i = 0; i < N_OBJ; i++)
    if (visible(reader, &objs[i]) && holds(&objs[i], v))
      want[i] = 1;
  for (int i = 0; i < N_OBJ; i++) {
    if (!visible(reader, &objs[i]) || !objs[i].nrefs || want[i])
      continue;
    for (int k = 0; k < objs[i].nrefs; k++)
      if (want[objs[i].refs[k]] == 1)
        want[i] = 2;
  }
  for (int i = 0; i < N_OBJ; i++)
    if (want[i]) {
      n_want++;
      src[objs[i].org] = 1;
    }
  size_t n_src = 0;
  for (int k = 0; k < N_ORG; k++)
    n_src += (size_t)src[k];
  char got[N_OBJ] = {0};
  size_t gi;
  json_t *g;
  json_array_foreach(json_object_get(ans, "values"), gi, g) {
    const char *rel = json_string_value(json_object_get(g, "relation"));
    size_t k;
    json_t *ob;
    json_array_foreach(json_object_get(g, "objects"), k, ob) {
      int x = idx_of(json_string_value(json_object_get(ob, "id")));
      if (x < 0 || x >= N_OBJ)
        fail_msg("seed %llu: odd id", (unsigned long long)seed);
      if (!strcmp(rel, "exact"))
        got[x] = json_object_get(ob, "via") ? 2 : 1;
      else if (!strcmp(rel, "contains") && !json_object_get(ob, "via"))
        got[x] = got[x] ? got[x] : 3;
    }
    if (!strcmp(rel, "exact")) {
      if ((size_t)json_integer_value(json_object_get(g, "occurrences")) !=
          n_want)
        fail_msg("seed %llu: reader %d value %s: %lld occurrences, want %zu",
                 (unsigned long long)seed, reader, q,
                 (long long)json_integer_value(
                     json_object_get(g, "occurrences")),
                 n_want);
      if (json_array_size(json_object_get(g, "sources")) != n_src)
        fail_msg("seed %llu: reader %d value %s: %zu sources, want %zu",
                 (unsigned long long)seed, reader, q,
                 json_array_size(json_object_get(g, "sources")), n_src);
    }
  }
  if (v.k == K_IP)
    for (int i = 0; i < N_OBJ; i++)
      if (!want[i] && visible(reader, &objs[i]) && in_net(&objs[i], v))
        want[i] = 3;
  for (int i = 0; i < N_OBJ; i++)
    total_wanted += want[i] != 0;
  for (int i = 0; i < N_OBJ; i++)
    if (want[i] != got[i])
      fail_msg("seed %llu: reader %d value %s: object %d (%s, org %d, tlp %d) "
               "want %d got %d",
               (unsigned long long)seed, reader, q, i, objs[i].type,
               objs[i].org, objs[i].tlp, want[i], got[i]);
  json_decref(ans);
  acc_audit_close(audit);
}

static void check_all(world *w) {
  for (int reader = -1; reader < N_ORG; reader++) {
    for (unsigned i = 0; i < 12; i++) {
      check_value(w, reader, (gval){K_IP, i < 6 ? i : pick(N_IP)});
      check_value(w, reader, (gval){K_DOM, i < 6 ? i : pick(N_DOM)});
      check_value(w, reader, (gval){K_HASH, i < 6 ? i : pick(N_HASH)});
    }
  }
}

/* ---- the rebuild writes the same index as incremental indexing ---- */

typedef struct dump {
  char *text;
  size_t len, cap;
} dump;

static int on_dump_row(void *ctx, int n, char **cols, char **names) {
  dump *x = ctx;
  (void)names;
  for (int i = 0; i <= n; i++) {
    const char *c = i < n ? (cols[i] ? cols[i] : "NULL") : "\n";
    size_t l = strlen(c) + 1;
    if (x->len + l + 1 > x->cap) {
      x->cap = (x->len + l + 1) * 2;
      x->text = realloc(x->text, x->cap);
      assert_non_null(x->text);
    }
    memcpy(x->text + x->len, c, l - 1);
    x->text[x->len + l - 1] = '|';
    x->len += l;
    x->text[x->len] = '\0';
  }
  return 0;
}

/* Every row of the index's tables, in key order, through a second
 * connection.  Times are in seconds and are taken when a version was
 * indexed, or when it was added for a rebuild: they are compared apart,
 * within a second. */
static dump dump_index(const char *dir, dump *times) {
  char path[128];
  snprintf(path, sizeof path, "%s/accord.db", dir);
  sqlite3 *db;
  assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
                   SQLITE_OK);
  dump x = {0};
  static const char *const q[] = {
      "SELECT vid, kind, text FROM corr_values ORDER BY vid",
      "SELECT vid, cls, seq FROM corr_postings ORDER BY vid, cls, seq",
      "SELECT seq, cls, live, hex(vids) FROM corr_docs ORDER BY seq",
      "SELECT hex(net), plen, vid FROM corr_net6 ORDER BY net, plen",
      "SELECT v6, plen FROM corr_plens ORDER BY v6, plen"};
  for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
    assert_int_equal(sqlite3_exec(db, q[i], on_dump_row, &x, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db,
                                "SELECT seq, t, dt FROM corr_docs ORDER BY seq",
                                on_dump_row, times, NULL),
                   SQLITE_OK);
  sqlite3_close(db);
  return x;
}

static void same_times(const dump *a, const dump *b) {
  const char *p = a->text ? a->text : "", *r = b->text ? b->text : "";
  for (;;) {
    char *ea, *eb;
    long long x = strtoll(p, &ea, 10), y = strtoll(r, &eb, 10);
    if (ea == p || eb == r) {
      assert_true(ea == p && eb == r);
      return;
    }
    if (x - y > 1 || y - x > 1)
      fail_msg("rebuild: a time differs: %lld and %lld", x, y);
    p = ea + strspn(ea, "|\n");
    r = eb + strspn(eb, "|\n");
  }
}

static void test_bruteforce(void **state) {
  fx *f = *state;
  const char *env = getenv("ACC_CORR_SEED");
  if (env)
    seed = strtoull(env, NULL, 10);
  rng = seed;
  setenv("ACC_CORR_DIR", f->dir, 1);
  world w;
  build(&w, f);
  check_all(&w);
  if (total_wanted < 1000)
    fail_msg("seed %llu: only %zu matches: the corpus correlates too little",
             (unsigned long long)seed, total_wanted);
  /* the same, with every value summed per sharing class */
  sum_min = 1;
  check_all(&w);
  sum_min = 0;
  /* the rebuilt index is the incremental one, row for row (value ids,
   * postings, versions, networks), and gives the same answers */
  dump t0 = {0}, t1 = {0};
  dump before = dump_index(f->dir, &t0);
  acc_corr_rebuild_counts c;
  acc_diag d;
  assert_int_equal(acc_corr_rebuild(f->s, &c, &d), ACC_OK);
  assert_int_equal(c.versions, N_OBJ);
  dump after = dump_index(f->dir, &t1);
  assert_non_null(before.text);
  assert_true(before.len > 1000);
  assert_string_equal(before.text, after.text);
  same_times(&t0, &t1);
  free(before.text);
  free(after.text);
  free(t0.text);
  free(t1.text);
  check_all(&w);
  /* removal: a third of the objects go (as TAXII DELETE does) */
  assert_int_equal(acc_store_begin(f->s, &d), ACC_OK);
  for (int i = 0; i < N_OBJ; i += 3) {
    acc_query q;
    acc_query_init(&q);
    q.collection = ACC_DEFAULT_COLLECTION;
    q.version = ACC_VER_ALL;
    q.ids[q.n_ids++] = objs[i].id;
    assert_int_equal(acc_store_remove(f->s, &q, NULL, &d), ACC_OK);
    objs[i].gone = 1;
  }
  assert_int_equal(acc_store_commit(f->s, &d), ACC_OK);
  check_all(&w);
  sum_min = 1;
  check_all(&w);
  sum_min = 0;
}

/* ---- versions, revocation, removal ---- */

static size_t occurrences(acc_store *s, const char *dir, const char *value) {
  acc_audit *audit;
  acc_diag d;
  assert_int_equal(acc_audit_open(dir, &audit, &d), ACC_OK);
  acc_reader rd = {.who = &acc_principal_operator, .path = "t", .audit = audit};
  json_t *ans;
  assert_int_equal(acc_corr_query(s, &rd, value, NULL, &ans, &d), ACC_OK);
  size_t n = (size_t)json_integer_value(json_object_get(
      json_array_get(json_object_get(ans, "values"), 0), "occurrences"));
  json_decref(ans);
  acc_audit_close(audit);
  return n;
}

static void put(acc_store *s, const char *json) {
  acc_ingest_counts c;
  acc_diag d;
  assert_int_equal(acc_ingest(s, json, strlen(json), NULL, &c, NULL, &d),
                   ACC_OK);
  if (c.stored != 1)
    fail_msg("not stored: %s", json);
}

#define IND(mod, pat, extra)                                                   \
  "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"indicator--"      \
  "11111111-0000-4000-8000-000000000001\",\"created\":\"2024-01-01T00:00:00."  \
  "000Z\",\"modified\":\"" mod "\",\"pattern_type\":\"stix\",\"pattern\":\"" pat \
  "\",\"valid_from\":\"2024-01-01T00:00:00Z\"" extra "}"

static void test_versions(void **state) {
  fx *f = *state;
  put(f->s, IND("2024-01-01T00:00:00.000Z", "[ipv4-addr:value = '192.0.2.1']",
                ""));
  assert_int_equal(occurrences(f->s, f->dir, "192.0.2.1"), 1);
  /* a new version no longer has the address: the old one's posting goes */
  put(f->s, IND("2024-02-01T00:00:00.000Z", "[ipv4-addr:value = '192.0.2.2']",
                ""));
  assert_int_equal(occurrences(f->s, f->dir, "192.0.2.1"), 0);
  assert_int_equal(occurrences(f->s, f->dir, "192.0.2.2"), 1);
  /* an older version arriving late changes nothing */
  put(f->s, IND("2024-01-15T00:00:00.000Z", "[ipv4-addr:value = '192.0.2.3']",
                ""));
  assert_int_equal(occurrences(f->s, f->dir, "192.0.2.3"), 0);
  /* revocation removes it from correlation */
  put(f->s, IND("2024-03-01T00:00:00.000Z", "[ipv4-addr:value = '192.0.2.2']",
                ",\"revoked\":true"));
  assert_int_equal(occurrences(f->s, f->dir, "192.0.2.2"), 0);
  /* removing the revoked version brings the previous one back */
  acc_diag d;
  acc_query q;
  acc_query_init(&q);
  q.collection = ACC_DEFAULT_COLLECTION;
  q.version = ACC_VER_LATEST;
  q.ids[q.n_ids++] = "indicator--11111111-0000-4000-8000-000000000001";
  assert_int_equal(acc_store_begin(f->s, &d), ACC_OK);
  assert_int_equal(acc_store_remove(f->s, &q, NULL, &d), ACC_OK);
  assert_int_equal(acc_store_commit(f->s, &d), ACC_OK);
  assert_int_equal(occurrences(f->s, f->dir, "192.0.2.2"), 1);
  /* the rebuild agrees */
  acc_corr_rebuild_counts c;
  assert_int_equal(acc_corr_rebuild(f->s, &c, &d), ACC_OK);
  assert_int_equal(occurrences(f->s, f->dir, "192.0.2.2"), 1);
  assert_int_equal(occurrences(f->s, f->dir, "192.0.2.1"), 0);
  assert_int_equal(occurrences(f->s, f->dir, "192.0.2.3"), 0);
  /* IPv6 networks both ways */
  put(f->s, "{\"type\":\"ipv6-addr\",\"spec_version\":\"2.1\",\"id\":"
            "\"ipv6-addr--11111111-0000-4000-8000-000000000002\",\"value\":"
            "\"2001:db8:0:0:1::5\"}");
  put(f->s, IND("2024-05-01T00:00:00.000Z",
                "[ipv6-addr:value ISSUBSET '2001:DB8::/32']", ""));
  acc_audit *audit;
  assert_int_equal(acc_audit_open(f->dir, &audit, &d), ACC_OK);
  acc_reader rd = {.who = &acc_principal_operator, .path = "t", .audit = audit};
  json_t *ans;
  assert_int_equal(acc_corr_query(f->s, &rd, "2001:db8::1:0:0:5", NULL, &ans,
                                  &d),
                   ACC_OK);
  char *txt = json_dumps(ans, JSON_COMPACT);
  assert_non_null(strstr(txt, "\"value\":\"2001:db8::/32\",\"kind\":"
                              "\"ipv6-addr\",\"relation\":\"contains\""));
  free(txt);
  json_decref(ans);
  assert_int_equal(acc_corr_query(f->s, &rd, "2001:db8::/48", NULL, &ans, &d),
                   ACC_OK);
  txt = json_dumps(ans, JSON_COMPACT);
  assert_non_null(strstr(txt, "\"value\":\"2001:db8::1:0:0:5\",\"kind\":"
                              "\"ipv6-addr\",\"relation\":\"inside\""));
  free(txt);
  json_decref(ans);
  acc_audit_close(audit);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_normalise),
      cmocka_unit_test_setup_teardown(test_bruteforce, setup, teardown),
      cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
