/*
 * map.c — one MISP event to STIX 2.1, written as one JSON array (the
 * document acc_ingest then validates and stores).  The mapping is the one
 * of docs/MISP.md: the event is a report; each attribute is carried by one
 * object whose id derives from the attribute's uuid (an indicator with a
 * pattern when to_ids, observed-data with its SCOs otherwise, or a note,
 * an SDO or an x-misp-attribute for types STIX has no observable for);
 * MISP objects are groupings and their references relationships; galaxy
 * clusters are threat-actor, intrusion-set, malware, tool, attack-pattern
 * or course-of-action objects; sightings are sightings; tlp:* tags are TLP
 * markings and other tags labels.  What STIX has no place for (type,
 * category, to_ids, distribution, ...) rides in Accord's MISP property
 * extension, so the export can give the event back.
 *
 * Every attribute is either mapped or reported through on_message with
 * what is wrong and where; nothing is dropped silently.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "misp/misp_int.h"
#include "policy/policy.h"
#include "stix/stix.h"
#include "util/time.h"

#define MAX_TAGS 256
#define MAX_ITEMS 10000000 /* attributes or objects in one event */

/* Tags of one event, attribute or object. */
typedef struct tagset {
  acc_tlp tlp;
  const char *tlp_tag; /* the tag it came from (most restrictive) */
  const char *labels[MAX_TAGS];
  size_t n;
} tagset;

typedef struct mctx {
  const acc_misp_import_opts *o;
  const char *file;
  acc_misp_counts *c;
  acc_misp_origins *orig; /* may be NULL */
  acc_jw w;
  size_t n_out; /* objects written */
  char uuid[37];
  char report_id[ACC_ID_MAX];
  char created_by[ACC_ID_MAX]; /* "" when the event names no creator org */
  int64_t ts_us;               /* the event's timestamp */
  char ts[ACC_TIME_BUFSZ];
  tagset tags;
  acc_buf refs; /* the report's object_refs, as JSON text */
  size_t n_refs;
  acc_smap written;  /* ids written in this document */
  acc_smap carriers; /* MISP uuid -> STIX id of what carries it (owned) */
  acc_buf tmp;
  json_t *other_gal; /* galaxies with no STIX type, kept in the report */
  acc_rc rc;         /* first hard error (out of memory) */
} mctx;

/* What one attribute says, read once. */
typedef struct attr {
  json_t *j;
  const acc_misp_type *t;
  const char *type;
  const char *value;
  size_t vlen;
  char uuid[37];
  const char *category;
  int to_ids;
  long long distribution;
  const char *sharing_group_id;
  const char *comment;
  const char *first_seen, *last_seen;
  int64_t fs_us, ls_us;
  int64_t ts_us;
  int deleted, disable_correlation;
  const char *relation;
  const char *data;
  tagset tags;
  long oi, ai;
  const char *ouuid;
  const char *group_id; /* the grouping holding it, or NULL */
  char numbuf[64];      /* a value given as a JSON number */
} attr;

/* ---- messages ------------------------------------------------------- */

static void msgv(mctx *x, acc_misp_level lv, long oi, const char *ou, long ai,
                 const char *au, const char *fmt, va_list ap) {
  char text[768];
  vsnprintf(text, sizeof text, fmt, ap);
  if (lv == ACC_MISP_ERROR)
    x->c->errors++;
  else
    x->c->warnings++;
  if (!x->o || !x->o->on_message)
    return;
  acc_misp_msg m = {.level = lv,
                    .file = x->file,
                    .event_uuid = x->uuid[0] ? x->uuid : NULL,
                    .object_index = oi,
                    .object_uuid = ou,
                    .attr_index = ai,
                    .attr_uuid = au,
                    .msg = text};
  x->o->on_message(x->o->ctx, &m);
}

