/*
 * export.c — stored STIX back to MISP events.  Everything is read through
 * acc_guard_scan as the reader given (the sharing policy decides, every
 * release is audited).  Each report becomes an event: its object_refs give
 * the attributes (indicators, observed-data and their SCOs, notes, SDOs,
 * x-misp-attribute objects), the MISP objects (groupings, with the
 * relationships from them as object references), the sightings and the
 * galaxy clusters.  Accord's MISP extension, where present, gives back
 * what STIX has no property for; otherwise the MISP type is inferred from
 * the pattern or the SCOs.  Selected objects that no selected report
 * holds are gathered in one more event.
 *
 * Reports are completed while the scan runs (a MISP import stores a
 * report after everything it names), and the attributes they consumed are
 * let go, so memory stays near one event's worth; reports that name
 * something not seen yet wait until the end, when what is missing is
 * fetched by id — through the guard too.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "misp/misp_int.h"
#include "policy/policy.h"
#include "util/time.h"

#define FETCH_ROUNDS 4
#define MAX_TERMS 16
#define FETCH_BY_ID 2000

/* One stored object known to the export. */
typedef struct xobj {
  char *raw; /* NULL once let go */
  size_t len;
  int selected; /* matched the query (else fetched as a reference) */
  int consumed; /* written into some event */
  size_t order; /* position in sel[] when selected */
} xobj;

typedef struct xctx {
  acc_store *s;
  const acc_reader *rd;
  const acc_query *q;
  const acc_misp_export_opts *o;
  acc_misp_export_counts *c;
  acc_diag *d;
  acc_smap objs;  /* id -> xobj */
  acc_smap tried; /* ids fetched once already (found or not) */
  /* tables reused from one event to the next (cleared, not freed: large
   * frees and callocs per event cost more than the work) */
  acc_smap s_js, s_member, s_rels, s_sights, s_seen;
  struct xpipe *pipe; /* the event-building threads, while the scan runs */
  struct xjob *capture; /* a worker's copy: emit hands the event to the job */
  acc_rc out_rc;      /* first error writing events (the builder's own, so the
                         scanning thread's rc is never shared) */
  char **pending;     /* report ids waiting for references */
  size_t n_pending, cap_pending;
  xobj **sel; /* selected objects in scan order (NULL when let go) */
  char **sel_id;
  size_t n_sel, cap_sel;
  /* output */
  acc_buf ev;    /* one event's JSON */
  acc_buf first; /* the first event, until a second decides the framing */
  size_t n_events;
  FILE *hashes;
  json_t *manifest;
  acc_buf hash_lines;
  acc_rc rc;
} xctx;

/* What one event is built from: the objects it names, parsed. */
typedef struct evctx {
  xctx *x;
  acc_smap js;     /* id -> json_t (owned) */
  acc_smap member; /* carrier id -> grouping id */
  acc_smap rels;   /* source id -> json array of relationships */
  acc_smap sights; /* target id -> json array of sightings */
  acc_tlp tlp;     /* the event's TLP */
  const char *uuid;
  int64_t ts;
} evctx;

