/*
 * synth.c — synthetic STIX 2.1 load of any size for benchmarks, written as
 * a stream in constant memory.
 *
 * After the five TLP 2.0 marking definitions, objects come in blocks of
 * ten: one malware, identity or note; an ipv4-addr, a domain-name and a
 * url or file, each followed by an indicator whose pattern matches it; an
 * `indicates` and a `related-to` relationship; and a sighting.  Before any
 * object, with probability 1/20, a new version (later `modified`) of a
 * recently written indicator, malware, identity or note is written
 * instead.  Every reference points to an object already written.
 *
 * Text is printed directly: every string is made here from a fixed
 * alphabet, so nothing needs escaping.  SCO ids are the deterministic
 * UUIDv5 of STIX §2.9, computed over the canonical (RFC 8785) form of the
 * ID-contributing properties, which for these objects we can spell out.
 */
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "gen/gen_int.h"
#include "util/time.h"

#define SID 64   /* identifier buffer: "relationship--" + UUID fits */
#define RING 256 /* versionable objects remembered for new versions */
#define REFS 64  /* recent ids of each kind kept as reference targets */
#define VERSION_ONE_IN 20
#define IO_CHECK_EVERY 4096 /* objects between checks for a write error */
#define SEC_US INT64_C(1000000)

typedef enum kind {
  K_IPV4,
  K_DOMAIN,
  K_URL,
  K_FILE,
  K_MALWARE,
  K_IDENTITY,
  K_NOTE,
} kind;

/* A versionable object: enough to write it again, identically except for
 * `modified`.  Its content is a function of (kind, v). */
typedef struct vobj {
  char id[SID];
  char creator[SID]; /* created_by_ref, "" when none */
  char about[SID];   /* a note's object_refs, an indicator's SCO kind */
  int64_t created, modified;
  uint64_t v;
  kind k; /* for indicators, the kind of observable the pattern is on */
  int is_ind;
  acc_gen_tlp tlp;
} vobj;

/* The most recent ids of one kind. */
typedef struct idring {
  char id[REFS][SID];
  unsigned n, next;
} idring;

typedef struct synth {
  acc_gen_out out;
  acc_gen_rng rng;
  uint32_t salt;   /* seed-derived, varies the observable values */
  uint64_t seq[3]; /* ipv4, domain and url values written so far */
  int64_t t;       /* timestamp of the object being written */
  vobj ring[RING];
  unsigned n_ring, next_ring;
  idring ind, sco, mw, idn;
  kind pend_k; /* the last SCO written, for the indicator that follows */
  uint64_t pend_v;
} synth;

static const char *const words[32] = {
    "alpha",  "bravo",   "cobalt", "delta",   "ember",  "falcon", "granite",
    "harbor", "indigo",  "jasper", "kestrel", "lumen",  "maple",  "nimbus",
    "onyx",   "pioneer", "quartz", "raven",   "sierra", "tundra", "umber",
    "vertex", "willow",  "xenon",  "yarrow",  "zephyr", "atlas",  "beacon",
    "cinder", "drift",   "echo",   "flint",
};

static const char *const sectors[8] = {
    "energy",     "government-national", "financial-services", "healthcare",
    "technology", "telecommunications",  "transportation",     "utilities",
};

static const char *const malware_types[4] = {"backdoor", "trojan", "ransomware",
                                             "downloader"};

/* ---- values ------------------------------------------------------------ */

/* A bijection on 32 bits, so distinct counters give distinct values. */
static uint32_t perm32(uint32_t x, uint32_t salt) {
  x *= 0x9e3779b1u;
  x ^= x >> 16;
  x *= 0x85ebca6bu;
  x ^= x >> 13;
  return x ^ salt;
}

static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Non-routable addresses only: 10/8, then 100.64/10, then 172.16/12.
 * Within each range the address is an affine map of the counter modulo
 * the range size (odd multiplier: a bijection), so the k-th value is
 * unique until 2^24 + 2^22 + 2^20 addresses, after which 172.16/12 wraps. */