static void msg_at(mctx *x, acc_misp_level lv, long oi, const char *ou, long ai,
                   const char *au, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static void msg_at(mctx *x, acc_misp_level lv, long oi, const char *ou, long ai,
                   const char *au, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  msgv(x, lv, oi, ou, ai, au, fmt, ap);
  va_end(ap);
}

static void emsg(mctx *x, acc_misp_level lv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void emsg(mctx *x, acc_misp_level lv, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  msgv(x, lv, -1, NULL, -1, NULL, fmt, ap);
  va_end(ap);
}

static void amsg(mctx *x, const attr *a, acc_misp_level lv, const char *fmt,
                 ...) __attribute__((format(printf, 4, 5)));
static void amsg(mctx *x, const attr *a, acc_misp_level lv, const char *fmt,
                 ...) {
  va_list ap;
  va_start(ap, fmt);
  msgv(x, lv, a->oi, a->ouuid, a->ai, a->uuid[0] ? a->uuid : NULL, fmt, ap);
  va_end(ap);
}

static void omsg(mctx *x, long oi, const char *ou, acc_misp_level lv,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void omsg(mctx *x, long oi, const char *ou, acc_misp_level lv,
                 const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  msgv(x, lv, oi, ou, -1, NULL, fmt, ap);
  va_end(ap);
}

static void unmapped(mctx *x, const char *type) {
  acc_misp_counts *c = x->c;
  const char *key = type ? type : "(no type)";
  c->unmapped++;
  for (size_t i = 0; i < c->n_by_type; i++)
    if (strcmp(c->by_type[i].type, key) == 0) {
      c->by_type[i].n++;
      return;
    }
  size_t i = c->n_by_type;
  if (i < ACC_MISP_UNMAPPED_KINDS - 1) {
    snprintf(c->by_type[i].type, sizeof c->by_type[i].type, "%.63s", key);
    c->n_by_type++;
  } else {
    i = ACC_MISP_UNMAPPED_KINDS - 1;
    snprintf(c->by_type[i].type, sizeof c->by_type[i].type, "(others)");
    c->n_by_type = ACC_MISP_UNMAPPED_KINDS;
  }
  c->by_type[i].n++;
}

/* ---- small readers ------------------------------------------------- */

static const char *jstr(json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

static void fmt_ts(int64_t us, char out[ACC_TIME_BUFSZ]) {
  acc_time_format_ms(us, out);
}

/* Read a Tag array into t; TLP tags become the marking (the most
 * restrictive wins), the others labels. */
static void read_tags(mctx *x, json_t *tags, tagset *t, long oi, const char *ou,
                      long ai, const char *au) {
  memset(t, 0, sizeof *t);
  t->tlp = ACC_TLP_NONE;
  if (!tags || json_is_null(tags))
    return;
  if (!json_is_array(tags)) {
    msg_at(x, ACC_MISP_WARN, oi, ou, ai, au,
           "'Tag' is not an array; its tags are ignored");
    return;
  }
  size_t i;
  json_t *tag;
  json_array_foreach(tags, i, tag) {
    const char *name =
        json_is_string(tag) ? json_string_value(tag) : jstr(tag, "name");
    if (!name || !*name)
      continue;
    x->c->tags++;
    acc_tlp lv;
    if (strncasecmp(name, "tlp:", 4) == 0 && acc_tlp_parse(name, &lv) == 0) {
      if (t->tlp == ACC_TLP_NONE || lv > t->tlp) {
        t->tlp = lv;
        t->tlp_tag = name;
      }
      continue;
    }
    if (t->n < MAX_TAGS)
      t->labels[t->n++] = name;
  }
}

/* ---- writing ----------------------------------------------------------- */

static void add_ref(mctx *x, const char *id) {
  if (x->rc)
    return;
  if (x->n_refs && (x->rc = acc_buf_putc(&x->refs, ',')))
    return;
  x->rc = acc_json_quote(&x->refs, id, strlen(id));
  x->n_refs++;
}

static void origin(mctx *x, long oi, const char *ou, long ai, const char *au) {
  if (!x->orig || x->rc)
    return;
  acc_misp_origins *g = x->orig;
  if (g->n == g->cap) {
    size_t nc = g->cap ? g->cap * 2 : 256;
    acc_misp_origin *ne = realloc(g->v, nc * sizeof *ne);
    if (!ne) {
      x->rc = ACC_ENOMEM;
      return;
    }
    g->v = ne;
    g->cap = nc;
  }
  acc_misp_origin *e = &g->v[g->n++];
  memset(e, 0, sizeof *e);
  e->oi = oi;
  e->ai = ai;
  if (ou)
    snprintf(e->ouuid, sizeof e->ouuid, "%s", ou);
  if (au)
    snprintf(e->auuid, sizeof e->auuid, "%s", au);
}

/* Start a top-level object. */
static void begin_obj(mctx *x, long oi, const char *ou, long ai,
                      const char *au) {
  origin(x, oi, ou, ai, au);
  acc_jw_obj(&x->w);
  x->n_out++;
}

static void end_obj(mctx *x) {
  acc_jw_end(&x->w, '}');
  if (!x->rc && x->w.rc)
    x->rc = x->w.rc;
}

/* type, spec_version, id, created, modified, created_by_ref, revoked,
 * labels and object_marking_refs. */
static void head(mctx *x, const char *type, const char *id, int64_t created,
                 int64_t modified, const tagset *tg, int revoked) {
  acc_jw *w = &x->w;
  char c[ACC_TIME_BUFSZ], m[ACC_TIME_BUFSZ];
  fmt_ts(created, c);
  fmt_ts(modified, m);
  acc_jw_kstr(w, "type", type);
  acc_jw_kstr(w, "spec_version", "2.1");
  acc_jw_kstr(w, "id", id);
  acc_jw_kstr(w, "created", c);
  acc_jw_kstr(w, "modified", m);
  if (x->created_by[0])
    acc_jw_kstr(w, "created_by_ref", x->created_by);
  if (revoked)
    acc_jw_kbool(w, "revoked", 1);
  if (tg && tg->n) {
    acc_jw_key(w, "labels");
    acc_jw_arr(w);
    for (size_t i = 0; i < tg->n; i++)
      acc_jw_str(w, tg->labels[i]);
    acc_jw_end(w, ']');
  }
  acc_tlp lv = tg && tg->tlp != ACC_TLP_NONE ? tg->tlp : x->tags.tlp;
  if (lv != ACC_TLP_NONE) {
    acc_jw_key(w, "object_marking_refs");
    acc_jw_arr(w);
    acc_jw_str(w, acc_tlp_marking_id(lv));
    acc_jw_end(w, ']');
  }
}

static void ext_begin(mctx *x) {
  acc_jw_key(&x->w, "extensions");
  acc_jw_obj(&x->w);
  acc_jw_key(&x->w, ACC_EXT_MISP);
  acc_jw_obj(&x->w);
  acc_jw_kstr(&x->w, "extension_type", "property-extension");
}

static void ext_end(mctx *x) {
  acc_jw_end(&x->w, '}');
  acc_jw_end(&x->w, '}');
}

/* An SCO given as a jansson object holding its type and properties:
 * computes its deterministic id into id and writes it unless this
 * document already holds it. */
static acc_rc put_sco(mctx *x, const attr *a, json_t *sco,
                      char id[ACC_ID_MAX]) {
  acc_rc rc = acc_stix_sco_id(sco, id);
  if (rc == ACC_ENOTFOUND) {
    /* no id-contributing property: derive from the attribute */
    char u[37];
    const char *type = jstr(sco, "type");
    char name[80];
    snprintf(name, sizeof name, "sco:%s:%s", type, a->uuid);
    if ((rc = acc_misp_uuid5(ACC_MISP_NS, name, strlen(name), u)))
      return rc;
    snprintf(id, ACC_ID_MAX, "%s--%s", type, u);
  } else if (rc) {
    return rc;
  }
  int existed = 0;
  if ((rc = acc_smap_put(&x->written, id, NULL, &existed)))
    return rc;
  if (existed)
    return ACC_OK;
  begin_obj(x, a->oi, a->ouuid, a->ai, a->uuid);
  acc_jw *w = &x->w;
  acc_jw_kstr(w, "type", jstr(sco, "type"));
  acc_jw_kstr(w, "spec_version", "2.1");
  acc_jw_kstr(w, "id", id);
  const char *k;
  json_t *v;
  json_object_foreach(sco, k, v) {
    if (strcmp(k, "type") == 0)
      continue;
    acc_jw_key(w, k);
    acc_jw_json(w, v);
  }
  acc_tlp lv = a->tags.tlp != ACC_TLP_NONE ? a->tags.tlp : x->tags.tlp;
  if (lv != ACC_TLP_NONE) {
    acc_jw_key(w, "object_marking_refs");
    acc_jw_arr(w);
    acc_jw_str(w, acc_tlp_marking_id(lv));
    acc_jw_end(w, ']');
  }
  end_obj(x);
  add_ref(x, id);
  return x->rc;
}

/* ---- attribute values ---------------------------------------------- */

int acc_misp_paths(const acc_misp_type *t, int ipv6, char a[160], char b[160]) {
  a[0] = b[0] = '\0';
  const char *arg = t->arg ? t->arg : "";
  switch (t->fam) {
  case MF_HASH:
    snprintf(a, 160, "file:hashes.'%s'", arg);
    return 1;
  case MF_FILENAME:
  case MF_ATTACHMENT:
    snprintf(a, 160, "file:name");
    return 1;
  case MF_FILENAME_HASH:
    snprintf(a, 160, "file:name");
    snprintf(b, 160, "file:hashes.'%s'", arg);
    return 1;
  case MF_MALWARE_SAMPLE:
    snprintf(a, 160, "file:name");
    snprintf(b, 160, "file:hashes.'MD5'");
    return 1;
  case MF_IP:
    snprintf(a, 160, "%s:value", ipv6 ? "ipv6-addr" : "ipv4-addr");
    return 1;
  case MF_IP_PORT:
  case MF_HOST_PORT:
    snprintf(a, 160, "network-traffic:%s_ref.value", arg);
    snprintf(b, 160, "network-traffic:%s_port", arg);
    return 1;
  case MF_DOMAIN:
    snprintf(a, 160, "domain-name:value");
    return 1;
  case MF_DOMAIN_IP:
    snprintf(a, 160, "domain-name:value");
    snprintf(b, 160, "domain-name:resolves_to_refs[*].value");
    return 1;
  case MF_EMAIL_ADDR:
    snprintf(a, 160, "email-addr:value");
    return 1;
  case MF_EMAIL_MSG:
    snprintf(a, 160, "email-message:%s", arg);
    return 1;
  case MF_URL:
    snprintf(a, 160, "url:value");
    return 1;
  case MF_AS:
    snprintf(a, 160, "autonomous-system:number");
    return 1;
  case MF_MAC:
    snprintf(a, 160, "mac-addr:value");
    return 1;
  case MF_REGKEY:
    snprintf(a, 160, "windows-registry-key:key");
    return 1;
  case MF_REGKEY_VALUE:
    snprintf(a, 160, "windows-registry-key:key");
    snprintf(b, 160, "windows-registry-key:values[*].data");
    return 1;
  case MF_MUTEX:
    snprintf(a, 160, "mutex:name");
    return 1;
  case MF_X509:
    snprintf(a, 160, "x509-certificate:hashes.'%s'", arg);
    return 1;
  case MF_ACCOUNT:
    snprintf(a, 160, "user-account:account_login");
    return 1;
  case MF_USER_AGENT:
    snprintf(a, 160,
             "network-traffic:extensions.'http-request-ext'."
             "request_header.'User-Agent'");
    return 1;
  default:
    return 0;
  }
}

const char *acc_misp_fixed_path(const acc_misp_type *t) {
  return t->fam == MF_ACCOUNT ? "user-account:account_type" : "";
}

/* Whether the second part of a two-part value is an integer in the
 * pattern (a port). */
static int b_is_int(const acc_misp_type *t) {
  return t->fam == MF_IP_PORT || t->fam == MF_HOST_PORT;
}

/* Split "a|b": filename|hash splits at the last '|' (file names may hold
 * one), the others at the first. */
static int split2(const attr *a, size_t *alen, const char **b, size_t *blen) {
  const char *bar = NULL;
  if (a->t->fam == MF_FILENAME_HASH || a->t->fam == MF_MALWARE_SAMPLE) {
    for (size_t i = a->vlen; i-- > 0;)
      if (a->value[i] == '|') {
        bar = a->value + i;
        break;
      }
  } else {
    bar = memchr(a->value, '|', a->vlen);
  }
  if (!bar)
    return -1;
  *alen = (size_t)(bar - a->value);
  *b = bar + 1;
  *blen = a->vlen - *alen - 1;
  return 0;
}

static int two_part(const acc_misp_type *t) {
  char pa[160], pb[160];
  return acc_misp_paths(t, 0, pa, pb) && pb[0];
}

/* A port or AS number: decimal digits (AS numbers may start "AS"). */
static int parse_num(const char *s, size_t n, long long max, long long *out) {
  if (n >= 2 && (s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
    s += 2, n -= 2;
  if (n == 0 || n > 12)
    return -1;
  long long v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  if (v > max)
    return -1;
  *out = v;
  return 0;
}

static int is_ipv6(const char *s, size_t n) {
  return memchr(s, ':', n) != NULL;
}

/* MAC in STIX form: lower case, ':' between octets. */
static void mac_norm(const char *s, size_t n, char out[32]) {
  size_t j = 0;
  for (size_t i = 0; i < n && j < 31; i++) {
    char c = s[i];
    if (c >= 'A' && c <= 'F')
      c = (char)(c - 'A' + 'a');
    if (c == '-' || c == '.')
      c = ':';
    out[j++] = c;
  }
  out[j] = '\0';
}

/* The SCOs of an observable attribute, dependencies first; ids of each
 * into ids[]; *main gets the index of the one the value names. */
static acc_rc build_scos(mctx *x, attr *a, char ids[3][ACC_ID_MAX],
                         size_t *n_ids, const char **err) {
  const acc_misp_type *t = a->t;
  const char *v = a->value, *vb = NULL;
  size_t vl = a->vlen, vbl = 0;
  json_t *s[3] = {NULL, NULL, NULL};
  size_t n = 0;
  acc_rc rc = ACC_OK;
  *n_ids = 0;
  *err = NULL;
  if (two_part(t)) {
    if (split2(a, &vl, &vb, &vbl)) {
      *err = "the value has no '|' between its two parts";
      return ACC_EINVAL;
    }
  }
  json_t *va = json_stringn(v, vl), *vbj = vb ? json_stringn(vb, vbl) : NULL;
  if (!va || (vb && !vbj)) {
    *err = "the value is not valid UTF-8";
    rc = ACC_EINVAL;
    goto out;
  }
  switch (t->fam) {
  case MF_HASH:
    s[n++] = json_pack("{s:s,s:{s:O}}", "type", "file", "hashes", t->arg, va);
    break;
  case MF_FILENAME:
    s[n++] = json_pack("{s:s,s:O}", "type", "file", "name", va);
    break;
  case MF_FILENAME_HASH:
    s[n++] = json_pack("{s:s,s:O,s:{s:O}}", "type", "file", "name", va,
                       "hashes", t->arg, vbj);
    break;
  case MF_ATTACHMENT:
  case MF_MALWARE_SAMPLE: {
    json_t *file = t->fam == MF_ATTACHMENT
                       ? json_pack("{s:s,s:O}", "type", "file", "name", va)
                       : json_pack("{s:s,s:O,s:{s:O}}", "type", "file", "name",
                                   va, "hashes", "MD5", vbj);
    if (file && a->data) {
      json_t *art =
          t->fam == MF_ATTACHMENT
              ? json_pack("{s:s,s:s}", "type", "artifact", "payload_bin",
                          a->data)
              : json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", "artifact",
                          "mime_type", "application/zip", "payload_bin",
                          a->data, "encryption_algorithm",
                          "mime-type-indicated", "decryption_key", "infected");
      rc = art ? put_sco(x, a, art, ids[0]) : ACC_ENOMEM;
      json_decref(art);
      if (rc) {
        json_decref(file);
        goto out;
      }
      (*n_ids)++;
      json_object_set_new(file, "content_ref", json_string(ids[0]));
    }
    s[n++] = file;
    break;
  }
  case MF_IP:
    s[n++] = json_pack("{s:s,s:O}", "type",
                       is_ipv6(v, vl) ? "ipv6-addr" : "ipv4-addr", "value", va);
    break;
  case MF_IP_PORT:
  case MF_HOST_PORT: {
    long long port;
    if ((vbl >= 2 && (vb[0] == 'A' || vb[0] == 'a')) ||
        parse_num(vb, vbl, 65535, &port)) {
      *err = "the port (after '|') is not a number from 0 to 65535";
      rc = ACC_EINVAL;
      goto out;
    }
    int host = t->fam == MF_HOST_PORT;
    json_t *addr = json_pack("{s:s,s:O}", "type",
                             host             ? "domain-name"
                             : is_ipv6(v, vl) ? "ipv6-addr"
                                              : "ipv4-addr",
                             "value", va);
    if (!addr || (rc = put_sco(x, a, addr, ids[0]))) {
      json_decref(addr);
      rc = rc ? rc : ACC_ENOMEM;
      goto out;
    }
    json_decref(addr);
    (*n_ids)++;
    char k_ref[16], k_port[16];
    snprintf(k_ref, sizeof k_ref, "%s_ref", t->arg);
    snprintf(k_port, sizeof k_port, "%s_port", t->arg);
    s[n++] = json_pack("{s:s,s:s,s:I,s:[s]}", "type", "network-traffic", k_ref,
                       ids[0], k_port, (json_int_t)port, "protocols",
                       host             ? "tcp"
                       : is_ipv6(v, vl) ? "ipv6"
                                        : "ipv4");
    break;
  }
  case MF_DOMAIN:
    s[n++] = json_pack("{s:s,s:O}", "type", "domain-name", "value", va);
    break;
  case MF_DOMAIN_IP: {
    json_t *ip =
        json_pack("{s:s,s:O}", "type",
                  is_ipv6(vb, vbl) ? "ipv6-addr" : "ipv4-addr", "value", vbj);
    if (!ip || (rc = put_sco(x, a, ip, ids[0]))) {
      json_decref(ip);
      rc = rc ? rc : ACC_ENOMEM;
      goto out;
    }
    json_decref(ip);
    (*n_ids)++;
    s[n++] = json_pack("{s:s,s:O,s:[s]}", "type", "domain-name", "value", va,
                       "resolves_to_refs", ids[0]);
    break;
  }
  case MF_EMAIL_ADDR:
    s[n++] = json_pack("{s:s,s:O}", "type", "email-addr", "value", va);
    break;
  case MF_EMAIL_MSG:
    s[n++] = json_pack("{s:s,s:b,s:O}", "type", "email-message", "is_multipart",
                       0, t->arg, va);
    break;
  case MF_URL:
    s[n++] = json_pack("{s:s,s:O}", "type", "url", "value", va);
    break;
  case MF_AS: {
    long long num;
    if (parse_num(v, vl, 4294967295LL, &num)) {
      *err = "not an AS number (digits, optionally after 'AS')";
      rc = ACC_EINVAL;
      goto out;
    }
    s[n++] = json_pack("{s:s,s:I}", "type", "autonomous-system", "number",
                       (json_int_t)num);
    break;
  }
  case MF_MAC: {
    char m[32];
    mac_norm(v, vl, m);
    s[n++] = json_pack("{s:s,s:s}", "type", "mac-addr", "value", m);
    break;
  }
  case MF_REGKEY:
    s[n++] = json_pack("{s:s,s:O}", "type", "windows-registry-key", "key", va);
    break;
  case MF_REGKEY_VALUE:
    s[n++] = json_pack("{s:s,s:O,s:[{s:O}]}", "type", "windows-registry-key",
                       "key", va, "values", "data", vbj);
    break;
  case MF_MUTEX:
    s[n++] = json_pack("{s:s,s:O}", "type", "mutex", "name", va);
    break;
  case MF_X509:
    s[n++] = json_pack("{s:s,s:{s:O}}", "type", "x509-certificate", "hashes",
                       t->arg, va);
    break;
  case MF_ACCOUNT:
    s[n++] = json_pack("{s:s,s:O,s:s}", "type", "user-account", "account_login",
                       va, "account_type", t->arg);
    break;
  default:
    *err = "no STIX Cyber-observable for this type";
    rc = ACC_EINVAL;
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    if (!s[i]) {
      rc = ACC_ENOMEM;
      goto out;
    }
    if ((rc = put_sco(x, a, s[i], ids[*n_ids])))
      goto out;
    (*n_ids)++;
  }
out:
  for (size_t i = 0; i < n; i++)
    json_decref(s[i]);
  json_decref(va);
  json_decref(vbj);
  return rc;
}

/* The STIX pattern of an attribute into b. */
static acc_rc build_pattern(attr *a, acc_buf *b, const char **err) {
  const acc_misp_type *t = a->t;
  char pa[160], pb[160];
  const char *vb = NULL;
  size_t vl = a->vlen, vbl = 0;
  acc_rc rc;
  acc_buf_reset(b);
  if (t->fam == MF_IP)
    acc_misp_paths(t, is_ipv6(a->value, a->vlen), pa, pb);
  else
    acc_misp_paths(t, 0, pa, pb);
  if (pb[0] && split2(a, &vl, &vb, &vbl)) {
    *err = "the value has no '|' between its two parts";
    return ACC_EINVAL;
  }
  char av[ACC_ID_MAX];
  if ((rc = acc_buf_putc(b, '[')) || (rc = acc_buf_puts(b, pa)) ||
      (rc = acc_buf_puts(b, " = ")))
    return rc;
  if (t->fam == MF_AS) {
    long long num;
    if (parse_num(a->value, a->vlen, 4294967295LL, &num)) {
      *err = "not an AS number (digits, optionally after 'AS')";
      return ACC_EINVAL;
    }
    rc = acc_buf_printf(b, "%lld", num);
  } else if (t->fam == MF_MAC) {
    char m[32];
    mac_norm(a->value, vl, m);
    rc = acc_pat_quote(b, m);
  } else {
    if (vl >= sizeof av) {
      /* long values: quote from a copy */
      char *cp = strndup(a->value, vl);
      if (!cp)
        return ACC_ENOMEM;
      rc = acc_pat_quote(b, cp);
      free(cp);
    } else {
      memcpy(av, a->value, vl);
      av[vl] = '\0';
      rc = acc_pat_quote(b, av);
    }
  }
  if (rc)
    return rc;
  if (pb[0]) {
    if ((rc = acc_buf_puts(b, " AND ")) || (rc = acc_buf_puts(b, pb)) ||
        (rc = acc_buf_puts(b, " = ")))
      return rc;
    if (b_is_int(t)) {
      long long port;
      if (parse_num(vb, vbl, 65535, &port)) {
        *err = "the port (after '|') is not a number from 0 to 65535";
        return ACC_EINVAL;
      }
      rc = acc_buf_printf(b, "%lld", port);
    } else {
      char *cp = strndup(vb, vbl);
      if (!cp)
        return ACC_ENOMEM;
      rc = acc_pat_quote(b, cp);
      free(cp);
    }
    if (rc)
      return rc;
  }
  const char *fx = acc_misp_fixed_path(t);
  if (fx[0]) {
    if ((rc = acc_buf_puts(b, " AND ")) || (rc = acc_buf_puts(b, fx)) ||
        (rc = acc_buf_puts(b, " = ")) || (rc = acc_pat_quote(b, t->arg)))
      return rc;
  }
  return acc_buf_putc(b, ']');
}

/* The value STIX gives back, when it is not the MISP value byte for
 * byte (AS prefix, MAC spelling, a port written 0443): the extension
 * then keeps the original. */
static int lossy(const attr *a) {
  const acc_misp_type *t = a->t;
  if (t->fam == MF_AS) {
    long long num;
    char buf[32];
    if (parse_num(a->value, a->vlen, 4294967295LL, &num))
      return 1;
    snprintf(buf, sizeof buf, "%lld", num);
    return strlen(buf) != a->vlen || memcmp(buf, a->value, a->vlen) != 0;
  }
  if (t->fam == MF_MAC) {
    char m[32];
    mac_norm(a->value, a->vlen, m);
    return strlen(m) != a->vlen || memcmp(m, a->value, a->vlen) != 0;
  }
  if (t->fam == MF_IP_PORT || t->fam == MF_HOST_PORT) {
    size_t al, bl;
    const char *b;
    long long port;
    char buf[32];
    if (split2(a, &al, &b, &bl) || parse_num(b, bl, 65535, &port))
      return 1;
    snprintf(buf, sizeof buf, "%lld", port);
    return strlen(buf) != bl || memcmp(buf, b, bl) != 0 ||
           (bl >= 2 && (b[0] == 'A' || b[0] == 'a'));
  }
  return 0;
}

/* ---- one attribute ---------------------------------------------------- */

/* The MISP extension of an attribute's carrier. */
static void attr_ext(mctx *x, const attr *a, int comment_in_ext,
                     int is_indicator) {
  acc_jw *w = &x->w;
  ext_begin(x);
  /* MISP's defaults are left out: category the type's default, to_ids
   * true on indicators and false elsewhere, distribution 5 (inherit) */
  acc_jw_kstr(w, "attribute_type", a->type);
  if (strcmp(a->category, acc_misp_categories[a->t->default_category]) != 0)
    acc_jw_kstr(w, "category", a->category);
  if (a->to_ids != is_indicator)
    acc_jw_kbool(w, "to_ids", a->to_ids);
  if (a->distribution != 5)
    acc_jw_kint(w, "distribution", a->distribution);
  if (a->sharing_group_id && strcmp(a->sharing_group_id, "0") != 0)
    acc_jw_kstr(w, "sharing_group_id", a->sharing_group_id);
  if (comment_in_ext && a->comment && *a->comment)
    acc_jw_kstr(w, "comment", a->comment);
  if (a->relation)
    acc_jw_kstr(w, "object_relation", a->relation);
  if (a->first_seen)
    acc_jw_kstr(w, "first_seen", a->first_seen);
  if (a->last_seen)
    acc_jw_kstr(w, "last_seen", a->last_seen);
  if (a->disable_correlation)
    acc_jw_kbool(w, "disable_correlation", 1);
  if (a->tags.tlp_tag)
    acc_jw_kstr(w, "tlp_tag", a->tags.tlp_tag);
  if (lossy(a)) {
    acc_jw_key(w, "value");
    acc_jw_strn(w, a->value, a->vlen);
  }
  ext_end(x);
}

/* Read what an attribute says; returns -1 (after a message) when it
 * cannot be mapped. */
static int read_attr(mctx *x, attr *a) {
  json_t *j = a->j;
  if (!json_is_object(j)) {
    amsg(x, a, ACC_MISP_ERROR, "not a JSON object; not imported");
    return -1;
  }
  const char *u = jstr(j, "uuid");
  a->type = jstr(j, "type");
  if (!u) {
    amsg(x, a, ACC_MISP_ERROR,
         "'uuid' is %s; MISP requires one (type %s); not imported",
         json_object_get(j, "uuid") ? "not a string" : "missing",
         a->type ? a->type : "?");
    return -1;
  }
  if (!acc_misp_uuid_ok(u)) {
    amsg(x, a, ACC_MISP_ERROR, "'uuid' '%.60s' is not a UUID; not imported", u);
    return -1;
  }
  acc_misp_uuid_lower(u, a->uuid);
  if (!a->type) {
    amsg(x, a, ACC_MISP_ERROR, "'type' is %s; not imported",
         json_object_get(j, "type") ? "not a string" : "missing");
    return -1;
  }
  a->t = acc_misp_type_find(a->type);
  if (!a->t) {
    amsg(x, a, ACC_MISP_ERROR,
         "type '%.80s' is not a MISP attribute type (describeTypes); "
         "not imported",
         a->type);
    return -1;
  }
  json_t *v = json_object_get(j, "value");
  if (json_is_string(v)) {
    a->value = json_string_value(v);
    a->vlen = json_string_length(v);
  } else if (json_is_integer(v)) {
    snprintf(a->numbuf, sizeof a->numbuf, "%lld",
             (long long)json_integer_value(v));
    a->value = a->numbuf;
    a->vlen = strlen(a->numbuf);
  } else if (json_is_real(v)) {
    snprintf(a->numbuf, sizeof a->numbuf, "%.17g", json_real_value(v));
    a->value = a->numbuf;
    a->vlen = strlen(a->numbuf);
  } else {
    amsg(x, a, ACC_MISP_ERROR, "'value' is %s (type %s); not imported",
         v ? "not a string" : "missing", a->type);
    return -1;
  }
  if (a->vlen == 0) {
    amsg(x, a, ACC_MISP_ERROR, "'value' is empty (type %s); not imported",
         a->type);
    return -1;
  }
  if (memchr(a->value, '\0', a->vlen)) {
    amsg(x, a, ACC_MISP_ERROR, "'value' holds a NUL character; not imported");
    return -1;
  }
  a->category = jstr(j, "category");
  if (!a->category) {
    a->category = acc_misp_categories[a->t->default_category];
    if (json_object_get(j, "category"))
      amsg(x, a, ACC_MISP_WARN,
           "'category' is not a string; using '%s', the default for %s",
           a->category, a->type);
  } else {
    int ci = acc_misp_category_index(a->category);
    if (ci < 0 || !(a->t->category_mask & (1u << ci)))
      amsg(x, a, ACC_MISP_WARN,
           "category '%.60s' is not one MISP allows for type %s (kept)",
           a->category, a->type);
  }
  json_t *ti = json_object_get(j, "to_ids");
  a->to_ids = a->t->default_to_ids;
  if (ti && acc_misp_boolval(ti, &a->to_ids))
    amsg(x, a, ACC_MISP_WARN,
         "'to_ids' is not a boolean; using %s, the default for %s",
         a->to_ids ? "true" : "false", a->type);
  json_t *di = json_object_get(j, "distribution");
  a->distribution = 5;
  if (di && (acc_misp_intval(di, &a->distribution) || a->distribution < 0 ||
             a->distribution > 5)) {
    amsg(x, a, ACC_MISP_WARN,
         "'distribution' is not 0 to 5; recorded as 5 (inherit event)");
    a->distribution = 5;
  }
  a->sharing_group_id = jstr(j, "sharing_group_id");
  a->comment = jstr(j, "comment");
  int64_t secs;
  json_t *ts = json_object_get(j, "timestamp");
  if (ts && !acc_misp_unix(ts, &secs)) {
    a->ts_us = secs * 1000000;
  } else {
    if (ts)
      amsg(x, a, ACC_MISP_WARN,
           "'timestamp' is not seconds since 1970; using the event's");
    a->ts_us = x->ts_us;
  }
  a->fs_us = a->ls_us = ACC_TIME_NONE;
  a->first_seen = jstr(j, "first_seen");
  a->last_seen = jstr(j, "last_seen");
  if (a->first_seen && acc_misp_iso(a->first_seen, &a->fs_us)) {
    amsg(x, a, ACC_MISP_WARN,
         "'first_seen' '%.60s' is not an ISO 8601 time; kept, not used",
         a->first_seen);
  }
  if (a->last_seen && acc_misp_iso(a->last_seen, &a->ls_us)) {
    amsg(x, a, ACC_MISP_WARN,
         "'last_seen' '%.60s' is not an ISO 8601 time; kept, not used",
         a->last_seen);
  }
  json_t *del = json_object_get(j, "deleted");
  if (del)
    acc_misp_boolval(del, &a->deleted);
  json_t *dc = json_object_get(j, "disable_correlation");
  if (dc)
    acc_misp_boolval(dc, &a->disable_correlation);
  a->relation = jstr(j, "object_relation");
  a->data = jstr(j, "data");
  if (a->data && a->t->fam != MF_ATTACHMENT && a->t->fam != MF_MALWARE_SAMPLE) {
    amsg(x, a, ACC_MISP_WARN,
         "'data' is only kept for attachment and malware-sample; dropped");
    a->data = NULL;
  }
  read_tags(x, json_object_get(j, "Tag"), &a->tags, a->oi, a->ouuid, a->ai,
            a->uuid);
  return 0;
}

static void remember(mctx *x, const char *uuid, const char *id) {
  if (x->rc)
    return;
  char *v = strdup(id);
  if (!v) {
    x->rc = ACC_ENOMEM;
    return;
  }
  int existed = 0;
  void **old = acc_smap_get(&x->carriers, uuid);
  if (old) {
    free(*old);
    *old = v;
    return;
  }
  if ((x->rc = acc_smap_put(&x->carriers, uuid, v, &existed)))
    free(v);
}

static void map_sightings(mctx *x, attr *a, const char *carrier);

/* Map one attribute; carrier gets the id of what carries it ("" when not
 * mapped). */
static void map_attr(mctx *x, attr *a, char carrier[ACC_ID_MAX]) {
  carrier[0] = '\0';
  x->c->attributes++;
  if (read_attr(x, a)) {
    unmapped(x, a->type);
    return;
  }
  if (acc_smap_get(&x->carriers, a->uuid)) {
    amsg(x, a, ACC_MISP_ERROR,
         "uuid %s is used twice in this event; this one is not imported",
         a->uuid);
    unmapped(x, a->type);
    return;
  }
  const acc_misp_type *t = a->t;
  acc_misp_fam f = t->fam;
  const char *err = NULL;
  acc_misp_carrier kind;
  const char *stype;
  if (f == MF_RULE) {
    kind = ACC_MISP_C_INDICATOR;
  } else if (f == MF_SDO) {
    kind = ACC_MISP_C_SDO;
  } else if (f == MF_NOTE) {
    kind = ACC_MISP_C_NOTE;
  } else if (f == MF_CUSTOM) {
    kind = ACC_MISP_C_CUSTOM;
  } else if (f == MF_USER_AGENT) {
    kind = a->to_ids ? ACC_MISP_C_INDICATOR : ACC_MISP_C_CUSTOM;
  } else {
    kind = a->to_ids ? ACC_MISP_C_INDICATOR : ACC_MISP_C_OBSERVED;
  }
  switch (kind) {
  case ACC_MISP_C_INDICATOR:
    stype = "indicator";
    break;
  case ACC_MISP_C_OBSERVED:
    stype = "observed-data";
    break;
  case ACC_MISP_C_SDO:
    stype = t->arg;
    break;
  case ACC_MISP_C_NOTE:
    stype = "note";
    break;
  default:
    stype = "x-misp-attribute";
  }
  snprintf(carrier, ACC_ID_MAX, "%s--%s", stype, a->uuid);

  /* what must be ready before the carrier is written */
  char sco_ids[3][ACC_ID_MAX];
  size_t n_sco = 0;
  if (kind == ACC_MISP_C_INDICATOR && f != MF_RULE) {
    acc_rc rc = build_pattern(a, &x->tmp, &err);
    if (rc && !err) {
      x->rc = rc;
      return;
    }
    if (rc) {
      amsg(x, a, ACC_MISP_ERROR, "%s (type %s, value '%.60s'); not imported",
           err, a->type, a->value);
      unmapped(x, a->type);
      carrier[0] = '\0';
      return;
    }
  } else if (kind == ACC_MISP_C_OBSERVED) {
    acc_rc rc = build_scos(x, a, sco_ids, &n_sco, &err);
    if (rc) {
      if (!err) {
        x->rc = rc;
        return;
      }
      amsg(x, a, ACC_MISP_ERROR, "%s (type %s, value '%.60s'); not imported",
           err, a->type, a->value);
      unmapped(x, a->type);
      carrier[0] = '\0';
      return;
    }
  }

  acc_jw *w = &x->w;
  int64_t created = a->ts_us;
  begin_obj(x, a->oi, a->ouuid, a->ai, a->uuid);
  head(x, stype, carrier, created, a->ts_us, &a->tags, a->deleted);
  int comment_in_ext = 1;
  switch (kind) {
  case ACC_MISP_C_INDICATOR: {
    char vf[ACC_TIME_BUFSZ], vu[ACC_TIME_BUFSZ];
    int64_t from = a->fs_us != ACC_TIME_NONE ? a->fs_us : a->ts_us;
    if (a->comment && *a->comment) {
      acc_jw_kstr(w, "description", a->comment);
      comment_in_ext = 0;
    }
    acc_jw_key(w, "pattern");
    if (f == MF_RULE)
      acc_jw_strn(w, a->value, a->vlen);
    else
      acc_jw_strn(w, x->tmp.data, x->tmp.len);
    acc_jw_kstr(w, "pattern_type", f == MF_RULE ? t->arg : "stix");
    fmt_ts(from, vf);
    acc_jw_kstr(w, "valid_from", vf);
    if (a->ls_us != ACC_TIME_NONE && a->ls_us > from) {
      fmt_ts(a->ls_us, vu);
      acc_jw_kstr(w, "valid_until", vu);
    }
    break;
  }
  case ACC_MISP_C_OBSERVED: {
    char fo[ACC_TIME_BUFSZ], lo[ACC_TIME_BUFSZ];
    int64_t first = a->fs_us != ACC_TIME_NONE ? a->fs_us : a->ts_us;
    int64_t last =
        a->ls_us != ACC_TIME_NONE && a->ls_us >= first ? a->ls_us : first;
    fmt_ts(first, fo);
    fmt_ts(last, lo);
    acc_jw_kstr(w, "first_observed", fo);
    acc_jw_kstr(w, "last_observed", lo);
    acc_jw_kint(w, "number_observed", 1);
    acc_jw_key(w, "object_refs");
    acc_jw_arr(w);
    for (size_t i = 0; i < n_sco; i++)
      acc_jw_str(w, sco_ids[i]);
    acc_jw_end(w, ']');
    break;
  }
  case ACC_MISP_C_SDO:
    acc_jw_key(w, "name");
    acc_jw_strn(w, a->value, a->vlen);
    if (a->comment && *a->comment) {
      acc_jw_kstr(w, "description", a->comment);
      comment_in_ext = 0;
    }
    if (strcmp(t->arg, "identity") == 0)
      acc_jw_kstr(w, "identity_class", "organization");
    if (strcmp(t->arg, "vulnerability") == 0 && a->vlen > 4 &&
        strncasecmp(a->value, "CVE-", 4) == 0) {
      acc_jw_key(w, "external_references");
      acc_jw_arr(w);
      acc_jw_obj(w);
      acc_jw_kstr(w, "source_name", "cve");
      acc_jw_key(w, "external_id");
      acc_jw_strn(w, a->value, a->vlen);
      acc_jw_end(w, '}');
      acc_jw_end(w, ']');
    }
    break;
  case ACC_MISP_C_NOTE:
    acc_jw_key(w, "content");
    acc_jw_strn(w, a->value, a->vlen);
    acc_jw_key(w, "object_refs");
    acc_jw_arr(w);
    acc_jw_str(w, a->group_id ? a->group_id : x->report_id);
    acc_jw_end(w, ']');
    break;
  default:
    acc_jw_key(w, "value");
    acc_jw_strn(w, a->value, a->vlen);
    if (a->comment && *a->comment) {
      acc_jw_kstr(w, "description", a->comment);
      comment_in_ext = 0;
    }
  }
  attr_ext(x, a, comment_in_ext, kind == ACC_MISP_C_INDICATOR);
  end_obj(x);
  add_ref(x, carrier);
  remember(x, a->uuid, carrier);
  x->c->mapped[kind]++;
  map_sightings(x, a, carrier);
}

/* ---- sightings ------------------------------------------------------- */

static void put_org_identity(mctx *x, const char *uuid, const char *name,
                             long oi, const char *ou, long ai, const char *au,
                             char id[ACC_ID_MAX]) {
  char u[37];
  acc_misp_uuid_lower(uuid, u);
  snprintf(id, ACC_ID_MAX, "identity--%s", u);
  int existed = 0;
  if ((x->rc = acc_smap_put(&x->written, id, NULL, &existed)) || existed)
    return;
  char c[ACC_TIME_BUFSZ];
  fmt_ts(x->ts_us, c);
  begin_obj(x, oi, ou, ai, au);
  acc_jw *w = &x->w;
  acc_jw_kstr(w, "type", "identity");
  acc_jw_kstr(w, "spec_version", "2.1");
  acc_jw_kstr(w, "id", id);
  acc_jw_kstr(w, "created", c);
  acc_jw_kstr(w, "modified", c);
  acc_jw_kstr(w, "name", name && *name ? name : u);
  acc_jw_kstr(w, "identity_class", "organization");
  if (x->tags.tlp != ACC_TLP_NONE) {
    acc_jw_key(w, "object_marking_refs");
    acc_jw_arr(w);
    acc_jw_str(w, acc_tlp_marking_id(x->tags.tlp));
    acc_jw_end(w, ']');
  }
  end_obj(x);
  add_ref(x, id);
}

static void map_sightings(mctx *x, attr *a, const char *carrier) {
  json_t *sg = json_object_get(a->j, "Sighting");
  if (!sg || json_is_null(sg))
    return;
  if (!json_is_array(sg)) {
    amsg(x, a, ACC_MISP_WARN, "'Sighting' is not an array; ignored");
    return;
  }
  size_t i;
  json_t *s;
  json_array_foreach(sg, i, s) {
    int64_t secs;
    if (!json_is_object(s) ||
        acc_misp_unix(json_object_get(s, "date_sighting"), &secs)) {
      amsg(x, a, ACC_MISP_ERROR,
           "sighting %zu has no 'date_sighting' in seconds; not imported", i);
      continue;
    }
    long long type = 0;
    json_t *ty = json_object_get(s, "type");
    if (ty && (acc_misp_intval(ty, &type) || type < 0 || type > 3)) {
      amsg(x, a, ACC_MISP_WARN, "sighting %zu: 'type' is not 0 to 3; 0 used",
           i);
      type = 0;
    }
    const char *su = jstr(s, "uuid");
    const char *src = jstr(s, "source");
    json_t *org = json_object_get(s, "Organisation");
    const char *org_uuid = jstr(org, "uuid"), *org_name = jstr(org, "name");
    if (org_uuid && !acc_misp_uuid_ok(org_uuid))
      org_uuid = NULL;
    char id[ACC_ID_MAX], u[37];
    if (su && acc_misp_uuid_ok(su) && strcasecmp(su, a->uuid) != 0) {
      acc_misp_uuid_lower(su, u);
    } else {
      char name[256];
      int n = snprintf(name, sizeof name, "sighting:%s:%lld:%lld:%s:%s",
                       a->uuid, (long long)secs, type, src ? src : "",
                       org_uuid ? org_uuid : "");
      if (n < 0 || (size_t)n >= sizeof name)
        n = (int)strlen(name);
      if ((x->rc = acc_misp_uuid5(ACC_MISP_NS, name, (size_t)n, u)))
        return;
    }
    snprintf(id, sizeof id, "sighting--%s", u);
    char org_id[ACC_ID_MAX] = "";
    if (org_uuid)
      put_org_identity(x, org_uuid, org_name, a->oi, a->ouuid, a->ai, a->uuid,
                       org_id);
    int existed = 0;
    if ((x->rc = acc_smap_put(&x->written, id, NULL, &existed)))
      return;
    if (existed)
      continue;
    char when[ACC_TIME_BUFSZ];
    fmt_ts(secs * 1000000, when);
    begin_obj(x, a->oi, a->ouuid, a->ai, a->uuid);
    head(x, "sighting", id, secs * 1000000, secs * 1000000, &a->tags, 0);
    acc_jw *w = &x->w;
    acc_jw_kstr(w, "first_seen", when);
    acc_jw_kstr(w, "last_seen", when);
    acc_jw_kint(w, "count", 1);
    acc_jw_kstr(w, "sighting_of_ref", carrier);
    if (org_id[0]) {
      acc_jw_key(w, "where_sighted_refs");
      acc_jw_arr(w);
      acc_jw_str(w, org_id);
      acc_jw_end(w, ']');
    }
    ext_begin(x);
    acc_jw_kint(w, "sighting_type", type);
    if (src && *src)
      acc_jw_kstr(w, "source", src);
    if (org_uuid) {
      acc_jw_key(w, "org");
      acc_jw_obj(w);
      acc_jw_kstr(w, "uuid", org_uuid);
      if (org_name)
        acc_jw_kstr(w, "name", org_name);
      acc_jw_end(w, '}');
    }
    ext_end(x);
    end_obj(x);
    add_ref(x, id);
    x->c->sightings++;
  }
}

/* ---- galaxies ---------------------------------------------------------- */

/* The STIX type a galaxy's clusters become, NULL when none fits. */
static const char *galaxy_type(const char *g) {
  static const char *const malware[] = {
      "ransomware", "banker",       "botnet",  "rat",
      "stealer",    "backdoor",     "android", "exploit-kit",
      "malpedia",   "cryptominers", "tds",     NULL};
  if (!g)
    return NULL;
  if (strstr(g, "attack-pattern"))
    return "attack-pattern";
  if (strstr(g, "intrusion-set"))
    return "intrusion-set";
  if (strstr(g, "threat-actor"))
    return "threat-actor";
  if (strstr(g, "course-of-action"))
    return "course-of-action";
  if (strstr(g, "malware"))
    return "malware";
  if (strstr(g, "tool"))
    return "tool";
  for (size_t i = 0; malware[i]; i++)
    if (strcmp(g, malware[i]) == 0)
      return "malware";
  return NULL;
}

static int has_aliases(const char *stype) {
  return strcmp(stype, "threat-actor") == 0 ||
         strcmp(stype, "intrusion-set") == 0 || strcmp(stype, "malware") == 0 ||
         strcmp(stype, "tool") == 0;
}

/* Copy of obj without the listed keys (instance-local ids, nested
 * arrays). */
static void write_without(acc_jw *w, json_t *obj, const char *const *skip) {
  acc_jw_obj(w);
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) {
    int drop = 0;
    for (size_t i = 0; skip[i] && !drop; i++)
      drop = strcmp(k, skip[i]) == 0;
    if (drop)
      continue;
    acc_jw_key(w, k);
    acc_jw_json(w, v);
  }
  acc_jw_end(w, '}');
}

static void map_cluster(mctx *x, json_t *g, json_t *cl, const char *stype,
                        size_t gi, size_t ci) {
  static const char *const g_skip[] = {"GalaxyCluster", "id", NULL};
  static const char *const c_skip[] = {
      "id", "galaxy_id", "tag_id", "GalaxyElement", "Galaxy", NULL};
  const char *cu = jstr(cl, "uuid"), *value = jstr(cl, "value");
  if (!value || !*value) {
    emsg(x, ACC_MISP_ERROR,
         "galaxy %zu cluster %zu has no 'value'; not imported", gi, ci);
    return;
  }
  char u[37], name[512];
  int n;
  if (cu && acc_misp_uuid_ok(cu)) {
    char lu[37];
    acc_misp_uuid_lower(cu, lu);
    /* cluster uuids repeat in real data: the value tells them apart */
    n = snprintf(name, sizeof name, "galaxy-cluster:%s:%s", lu, value);
  } else {
    n = snprintf(name, sizeof name, "galaxy-cluster:%s:%s",
                 jstr(g, "type") ? jstr(g, "type") : "", value);
  }
  if (n < 0 || (size_t)n >= sizeof name)
    n = (int)strlen(name);
  if ((x->rc = acc_misp_uuid5(ACC_MISP_NS, name, (size_t)n, u)))
    return;
  char id[ACC_ID_MAX];
  snprintf(id, sizeof id, "%s--%s", stype, u);
  int existed = 0;
  if ((x->rc = acc_smap_put(&x->written, id, NULL, &existed)))
    return;
  if (existed)
    return;
  acc_jw *w = &x->w;
  json_t *meta = json_object_get(cl, "meta");
  begin_obj(x, -1, NULL, -1, NULL);
  head(x, stype, id, x->ts_us, x->ts_us, NULL, 0);
  acc_jw_kstr(w, "name", value);
  const char *desc = jstr(cl, "description");
  if (desc && *desc)
    acc_jw_kstr(w, "description", desc);
  if (strcmp(stype, "malware") == 0)
    acc_jw_kbool(w, "is_family", 1);
  json_t *syn = json_object_get(meta, "synonyms");
  if (has_aliases(stype) && json_is_array(syn) && json_array_size(syn)) {
    size_t i, nstr = 0;
    json_t *s;
    json_array_foreach(syn, i, s) nstr += json_is_string(s);
    if (nstr) {
      acc_jw_key(w, "aliases");
      acc_jw_arr(w);
      json_array_foreach(syn, i, s) if (json_is_string(s))
          acc_jw_str(w, json_string_value(s));
      acc_jw_end(w, ']');
    }
  }
  json_t *refs = json_object_get(meta, "refs");
  json_t *xid = json_object_get(meta, "external_id");
  size_t n_ref = 0, i;
  json_t *r;
  json_array_foreach(refs, i, r) n_ref += json_is_string(r);
  if (n_ref || json_is_array(xid) || json_is_string(xid)) {
    acc_jw_key(w, "external_references");
    acc_jw_arr(w);
    if (json_is_string(xid)) {
      acc_jw_obj(w);
      acc_jw_kstr(w, "source_name", "mitre-attack");
      acc_jw_kstr(w, "external_id", json_string_value(xid));
      acc_jw_end(w, '}');
    }
    json_array_foreach(xid, i, r) if (json_is_string(r)) {
      acc_jw_obj(w);
      acc_jw_kstr(w, "source_name", "mitre-attack");
      acc_jw_kstr(w, "external_id", json_string_value(r));
      acc_jw_end(w, '}');
    }
    json_array_foreach(refs, i, r) if (json_is_string(r)) {
      acc_jw_obj(w);
      acc_jw_kstr(w, "source_name", "misp-galaxy");
      acc_jw_kstr(w, "url", json_string_value(r));
      acc_jw_end(w, '}');
    }
    acc_jw_end(w, ']');
  }
  ext_begin(x);
  acc_jw_key(w, "galaxy");
  write_without(w, g, g_skip);
  acc_jw_key(w, "cluster");
  write_without(w, cl, c_skip);
  ext_end(x);
  end_obj(x);
  add_ref(x, id);
  x->c->galaxies++;
}

static void map_galaxies(mctx *x, json_t *gal) {
  if (!gal || json_is_null(gal))
    return;
  if (!json_is_array(gal)) {
    emsg(x, ACC_MISP_WARN, "'Galaxy' is not an array; galaxies ignored");
    return;
  }
  size_t gi, ci;
  json_t *g, *cl;
  json_array_foreach(gal, gi, g) {
    const char *gt = jstr(g, "type");
    const char *stype = galaxy_type(gt);
    json_t *cls = json_object_get(g, "GalaxyCluster");
    if (!json_is_array(cls))
      continue;
    if (!stype) {
      emsg(x, ACC_MISP_WARN,
           "galaxy %zu '%.60s' (type %.60s) has no STIX counterpart: its "
           "%zu cluster(s) are kept as the event's tags and in the report's "
           "MISP extension",
           gi, jstr(g, "name") ? jstr(g, "name") : "?", gt ? gt : "?",
           json_array_size(cls));
      if (!x->other_gal)
        x->other_gal = json_array();
      json_array_append(x->other_gal, g);
      continue;
    }
    json_array_foreach(cls, ci, cl) {
      if (json_is_object(cl))
        map_cluster(x, g, cl, stype, gi, ci);
    }
  }
}

/* ---- MISP objects and their references --------------------------------- */

static void map_object(mctx *x, json_t *o, long oi) {
  x->c->objects++;
  if (!json_is_object(o)) {
    omsg(x, oi, NULL, ACC_MISP_ERROR, "not a JSON object; not imported");
    return;
  }
  const char *u = jstr(o, "uuid"), *name = jstr(o, "name");
  json_t *attrs = json_object_get(o, "Attribute");
  size_t n_attrs = json_array_size(attrs);
  if (!u || !acc_misp_uuid_ok(u)) {
    omsg(x, oi, NULL, ACC_MISP_ERROR,
         "'uuid' is missing or not a UUID; the object and its %zu "
         "attribute(s) are not imported",
         n_attrs);
    x->c->attributes += n_attrs;
    for (size_t i = 0; i < n_attrs; i++)
      unmapped(x, jstr(json_array_get(attrs, i), "type"));
    return;
  }
  char ou[37], gid[ACC_ID_MAX];
  acc_misp_uuid_lower(u, ou);
  snprintf(gid, sizeof gid, "grouping--%s", ou);
  if (!name || !*name) {
    omsg(x, oi, ou, ACC_MISP_WARN, "'name' is missing; 'object' used");
    name = "object";
  }
  if (attrs && !json_is_array(attrs))
    omsg(x, oi, ou, ACC_MISP_ERROR,
         "'Attribute' is not an array; no attribute of it imported");
  /* attributes first: the grouping refers to them */
  acc_buf members;
  acc_buf_init(&members, (size_t)1 << 30);
  size_t n_members = 0, i;
  json_t *aj;
  json_array_foreach(attrs, i, aj) {
    attr a;
    memset(&a, 0, sizeof a);
    a.j = aj;
    a.oi = oi;
    a.ouuid = ou;
    a.ai = (long)i;
    a.group_id = gid;
    char carrier[ACC_ID_MAX];
    map_attr(x, &a, carrier);
    if (carrier[0] && !x->rc) {
      if (n_members)
        x->rc = acc_buf_putc(&members, ',');
      if (!x->rc)
        x->rc = acc_json_quote(&members, carrier, strlen(carrier));
      n_members++;
    }
    if (x->rc)
      break;
  }
  int64_t secs, ts = x->ts_us;
  if (!acc_misp_unix(json_object_get(o, "timestamp"), &secs))
    ts = secs * 1000000;
  int deleted = 0;
  acc_misp_boolval(json_object_get(o, "deleted"), &deleted);
  tagset tg;
  read_tags(x, json_object_get(o, "Tag"), &tg, oi, ou, -1, NULL);
  acc_jw *w = &x->w;
  begin_obj(x, oi, ou, -1, NULL);
  head(x, "grouping", gid, ts, ts, &tg, deleted);
  acc_jw_kstr(w, "name", name);
  const char *desc = jstr(o, "description");
  if (desc && *desc)
    acc_jw_kstr(w, "description", desc);
  acc_jw_kstr(w, "context", "unspecified");
  acc_jw_key(w, "object_refs");
  if (n_members) {
    acc_jw_arr(w);
    acc_jw_end(w, ']');
    /* splice the member list into the empty array */
    if (!w->rc) {
      x->w.b->len--; /* drop ']' */
      w->rc = acc_buf_append(w->b, members.data, members.len);
      if (!w->rc)
        w->rc = acc_buf_putc(w->b, ']');
    }
  } else {
    acc_jw_arr(w);
    acc_jw_str(w, x->report_id);
    acc_jw_end(w, ']');
  }
  acc_buf_free(&members);
  ext_begin(x);
  const char *mc = jstr(o, "meta-category");
  if (mc)
    acc_jw_kstr(w, "meta_category", mc);
  const char *tu = jstr(o, "template_uuid"), *tv = jstr(o, "template_version");
  if (tu)
    acc_jw_kstr(w, "template_uuid", tu);
  if (tv)
    acc_jw_kstr(w, "template_version", tv);
  const char *cm = jstr(o, "comment");
  if (cm && *cm)
    acc_jw_kstr(w, "comment", cm);
  long long dist = 5;
  json_t *dj = json_object_get(o, "distribution");
  if (dj && (acc_misp_intval(dj, &dist) || dist < 0 || dist > 5)) {
    omsg(x, oi, ou, ACC_MISP_WARN,
         "'distribution' is not 0 to 5; recorded as 5 (inherit event)");
    dist = 5;
  }
  acc_jw_kint(w, "distribution", dist);
  const char *sg = jstr(o, "sharing_group_id");
  if (sg && strcmp(sg, "0") != 0)
    acc_jw_kstr(w, "sharing_group_id", sg);
  const char *fs = jstr(o, "first_seen"), *ls = jstr(o, "last_seen");
  if (fs)
    acc_jw_kstr(w, "first_seen", fs);
  if (ls)
    acc_jw_kstr(w, "last_seen", ls);
  if (tg.tlp_tag)
    acc_jw_kstr(w, "tlp_tag", tg.tlp_tag);
  ext_end(x);
  end_obj(x);
  add_ref(x, gid);
  remember(x, ou, gid);
}

/* relationship_type in STIX's alphabet (a-z, 0-9, '-'); 1 when changed. */
static int rel_type(const char *in, char out[128]) {
  size_t j = 0;
  int changed = 0;
  for (const char *p = in; *p && j < 127; p++) {
    char c = *p;
    if (c >= 'A' && c <= 'Z') {
      c = (char)(c - 'A' + 'a');
      changed = 1;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-')) {
      c = '-';
      changed = 1;
    }
    out[j++] = c;
  }
  out[j] = '\0';
  if (j == 0 || strlen(in) > 127) {
    snprintf(out, 128, "related-to");
    changed = 1;
  }
  return changed;
}

static void map_refs(mctx *x, json_t *o, long oi) {
  const char *u = jstr(o, "uuid");
  json_t *refs = json_object_get(o, "ObjectReference");
  if (!u || !acc_misp_uuid_ok(u) || !refs || json_is_null(refs))
    return;
  char ou[37];
  acc_misp_uuid_lower(u, ou);
  if (!json_is_array(refs)) {
    omsg(x, oi, ou, ACC_MISP_WARN,
         "'ObjectReference' is not an array; references ignored");
    return;
  }
  size_t i;
  json_t *r;
  json_array_foreach(refs, i, r) {
    x->c->references++;
    const char *src = jstr(r, "object_uuid"), *dst = jstr(r, "referenced_uuid");
    const char *rt = jstr(r, "relationship_type");
    if (!json_is_object(r) || !dst || !acc_misp_uuid_ok(dst)) {
      omsg(x, oi, ou, ACC_MISP_ERROR,
           "reference %zu has no valid 'referenced_uuid'; not imported", i);
      x->c->references_unmapped++;
      continue;
    }
    char su[37], du[37];
    acc_misp_uuid_lower(src && acc_misp_uuid_ok(src) ? src : ou, su);
    acc_misp_uuid_lower(dst, du);
    void **sv = acc_smap_get(&x->carriers, su);
    void **dv = acc_smap_get(&x->carriers, du);
    if (!sv || !dv) {
      omsg(x, oi, ou, ACC_MISP_ERROR,
           "reference %zu (%s): %s %s is not in this event or was not "
           "imported; not imported",
           i, rt ? rt : "?", sv ? "referenced" : "source", sv ? du : su);
      x->c->references_unmapped++;
      continue;
    }
    char rtype[128];
    int changed = rel_type(rt ? rt : "", rtype);
    const char *ru = jstr(r, "uuid");
    char id[ACC_ID_MAX], uu[37];
    if (ru && acc_misp_uuid_ok(ru)) {
      acc_misp_uuid_lower(ru, uu);
    } else {
      char name[200];
      int n = snprintf(name, sizeof name, "ref:%s:%s:%s", su, du, rtype);
      if (n < 0 || (size_t)n >= sizeof name)
        n = (int)strlen(name);
      if ((x->rc = acc_misp_uuid5(ACC_MISP_NS, name, (size_t)n, uu)))
        return;
    }
    snprintf(id, sizeof id, "relationship--%s", uu);
    int existed = 0;
    if ((x->rc = acc_smap_put(&x->written, id, NULL, &existed)))
      return;
    if (existed) {
      omsg(x, oi, ou, ACC_MISP_ERROR,
           "reference %zu: uuid %s is used twice; not imported", i, uu);
      x->c->references_unmapped++;
      continue;
    }
    int64_t secs, ts = x->ts_us;
    if (!acc_misp_unix(json_object_get(r, "timestamp"), &secs))
      ts = secs * 1000000;
    int deleted = 0;
    acc_misp_boolval(json_object_get(r, "deleted"), &deleted);
    acc_jw *w = &x->w;
    begin_obj(x, oi, ou, -1, NULL);
    head(x, "relationship", id, ts, ts, NULL, deleted);
    acc_jw_kstr(w, "relationship_type", rtype);
    const char *cm = jstr(r, "comment");
    if (cm && *cm)
      acc_jw_kstr(w, "description", cm);
    acc_jw_kstr(w, "source_ref", *sv);
    acc_jw_kstr(w, "target_ref", *dv);
    if (changed && rt) {
      ext_begin(x);
      acc_jw_kstr(w, "relationship_type", rt);
      ext_end(x);
    }
    end_obj(x);
    add_ref(x, id);
  }
}

/* ---- the event ---------------------------------------------------------- */

static void free_str(void *p) {
  free(p);
}

const char *acc_misp_extension_object(void) {
  return "{\"type\":\"extension-definition\",\"spec_version\":\"2.1\","
         "\"id\":\"" ACC_EXT_MISP "\","
         "\"created_by_ref\":\"" ACC_IDENTITY_ACCORD "\","
         "\"created\":\"2026-11-23T00:00:00.000Z\","
         "\"modified\":\"2026-11-23T00:00:00.000Z\","
         "\"name\":\"Accord MISP\","
         "\"description\":\"What a MISP event, attribute, object, "
         "reference, sighting or galaxy cluster says that STIX 2.1 has no "
         "property for, kept so the object can be given back to MISP.\","
         "\"schema\":\"A property extension. On attribute carriers: "
         "attribute_type, category, to_ids, distribution (0-5), "
         "sharing_group_id, comment, object_relation, first_seen, "
         "last_seen, disable_correlation, tlp_tag, and value when STIX "
         "spells the value differently; category is left out when it is "
         "the type's default, to_ids when it is true on an indicator or "
         "false elsewhere, distribution when it is 5 (inherit the "
         "event's). On reports: date, threat_level_id, "
         "analysis, published, publish_timestamp, distribution, "
         "sharing_group_id, sharing_group, extends_uuid, orgc, org, "
         "tlp_tag, other_galaxies (galaxies no STIX type fits, as MISP "
         "wrote them). On groupings: meta_category, template_uuid, "
         "template_version, comment, distribution, sharing_group_id, "
         "first_seen, last_seen, tlp_tag. On sightings: sighting_type, "
         "source, org. On galaxy clusters: galaxy and cluster (the MISP "
         "objects less instance-local ids). On relationships: "
         "relationship_type as MISP spelled it. See Accord's "
         "docs/MISP.md.\","
         "\"version\":\"1.0.0\","
         "\"extension_types\":[\"property-extension\"]}";
}

/* Accord's identity, its extension-definitions: once per import. */
static void put_defs(mctx *x) {
  json_t *pol = json_loads(acc_policy_extension_objects(), 0, NULL);
  size_t i;
  json_t *o;
  json_array_foreach(pol, i, o) {
    origin(x, -1, NULL, -1, NULL);
    acc_jw_json(&x->w, o);
    x->n_out++;
  }
  json_decref(pol);
  origin(x, -1, NULL, -1, NULL);
  const char *def = acc_misp_extension_object();
  acc_jw_raw(&x->w, def, strlen(def));
  x->n_out++;
}

acc_rc acc_misp_map_event_x(json_t *ev, const char *file,
                            const acc_misp_import_opts *opts, int with_defs,
                            acc_buf *out, acc_misp_counts *counts,
                            acc_misp_origins *orig, acc_diag *d) {
  mctx x;
  memset(&x, 0, sizeof x);
  x.o = opts;
  x.file = file;
  x.c = counts;
  x.orig = orig;
  acc_buf_init(&x.refs, (size_t)1 << 30);
  acc_buf_init(&x.tmp, (size_t)1 << 28);
  acc_smap_init(&x.written);
  acc_smap_init(&x.carriers);
  acc_rc rc = ACC_OK;
  counts->events++;
  json_t *inner = json_object_get(ev, "Event");
  if (json_is_object(inner))
    ev = inner;
  if (!json_is_object(ev)) {
    emsg(&x, ACC_MISP_ERROR, "not a MISP event (not a JSON object)");
    rc = acc_diag_set(d, ACC_EINVAL, "not a MISP event (not a JSON object)");
    goto fail;
  }
  const char *u = jstr(ev, "uuid");
  if (!u || !acc_misp_uuid_ok(u)) {
    emsg(&x, ACC_MISP_ERROR,
         "the event's 'uuid' is %s; the event is not imported",
         u ? "not a UUID" : "missing");
    rc = acc_diag_set(d, ACC_EINVAL, "event without a valid 'uuid'");
    goto fail;
  }
  acc_misp_uuid_lower(u, x.uuid);
  snprintf(x.report_id, sizeof x.report_id, "report--%s", x.uuid);
  int64_t secs;
  json_t *tsj = json_object_get(ev, "timestamp");
  int64_t date_us = ACC_TIME_NONE;
  const char *date = jstr(ev, "date");
  if (date && (strlen(date) != 10 || acc_misp_iso(date, &date_us))) {
    emsg(&x, ACC_MISP_WARN, "'date' '%.40s' is not YYYY-MM-DD; kept as is",
         date);
    date_us = ACC_TIME_NONE;
  }
  if (!acc_misp_unix(tsj, &secs)) {
    x.ts_us = secs * 1000000;
  } else {
    emsg(&x, ACC_MISP_WARN,
         "'timestamp' is %s; the event's date is used instead",
         tsj ? "not seconds since 1970" : "missing");
    x.ts_us = date_us != ACC_TIME_NONE ? date_us : 0;
  }
  json_t *orgc = json_object_get(ev, "Orgc");
  const char *orgc_uuid = jstr(orgc, "uuid");
  read_tags(&x, json_object_get(ev, "Tag"), &x.tags, -1, NULL, -1, NULL);
  acc_jw_init(&x.w, out, 0);
  acc_jw_arr(&x.w);
  if (with_defs)
    put_defs(&x);
  if (orgc_uuid && acc_misp_uuid_ok(orgc_uuid)) {
    put_org_identity(&x, orgc_uuid, jstr(orgc, "name"), -1, NULL, -1, NULL,
                     x.created_by);
  } else if (orgc) {
    emsg(&x, ACC_MISP_WARN, "'Orgc' has no valid 'uuid'; no creator recorded");
  }
  map_galaxies(&x, json_object_get(ev, "Galaxy"));

  json_t *attrs = json_object_get(ev, "Attribute");
  if (attrs && !json_is_array(attrs) && !json_is_null(attrs))
    emsg(&x, ACC_MISP_ERROR,
         "'Attribute' is not an array; no attribute of it imported");
  size_t i;
  json_t *aj;
  json_array_foreach(attrs, i, aj) {
    if (i >= MAX_ITEMS || x.rc)
      break;
    attr a;
    memset(&a, 0, sizeof a);
    a.j = aj;
    a.oi = -1;
    a.ai = (long)i;
    char carrier[ACC_ID_MAX];
    map_attr(&x, &a, carrier);
  }
  json_t *objs = json_object_get(ev, "Object");
  if (objs && !json_is_array(objs) && !json_is_null(objs))
    emsg(&x, ACC_MISP_ERROR,
         "'Object' is not an array; no object of it imported");
  json_t *oj;
  json_array_foreach(objs, i, oj) {
    if (i >= MAX_ITEMS || x.rc)
      break;
    map_object(&x, oj, (long)i);
  }
  json_array_foreach(objs, i, oj) {
    if (i >= MAX_ITEMS || x.rc)
      break;
    if (json_is_object(oj))
      map_refs(&x, oj, (long)i);
  }
  json_t *er = json_object_get(ev, "EventReport");
  if (json_array_size(er))
    emsg(&x, ACC_MISP_WARN,
         "%zu EventReport(s) (markdown reports) are not mapped",
         json_array_size(er));
  if (json_object_get(ev, "ShadowAttribute") &&
      json_array_size(json_object_get(ev, "ShadowAttribute")))
    emsg(&x, ACC_MISP_WARN, "%zu ShadowAttribute(s) (proposals) are not mapped",
         json_array_size(json_object_get(ev, "ShadowAttribute")));

  /* the report, last: it names everything above */
  acc_jw *w = &x.w;
  int64_t created = x.ts_us;
  if (date_us != ACC_TIME_NONE && date_us < created)
    created = date_us;
  int64_t pub = x.ts_us;
  json_t *pts = json_object_get(ev, "publish_timestamp");
  int64_t psecs = 0;
  if (pts && !acc_misp_unix(pts, &psecs) && psecs > 0)
    pub = psecs * 1000000;
  char pubs[ACC_TIME_BUFSZ];
  fmt_ts(pub, pubs);
  begin_obj(&x, -1, NULL, -1, NULL);
  head(&x, "report", x.report_id, created, x.ts_us, &x.tags, 0);
  const char *info = jstr(ev, "info");
  char dflt[80];
  if (!info || !*info) {
    emsg(&x, ACC_MISP_WARN, "'info' is missing or empty; a name is made up");
    snprintf(dflt, sizeof dflt, "MISP event %s", x.uuid);
    info = dflt;
  }
  acc_jw_kstr(w, "name", info);
  acc_jw_kstr(w, "published", pubs);
  acc_jw_key(w, "report_types");
  acc_jw_arr(w);
  acc_jw_str(w, "threat-report");
  acc_jw_end(w, ']');
  acc_jw_key(w, "object_refs");
  if (x.n_refs && !x.rc) {
    acc_jw_raw(w, "[", 1);
    if (!w->rc)
      w->rc = acc_buf_append(w->b, x.refs.data, x.refs.len);
    if (!w->rc)
      w->rc = acc_buf_putc(w->b, ']');
  } else {
    acc_jw_arr(w);
    acc_jw_str(w, ACC_EXT_MISP);
    acc_jw_end(w, ']');
  }
  ext_begin(&x);
  if (date)
    acc_jw_kstr(w, "date", date);
  long long v;
  if (!acc_misp_intval(json_object_get(ev, "threat_level_id"), &v))
    acc_jw_kint(w, "threat_level_id", v);
  if (!acc_misp_intval(json_object_get(ev, "analysis"), &v))
    acc_jw_kint(w, "analysis", v);
  int published = 0;
  if (!acc_misp_boolval(json_object_get(ev, "published"), &published))
    acc_jw_kbool(w, "published", published);
  if (pts)
    acc_jw_kint(w, "publish_timestamp", psecs);
  if (!acc_misp_intval(json_object_get(ev, "distribution"), &v))
    acc_jw_kint(w, "distribution", v);
  const char *sg = jstr(ev, "sharing_group_id");
  if (sg && strcmp(sg, "0") != 0)
    acc_jw_kstr(w, "sharing_group_id", sg);
  json_t *sgo = json_object_get(ev, "SharingGroup");
  if (json_is_object(sgo) && jstr(sgo, "uuid")) {
    acc_jw_key(w, "sharing_group");
    acc_jw_obj(w);
    acc_jw_kstr(w, "uuid", jstr(sgo, "uuid"));
    if (jstr(sgo, "name"))
      acc_jw_kstr(w, "name", jstr(sgo, "name"));
    acc_jw_end(w, '}');
  }
  const char *eu = jstr(ev, "extends_uuid");
  if (eu && *eu)
    acc_jw_kstr(w, "extends_uuid", eu);
  for (int k = 0; k < 2; k++) {
    json_t *og = json_object_get(ev, k ? "Org" : "Orgc");
    if (!json_is_object(og) || !jstr(og, "uuid"))
      continue;
    acc_jw_key(w, k ? "org" : "orgc");
    acc_jw_obj(w);
    acc_jw_kstr(w, "uuid", jstr(og, "uuid"));
    if (jstr(og, "name"))
      acc_jw_kstr(w, "name", jstr(og, "name"));
    acc_jw_end(w, '}');
  }
  if (x.tags.tlp_tag)
    acc_jw_kstr(w, "tlp_tag", x.tags.tlp_tag);
  if (x.other_gal) {
    static const char *const skip[] = {"id", NULL};
    size_t gi;
    json_t *g;
    acc_jw_key(w, "other_galaxies");
    acc_jw_arr(w);
    json_array_foreach(x.other_gal, gi, g) write_without(w, g, skip);
    acc_jw_end(w, ']');
  }
  ext_end(&x);
  end_obj(&x);
  acc_jw_end(&x.w, ']');
  if (!x.rc)
    x.rc = x.w.rc;
  rc = x.rc;
  if (rc)
    acc_diag_set(d, rc, "event %s: %s while mapping", x.uuid, acc_strerror(rc));
  goto out;
fail:
  counts->events_failed++;
out:
  acc_buf_free(&x.refs);
  acc_buf_free(&x.tmp);
  json_decref(x.other_gal);
  acc_smap_free(&x.written, NULL);
  acc_smap_free(&x.carriers, free_str);
  return rc;
}

acc_rc acc_misp_map_event(json_t *event, const char *file,
                          const acc_misp_import_opts *opts, acc_buf *out,
                          acc_misp_counts *counts, acc_diag *d) {
  return acc_misp_map_event_x(event, file, opts, 1, out, counts, NULL, d);
}