static void xmsg(xctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void xmsg(xctx *x, const char *fmt, ...) {
  if (!x->o->on_message)
    return;
  char text[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  x->o->on_message(x->o->ctx, text);
}

static void free_xobj(void *p) {
  xobj *o = p;
  if (o)
    free(o->raw);
  free(o);
}

static void free_json(void *p) {
  json_decref(p);
}

static const char *jstr(const json_t *o, const char *k) {
  json_t *v = json_object_get(o, k);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *misp_ext(const json_t *o) {
  return json_object_get(json_object_get(o, "extensions"), ACC_EXT_MISP);
}

/* The type part of an id ("indicator" of "indicator--..."), into out. */
static void id_type(const char *id, char out[64]) {
  const char *sep = strstr(id, "--");
  size_t n = sep ? (size_t)(sep - id) : 0;
  if (n >= 64)
    n = 63;
  memcpy(out, id, n);
  out[n] = '\0';
}

/* s, or "" for NULL. */
static const char *nz(const char *s) {
  return s ? s : "";
}

static const char *id_uuid(const char *id) {
  const char *sep = id ? strstr(id, "--") : NULL;
  return sep ? sep + 2 : "";
}

static int is_galaxy_type(const char *t) {
  return !strcmp(t, "threat-actor") || !strcmp(t, "intrusion-set") ||
         !strcmp(t, "malware") || !strcmp(t, "tool") ||
         !strcmp(t, "attack-pattern") || !strcmp(t, "course-of-action");
}

/* Objects other events may name too: kept after use. */
static int is_shared(const char *type) {
  return acc_stix_type_kind(type) == ACC_KIND_SCO || is_galaxy_type(type) ||
         !strcmp(type, "identity") || !strcmp(type, "marking-definition") ||
         !strcmp(type, "extension-definition") || !strcmp(type, "campaign") ||
         !strcmp(type, "vulnerability");
}

/* ---- collecting --------------------------------------------------------- */

static acc_rc keep(xctx *x, const acc_record *r, int selected, xobj **out) {
  void **slot = acc_smap_get(&x->objs, r->id);
  if (slot && *slot) {
    xobj *o = *slot;
    *out = o;
    if (!o->raw && !o->consumed) {
      if (!(o->raw = malloc(r->raw_len + 1)))
        return ACC_ENOMEM;
      memcpy(o->raw, r->raw, r->raw_len);
      o->raw[r->raw_len] = '\0';
      o->len = r->raw_len;
    }
    return ACC_OK;
  }
  xobj *o = calloc(1, sizeof *o);
  if (!o || !(o->raw = malloc(r->raw_len + 1))) {
    free(o);
    return ACC_ENOMEM;
  }
  memcpy(o->raw, r->raw, r->raw_len);
  o->raw[r->raw_len] = '\0';
  o->len = r->raw_len;
  o->selected = selected;
  acc_rc rc = acc_smap_put(&x->objs, r->id, o, NULL);
  if (rc) {
    free_xobj(o);
    return rc;
  }
  if (selected) {
    if (x->n_sel == x->cap_sel) {
      size_t nc = x->cap_sel ? x->cap_sel * 2 : 1024;
      xobj **ns = realloc(x->sel, nc * sizeof *ns);
      if (!ns)
        return ACC_ENOMEM;
      x->sel = ns;
      char **ni = realloc(x->sel_id, nc * sizeof *ni);
      if (!ni)
        return ACC_ENOMEM;
      x->sel_id = ni;
      x->cap_sel = nc;
    }
    o->order = x->n_sel;
    x->sel[x->n_sel] = o;
    if (!(x->sel_id[x->n_sel] = strdup(r->id)))
      return ACC_ENOMEM;
    x->n_sel++;
  }
  *out = o;
  return ACC_OK;
}

static json_t *parse(const xobj *o) {
  return o && o->raw ? json_loadb(o->raw, o->len, 0, NULL) : NULL;
}

/* Every id an object names that the event needs. */
static void refs_of(const json_t *o, void (*fn)(void *, const char *),
                    void *ctx) {
  static const char *const one[] = {
      "source_ref", "target_ref", "sighting_of_ref", "created_by_ref",
      "dst_ref",    "src_ref",    "content_ref",     NULL};
  static const char *const many[] = {"object_refs", "where_sighted_refs",
                                     "resolves_to_refs", NULL};
  for (size_t i = 0; one[i]; i++) {
    const char *s = jstr(o, one[i]);
    if (s)
      fn(ctx, s);
  }
  for (size_t i = 0; many[i]; i++) {
    json_t *a = json_object_get(o, many[i]);
    size_t k;
    json_t *v;
    json_array_foreach(a, k, v) if (json_is_string(v))
        fn(ctx, json_string_value(v));
  }
}

/* ---- the closure of a report -------------------------------------------- */

typedef struct closure {
  xctx *x;
  evctx *e;       /* when building: parse into e->js */
  acc_smap *snap; /* a worker's copy to read from instead of x->objs */
  acc_smap seen;  /* ids visited */
  char **missing;
  size_t n_missing, cap_missing;
  char **queue;
  size_t n_queue, cap_queue;
  acc_rc rc;
} closure;

static void push(char ***v, size_t *n, size_t *cap, const char *s, acc_rc *rc) {
  if (*rc)
    return;
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 64;
    char **nv = realloc(*v, nc * sizeof *nv);
    if (!nv) {
      *rc = ACC_ENOMEM;
      return;
    }
    *v = nv;
    *cap = nc;
  }
  if (!((*v)[*n] = strdup(s))) {
    *rc = ACC_ENOMEM;
    return;
  }
  (*n)++;
}

static void visit(void *ctx, const char *id) {
  closure *cl = ctx;
  int existed = 0;
  if (cl->rc || (cl->rc = acc_smap_put(&cl->seen, id, NULL, &existed)) ||
      existed)
    return;
  push(&cl->queue, &cl->n_queue, &cl->cap_queue, id, &cl->rc);
}

static void free_strs(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

/* Walk from root; with cl->e set, parse everything reached into e->js.
 * Ids not known (or let go) go to cl->missing. */
static void walk(closure *cl, const char *root, json_t *root_json) {
  visit(cl, root);
  for (size_t i = 0; i < cl->n_queue && !cl->rc; i++) {
    const char *id = cl->queue[i];
    char t[64];
    id_type(id, t);
    /* a report names other reports and events' identities: not followed */
    if (i > 0 && (!strcmp(t, "report") || !strcmp(t, "marking-definition") ||
                  !strcmp(t, "extension-definition")))
      continue;
    void **slot = acc_smap_get(cl->snap ? cl->snap : &cl->x->objs, id);
    xobj *o = slot ? *slot : NULL;
    if (!o || !o->raw) {
      if (i > 0 && strcmp(t, "identity") != 0)
        push(&cl->missing, &cl->n_missing, &cl->cap_missing, id, &cl->rc);
      continue;
    }
    json_t *j = i == 0 && root_json ? json_incref(root_json) : parse(o);
    if (!j)
      continue;
    refs_of(j, visit, cl);
    if (cl->e)
      cl->rc = acc_smap_put(&cl->e->js, id, j, NULL);
    else
      json_decref(j);
  }
}

static void closure_free(closure *cl) {
  acc_smap_free(&cl->seen, NULL);
  free_strs(cl->missing, cl->n_missing);
  free_strs(cl->queue, cl->n_queue);
}

/* ---- MISP values from STIX --------------------------------------------- */

typedef struct term {
  char path[160];
  const char *value; /* borrowed from a json_t, or from numbuf */
  char numbuf[32];
  int used;
} term;

typedef struct terms {
  term t[MAX_TERMS];
  size_t n;
  const char *data; /* payload_bin of an artifact, for attachments */
} terms;

static void add_term(terms *ts, const char *path, const char *value) {
  if (ts->n == MAX_TERMS || !value)
    return;
  term *t = &ts->t[ts->n++];
  memset(t, 0, sizeof *t);
  snprintf(t->path, sizeof t->path, "%s", path);
  t->value = value;
}

static void add_int_term(terms *ts, const char *path, json_t *v) {
  if (ts->n == MAX_TERMS || !json_is_integer(v))
    return;
  term *t = &ts->t[ts->n++];
  memset(t, 0, sizeof *t);
  snprintf(t->path, sizeof t->path, "%s", path);
  snprintf(t->numbuf, sizeof t->numbuf, "%lld",
           (long long)json_integer_value(v));
  t->value = t->numbuf;
}

static json_t *lookup(evctx *e, const char *id) {
  void **v = id ? acc_smap_get(&e->js, id) : NULL;
  return v ? *v : NULL;
}

static const char *ref_value(evctx *e, const char *id) {
  return jstr(lookup(e, id), "value");
}

/* Whether an SCO is named by another SCO of the same set (then it is
 * part of that one's value). */
static int named_by_other(evctx *e, json_t *refs, const char *id) {
  size_t i;
  json_t *v;
  json_array_foreach(refs, i, v) {
    json_t *o = lookup(e, json_string_value(v));
    if (!o)
      continue;
    const char *r;
    if ((r = jstr(o, "dst_ref")) && !strcmp(r, id))
      return 1;
    if ((r = jstr(o, "src_ref")) && !strcmp(r, id))
      return 1;
    if ((r = jstr(o, "content_ref")) && !strcmp(r, id))
      return 1;
    json_t *rt = json_object_get(o, "resolves_to_refs");
    if (json_is_array(rt) && json_array_size(rt) &&
        !strcmp(nz(json_string_value(json_array_get(rt, 0))), id))
      return 1;
  }
  return 0;
}

/* The comparison terms an SCO stands for. */
static void sco_terms(evctx *e, json_t *o, terms *ts) {
  const char *t = jstr(o, "type");
  if (!t)
    return;
  char p[160];
  const char *k;
  json_t *v;
  if (!strcmp(t, "file") || !strcmp(t, "x509-certificate")) {
    if (!strcmp(t, "file"))
      add_term(ts, "file:name", jstr(o, "name"));
    json_object_foreach(json_object_get(o, "hashes"), k, v) {
      snprintf(p, sizeof p, "%s:hashes.'%s'", t, k);
      add_term(ts, p, json_string_value(v));
    }
    json_t *art = lookup(e, jstr(o, "content_ref"));
    if (art)
      ts->data = jstr(art, "payload_bin");
  } else if (!strcmp(t, "ipv4-addr") || !strcmp(t, "ipv6-addr") ||
             !strcmp(t, "email-addr") || !strcmp(t, "url") ||
             !strcmp(t, "mac-addr")) {
    snprintf(p, sizeof p, "%s:value", t);
    add_term(ts, p, jstr(o, "value"));
  } else if (!strcmp(t, "domain-name")) {
    add_term(ts, "domain-name:value", jstr(o, "value"));
    json_t *rt = json_object_get(o, "resolves_to_refs");
    if (json_array_size(rt))
      add_term(ts, "domain-name:resolves_to_refs[*].value",
               ref_value(e, json_string_value(json_array_get(rt, 0))));
  } else if (!strcmp(t, "network-traffic")) {
    for (int dst = 0; dst < 2; dst++) {
      const char *dir = dst ? "dst" : "src";
      char kr[16], kp[16];
      snprintf(kr, sizeof kr, "%s_ref", dir);
      snprintf(kp, sizeof kp, "%s_port", dir);
      const char *r = jstr(o, kr);
      if (r) {
        snprintf(p, sizeof p, "network-traffic:%s.value", kr);
        add_term(ts, p, ref_value(e, r));
      }
      snprintf(p, sizeof p, "network-traffic:%s", kp);
      add_int_term(ts, p, json_object_get(o, kp));
    }
  } else if (!strcmp(t, "email-message")) {
    add_term(ts, "email-message:subject", jstr(o, "subject"));
    add_term(ts, "email-message:body", jstr(o, "body"));
    add_term(ts, "email-message:message_id", jstr(o, "message_id"));
  } else if (!strcmp(t, "autonomous-system")) {
    add_int_term(ts, "autonomous-system:number", json_object_get(o, "number"));
  } else if (!strcmp(t, "windows-registry-key")) {
    add_term(ts, "windows-registry-key:key", jstr(o, "key"));
    json_t *vals = json_object_get(o, "values");
    if (json_array_size(vals))
      add_term(ts, "windows-registry-key:values[*].data",
               jstr(json_array_get(vals, 0), "data"));
  } else if (!strcmp(t, "mutex")) {
    add_term(ts, "mutex:name", jstr(o, "name"));
  } else if (!strcmp(t, "user-account")) {
    add_term(ts, "user-account:account_login", jstr(o, "account_login"));
    add_term(ts, "user-account:account_type", jstr(o, "account_type"));
  }
}

static term *find_term(terms *ts, const char *path, int any) {
  for (size_t i = 0; i < ts->n; i++)
    if ((any || !ts->t[i].used) && !strcmp(ts->t[i].path, path))
      return &ts->t[i];
  return NULL;
}

/* The value of MISP type t from the terms (marking them used); 0 when the
 * terms carry t's paths.  With any, used terms count too. */
static int value_for(const acc_misp_type *t, terms *ts, int any, acc_buf *out) {
  char pa[160], pb[160];
  term *a = NULL, *b = NULL;
  for (int v6 = 0; v6 < 2 && !a; v6++) {
    if (!acc_misp_paths(t, v6, pa, pb))
      return -1;
    a = find_term(ts, pa, any);
    if (t->fam != MF_IP)
      break;
  }
  if (!a)
    return -1;
  if (pb[0] && !(b = find_term(ts, pb, any)))
    return -1;
  const char *fx = acc_misp_fixed_path(t);
  term *f = NULL;
  if (fx[0]) {
    f = find_term(ts, fx, 1);
    if (!f || strcmp(f->value, t->arg) != 0)
      return -1;
  }
  acc_buf_reset(out);
  if (acc_buf_puts(out, a->value) ||
      (b && (acc_buf_putc(out, '|') || acc_buf_puts(out, b->value))))
    return -1;
  a->used = 1;
  if (b)
    b->used = 1;
  if (f)
    f->used = 1;
  return 0;
}

/* Types tried, in this order, when no extension says which. */
static const char *const infer_order[] = {"filename|md5",
                                          "filename|sha1",
                                          "filename|sha256",
                                          "filename|sha512",
                                          "filename|sha224",
                                          "filename|sha384",
                                          "filename|sha3-256",
                                          "filename|sha3-512",
                                          "filename|ssdeep",
                                          "filename|tlsh",
                                          "filename|imphash",
                                          "ip-dst|port",
                                          "ip-src|port",
                                          "domain|ip",
                                          "regkey|value",
                                          "github-username",
                                          "twitter-id",
                                          "jabber-id",
                                          "md5",
                                          "sha1",
                                          "sha256",
                                          "sha512",
                                          "sha224",
                                          "sha384",
                                          "sha512/224",
                                          "sha512/256",
                                          "sha3-224",
                                          "sha3-256",
                                          "sha3-384",
                                          "sha3-512",
                                          "ssdeep",
                                          "tlsh",
                                          "imphash",
                                          "authentihash",
                                          "vhash",
                                          "pehash",
                                          "impfuzzy",
                                          "telfhash",
                                          "cdhash",
                                          "filename",
                                          "ip-dst",
                                          "domain",
                                          "email",
                                          "email-subject",
                                          "email-body",
                                          "email-message-id",
                                          "url",
                                          "AS",
                                          "mac-address",
                                          "regkey",
                                          "mutex",
                                          "x509-fingerprint-md5",
                                          "x509-fingerprint-sha1",
                                          "x509-fingerprint-sha256",
                                          "user-agent",
                                          NULL};

/* Does s look like an IP address (v4 or v6)? */
static int ip_like(const char *s) {
  if (strchr(s, ':'))
    return 1;
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || *s == '.' || *s == '/'))
      return 0;
  return 1;
}

/* ---- writing attributes --------------------------------------------- */

static void md5_line(xctx *x, const char *v, size_t n, const char *uuid) {
  if (!x->hashes)
    return;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int ml = 0;
  if (!EVP_Digest(v, n, md, &ml, EVP_md5(), NULL))
    return;
  char hex[33];
  for (unsigned i = 0; i < 16; i++)
    snprintf(hex + 2 * i, 3, "%02x", md[i]);
  if (!x->out_rc)
    x->out_rc = acc_buf_printf(&x->hash_lines, "%s,%s\n", hex, uuid);
}

/* hashes.csv: the MD5 of the value and of each part of a two-part one. */
static void hash_value(xctx *x, const char *type, const char *v,
                       const char *uuid) {
  md5_line(x, v, strlen(v), uuid);
  if (!strchr(type, '|'))
    return;
  const char *bar = strchr(v, '|');
  if (bar) {
    md5_line(x, v, (size_t)(bar - v), uuid);
    md5_line(x, bar + 1, strlen(bar + 1), uuid);
  }
}

static const char *tlp_tag_for(acc_tlp lv, const char *kept) {
  static const char *const canon[] = {"tlp:clear", "tlp:green", "tlp:amber",
                                      "tlp:amber+strict", "tlp:red"};
  acc_tlp kl;
  if (kept && acc_tlp_parse(kept, &kl) == ACC_OK && kl == lv)
    return kept;
  return lv >= ACC_TLP_CLEAR && lv <= ACC_TLP_RED ? canon[lv] : NULL;
}

static acc_tlp tlp_of(const json_t *o) {
  acc_tlp best = ACC_TLP_NONE;
  size_t i;
  json_t *m;
  json_array_foreach(json_object_get(o, "object_marking_refs"), i, m) {
    acc_tlp t = acc_tlp_of_marking(json_string_value(m));
    if (t > best)
      best = t;
  }
  return best;
}

/* Tag: the labels, and a TLP tag when the object's level differs from
 * the event's (or it had its own TLP tag in MISP). */
static void write_tags(acc_jw *w, const json_t *o, acc_tlp event_tlp,
                       int is_event, json_t *extra) {
  json_t *ext = misp_ext(o);
  const char *kept = jstr(ext, "tlp_tag");
  acc_tlp lv = tlp_of(o);
  const char *tlp = NULL;
  if (lv != ACC_TLP_NONE && (is_event || kept || lv != event_tlp))
    tlp = tlp_tag_for(lv, kept);
  json_t *labels = json_object_get(o, "labels");
  if (!tlp && !json_array_size(labels) && !json_array_size(extra))
    return;
  acc_jw_key(w, "Tag");
  acc_jw_arr(w);
  size_t i;
  json_t *l;
  if (tlp) {
    acc_jw_obj(w);
    acc_jw_kstr(w, "name", tlp);
    acc_jw_end(w, '}');
  }
  json_array_foreach(labels, i, l) if (json_is_string(l)) {
    acc_jw_obj(w);
    acc_jw_kstr(w, "name", json_string_value(l));
    acc_jw_end(w, '}');
  }
  json_array_foreach(extra, i, l) {
    acc_jw_obj(w);
    acc_jw_kstr(w, "name", json_string_value(l));
    acc_jw_end(w, '}');
  }
  acc_jw_end(w, ']');
}

static int64_t secs_of(const json_t *o, const char *k, int64_t dflt) {
  const char *s = jstr(o, k);
  int64_t us;
  if (s && acc_time_parse(s, strlen(s), 0, &us) == ACC_OK)
    return us / 1000000;
  return dflt;
}

static void write_sightings(evctx *e, acc_jw *w, const char *carrier) {
  void **v = acc_smap_get(&e->sights, carrier);
  if (!v)
    return;
  acc_jw_key(w, "Sighting");
  acc_jw_arr(w);
  size_t i;
  json_t *s;
  json_array_foreach((json_t *)*v, i, s) {
    json_t *ext = misp_ext(s);
    acc_jw_obj(w);
    acc_jw_kstr(w, "uuid", id_uuid(jstr(s, "id")));
    char num[32];
    snprintf(num, sizeof num, "%lld",
             (long long)secs_of(s, "first_seen", secs_of(s, "created", 0)));
    acc_jw_kstr(w, "date_sighting", num);
    long long ty = 0;
    acc_misp_intval(json_object_get(ext, "sighting_type"), &ty);
    snprintf(num, sizeof num, "%lld", ty);
    acc_jw_kstr(w, "type", num);
    const char *src = jstr(ext, "source");
    if (src)
      acc_jw_kstr(w, "source", src);
    json_t *org = json_object_get(ext, "org");
    json_t *wr = json_array_get(json_object_get(s, "where_sighted_refs"), 0);
    if (json_is_object(org) || json_is_string(wr)) {
      acc_jw_key(w, "Organisation");
      acc_jw_obj(w);
      const char *ou = jstr(org, "uuid");
      acc_jw_kstr(w, "uuid", ou ? ou : id_uuid(json_string_value(wr)));
      const char *on = jstr(org, "name");
      if (!on)
        on = jstr(lookup(e, json_string_value(wr)), "name");
      if (on)
        acc_jw_kstr(w, "name", on);
      acc_jw_end(w, '}');
    }
    acc_jw_end(w, '}');
    e->x->c->sightings++;
  }
  acc_jw_end(w, ']');
}

/* One attribute. */
static void put_attr(evctx *e, acc_jw *w, const json_t *o, const char *uuid,
                     const char *type, const char *value, const char *data,
                     int in_object, int first_of_carrier) {
  xctx *x = e->x;
  json_t *ext = misp_ext(o);
  const acc_misp_type *t = acc_misp_type_find(type);
  const char *cat = jstr(ext, "category");
  if (!cat)
    cat = t ? acc_misp_categories[t->default_category] : "Other";
  int to_ids;
  json_t *ti = json_object_get(ext, "to_ids");
  if (json_is_boolean(ti))
    to_ids = json_is_true(ti);
  else
    to_ids = !strcmp(nz(jstr(o, "type")), "indicator");
  const char *ev = jstr(ext, "value");
  if (ev && first_of_carrier)
    value = ev;
  acc_jw_obj(w);
  acc_jw_kstr(w, "uuid", uuid);
  acc_jw_kstr(w, "type", type);
  acc_jw_kstr(w, "category", cat);
  acc_jw_kbool(w, "to_ids", to_ids);
  acc_jw_kstr(w, "value", value);
  const char *cm = jstr(ext, "comment");
  if (!cm)
    cm = jstr(o, "description");
  acc_jw_kstr(w, "comment", cm ? cm : "");
  char num[32];
  snprintf(num, sizeof num, "%lld",
           (long long)secs_of(o, "modified", secs_of(o, "created", e->ts)));
  acc_jw_kstr(w, "timestamp", num);
  long long dist = 5;
  acc_misp_intval(json_object_get(ext, "distribution"), &dist);
  snprintf(num, sizeof num, "%lld", dist);
  acc_jw_kstr(w, "distribution", num);
  const char *sg = jstr(ext, "sharing_group_id");
  acc_jw_kstr(w, "sharing_group_id", sg ? sg : "0");
  acc_jw_kbool(w, "deleted", json_is_true(json_object_get(o, "revoked")));
  acc_jw_kbool(w, "disable_correlation",
               json_is_true(json_object_get(ext, "disable_correlation")));
  const char *rel = jstr(ext, "object_relation");
  if (in_object)
    acc_jw_kstr(w, "object_relation", rel ? rel : type);
  const char *fs = jstr(ext, "first_seen"), *ls = jstr(ext, "last_seen");
  if (fs)
    acc_jw_kstr(w, "first_seen", fs);
  if (ls)
    acc_jw_kstr(w, "last_seen", ls);
  if (data)
    acc_jw_kstr(w, "data", data);
  write_tags(w, o, e->tlp, 0, NULL);
  if (first_of_carrier)
    write_sightings(e, w, jstr(o, "id"));
  acc_jw_end(w, '}');
  hash_value(x, type, value, e->uuid);
  x->c->attributes++;
  if (in_object)
    x->c->in_objects++;
}

/* The attributes a carrier stands for; returns how many were written. */
static size_t put_carrier(evctx *e, acc_jw *w, const json_t *o, int in_object) {
  xctx *x = e->x;
  const char *id = jstr(o, "id"), *st = jstr(o, "type");
  json_t *ext = misp_ext(o);
  const char *etype = jstr(ext, "attribute_type");
  const acc_misp_type *et = acc_misp_type_find(etype);
  char uuid[37];
  snprintf(uuid, sizeof uuid, "%s", id_uuid(id));
  acc_buf val;
  acc_buf_init(&val, (size_t)1 << 30);
  terms ts;
  memset(&ts, 0, sizeof ts);
  size_t n = 0;
  acc_pat pat = {.n = 0};
  int have_pat = 0;
  if (!strcmp(st, "indicator")) {
    const char *pt = jstr(o, "pattern_type"), *p = jstr(o, "pattern");
    if (!p)
      goto out;
    if (pt && strcmp(pt, "stix") != 0) {
      const char *mt = et && et->fam == MF_RULE  ? etype
                       : !strcmp(pt, "yara")     ? "yara"
                       : !strcmp(pt, "sigma")    ? "sigma"
                       : !strcmp(pt, "snort")    ? "snort"
                       : !strcmp(pt, "suricata") ? "suricata"
                       : !strcmp(pt, "zeek")     ? "zeek"
                                                 : "other";
      put_attr(e, w, o, uuid, mt, p, NULL, in_object, 1);
      n = 1;
      goto out;
    }
    if (et && et->fam == MF_RULE) {
      put_attr(e, w, o, uuid, etype, p, NULL, in_object, 1);
      n = 1;
      goto out;
    }
    if (acc_pat_parse(p, &pat) == ACC_OK) {
      have_pat = 1;
      for (size_t i = 0; i < pat.n; i++) {
        if (pat.t[i].is_int) {
          term *tm = &ts.t[ts.n];
          add_term(&ts, pat.t[i].path, "");
          snprintf(tm->numbuf, sizeof tm->numbuf, "%s", pat.t[i].value);
          tm->value = tm->numbuf;
        } else {
          add_term(&ts, pat.t[i].path, pat.t[i].value);
        }
      }
    }
    if (et && !value_for(et, &ts, 1, &val)) {
      put_attr(e, w, o, uuid, etype, acc_buf_cstr(&val), NULL, in_object, 1);
      n = 1;
      goto out;
    }
    for (size_t k = 0; have_pat && infer_order[k]; k++) {
      const acc_misp_type *it = acc_misp_type_find(infer_order[k]);
      if (it && !value_for(it, &ts, 1, &val) && ts.n == pat.n) {
        const char *ty = it->name;
        if (it->fam == MF_IP_PORT && !ip_like(acc_buf_cstr(&val)))
          ty = "hostname|port";
        /* a single-type pattern: all its comparisons used */
        int all = 1;
        for (size_t i = 0; i < ts.n; i++)
          all &= ts.t[i].used;
        if (!all) {
          for (size_t i = 0; i < ts.n; i++)
            ts.t[i].used = 0;
          continue;
        }
        put_attr(e, w, o, uuid, ty, acc_buf_cstr(&val), NULL, in_object, 1);
        n = 1;
        goto out;
      }
    }
    put_attr(e, w, o, uuid, "stix2-pattern", p, NULL, in_object, 1);
    n = 1;
    goto out;
  }
  if (!strcmp(st, "observed-data") || acc_stix_type_kind(st) == ACC_KIND_SCO) {
    json_t *refs = json_object_get(o, "object_refs");
    json_t *single = NULL;
    if (acc_stix_type_kind(st) == ACC_KIND_SCO) {
      single = json_array();
      json_array_append_new(single, json_string(id));
      refs = single;
    }
    size_t i;
    json_t *r;
    json_array_foreach(refs, i, r) {
      const char *rid = json_string_value(r);
      json_t *sco = lookup(e, rid);
      if (!sco && single)
        sco = (json_t *)o;
      if (!sco) {
        x->c->missing++;
        continue;
      }
      if (!named_by_other(e, refs, rid))
        sco_terms(e, sco, &ts);
    }
    json_decref(single);
    if (et && !value_for(et, &ts, 1, &val)) {
      put_attr(e, w, o, uuid, etype, acc_buf_cstr(&val), ts.data, in_object, 1);
      n = 1;
      goto out;
    }
    if (et)
      xmsg(x,
           "%s: its SCOs do not hold a MISP %s value; their types are "
           "inferred",
           id, etype);
    for (size_t k = 0; infer_order[k]; k++) {
      const acc_misp_type *it = acc_misp_type_find(infer_order[k]);
      while (it && !value_for(it, &ts, 0, &val)) {
        const char *ty = it->name;
        if (it->fam == MF_IP_PORT && !ip_like(acc_buf_cstr(&val)))
          ty = "hostname|port";
        char u[37];
        if (n == 0) {
          snprintf(u, sizeof u, "%s", uuid);
        } else {
          char name[ACC_ID_MAX + 16];
          int l = snprintf(name, sizeof name, "%s:%zu", id, n);
          if (acc_misp_uuid5(ACC_MISP_NS, name, (size_t)l, u))
            break;
        }
        put_attr(e, w, o, u, ty, acc_buf_cstr(&val), NULL, in_object, n == 0);
        n++;
      }
    }
    goto out;
  }
  if (!strcmp(st, "note")) {
    const char *content = jstr(o, "content");
    if (content) {
      put_attr(e, w, o, uuid, et ? etype : "text", content, NULL, in_object, 1);
      n = 1;
    }
    goto out;
  }
  if (!strcmp(st, "x-misp-attribute")) {
    const char *v = jstr(o, "value");
    if (v) {
      put_attr(e, w, o, uuid, et ? etype : "other", v, NULL, in_object, 1);
      n = 1;
    }
    goto out;
  }
  /* SDOs named by the value */
  const char *name = jstr(o, "name");
  if (name && et) {
    put_attr(e, w, o, uuid, etype, name, NULL, in_object, 1);
    n = 1;
  } else if (name && !strcmp(st, "vulnerability")) {
    put_attr(e, w, o, uuid, "vulnerability", name, NULL, in_object, 1);
    n = 1;
  } else if (name && !strcmp(st, "campaign")) {
    put_attr(e, w, o, uuid, "campaign-name", name, NULL, in_object, 1);
    n = 1;
  }
out:
  if (have_pat)
    acc_pat_free(&pat);
  acc_buf_free(&val);
  return n;
}

/* Whether an object of this type can stand as an attribute. */
static int is_carrier(const json_t *o) {
  const char *t = jstr(o, "type");
  if (!t)
    return 0;
  if (!strcmp(t, "indicator") || !strcmp(t, "observed-data") ||
      !strcmp(t, "note") || !strcmp(t, "x-misp-attribute") ||
      !strcmp(t, "vulnerability") || !strcmp(t, "campaign"))
    return 1;
  if (jstr(misp_ext(o), "attribute_type"))
    return 1;
  return 0;
}

/* ---- galaxies --------------------------------------------------------- */

static const char *galaxy_of(const char *stype) {
  if (!strcmp(stype, "threat-actor"))
    return "threat-actor";
  if (!strcmp(stype, "intrusion-set"))
    return "mitre-intrusion-set";
  if (!strcmp(stype, "malware"))
    return "mitre-malware";
  if (!strcmp(stype, "tool"))
    return "mitre-tool";
  if (!strcmp(stype, "attack-pattern"))
    return "mitre-attack-pattern";
  return "mitre-course-of-action";
}

/* The galaxy and cluster of a galaxy SDO (new references). */
static void galaxy_parts(const json_t *o, json_t **g, json_t **c) {
  json_t *ext = misp_ext(o);
  json_t *eg = json_object_get(ext, "galaxy"),
         *ec = json_object_get(ext, "cluster");
  if (json_is_object(eg) && json_is_object(ec)) {
    *g = json_deep_copy(eg);
    *c = json_deep_copy(ec);
    return;
  }
  const char *st = jstr(o, "type"), *name = jstr(o, "name");
  const char *gt = galaxy_of(st);
  char gu[37], tag[600];
  acc_misp_uuid5(ACC_MISP_NS, gt, strlen(gt), gu);
  *g = json_pack("{s:s,s:s,s:s}", "uuid", gu, "name", gt, "type", gt);
  snprintf(tag, sizeof tag, "misp-galaxy:%s=\"%s\"", gt, name ? name : "");
  *c = json_pack("{s:s,s:s,s:s,s:s}", "uuid", id_uuid(jstr(o, "id")), "type",
                 gt, "value", name ? name : "", "tag_name", tag);
  const char *desc = jstr(o, "description");
  if (desc && *c)
    json_object_set_new(*c, "description", json_string(desc));
  json_t *meta = json_object();
  json_t *al = json_object_get(o, "aliases");
  if (json_array_size(al))
    json_object_set(meta, "synonyms", al);
  json_t *refs = json_array();
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(o, "external_references"), i, r) {
    if (jstr(r, "url"))
      json_array_append_new(refs, json_string(jstr(r, "url")));
  }
  if (json_array_size(refs))
    json_object_set(meta, "refs", refs);
  json_decref(refs);
  if (*c && json_object_size(meta))
    json_object_set(*c, "meta", meta);
  json_decref(meta);
}