static void ipv4_value(const synth *s, uint64_t k, char *out, size_t n) {
  const uint64_t r1 = UINT64_C(1) << 24, r2 = UINT64_C(1) << 22;
  const uint64_t mul = UINT64_C(0x9e3779);
  uint32_t x;
  if (k < r1) {
    x = (uint32_t)((k * mul + s->salt) & (r1 - 1));
    snprintf(out, n, "10.%u.%u.%u", x >> 16, (x >> 8) & 255, x & 255);
  } else if (k < r1 + r2) {
    x = (uint32_t)(((k - r1) * mul + s->salt) & (r2 - 1));
    snprintf(out, n, "100.%u.%u.%u", 64 + (x >> 16), (x >> 8) & 255, x & 255);
  } else {
    x = (uint32_t)(((k - r1 - r2) * mul + s->salt) & 0xfffff);
    snprintf(out, n, "172.%u.%u.%u", 16 + (x >> 16), (x >> 8) & 255, x & 255);
  }
}

/* Words and number together encode all 32 bits of x: unique per k. */
static void domain_value(const synth *s, uint64_t k, char *out, size_t n) {
  uint32_t x = perm32((uint32_t)k, s->salt ^ 0x5bd1e995u);
  snprintf(out, n, "%s-%s%u.%s", words[x & 31], words[(x >> 5) & 31], x >> 10,
           x & 1 ? "test" : "example");
}

static void url_value(const synth *s, uint64_t k, char *out, size_t n) {
  uint32_t x = perm32((uint32_t)k, s->salt ^ 0x27d4eb2fu);
  snprintf(out, n, "https://%s%u.example/%s/%s.php", words[x & 31], x >> 5,
           words[(x >> 7) & 31], words[(x >> 12) & 31]);
}

static void file_hash(uint64_t v, char out[65]) {
  static const char hex[] = "0123456789abcdef";
  for (size_t w = 0; w < 4; w++) {
    uint64_t h = mix64(v + (w + 1) * UINT64_C(0x9e3779b97f4a7c15));
    for (size_t i = 0; i < 16; i++)
      out[w * 16 + i] = hex[(h >> (60 - 4 * i)) & 15];
  }
  out[64] = '\0';
}

static void file_name(uint64_t v, char *out, size_t n) {
  static const char *const ext[4] = {"exe", "dll", "docm", "ps1"};
  snprintf(out, n, "%s_%u.%s", words[v & 31], (unsigned)((v >> 5) & 0xffff),
           ext[(v >> 21) & 3]);
}

/* ---- output ------------------------------------------------------------- */

/* Copy an id (NULL reads as ""), truncating at SID - 1 characters. */
static void copy_id(char dst[SID], const char *src) {
  size_t n = src ? strnlen(src, SID - 1) : 0;
  if (n)
    memmove(dst, src, n);
  dst[n] = '\0';
}

static void ring_push(idring *r, const char *id) {
  copy_id(r->id[r->next], id);
  r->next = (r->next + 1) % REFS;
  if (r->n < REFS)
    r->n++;
}

/* A random recent id, or NULL when the ring is empty. */
static const char *ring_pick(synth *s, const idring *r) {
  if (r->n == 0)
    return NULL;
  return r->id[acc_gen_rng_below(&s->rng, r->n)];
}

static acc_gen_tlp pick_tlp(synth *s) {
  uint64_t r = acc_gen_rng_below(&s->rng, 20);
  return r < 4    ? ACC_GEN_TLP_CLEAR
         : r < 12 ? ACC_GEN_TLP_GREEN
         : r < 17 ? ACC_GEN_TLP_AMBER
         : r < 19 ? ACC_GEN_TLP_AMBER_STRICT
                  : ACC_GEN_TLP_RED;
}

static void new_id(synth *s, const char *type, char out[SID]) {
  char u[ACC_GEN_UUID_LEN + 1];
  acc_gen_uuid4(&s->rng, u);
  snprintf(out, SID, "%s--%s", type, u);
}

/* UUIDv5 in the STIX namespace over `jcs`, the canonical JSON of the
 * ID-contributing properties. */
static void sco_id(const char *type, const char *jcs, char out[SID]) {
  static const unsigned char ns[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42,
                                       0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2,
                                       0x33, 0x15, 0xa9, 0xb7};
  unsigned char buf[16 + 256], md[SHA_DIGEST_LENGTH];
  char u[ACC_GEN_UUID_LEN + 1];
  size_t n = strlen(jcs);
  if (n > sizeof buf - 16)
    n = sizeof buf - 16; /* cannot happen: values here are short */
  memcpy(buf, ns, 16);
  memcpy(buf + 16, jcs, n);
  SHA1(buf, 16 + n, md);
  md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
  md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
  acc_gen_uuid_fmt(md, u);
  snprintf(out, SID, "%s--%s", type, u);
}

