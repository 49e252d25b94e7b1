/*
 * gen.c — benchmark data for bench/match: indicators with the mix of a
 * real feed (per 100: 70 equality on hashes, IPs, domains and URLs, 10 IN,
 * 10 CIDR ISSUBSET, 5 LIKE/MATCHES, 5 over several observations with
 * qualifiers) and observed-data objects (80% with object_refs to SCOs
 * written before them, 20% with embedded objects), of which about 2%
 * carry a value some indicator matches.  Deterministic for a seed.
 */
#include <stdio.h>
#include <string.h>

#include "pattern/pattern_int.h"
#include "util/time.h"

#define POOL (1u << 17)                   /* benign values per kind */
#define BASE_US INT64_C(1767225600000000) /* 2026-01-01T00:00:00Z */

typedef struct rng {
  uint64_t s;
} rng;

static uint64_t mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15u;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
  return z ^ (z >> 31);
}

static uint64_t next(rng *r) {
  r->s += 0x9E3779B97F4A7C15u;
  return mix(r->s);
}

static uint32_t below(rng *r, uint32_t n) {
  return (uint32_t)((next(r) >> 32) * n >> 32);
}

/* A UUIDv4-shaped string from two 64-bit values. */
static void uuid(uint64_t a, uint64_t b, char out[37]) {
  static const char hx[] = "0123456789abcdef";
  unsigned char u[16];
  for (int i = 0; i < 8; i++) {
    u[i] = (unsigned char)(a >> (8 * i));
    u[8 + i] = (unsigned char)(b >> (8 * i));
  }
  u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
  u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
  size_t k = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[k++] = '-';
    out[k++] = hx[u[i] >> 4];
    out[k++] = hx[u[i] & 15];
  }
  out[k] = '\0';
}

static void hexstr(uint64_t seed, size_t n, char *out) {
  static const char hx[] = "0123456789abcdef";
  uint64_t w = 0;
  for (size_t i = 0; i < n; i++) {
    if (i % 16 == 0)
      w = mix(seed + i);
    out[i] = hx[w & 15];
    w >>= 4;
  }
  out[n] = '\0';
}

/* What an indicator of number j looks for. */
enum {
  C_SHA256,
  C_MD5,
  C_IP,
  C_DOMAIN,
  C_URL,
  C_IN,
  C_CIDR_IP,
  C_CIDR_NT,
  C_LIKE,
  C_MATCHES,
  C_MATCHES_PRE, /* beyond Hyperscan: prefilter mode */
  C_FBY,
  C_REPEATS,
  C_AND
};

static int category(uint64_t j) {
  unsigned k = (unsigned)(mix(j * 7919 + 17) % 100);
  if (k < 25)
    return C_SHA256;
  if (k < 30)
    return C_MD5;
  if (k < 50)
    return C_IP;
  if (k < 60)
    return C_DOMAIN;
  if (k < 70)
    return C_URL;
  if (k < 80)
    return C_IN;
  if (k < 85)
    return C_CIDR_IP;
  if (k < 90)
    return C_CIDR_NT;
  if (k < 92)
    return C_LIKE;
  if (k < 94)
    return C_MATCHES;
  if (k < 95)
    return C_MATCHES_PRE;
  if (k < 97)
    return C_FBY;
  if (k < 99)
    return C_REPEATS;
  return C_AND;
}

static void ip_of(unsigned a, uint64_t j, char out[32]) {
  snprintf(out, 32, "%u.%u.%u.%u", a, (unsigned)(j >> 16 & 255),
           (unsigned)(j >> 8 & 255), (unsigned)(j & 255));
}

static void cidr_of(uint64_t j, char out[32], int host) {
  snprintf(out, 32, "100.%u.%u.%u%s", 64 + (unsigned)(j >> 8 & 63),
           (unsigned)(j & 255), host ? 7u : 0u, host ? "" : "/24");
}