/* ---- one event ---------------------------------------------------------- */

static void str_to(acc_jw *w, const char *k, long long v) {
  char num[32];
  snprintf(num, sizeof num, "%lld", v);
  acc_jw_kstr(w, k, num);
}

static void add_to_list(acc_smap *m, const char *key, json_t *v, acc_rc *rc) {
  if (*rc || !key)
    return;
  void **slot = acc_smap_get(m, key);
  if (slot) {
    json_array_append(*slot, v);
    return;
  }
  json_t *a = json_array();
  json_array_append(a, v);
  if ((*rc = acc_smap_put(m, key, a, NULL)))
    json_decref(a);
}

static void write_org(acc_jw *w, const char *k, const json_t *org,
                      const char *fallback_uuid, const char *fallback_name) {
  const char *u = jstr(org, "uuid"), *n = jstr(org, "name");
  if (!u)
    u = fallback_uuid, n = fallback_name;
  if (!u || !*u)
    return;
  acc_jw_key(w, k);
  acc_jw_obj(w);
  acc_jw_kstr(w, "uuid", u);
  acc_jw_kstr(w, "name", n ? n : "");
  acc_jw_end(w, '}');
}

/* Emit the event buffer: to the feed directory or the output stream. */
static acc_rc capture_event(xctx *x, const char *uuid, json_t *man_entry);