/* The opening of an SDO or SRO, up to and including "modified". */
static void head(synth *s, const char *type, const char *id,
                 const char *creator, int64_t created, int64_t modified) {
  char c[ACC_TIME_BUFSZ], m[ACC_TIME_BUFSZ];
  acc_time_format_ms(created, c);
  acc_time_format_ms(modified, m);
  acc_gen_out_open(&s->out);
  fprintf(s->out.f, "{\"type\":\"%s\",\"spec_version\":\"2.1\",\"id\":\"%s\"",
          type, id);
  if (creator && creator[0])
    fprintf(s->out.f, ",\"created_by_ref\":\"%s\"", creator);
  fprintf(s->out.f, ",\"created\":\"%s\",\"modified\":\"%s\"", c, m);
}

static void tail(synth *s, acc_gen_tlp tlp) {
  fprintf(s->out.f, ",\"object_marking_refs\":[\"%s\"]}", acc_gen_tlp_id(tlp));
  acc_gen_out_close(&s->out);
}

/* The creator of a new object: a recent identity, when there is one. */
static void pick_creator(synth *s, char out[SID]) {
  const char *c = ring_pick(s, &s->idn);
  copy_id(out, c);
}

static vobj *ring_new(synth *s) {
  vobj *e = &s->ring[s->next_ring];
  s->next_ring = (s->next_ring + 1) % RING;
  if (s->n_ring < RING)
    s->n_ring++;
  memset(e, 0, sizeof *e);
  return e;
}

static void write_sco(synth *s, kind k) {
  char val[160], jcs[320], id[SID];
  const char *type;
  uint64_t v;
  acc_gen_tlp tlp = pick_tlp(s);

  if (k == K_FILE) {
    char hash[65], name[64];
    v = acc_gen_rng_next(&s->rng);
    file_hash(v, hash);
    file_name(v, name, sizeof name);
    snprintf(jcs, sizeof jcs,
             "{\"hashes\":{\"SHA-256\":\"%s\"},\"name\":\"%s\"}", hash, name);
    sco_id("file", jcs, id);
    acc_gen_out_open(&s->out);
    fprintf(s->out.f,
            "{\"type\":\"file\",\"spec_version\":\"2.1\",\"id\":\"%s\","
            "\"hashes\":{\"SHA-256\":\"%s\"},\"name\":\"%s\",\"size\":%u",
            id, hash, name, (unsigned)(1024 + (v >> 40) % 4000000));
  } else {
    v = s->seq[k]++;
    if (k == K_IPV4) {
      type = "ipv4-addr";
      ipv4_value(s, v, val, sizeof val);
    } else if (k == K_DOMAIN) {
      type = "domain-name";
      domain_value(s, v, val, sizeof val);
    } else {
      type = "url";
      url_value(s, v, val, sizeof val);
    }
    snprintf(jcs, sizeof jcs, "{\"value\":\"%s\"}", val);
    sco_id(type, jcs, id);
    acc_gen_out_open(&s->out);
    fprintf(s->out.f,
            "{\"type\":\"%s\",\"spec_version\":\"2.1\",\"id\":\"%s\","
            "\"value\":\"%s\"",
            type, id, val);
  }
  tail(s, tlp);
  ring_push(&s->sco, id);
  s->pend_k = k;
  s->pend_v = v;
}

static void write_indicator(synth *s, const vobj *e) {
  char val[160], pattern[256], vf[ACC_TIME_BUFSZ];
  const char *what;
  switch (e->k) {
  case K_IPV4:
    ipv4_value(s, e->v, val, sizeof val);
    snprintf(pattern, sizeof pattern, "[ipv4-addr:value = '%s']", val);
    what = "IP address";
    break;
  case K_DOMAIN:
    domain_value(s, e->v, val, sizeof val);
    snprintf(pattern, sizeof pattern, "[domain-name:value = '%s']", val);
    what = "Domain";
    break;
  case K_URL:
    url_value(s, e->v, val, sizeof val);
    snprintf(pattern, sizeof pattern, "[url:value = '%s']", val);
    what = "URL";
    break;
  default:
    file_hash(e->v, val);
    snprintf(pattern, sizeof pattern, "[file:hashes.'SHA-256' = '%s']", val);
    what = "File";
    break;
  }
  acc_time_format_ms(e->created, vf);
  head(s, "indicator", e->id, e->creator, e->created, e->modified);
  fprintf(s->out.f,
          ",\"name\":\"%s %s\",\"indicator_types\":[\"malicious-activity\"],"
          "\"pattern\":\"%s\",\"pattern_type\":\"stix\","
          "\"pattern_version\":\"2.1\",\"valid_from\":\"%s\"",
          what, val, pattern, vf);
  tail(s, e->tlp);
}