static void indicator(FILE *f, rng *r, uint64_t j) {
  char id[37], v[160], w[160], ts[ACC_TIME_BUFSZ];
  uuid(mix(j ^ 0x1111), mix(j ^ 0x2222), id);
  acc_time_format_ms(BASE_US - INT64_C(86400000000), ts);
  (void)r;
  fprintf(f,
          "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
          "\"id\":\"indicator--%s\",\"created\":\"%s\",\"modified\":\"%s\","
          "\"valid_from\":\"%s\",\"pattern_type\":\"stix\",\"pattern\":\"",
          id, ts, ts, ts);
  switch (category(j)) {
  case C_SHA256:
    hexstr(j * 3 + 1, 64, v);
    fprintf(f, "[file:hashes.'SHA-256' = '%s']", v);
    break;
  case C_MD5:
    hexstr(j * 3 + 2, 32, v);
    fprintf(f, "[file:hashes.MD5 = '%s']", v);
    break;
  case C_IP:
    ip_of(10, j, v);
    fprintf(f, "[ipv4-addr:value = '%s']", v);
    break;
  case C_DOMAIN:
    fprintf(f, "[domain-name:value = 'd%llu.bad.example']",
            (unsigned long long)j);
    break;
  case C_URL:
    fprintf(f, "[url:value = 'http://d%llu.bad.example/index.php?id=%llu']",
            (unsigned long long)j, (unsigned long long)j);
    break;
  case C_IN:
    fputs("[ipv4-addr:value IN (", f);
    for (unsigned k = 0; k < 4; k++) {
      ip_of(11 + k, j, v);
      fprintf(f, "%s'%s'", k ? ", " : "", v);
    }
    fputs(")]", f);
    break;
  case C_CIDR_IP:
    cidr_of(j, v, 0);
    fprintf(f, "[ipv4-addr:value ISSUBSET '%s']", v);
    break;
  case C_CIDR_NT:
    cidr_of(j, v, 0);
    fprintf(f,
            "[network-traffic:dst_ref.value ISSUBSET '%s' AND "
            "network-traffic:dst_port = 443]",
            v);
    break;
  case C_LIKE:
    fprintf(f, "[url:value LIKE 'http://%%.like%llu.example/%%']",
            (unsigned long long)j);
    break;
  case C_MATCHES:
    /* \\\\ in C: one JSON-escaped backslash, i.e. one pattern-escaped */
    fprintf(f,
            "[domain-name:value MATCHES '^[a-z0-9-]+\\\\\\\\.re%llu\\\\\\\\."
            "example$']",
            (unsigned long long)j);
    break;
  case C_MATCHES_PRE:
    fprintf(f,
            "[url:value MATCHES '^https?://([a-z]+)\\\\\\\\.br%llu\\\\\\\\."
            "example/\\\\\\\\1$']",
            (unsigned long long)j);
    break;
  case C_FBY:
    ip_of(12, j, v);
    fprintf(f,
            "([ipv4-addr:value = '%s'] FOLLOWEDBY [domain-name:value = "
            "'f%llu.bad.example']) WITHIN 600 SECONDS",
            v, (unsigned long long)j);
    break;
  case C_REPEATS:
    hexstr(j * 3 + 3, 32, v);
    fprintf(f, "[file:hashes.MD5 = '%s'] REPEATS 3 TIMES WITHIN 3600 SECONDS",
            v);
    break;
  default:
    ip_of(13, j, v);
    snprintf(w, sizeof w, "http://a%llu.bad.example/", (unsigned long long)j);
    fprintf(f,
            "[ipv4-addr:value = '%s'] AND [url:value = '%s'] START "
            "t'2026-01-01T00:00:00Z' STOP t'2026-01-08T00:00:00Z'",
            v, w);
    break;
  }
  fputs("\"}\n", f);
}

/* ---- observations ------------------------------------------------------- */

typedef struct sco {
  const char *type;
  char value[160];       /* ipv4-addr, domain-name, url: value */
  char sha[65], md5[33]; /* file */
  int is_file;
  uint64_t key; /* for the id: same key, same id */
} sco;

typedef struct obsgen {
  FILE *f;
  rng r;
  uint64_t n_ind;
  uint64_t seq;
  unsigned char *written[4]; /* benign SCOs already written, per kind */
} obsgen;

static void sco_id(const sco *s, char out[80]) {
  char u[37];
  uuid(mix(s->key), mix(s->key ^ 0xABCDEF), u);
  snprintf(out, 80, "%s--%s", s->type, u);
}

static void sco_body(FILE *f, const sco *s) {
  if (s->is_file)
    fprintf(f,
            "\"type\":\"file\",\"hashes\":{\"SHA-256\":\"%s\",\"MD5\":\"%s\"}",
            s->sha, s->md5);
  else
    fprintf(f, "\"type\":\"%s\",\"value\":\"%s\"", s->type, s->value);
}