static acc_rc emit(xctx *x, const char *uuid, json_t *man_entry) {
  acc_rc rc = ACC_OK;
  if (x->capture) /* built by a worker: written by the scanning thread */
    return capture_event(x, uuid, man_entry);
  if (x->o->feed_dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.json", x->o->feed_dir, uuid);
    FILE *f = fopen(path, "w");
    if (!f)
      return acc_diag_set(x->d, ACC_EIO, "cannot write %s: %s", path,
                          strerror(errno));
    fwrite(x->ev.data, 1, x->ev.len, f);
    fputc('\n', f);
    if (fclose(f) != 0)
      return acc_diag_set(x->d, ACC_EIO, "writing %s failed", path);
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int hl = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    /* the digest covers the file as written, newline included (libcrypto:
     * the processor's SHA instructions) */
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    int ok = mc && EVP_DigestInit_ex(mc, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(mc, x->ev.data, x->ev.len) &&
             EVP_DigestUpdate(mc, "\n", 1) && EVP_DigestFinal_ex(mc, h, &hl);
    EVP_MD_CTX_free(mc);
    if (!ok)
      return acc_diag_set(x->d, ACC_ENOMEM, "cannot hash %s", path);
    sodium_bin2hex(hex, sizeof hex, h, hl);
    json_object_set_new(man_entry, "integrity:sha256", json_string(hex));
    json_object_set(x->manifest, uuid, man_entry);
    if (x->hashes && x->hash_lines.len &&
        fwrite(x->hash_lines.data, 1, x->hash_lines.len, x->hashes) !=
            x->hash_lines.len)
      rc = acc_diag_set(x->d, ACC_EIO, "writing hashes.csv failed");
    acc_buf_reset(&x->hash_lines);
    return rc;
  }
  FILE *f = x->o->out;
  if (x->n_events == 0) {
    /* hold it: one event is written bare, several as a response */
    acc_buf_reset(&x->first);
    rc = acc_buf_append(&x->first, x->ev.data, x->ev.len);
  } else {
    if (x->n_events == 1) {
      fputs("{\"response\":[\n", f);
      fwrite(x->first.data, 1, x->first.len, f);
    }
    fputs(",\n", f);
    fwrite(x->ev.data, 1, x->ev.len, f);
  }
  if (ferror(f))
    rc = acc_diag_set(x->d, ACC_EIO, "writing the output failed");
  return rc;
}

/* Build and emit the event of report rep (NULL: the event of loose
 * objects, named by carriers[]). */
static acc_rc build_event(xctx *x, evctx *e, const json_t *rep, json_t *loose) {
  acc_jw jw, *w = &jw;
  acc_rc rc = ACC_OK;
  char uuid[37], lu[37];
  json_t *refs = rep ? json_object_get(rep, "object_refs") : loose;
  json_t *ext = rep ? misp_ext(rep) : NULL;
  if (rep) {
    snprintf(uuid, sizeof uuid, "%s", id_uuid(jstr(rep, "id")));
  } else {
    /* the loose event's uuid derives from what it holds */
    acc_buf names;
    acc_buf_init(&names, (size_t)1 << 30);
    size_t i;
    json_t *r;
    json_array_foreach(loose, i, r) {
      acc_buf_puts(&names, json_string_value(r));
      acc_buf_putc(&names, '\n');
    }
    rc = acc_misp_uuid5(ACC_MISP_NS, names.data ? names.data : "", names.len,
                        lu);
    acc_buf_free(&names);
    if (rc)
      return rc;
    snprintf(uuid, sizeof uuid, "%s", lu);
  }
  e->uuid = uuid;
  e->tlp = rep ? tlp_of(rep) : ACC_TLP_NONE;
  int64_t now = acc_time_now_us() / 1000000;
  e->ts = rep ? secs_of(rep, "modified", now) : now;
  /* index groupings, relationships and sightings */
  size_t i;
  json_t *r;
  json_array_foreach(refs, i, r) {
    json_t *o = lookup(e, json_string_value(r));
    const char *t = jstr(o, "type");
    if (!t)
      continue;
    if (!strcmp(t, "grouping")) {
      size_t k;
      json_t *m;
      json_array_foreach(json_object_get(o, "object_refs"), k, m) {
        const char *mid = json_string_value(m);
        if (mid && !acc_smap_get(&e->member, mid))
          rc = acc_smap_put(&e->member, mid, (void *)jstr(o, "id"), NULL);
      }
    } else if (!strcmp(t, "relationship")) {
      add_to_list(&e->rels, jstr(o, "source_ref"), o, &rc);
    } else if (!strcmp(t, "sighting")) {
      add_to_list(&e->sights, jstr(o, "sighting_of_ref"), o, &rc);
    }
  }
  if (rc)
    return rc;
  acc_buf_reset(&x->ev);
  acc_jw_init(w, &x->ev, x->o->pretty);
  acc_jw_obj(w);
  acc_jw_key(w, "Event");
  acc_jw_obj(w);
  acc_jw_kstr(w, "uuid", uuid);
  const char *info = rep ? jstr(rep, "name") : NULL;
  char dflt[80];
  if (!info) {
    snprintf(dflt, sizeof dflt, "Accord export");
    info = dflt;
  }
  acc_jw_kstr(w, "info", info);
  char date[ACC_TIME_BUFSZ];
  const char *d = jstr(ext, "date");
  if (!d) {
    acc_time_format(secs_of(rep, "published", e->ts) * 1000000, date);
    date[10] = '\0';
    d = date;
  }
  acc_jw_kstr(w, "date", d);
  str_to(w, "timestamp", e->ts);
  long long v;
  json_t *pt = json_object_get(ext, "publish_timestamp");
  str_to(w, "publish_timestamp",
         pt && !acc_misp_intval(pt, &v) ? v
         : rep                          ? secs_of(rep, "published", 0)
                                        : 0);
  json_t *pub = json_object_get(ext, "published");
  acc_jw_kbool(w, "published", json_is_boolean(pub) ? json_is_true(pub) : 0);
  str_to(w, "threat_level_id",
         !acc_misp_intval(json_object_get(ext, "threat_level_id"), &v) ? v : 4);
  str_to(w, "analysis",
         !acc_misp_intval(json_object_get(ext, "analysis"), &v) ? v : 0);
  long long dist = e->tlp == ACC_TLP_CLEAR   ? 3
                   : e->tlp == ACC_TLP_GREEN ? 1
                                             : 0;
  if (!acc_misp_intval(json_object_get(ext, "distribution"), &v))
    dist = v;
  str_to(w, "distribution", dist);
  const char *sg = jstr(ext, "sharing_group_id");
  acc_jw_kstr(w, "sharing_group_id", sg ? sg : "0");
  const char *eu = jstr(ext, "extends_uuid");
  if (eu)
    acc_jw_kstr(w, "extends_uuid", eu);
  const char *cb = rep ? jstr(rep, "created_by_ref") : NULL;
  const char *cbn = jstr(lookup(e, cb), "name");
  write_org(w, "Orgc", json_object_get(ext, "orgc"), cb ? id_uuid(cb) : NULL,
            cbn);
  write_org(w, "Org",
            json_object_get(ext, "org") ? json_object_get(ext, "org")
                                        : json_object_get(ext, "orgc"),
            cb ? id_uuid(cb) : NULL, cbn);
  /* galaxy tags not already among the labels */
  json_t *gal_tags = json_array();
  json_t *labels = rep ? json_object_get(rep, "labels") : NULL;
  json_array_foreach(refs, i, r) {
    json_t *o = lookup(e, json_string_value(r));
    const char *t = jstr(o, "type");
    if (!t || !is_galaxy_type(t) || jstr(misp_ext(o), "attribute_type"))
      continue;
    json_t *g, *c;
    galaxy_parts(o, &g, &c);
    const char *tag = jstr(c, "tag_name");
    int have = 0;
    size_t k;
    json_t *l;
    json_array_foreach(labels, k, l) have |=
        tag && json_is_string(l) && !strcmp(json_string_value(l), tag);
    json_array_foreach(gal_tags, k, l) have |=
        tag && !strcmp(json_string_value(l), tag);
    if (tag && !have)
      json_array_append_new(gal_tags, json_string(tag));
    json_decref(g);
    json_decref(c);
  }
  if (rep)
    write_tags(w, rep, e->tlp, 1, gal_tags);
  else if (json_array_size(gal_tags))
    write_tags(w, loose, ACC_TLP_NONE, 1, gal_tags);
  json_decref(gal_tags);
  /* attributes outside objects */
  acc_jw_key(w, "Attribute");
  acc_jw_arr(w);
  json_array_foreach(refs, i, r) {
    const char *rid = json_string_value(r);
    json_t *o = lookup(e, rid);
    if (!o || acc_smap_get(&e->member, rid))
      continue;
    const char *t = jstr(o, "type");
    /* SCOs come with their observed-data; alone only in the loose event */
    if (acc_stix_type_kind(t) == ACC_KIND_SCO && rep)
      continue;
    if (!is_carrier(o) && acc_stix_type_kind(t) != ACC_KIND_SCO)
      continue;
    put_carrier(e, w, o, 0);
  }
  acc_jw_end(w, ']');
  /* objects */
  acc_jw_key(w, "Object");
  acc_jw_arr(w);
  json_array_foreach(refs, i, r) {
    json_t *o = lookup(e, json_string_value(r));
    if (!o || strcmp(nz(jstr(o, "type")), "grouping") != 0)
      continue;
    json_t *gx = misp_ext(o);
    acc_jw_obj(w);
    acc_jw_kstr(w, "uuid", id_uuid(jstr(o, "id")));
    acc_jw_kstr(w, "name", jstr(o, "name") ? jstr(o, "name") : "object");
    const char *mc = jstr(gx, "meta_category");
    acc_jw_kstr(w, "meta-category", mc ? mc : "misc");
    const char *desc = jstr(o, "description");
    acc_jw_kstr(w, "description", desc ? desc : "");
    const char *tu = jstr(gx, "template_uuid"),
               *tv = jstr(gx, "template_version");
    if (tu)
      acc_jw_kstr(w, "template_uuid", tu);
    if (tv)
      acc_jw_kstr(w, "template_version", tv);
    str_to(w, "timestamp", secs_of(o, "modified", e->ts));
    long long od = 5;
    acc_misp_intval(json_object_get(gx, "distribution"), &od);
    str_to(w, "distribution", od);
    const char *osg = jstr(gx, "sharing_group_id");
    acc_jw_kstr(w, "sharing_group_id", osg ? osg : "0");
    const char *cm = jstr(gx, "comment");
    acc_jw_kstr(w, "comment", cm ? cm : "");
    acc_jw_kbool(w, "deleted", json_is_true(json_object_get(o, "revoked")));
    const char *fs = jstr(gx, "first_seen"), *ls = jstr(gx, "last_seen");
    if (fs)
      acc_jw_kstr(w, "first_seen", fs);
    if (ls)
      acc_jw_kstr(w, "last_seen", ls);
    write_tags(w, o, e->tlp, 0, NULL);
    acc_jw_key(w, "Attribute");
    acc_jw_arr(w);
    size_t k;
    json_t *m;
    json_array_foreach(json_object_get(o, "object_refs"), k, m) {
      json_t *a = lookup(e, json_string_value(m));
      if (a && is_carrier(a))
        put_carrier(e, w, a, 1);
    }
    acc_jw_end(w, ']');
    void **rl = acc_smap_get(&e->rels, jstr(o, "id"));
    acc_jw_key(w, "ObjectReference");
    acc_jw_arr(w);
    json_t *rel;
    json_array_foreach(rl ? (json_t *)*rl : NULL, k, rel) {
      const char *tgt = jstr(rel, "target_ref");
      char tt[64];
      id_type(tgt ? tgt : "", tt);
      json_t *rx = misp_ext(rel);
      const char *rtype = jstr(rx, "relationship_type");
      if (!rtype)
        rtype = jstr(rel, "relationship_type");
      acc_jw_obj(w);
      acc_jw_kstr(w, "uuid", id_uuid(jstr(rel, "id")));
      acc_jw_kstr(w, "object_uuid", id_uuid(jstr(o, "id")));
      acc_jw_kstr(w, "referenced_uuid", id_uuid(tgt));
      acc_jw_kstr(w, "referenced_type", !strcmp(tt, "grouping") ? "1" : "0");
      acc_jw_kstr(w, "relationship_type", rtype ? rtype : "related-to");
      str_to(w, "timestamp", secs_of(rel, "modified", e->ts));
      const char *rc2 = jstr(rel, "description");
      acc_jw_kstr(w, "comment", rc2 ? rc2 : "");
      acc_jw_kbool(w, "deleted", json_is_true(json_object_get(rel, "revoked")));
      acc_jw_end(w, '}');
      x->c->references++;
    }
    acc_jw_end(w, ']');
    acc_jw_end(w, '}');
    x->c->objects_misp++;
  }
  acc_jw_end(w, ']');
  /* galaxies, clusters grouped by galaxy */
  json_t *gals = json_array();
  json_array_foreach(refs, i, r) {
    json_t *o = lookup(e, json_string_value(r));
    const char *t = jstr(o, "type");
    if (!t || !is_galaxy_type(t) || jstr(misp_ext(o), "attribute_type"))
      continue;
    json_t *g, *c;
    galaxy_parts(o, &g, &c);
    if (!g || !c) {
      json_decref(g);
      json_decref(c);
      continue;
    }
    json_t *into = NULL;
    size_t k;
    json_t *gg;
    json_array_foreach(gals, k, gg) {
      const char *a = jstr(gg, "uuid"), *b = jstr(g, "uuid");
      if (a && b && !strcmp(a, b))
        into = gg;
    }
    if (!into) {
      into = g;
      json_object_set_new(g, "GalaxyCluster", json_array());
      json_array_append(gals, g);
    }
    json_array_append(json_object_get(into, "GalaxyCluster"), c);
    json_decref(g);
    json_decref(c);
    x->c->galaxies++;
  }
  json_array_foreach(json_object_get(ext, "other_galaxies"), i, r) {
    if (json_is_object(r)) {
      json_array_append(gals, r);
      x->c->galaxies += json_array_size(json_object_get(r, "GalaxyCluster"));
    }
  }
  if (json_array_size(gals)) {
    acc_jw_key(w, "Galaxy");
    acc_jw_json(w, gals);
  }
  json_decref(gals);
  acc_jw_end(w, '}');
  acc_jw_end(w, '}');
  if ((rc = w->rc) || (rc = x->out_rc))
    return rc;
  json_t *man = NULL;
  if (x->o->feed_dir) {
    json_t *orgc = json_object_get(ext, "orgc");
    man = json_pack(
        "{s:s,s:{s:s,s:s},s:s,s:s,s:s,s:s}", "info", info, "Orgc", "uuid",
        jstr(orgc, "uuid") ? jstr(orgc, "uuid")
        : cb               ? id_uuid(cb)
                           : "",
        "name",
        jstr(orgc, "name") ? jstr(orgc, "name")
        : cbn              ? cbn
                           : "",
        "analysis", "0", "timestamp", "0", "date", d, "threat_level_id", "4");
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)e->ts);
    json_object_set_new(man, "timestamp", json_string(num));
    if (!acc_misp_intval(json_object_get(ext, "analysis"), &v)) {
      snprintf(num, sizeof num, "%lld", v);
      json_object_set_new(man, "analysis", json_string(num));
    }
    if (!acc_misp_intval(json_object_get(ext, "threat_level_id"), &v)) {
      snprintf(num, sizeof num, "%lld", v);
      json_object_set_new(man, "threat_level_id", json_string(num));
    }
    json_t *tags = json_array();
    acc_tlp lv = rep ? tlp_of(rep) : ACC_TLP_NONE;
    const char *tt = tlp_tag_for(lv, jstr(ext, "tlp_tag"));
    if (lv != ACC_TLP_NONE && tt)
      json_array_append_new(tags, json_pack("{s:s}", "name", tt));
    json_array_foreach(labels, i, r) if (json_is_string(r))
        json_array_append_new(tags,
                              json_pack("{s:s}", "name", json_string_value(r)));
    json_object_set_new(man, "Tag", tags);
    if (!man)
      return ACC_ENOMEM;
  }
  rc = emit(x, uuid, man);
  json_decref(man);
  if (!rc)
    x->n_events++, x->c->events++;
  return rc;
}