static void write_malware(synth *s, const vobj *e) {
  head(s, "malware", e->id, e->creator, e->created, e->modified);
  fprintf(s->out.f,
          ",\"name\":\"%s-%s %u\",\"malware_types\":[\"%s\"],"
          "\"is_family\":true",
          words[e->v & 31], words[(e->v >> 5) & 31],
          (unsigned)((e->v >> 10) & 0xffff), malware_types[(e->v >> 26) & 3]);
  tail(s, e->tlp);
}

static void write_identity(synth *s, const vobj *e) {
  head(s, "identity", e->id, e->creator, e->created, e->modified);
  fprintf(s->out.f,
          ",\"name\":\"%s %s organisation %u\","
          "\"identity_class\":\"organization\",\"sectors\":[\"%s\"]",
          words[e->v & 31], words[(e->v >> 5) & 31],
          (unsigned)((e->v >> 10) & 0xffff), sectors[(e->v >> 26) & 7]);
  tail(s, e->tlp);
}

static void write_note(synth *s, const vobj *e) {
  head(s, "note", e->id, e->creator, e->created, e->modified);
  fprintf(s->out.f,
          ",\"abstract\":\"Analyst comment\",\"content\":\"Seen in %u "
          "incidents at %s sites.\",\"object_refs\":[\"%s\"]",
          (unsigned)(1 + (e->v & 63)), sectors[(e->v >> 6) & 7], e->about);
  tail(s, e->tlp);
}

static void write_vobj(synth *s, const vobj *e) {
  if (e->is_ind)
    write_indicator(s, e);
  else if (e->k == K_MALWARE)
    write_malware(s, e);
  else if (e->k == K_IDENTITY)
    write_identity(s, e);
  else
    write_note(s, e);
}

/* A new versionable object of kind k (for indicators: on the last SCO). */
static void write_new(synth *s, kind k, int is_ind) {
  vobj *e = ring_new(s);
  static const char *const types[] = {
      [K_MALWARE] = "malware", [K_IDENTITY] = "identity", [K_NOTE] = "note"};
  e->is_ind = is_ind;
  e->k = is_ind ? s->pend_k : k;
  e->v = is_ind ? s->pend_v : acc_gen_rng_next(&s->rng);
  e->created = e->modified = s->t;
  e->tlp = pick_tlp(s);
  new_id(s, is_ind ? "indicator" : types[k], e->id);
  pick_creator(s, e->creator);
  if (!is_ind && k == K_NOTE) {
    const char *about = ring_pick(s, &s->ind);
    copy_id(e->about, about);
  }
  write_vobj(s, e);
  if (is_ind)
    ring_push(&s->ind, e->id);
  else if (k == K_MALWARE)
    ring_push(&s->mw, e->id);
  else if (k == K_IDENTITY)
    ring_push(&s->idn, e->id);
}

static void write_rel(synth *s, const char *type, const char *src,
                      const char *dst) {
  char id[SID], creator[SID];
  new_id(s, "relationship", id);
  pick_creator(s, creator);
  acc_gen_tlp tlp = pick_tlp(s);
  head(s, "relationship", id, creator, s->t, s->t);
  fprintf(s->out.f,
          ",\"relationship_type\":\"%s\",\"source_ref\":\"%s\","
          "\"target_ref\":\"%s\"",
          type, src, dst);
  tail(s, tlp);
}