static void benign(obsgen *g, int kind, sco *s) {
  uint32_t k = below(&g->r, POOL);
  memset(s, 0, sizeof *s);
  s->key = (uint64_t)kind << 40 | k;
  switch (kind) {
  case 0:
    s->type = "ipv4-addr";
    snprintf(s->value, sizeof s->value, "198.%u.%u.%u", 18 + (k >> 16),
             k >> 8 & 255, k & 255);
    break;
  case 1:
    s->type = "domain-name";
    snprintf(s->value, sizeof s->value, "h%u.benign.example", k);
    break;
  case 2:
    s->type = "url";
    snprintf(s->value, sizeof s->value, "https://h%u.benign.example/p/%u", k,
             k * 7);
    break;
  default:
    s->type = "file";
    s->is_file = 1;
    hexstr((uint64_t)k << 20 | 5, 64, s->sha);
    hexstr((uint64_t)k << 20 | 6, 32, s->md5);
    break;
  }
}

static void value_sco(sco *s, const char *type, const char *value,
                      uint64_t key) {
  memset(s, 0, sizeof *s);
  s->type = type;
  snprintf(s->value, sizeof s->value, "%s", value);
  s->key = key;
}

/* The SCO(s) of a matching observation for indicator j, part `part` of a
 * multi-observation pattern.  Returns the number of SCOs (1 or 2: an
 * ipv4-addr and the network-traffic to it). */
static int hit(uint64_t j, int part, sco *s, int *nt_port) {
  char v[160];
  uint64_t key = UINT64_C(1) << 50 | j << 3 | (uint64_t)part;
  *nt_port = 0;
  switch (category(j)) {
  case C_SHA256:
  case C_MD5:
  case C_REPEATS:
    memset(s, 0, sizeof *s);
    s->type = "file";
    s->is_file = 1;
    s->key = key;
    hexstr(j * 3 + 1, 64, s->sha);
    hexstr(category(j) == C_REPEATS ? j * 3 + 3 : j * 3 + 2, 32, s->md5);
    return 1;
  case C_IP:
    ip_of(10, j, v);
    value_sco(s, "ipv4-addr", v, key);
    return 1;
  case C_DOMAIN:
    snprintf(v, sizeof v, "d%llu.bad.example", (unsigned long long)j);
    value_sco(s, "domain-name", v, key);
    return 1;
  case C_URL:
    snprintf(v, sizeof v, "http://d%llu.bad.example/index.php?id=%llu",
             (unsigned long long)j, (unsigned long long)j);
    value_sco(s, "url", v, key);
    return 1;
  case C_IN:
    ip_of(11 + (unsigned)(j % 4), j, v);
    value_sco(s, "ipv4-addr", v, key);
    return 1;
  case C_CIDR_IP:
  case C_CIDR_NT:
    cidr_of(j, v, 1);
    value_sco(s, "ipv4-addr", v, key);
    if (category(j) == C_CIDR_NT) {
      *nt_port = 443;
      return 2;
    }
    return 1;
  case C_LIKE:
    snprintf(v, sizeof v, "http://www.like%llu.example/login",
             (unsigned long long)j);
    value_sco(s, "url", v, key);
    return 1;
  case C_MATCHES:
    snprintf(v, sizeof v, "mail-1.re%llu.example", (unsigned long long)j);
    value_sco(s, "domain-name", v, key);
    return 1;
  case C_MATCHES_PRE:
    snprintf(v, sizeof v, "https://abc.br%llu.example/abc",
             (unsigned long long)j);
    value_sco(s, "url", v, key);
    return 1;
  case C_FBY:
    if (part == 0) {
      ip_of(12, j, v);
      value_sco(s, "ipv4-addr", v, key);
    } else {
      snprintf(v, sizeof v, "f%llu.bad.example", (unsigned long long)j);
      value_sco(s, "domain-name", v, key);
    }
    return 1;
  default:
    if (part == 0) {
      ip_of(13, j, v);
      value_sco(s, "ipv4-addr", v, key);
    } else {
      snprintf(v, sizeof v, "http://a%llu.bad.example/", (unsigned long long)j);
      value_sco(s, "url", v, key);
    }
    return 1;
  }
}

static int parts(uint64_t j) {
  int c = category(j);
  return c == C_FBY || c == C_AND ? 2 : c == C_REPEATS ? 3 : 1;
}

/* Write one observed-data object holding s (and a network-traffic to it
 * when port) at time t. */