static void evctx_free(evctx *e) {
  acc_smap_free(&e->js, free_json);
  acc_smap_free(&e->member, NULL);
  acc_smap_free(&e->rels, free_json);
  acc_smap_free(&e->sights, free_json);
}

/* Mark what an event used as consumed; let carriers go. */
static void consume(xctx *x, evctx *e) {
  for (size_t i = 0; i < e->js.cap; i++) {
    acc_smap_ent *en = &e->js.e[i];
    if (!en->key || !en->val)
      continue;
    void **slot = acc_smap_get(&x->objs, en->key);
    if (!slot || !*slot)
      continue;
    xobj *o = *slot;
    o->consumed = 1;
    char t[64];
    id_type(en->key, t);
    if (!is_shared(t)) {
      free(o->raw);
      o->raw = NULL;
      if (o->selected && o->order < x->n_sel)
        x->sel[o->order] = NULL;
    }
  }
}

/* Try to build the event of a report now; 1 when it must wait. */
static int on_fetched(void *ctx, const acc_record *r);

/* Fetch one object by id through the guard, now (the store's id index);
 * each id is asked for once. */
static void fetch_one(xctx *x, const char *id) {
  int existed = 0;
  if (x->rc || (x->rc = acc_smap_put(&x->tried, id, NULL, &existed)) || existed)
    return;
  acc_diag gd;
  acc_rc g = acc_guard_get(x->s, x->rd, x->q->collection, id, ACC_TIME_NONE,
                           on_fetched, x, &gd);
  if (g && g != ACC_ENOTFOUND && !x->rc) {
    memcpy(x->d->msg, gd.msg, sizeof gd.msg);
    x->rc = g;
  }
}