static void write_sighting(synth *s) {
  char id[SID], creator[SID], fs[ACC_TIME_BUFSZ], ls[ACC_TIME_BUFSZ];
  const char *of = ring_pick(s, &s->ind), *where = ring_pick(s, &s->idn);
  int64_t last = s->t - (int64_t)acc_gen_rng_below(&s->rng, 3600) * SEC_US;
  int64_t first = last - (int64_t)acc_gen_rng_below(&s->rng, 86400) * SEC_US;
  new_id(s, "sighting", id);
  pick_creator(s, creator);
  acc_gen_tlp tlp = pick_tlp(s);
  acc_time_format_ms(first, fs);
  acc_time_format_ms(last, ls);
  head(s, "sighting", id, creator, s->t, s->t);
  fprintf(s->out.f,
          ",\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"count\":%u,"
          "\"sighting_of_ref\":\"%s\"",
          fs, ls, (unsigned)(1 + acc_gen_rng_below(&s->rng, 500)), of);
  if (where)
    fprintf(s->out.f, ",\"where_sighted_refs\":[\"%s\"]", where);
  tail(s, tlp);
}

/* The object at position `slot` of a block of ten. */
static void write_slot(synth *s, uint64_t block, unsigned slot) {
  switch (slot) {
  case 0:
    /* Block 0 opens with a malware so that `indicates` has a target; a
     * note only comes once there are indicators to comment on. */
    write_new(s,
              block % 3 == 0   ? K_MALWARE
              : block % 3 == 1 ? K_IDENTITY
                               : K_NOTE,
              0);
    break;
  case 1:
    write_sco(s, K_IPV4);
    break;
  case 3:
    write_sco(s, K_DOMAIN);
    break;
  case 5:
    write_sco(s, block % 2 ? K_FILE : K_URL);
    break;
  case 2:
  case 4:
  case 6:
    write_new(s, K_IPV4, 1);
    break;
  case 7:
    write_rel(s, "indicates", s->ind.id[(s->ind.next + REFS - 1) % REFS],
              ring_pick(s, &s->mw));
    break;
  case 8:
    write_rel(s, "related-to", ring_pick(s, &s->ind), ring_pick(s, &s->sco));
    break;
  default:
    write_sighting(s);
    break;
  }
}

acc_rc acc_gen_synthetic(FILE *out, acc_gen_format fmt, uint64_t count,
                         uint64_t seed) {
  acc_rc rc = ACC_OK;
  char bundle[ACC_GEN_UUID_LEN + 1];
  synth *s;
  uint64_t step = 0; /* scheduled objects written (versions excluded) */

  if (!out || (fmt != ACC_GEN_BUNDLE && fmt != ACC_GEN_LINES))
    return ACC_EINVAL;
  s = calloc(1, sizeof *s);
  if (!s)
    return ACC_ENOMEM;
  acc_gen_rng_seed(&s->rng, seed, 2);
  s->salt = (uint32_t)acc_gen_rng_next(&s->rng);
  acc_gen_uuid4(&s->rng, bundle);
  acc_gen_out_begin(&s->out, out, fmt, bundle);

  for (int l = 0; l < ACC_GEN_TLP_COUNT && s->out.n < count; l++) {
    json_t *m = acc_gen_tlp_marking((acc_gen_tlp)l);
    if (!m) {
      rc = ACC_ENOMEM;
      goto out;
    }
    acc_gen_out_json(&s->out, m);
    json_decref(m);
  }

  /* One second per object from 30 days before the epoch, with a random
   * millisecond, so timestamps increase strictly with position. */
  const int64_t base = ACC_GEN_EPOCH_US - 30 * ACC_GEN_DAY_US;
  while (s->out.n < count) {
    if (s->out.n % IO_CHECK_EVERY == 0 && (s->out.rc || ferror(s->out.f))) {
      rc = s->out.rc ? s->out.rc : ACC_EIO;
      goto out;
    }
    s->t = base + (int64_t)s->out.n * SEC_US +
           (int64_t)acc_gen_rng_below(&s->rng, 1000) * 1000;
    if (s->n_ring > 0 && acc_gen_rng_below(&s->rng, VERSION_ONE_IN) == 0) {
      vobj *e = &s->ring[acc_gen_rng_below(&s->rng, s->n_ring)];
      e->modified = s->t;
      write_vobj(s, e);
      continue;
    }
    write_slot(s, step / 10, (unsigned)(step % 10));
    step++;
  }
  rc = acc_gen_out_end(&s->out);
out:
  free(s);
  return rc;
}