static void observation(obsgen *g, const sco *s, int benign_kind, int port,
                        int64_t t) {
  FILE *f = g->f;
  char id[37], sid[80], nid[80], t1[ACC_TIME_BUFSZ], t2[ACC_TIME_BUFSZ];
  uint64_t n = g->seq++;
  uuid(mix(n ^ 0x5555), mix(n ^ 0x6666), id);
  sco_id(s, sid);
  acc_time_format_ms(t, t1);
  acc_time_format_ms(t + (int64_t)(n % 60) * 1000000, t2);
  int embedded = mix(n ^ 0x7777) % 5 == 0;
  if (!embedded) {
    /* the SCOs first, benign ones once */
    int fresh = 1;
    if (benign_kind >= 0) {
      uint32_t k = (uint32_t)(s->key & (POOL - 1));
      unsigned char *w = g->written[benign_kind];
      fresh = !(w[k / 8] >> (k % 8) & 1);
      w[k / 8] |= (unsigned char)(1u << (k % 8));
    }
    if (fresh) {
      fprintf(f, "{\"spec_version\":\"2.1\",\"id\":\"%s\",", sid);
      sco_body(f, s);
      fputs("}\n", f);
    }
    if (port) {
      char u[37];
      uuid(mix(n ^ 0x8888), mix(n ^ 0x9999), u);
      snprintf(nid, sizeof nid, "network-traffic--%s", u);
      fprintf(f,
              "{\"type\":\"network-traffic\",\"spec_version\":\"2.1\","
              "\"id\":\"%s\",\"dst_ref\":\"%s\",\"dst_port\":%d,"
              "\"protocols\":[\"tcp\"]}\n",
              nid, sid, port);
    }
  }
  fprintf(f,
          "{\"type\":\"observed-data\",\"spec_version\":\"2.1\","
          "\"id\":\"observed-data--%s\",\"created\":\"%s\",\"modified\":\"%s\","
          "\"first_observed\":\"%s\",\"last_observed\":\"%s\","
          "\"number_observed\":1,",
          id, t2, t2, t1, t2);
  if (embedded) {
    fputs("\"objects\":{\"0\":{", f);
    sco_body(f, s);
    fputc('}', f);
    if (port)
      fprintf(f,
              ",\"1\":{\"type\":\"network-traffic\",\"dst_ref\":\"0\","
              "\"dst_port\":%d,\"protocols\":[\"tcp\"]}",
              port);
    fputs("}}\n", f);
  } else if (port) {
    fprintf(f, "\"object_refs\":[\"%s\",\"%s\"]}\n", nid, sid);
  } else {
    fprintf(f, "\"object_refs\":[\"%s\"]}\n", sid);
  }
}

acc_rc acc_pattern_gen(FILE *ind, FILE *obs, uint64_t n_ind, uint64_t n_obs,
                       uint64_t seed) {
  rng r = {mix(seed)};
  for (uint64_t j = 0; j < n_ind; j++)
    indicator(ind, &r, j);
  static unsigned char written[4][POOL / 8];
  memset(written, 0, sizeof written);
  obsgen g = {obs, {mix(seed ^ 0xFEED)}, n_ind, 0, {0}};
  for (int k = 0; k < 4; k++)
    g.written[k] = written[k];
  /* observations spread over a day */
  int64_t step = n_obs ? INT64_C(86400000000) / (int64_t)n_obs : 0;
  uint64_t done = 0;
  while (done < n_obs) {
    int64_t t = BASE_US + (int64_t)done * step;
    sco s;
    if (n_ind && below(&g.r, 100) < 2) {
      uint64_t j =
          below(&g.r, (uint32_t)(n_ind < UINT32_MAX ? n_ind : UINT32_MAX));
      int np = parts(j);
      for (int p = 0; p < np && done < n_obs; p++, done++) {
        int port;
        hit(j, p, &s, &port);
        observation(&g, &s, -1, port, t + (int64_t)p * 30000000);
      }
      continue;
    }
    unsigned k = below(&g.r, 100);
    int kind = k < 45 ? 0 : k < 65 ? 1 : k < 80 ? 2 : 3;
    benign(&g, kind, &s);
    observation(&g, &s, kind, kind == 0 && k < 10 ? 80 : 0, t);
    done++;
  }
  if (ferror(ind) || ferror(obs))
    return ACC_EIO;
  return ACC_OK;
}