/* Whether what a report names is all at hand, fetching the objects other
 * events share (SCOs, identities, galaxy clusters: the latest record of an
 * SCO may come later in the scan, when another event marked it
 * differently) right away.  0: ready; 1: it must wait. */
static int gather(xctx *x, const char *id, int final, json_t **out) {
  void **slot = acc_smap_get(&x->objs, id);
  json_t *rep = slot ? parse(*slot) : NULL;
  *out = rep;
  int wait = 0;
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(rep, "object_refs"), i, r) {
    const char *rid = json_string_value(r);
    if (!rid)
      continue;
    void **os = acc_smap_get(&x->objs, rid);
    if (os && ((xobj *)*os)->raw)
      continue;
    char t[64];
    id_type(rid, t);
    if (!strcmp(t, "report") || !strcmp(t, "marking-definition") ||
        !strcmp(t, "extension-definition"))
      continue;
    if (is_shared(t) || final)
      fetch_one(x, rid);
    else
      wait = 1;
  }
  return wait;
}

static int try_report(xctx *x, const char *id, int final) {
  json_t *rep0;
  if (gather(x, id, final, &rep0)) {
    json_decref(rep0);
    return 1;
  }
  int wait = 0;
  for (int round = 0; round < 2; round++) {
    closure cl = {.x = x};
    evctx e = {.x = x};
    e.js = x->s_js;
    e.member = x->s_member;
    e.rels = x->s_rels;
    e.sights = x->s_sights;
    cl.seen = x->s_seen;
    cl.e = &e;
    walk(&cl, id, round == 0 ? rep0 : NULL);
    /* what the named objects name in turn (SCOs of an observed-data that
     * the report does not list): fetch and walk again, once */
    int again = 0;
    if (!cl.rc && cl.n_missing && round == 0) {
      size_t before = x->tried.n;
      for (size_t i = 0; i < cl.n_missing; i++) {
        char t[64];
        id_type(cl.missing[i], t);
        if (is_shared(t) || final)
          fetch_one(x, cl.missing[i]);
      }
      again = x->tried.n != before;
    }
    if (!again) {
      if (!cl.rc && cl.n_missing && !final) {
        wait = 1;
      } else if (!cl.rc) {
        json_t *rep = lookup(&e, id);
        if (cl.n_missing) {
          x->c->missing += cl.n_missing;
          xmsg(x,
               "%s: %zu object(s) it names are absent or not visible to "
               "the reader (first: %s); the event is written without them",
               id, cl.n_missing, cl.missing[0]);
        }
        if (rep)
          cl.rc = build_event(x, &e, rep, NULL);
        if (!cl.rc)
          consume(x, &e);
      }
    }
    if (cl.rc && !x->rc)
      x->rc = cl.rc;
    /* hand the tables back, emptied */
    acc_smap_clear(&cl.seen, NULL);
    x->s_seen = cl.seen;
    cl.seen = (acc_smap){0};
    closure_free(&cl);
    acc_smap_clear(&e.js, free_json);
    acc_smap_clear(&e.member, NULL);
    acc_smap_clear(&e.rels, free_json);
    acc_smap_clear(&e.sights, free_json);
    x->s_js = e.js;
    x->s_member = e.member;
    x->s_rels = e.rels;
    x->s_sights = e.sights;
    if (!again)
      break;
  }
  json_decref(rep0);
  return wait;
}

/* ---- building events on worker threads while the scan goes on -------- */

#define XPIPE_DEPTH 4
#define XWORKERS 2

/* One report and copies of what it names, for a worker; back with the
 * event built (written here, in the order the reports came, so the output
 * does not depend on which worker was faster), its counts, messages and
 * what it used — or incomplete (then it is done here, at the end). */
typedef struct xjob {
  uint64_t seq;
  char *report;
  acc_smap snap; /* id -> xobj (copies) */
  int incomplete;
  char **used;
  size_t n_used, cap_used;
  struct xjob *next;
  int end;
  /* what the worker built */
  int has_event;
  char uuid[37];
  acc_buf ev, hash_lines;
  json_t *man;
  acc_misp_export_counts c;
  char **msgs;
  size_t n_msgs, cap_msgs;
  acc_rc rc;
  acc_diag d;
} xjob;

/* A worker's tables, reused from one event to the next. */
typedef struct xwork {
  struct xpipe *p;
  xctx *x;
  pthread_t th;
  int started;
  acc_smap s_js, s_member, s_rels, s_sights, s_seen;
} xwork;

typedef struct xpipe {
  pthread_mutex_t mu;
  pthread_cond_t cv_in, cv_space;
  xjob *in[XPIPE_DEPTH];
  size_t in_head, in_n;
  uint64_t next_in;       /* seq of the next job submitted */
  uint64_t next_out;      /* seq of the next job to take back */
  xjob *done;             /* finished jobs, by seq */
  acc_rc rc;              /* the workers' first error */
  xwork w[XWORKERS];
  size_t n_workers;
  xjob *ends[XWORKERS]; /* the end marks, allocated before any thread */
} xpipe;

static void xjob_free(xjob *j) {
  if (!j)
    return;
  free(j->report);
  acc_smap_free(&j->snap, free_xobj);
  free_strs(j->used, j->n_used);
  acc_buf_free(&j->ev);
  acc_buf_free(&j->hash_lines);
  json_decref(j->man);
  free_strs(j->msgs, j->n_msgs);
  free(j);
}

static acc_rc capture_event(xctx *x, const char *uuid, json_t *man_entry) {
  xjob *j = x->capture;
  acc_buf t = j->ev;
  j->ev = x->ev;
  x->ev = t;
  acc_buf_reset(&x->ev);
  t = j->hash_lines;
  j->hash_lines = x->hash_lines;
  x->hash_lines = t;
  acc_buf_reset(&x->hash_lines);
  snprintf(j->uuid, sizeof j->uuid, "%s", uuid);
  j->man = man_entry ? json_incref(man_entry) : NULL;
  j->has_event = 1;
  return ACC_OK;
}

/* A worker's messages wait in its job, to keep their order. */
static void job_msg(void *ctx, const char *msg) {
  xjob *j = ctx;
  acc_rc rc = ACC_OK;
  push(&j->msgs, &j->n_msgs, &j->cap_msgs, msg, &rc);
}

static void build_job(xwork *w, xjob *j) {
  xctx *x = w->x;
  /* the worker's own copy of the context: output state and counts of its
   * own, everything else read-only */
  acc_misp_export_opts wo = *x->o;
  wo.on_message = job_msg;
  wo.ctx = j;
  xctx wx = *x;
  wx.o = &wo;
  wx.c = &j->c;
  wx.d = &j->d;
  wx.capture = j;
  wx.out_rc = ACC_OK;
  wx.manifest = NULL;
  acc_buf_init(&wx.ev, x->ev.limit);
  acc_buf_init(&wx.hash_lines, x->hash_lines.limit);
  acc_buf_init(&wx.first, 1);
  closure cl = {.x = &wx, .snap = &j->snap};
  evctx e = {.x = &wx};
  e.js = w->s_js;
  e.member = w->s_member;
  e.rels = w->s_rels;
  e.sights = w->s_sights;
  cl.seen = w->s_seen;
  cl.e = &e;
  walk(&cl, j->report, NULL);
  json_t *rep = lookup(&e, j->report);
  if (!cl.rc && (cl.n_missing || !rep)) {
    j->incomplete = 1;
  } else if (!cl.rc) {
    cl.rc = build_event(&wx, &e, rep, NULL);
    if (!cl.rc)
      cl.rc = wx.out_rc;
    for (size_t i = 0; i < e.js.cap && !cl.rc; i++)
      if (e.js.e[i].key && e.js.e[i].val)
        push(&j->used, &j->n_used, &j->cap_used, e.js.e[i].key, &cl.rc);
  }
  j->rc = cl.rc;
  acc_smap_clear(&cl.seen, NULL);
  w->s_seen = cl.seen;
  cl.seen = (acc_smap){0};
  closure_free(&cl);
  acc_smap_clear(&e.js, free_json);
  acc_smap_clear(&e.member, NULL);
  acc_smap_clear(&e.rels, free_json);
  acc_smap_clear(&e.sights, free_json);
  w->s_js = e.js;
  w->s_member = e.member;
  w->s_rels = e.rels;
  w->s_sights = e.sights;
  acc_buf_free(&wx.ev);
  acc_buf_free(&wx.hash_lines);
  acc_buf_free(&wx.first);
}

static void *xworker(void *arg) {
  xwork *w = arg;
  xpipe *p = w->p;
  for (;;) {
    pthread_mutex_lock(&p->mu);
    while (p->in_n == 0)
      pthread_cond_wait(&p->cv_in, &p->mu);
    xjob *j = p->in[p->in_head];
    p->in_head = (p->in_head + 1) % XPIPE_DEPTH;
    p->in_n--;
    pthread_cond_signal(&p->cv_space);
    int failed = p->rc != ACC_OK;
    pthread_mutex_unlock(&p->mu);
    if (j->end) {
      xjob_free(j);
      return NULL;
    }
    if (!failed)
      build_job(w, j);
    pthread_mutex_lock(&p->mu);
    if (j->rc && !p->rc)
      p->rc = j->rc;
    /* into the done list, kept in seq order */
    xjob **at = &p->done;
    while (*at && (*at)->seq < j->seq)
      at = &(*at)->next;
    j->next = *at;
    *at = j;
    pthread_mutex_unlock(&p->mu);
  }
}

static void add_counts(acc_misp_export_counts *to,
                       const acc_misp_export_counts *c) {
  to->objects += c->objects;
  to->events += c->events;
  to->attributes += c->attributes;
  to->in_objects += c->in_objects;
  to->objects_misp += c->objects_misp;
  to->sightings += c->sightings;
  to->galaxies += c->galaxies;
  to->references += c->references;
  to->skipped += c->skipped;
  to->missing += c->missing;
}

/* Take back, in submission order, what the workers finished: write the
 * events, consume what they used, and keep the incomplete ones for the
 * end. */
static void xdrain(xctx *x) {
  xpipe *p = x->pipe;
  pthread_mutex_lock(&p->mu);
  xjob *head = NULL, **tail = &head;
  while (p->done && p->done->seq == p->next_out) {
    xjob *j = p->done;
    p->done = j->next;
    j->next = NULL;
    *tail = j;
    tail = &j->next;
    p->next_out++;
  }
  pthread_mutex_unlock(&p->mu);
  xjob *j = head;
  while (j) {
    xjob *next = j->next;
    for (size_t i = 0; i < j->n_msgs; i++)
      if (x->o->on_message)
        x->o->on_message(x->o->ctx, j->msgs[i]);
    if (j->rc && !x->out_rc) {
      x->out_rc = j->rc;
      memcpy(x->d->msg, j->d.msg, sizeof j->d.msg);
    }
    if (j->incomplete) {
      push(&x->pending, &x->n_pending, &x->cap_pending, j->report, &x->rc);
    } else if (!j->rc) {
      add_counts(x->c, &j->c);
      if (j->has_event && !x->out_rc) {
        /* write it as the worker built it */
        acc_buf t = x->ev;
        x->ev = j->ev;
        j->ev = t;
        t = x->hash_lines;
        x->hash_lines = j->hash_lines;
        j->hash_lines = t;
        acc_rc rc = emit(x, j->uuid, j->man);
        if (rc && !x->out_rc)
          x->out_rc = rc;
        x->n_events++;
      }
      for (size_t i = 0; i < j->n_used; i++) {
        void **slot = acc_smap_get(&x->objs, j->used[i]);
        if (!slot || !*slot)
          continue;
        xobj *o = *slot;
        o->consumed = 1;
        char t[64];
        id_type(j->used[i], t);
        if (!is_shared(t)) {
          free(o->raw);
          o->raw = NULL;
          if (o->selected && o->order < x->n_sel)
            x->sel[o->order] = NULL;
        }
      }
    }
    xjob_free(j);
    j = next;
  }
}

static void xsubmit(xctx *x, xjob *j) {
  xpipe *p = x->pipe;
  pthread_mutex_lock(&p->mu);
  while (p->in_n == XPIPE_DEPTH)
    pthread_cond_wait(&p->cv_space, &p->mu);
  if (!j->end)
    j->seq = p->next_in++;
  p->in[(p->in_head + p->in_n) % XPIPE_DEPTH] = j;
  p->in_n++;
  pthread_cond_signal(&p->cv_in);
  pthread_mutex_unlock(&p->mu);
  /* keep what is finished from piling up while the workers run ahead */
  xdrain(x);
}

static acc_rc snap_put(xjob *j, const char *id, const xobj *o) {
  xobj *c = calloc(1, sizeof *c);
  if (!c || !(c->raw = malloc(o->len + 1))) {
    free(c);
    return ACC_ENOMEM;
  }
  memcpy(c->raw, o->raw, o->len + 1);
  c->len = o->len;
  acc_rc rc = acc_smap_put(&j->snap, id, c, NULL);
  if (rc)
    free_xobj(c);
  return rc;
}

/* A report whose named objects are all here goes to the worker with
 * copies of them; 1 when it must wait. */
static int offer_report(xctx *x, const char *id) {
  json_t *rep;
  if (gather(x, id, 0, &rep)) {
    json_decref(rep);
    return 1;
  }
  xjob *j = calloc(1, sizeof *j);
  acc_rc rc = j && (j->report = strdup(id)) ? ACC_OK : ACC_ENOMEM;
  void **slot = acc_smap_get(&x->objs, id);
  if (!rc && slot && *slot)
    rc = snap_put(j, id, *slot);
  const char *cb = jstr(rep, "created_by_ref");
  size_t i;
  json_t *r;
  json_array_foreach(json_object_get(rep, "object_refs"), i, r) {
    const char *rid = json_string_value(r);
    void **os = rid && !rc ? acc_smap_get(&x->objs, rid) : NULL;
    if (os && *os && ((xobj *)*os)->raw && !acc_smap_get(&j->snap, rid))
      rc = snap_put(j, rid, *os);
  }
  void **cs = cb && !rc ? acc_smap_get(&x->objs, cb) : NULL;
  if (cs && *cs && ((xobj *)*cs)->raw && !acc_smap_get(&j->snap, cb))
    rc = snap_put(j, cb, *cs);
  json_decref(rep);
  if (rc) {
    xjob_free(j);
    x->rc = rc;
    return 0;
  }
  xsubmit(x, j);
  return 0;
}

static acc_rc xpipe_start(xctx *x) {
  xpipe *p = calloc(1, sizeof *p);
  if (!p)
    return ACC_ENOMEM;
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv_in, NULL);
  pthread_cond_init(&p->cv_space, NULL);
  for (size_t i = 0; i < XWORKERS; i++) {
    if (!(p->ends[i] = calloc(1, sizeof *p->ends[i]))) {
      for (size_t k = 0; k < i; k++)
        free(p->ends[k]);
      free(p);
      return ACC_ENOMEM;
    }
    p->ends[i]->end = 1;
  }
  x->pipe = p;
  for (size_t i = 0; i < XWORKERS; i++) {
    xwork *w = &p->w[i];
    w->p = p;
    w->x = x;
    if (pthread_create(&w->th, NULL, xworker, w) != 0)
      break;
    w->started = 1;
    p->n_workers++;
  }
  if (!p->n_workers) {
    for (size_t i = 0; i < XWORKERS; i++)
      free(p->ends[i]);
    pthread_cond_destroy(&p->cv_in);
    pthread_cond_destroy(&p->cv_space);
    pthread_mutex_destroy(&p->mu);
    free(p);
    x->pipe = NULL; /* no thread: events are built in line */
  }
  return ACC_OK;
}

/* Stop the workers, take back everything they finished. */
static acc_rc xpipe_stop(xctx *x) {
  xpipe *p = x->pipe;
  if (!p)
    return ACC_OK;
  for (size_t i = 0; i < XWORKERS; i++) {
    if (i < p->n_workers)
      xsubmit(x, p->ends[i]); /* freed by the worker taking it */
    else
      free(p->ends[i]);
  }
  for (size_t i = 0; i < XWORKERS; i++)
    if (p->w[i].started)
      pthread_join(p->w[i].th, NULL);
  xdrain(x);
  acc_rc rc = p->rc;
  for (size_t i = 0; i < XWORKERS; i++) {
    xwork *w = &p->w[i];
    acc_smap_free(&w->s_js, free_json);
    acc_smap_free(&w->s_member, NULL);
    acc_smap_free(&w->s_rels, free_json);
    acc_smap_free(&w->s_sights, free_json);
    acc_smap_free(&w->s_seen, NULL);
  }
  pthread_cond_destroy(&p->cv_in);
  pthread_cond_destroy(&p->cv_space);
  pthread_mutex_destroy(&p->mu);
  free(p);
  x->pipe = NULL;
  return rc ? rc : x->out_rc;
}

static int on_record(void *ctx, const acc_record *r) {
  xctx *x = ctx;
  xobj *o;
  x->c->objects++;
  if ((x->rc = keep(x, r, 1, &o)))
    return 1;
  if (strcmp(r->type, "report") == 0) {
    int wait = x->pipe ? offer_report(x, r->id) : try_report(x, r->id, 0);
    if (wait)
      push(&x->pending, &x->n_pending, &x->cap_pending, r->id, &x->rc);
  }
  if (x->pipe)
    xdrain(x);
  return x->rc ? 1 : 0;
}

static int on_fetched(void *ctx, const acc_record *r) {
  xctx *x = ctx;
  xobj *o;
  x->c->objects++;
  x->rc = keep(x, r, 0, &o);
  return x->rc ? 1 : 0;
}

/* A scan keeping only the ids in want. */
typedef struct fetch_ctx {
  xctx *x;
  acc_smap *want;
} fetch_ctx;

static int on_wanted(void *ctx, const acc_record *r) {
  fetch_ctx *f = ctx;
  if (!acc_smap_get(f->want, r->id))
    return 0;
  return on_fetched(f->x, r);
}

/* Fetch what the waiting reports name, through the guard: by id when
 * few (the store's id index; one audit entry each), else one scan of the
 * types they have (a scan by many ids would not use the index). */
static acc_rc fetch_missing(xctx *x) {
  for (int round = 0; round < FETCH_ROUNDS; round++) {
    closure cl = {.x = x};
    for (size_t i = 0; i < x->n_pending && !cl.rc; i++)
      walk(&cl, x->pending[i], NULL);
    acc_rc rc = cl.rc;
    /* each id is asked for once */
    size_t n = 0;
    for (size_t i = 0; i < cl.n_missing && !rc; i++) {
      int existed = 0;
      rc = acc_smap_put(&x->tried, cl.missing[i], NULL, &existed);
      if (!existed) {
        char *tmp = cl.missing[n];
        cl.missing[n++] = cl.missing[i];
        cl.missing[i] = tmp;
      }
    }
    if (!rc && n && n <= FETCH_BY_ID) {
      for (size_t i = 0; i < n && !rc; i++) {
        acc_diag gd;
        acc_rc g = acc_guard_get(x->s, x->rd, x->q->collection, cl.missing[i],
                                 ACC_TIME_NONE, on_fetched, x, &gd);
        if (g && g != ACC_ENOTFOUND) {
          memcpy(x->d->msg, gd.msg, sizeof gd.msg);
          rc = g;
        }
        if (!rc && x->rc)
          rc = x->rc;
      }
    } else if (!rc && n) {
      acc_smap want;
      acc_smap_init(&want);
      acc_query q;
      acc_query_init(&q);
      q.collection = x->q->collection;
      char types[ACC_QUERY_MAX_TERMS][64];
      for (size_t i = 0; i < n && !rc; i++) {
        rc = acc_smap_put(&want, cl.missing[i], NULL, NULL);
        char t[64];
        id_type(cl.missing[i], t);
        size_t k;
        for (k = 0; k < q.n_types && strcmp(types[k], t); k++)
          ;
        if (k == q.n_types && q.n_types < ACC_QUERY_MAX_TERMS) {
          snprintf(types[k], sizeof types[k], "%s", t);
          q.types[q.n_types++] = types[k];
        }
      }
      fetch_ctx f = {.x = x, .want = &want};
      if (!rc)
        rc = acc_guard_scan(x->s, x->rd, &q, on_wanted, &f, NULL, x->d);
      if (!rc && x->rc)
        rc = x->rc;
      acc_smap_free(&want, NULL);
    }
    closure_free(&cl);
    if (rc)
      return rc;
    if (n == 0)
      break;
  }
  return ACC_OK;
}

/* Selected objects no report took: one more event. */
static acc_rc loose_event(xctx *x) {
  json_t *ids = json_array();
  evctx e = {.x = x};
  acc_rc rc = ACC_OK;
  size_t skipped = 0;
  char first_skipped[ACC_ID_MAX] = "";
  for (size_t i = 0; i < x->n_sel && !rc; i++) {
    xobj *o = x->sel[i];
    if (!o || o->consumed || !o->raw)
      continue;
    char t[64];
    id_type(x->sel_id[i], t);
    /* reports were events already; identities, markings and extension
     * definitions are what events' Orgc and tags say */
    if (!strcmp(t, "report") || !strcmp(t, "identity") ||
        !strcmp(t, "marking-definition") || !strcmp(t, "extension-definition"))
      continue;
    json_t *j = parse(o);
    if (!j)
      continue;
    int usable = is_carrier(j) || acc_stix_type_kind(t) == ACC_KIND_SCO ||
                 !strcmp(t, "grouping") || is_galaxy_type(t);
    if (!usable) {
      if (!skipped++)
        snprintf(first_skipped, sizeof first_skipped, "%s", x->sel_id[i]);
      json_decref(j);
      continue;
    }
    json_array_append_new(ids, json_string(x->sel_id[i]));
    if ((rc = acc_smap_put(&e.js, x->sel_id[i], j, NULL)))
      json_decref(j);
  }
  if (skipped) {
    x->c->skipped += skipped;
    xmsg(x,
         "%zu selected object(s) have no MISP form outside a report "
         "(relationships, sightings, identities, markings, ...; first: %s)",
         skipped, first_skipped);
  }
  if (!rc && json_array_size(ids)) {
    /* what the loose carriers name (SCOs of observed-data, members) */
    closure cl = {.x = x, .e = &e};
    size_t i;
    json_t *r;
    json_array_foreach(ids, i, r) {
      acc_smap_put(&cl.seen, json_string_value(r), NULL, NULL);
    }
    json_array_foreach(ids, i, r) {
      json_t *o = lookup(&e, json_string_value(r));
      if (o)
        refs_of(o, visit, &cl);
    }
    for (size_t k = 0; k < cl.n_queue && !cl.rc; k++) {
      void **slot = acc_smap_get(&x->objs, cl.queue[k]);
      xobj *o = slot ? *slot : NULL;
      json_t *j = parse(o);
      if (j && (cl.rc = acc_smap_put(&e.js, cl.queue[k], j, NULL)))
        json_decref(j);
    }
    rc = cl.rc;
    closure_free(&cl);
    /* SCOs an observed-data of the set already holds are not repeated */
    json_t *keep_ids = json_array();
    json_array_foreach(ids, i, r) {
      const char *id = json_string_value(r);
      char t[64];
      id_type(id, t);
      int held = 0;
      if (acc_stix_type_kind(t) == ACC_KIND_SCO) {
        size_t k;
        json_t *r2;
        json_array_foreach(ids, k, r2) {
          json_t *o2 = lookup(&e, json_string_value(r2));
          size_t m;
          json_t *ref;
          json_array_foreach(json_object_get(o2, "object_refs"), m, ref) held |=
              !strcmp(nz(json_string_value(ref)), id) &&
              strcmp(nz(jstr(o2, "type")), "observed-data") == 0;
        }
      }
      if (!held)
        json_array_append(keep_ids, r);
    }
    json_decref(ids);
    ids = keep_ids;
    if (!rc && json_array_size(ids))
      rc = build_event(x, &e, NULL, ids);
  }
  json_decref(ids);
  evctx_free(&e);
  return rc;
}

acc_rc acc_misp_export(acc_store *s, const acc_reader *rd, const acc_query *q,
                       const acc_misp_export_opts *o, acc_misp_export_counts *c,
                       acc_diag *d) {
  memset(c, 0, sizeof *c);
  xctx x = {.s = s, .rd = rd, .q = q, .o = o, .c = c, .d = d};
  acc_smap_init(&x.objs);
  acc_smap_init(&x.tried);
  acc_buf_init(&x.ev, (size_t)1 << 31);
  acc_buf_init(&x.first, (size_t)1 << 31);
  acc_buf_init(&x.hash_lines, (size_t)1 << 30);
  acc_rc rc = ACC_OK;
  if (o->feed_dir) {
    if (mkdir(o->feed_dir, 0777) != 0 && errno != EEXIST) {
      rc = acc_diag_set(d, ACC_EIO, "cannot create %s: %s", o->feed_dir,
                        strerror(errno));
      goto out;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/hashes.csv", o->feed_dir);
    if (!(x.hashes = fopen(path, "w"))) {
      rc = acc_diag_set(d, ACC_EIO, "cannot write %s: %s", path,
                        strerror(errno));
      goto out;
    }
    x.manifest = json_object();
  } else if (!o->out) {
    rc = acc_diag_set(d, ACC_EINVAL, "no output given");
    goto out;
  }
  acc_query sq = *q;
  sq.version = ACC_VER_LATEST;
  if ((rc = xpipe_start(&x)))
    goto out;
  rc = acc_guard_scan(s, rd, &sq, on_record, &x, NULL, d);
  acc_rc prc = xpipe_stop(&x);
  if (rc)
    goto out;
  if ((rc = x.rc) || (rc = prc))
    goto out;
  if (x.n_pending) {
    if ((rc = fetch_missing(&x)))
      goto out;
    for (size_t i = 0; i < x.n_pending && !x.rc; i++)
      try_report(&x, x.pending[i], 1);
    if ((rc = x.rc))
      goto out;
  }
  if ((rc = loose_event(&x)))
    goto out;
  if (o->feed_dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", o->feed_dir);
    if (json_dump_file(x.manifest, path, JSON_INDENT(1) | JSON_SORT_KEYS) != 0)
      rc = acc_diag_set(d, ACC_EIO, "cannot write %s", path);
  } else if (x.n_events == 1) {
    fwrite(x.first.data, 1, x.first.len, o->out);
    fputc('\n', o->out);
  } else if (x.n_events > 1) {
    fputs("\n]}\n", o->out);
  } else {
    fputs("{\"response\":[]}\n", o->out);
  }
out:
  if (x.hashes && fclose(x.hashes) != 0 && !rc)
    rc = acc_diag_set(d, ACC_EIO, "writing hashes.csv failed");
  json_decref(x.manifest);
  free_strs(x.pending, x.n_pending);
  for (size_t i = 0; i < x.n_sel; i++)
    free(x.sel_id[i]);
  free(x.sel_id);
  free(x.sel);
  acc_smap_free(&x.objs, free_xobj);
  acc_smap_free(&x.tried, NULL);
  acc_smap_free(&x.s_js, free_json);
  acc_smap_free(&x.s_member, NULL);
  acc_smap_free(&x.s_rels, free_json);
  acc_smap_free(&x.s_sights, free_json);
  acc_smap_free(&x.s_seen, NULL);
  acc_buf_free(&x.ev);
  acc_buf_free(&x.first);
  acc_buf_free(&x.hash_lines);
  return rc;
}
