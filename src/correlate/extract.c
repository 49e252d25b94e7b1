/*
 * extract.c — the observable values of one STIX object, read from the
 * parsed jansson value the import already holds:
 *   SCOs: ipv4/ipv6-addr, domain-name, url (and its host), email-addr,
 *     file / artifact / x509-certificate hashes, mac-addr,
 *     autonomous-system, x509 serial, user-account login, mutex,
 *     windows-registry-key;
 *   observed-data: the SCOs of its embedded `objects` (STIX 2.0);
 *   indicator: the operands of =, IN and ISSUBSET in its STIX pattern;
 *   anything with object_refs, and sightings (sighting_of_ref,
 *     observed_data_refs): the SCO, observed-data and indicator ids named,
 *     as reference values — so a report is found through the SCOs it
 *     lists, and a sighting through its indicator.
 * The time an object saw its values: observed-data first/last_observed,
 * sighting first/last_seen, indicator valid_from, else created.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate.h"
#include "pattern/pattern.h"
#include "stix/stix.h"
#include "util/time.h"

#define DEFAULT_LIMIT 100000

/* normalise.c */
acc_rc acc_corr_url_host(const char *url, acc_cval *out);

void acc_cvals_init(acc_cvals *vs) {
  memset(vs, 0, sizeof *vs);
  vs->t_us = vs->t_end_us = ACC_TIME_NONE;
}

void acc_cvals_free(acc_cvals *vs) {
  free(vs->v);
  acc_cvals_init(vs);
}

void acc_cvals_reset(acc_cvals *vs) {
  vs->n = 0;
  vs->t_us = vs->t_end_us = ACC_TIME_NONE;
}

acc_rc acc_cvals_add(acc_cvals *vs, const acc_cval *v) {
  size_t limit = vs->limit ? vs->limit : DEFAULT_LIMIT;
  if (vs->n >= limit)
    return ACC_ETOOBIG;
  /* small objects repeat values (a hash in two places): keep one */
  if (vs->n < 16)
    for (size_t i = 0; i < vs->n; i++)
      if (vs->v[i].v.kind == v->v.kind && strcmp(vs->v[i].text, v->text) == 0)
        return ACC_OK;
  if (vs->n == vs->cap) {
    size_t ncap = vs->cap ? vs->cap * 2 : 8;
    acc_cval *p = realloc(vs->v, ncap * sizeof *p);
    if (!p)
      return ACC_ENOMEM;
    vs->v = p;
    vs->cap = ncap;
    for (size_t i = 0; i < vs->n; i++) /* the texts moved with the array */
      vs->v[i].v.text = vs->v[i].text;
  }
  acc_cval *dst = &vs->v[vs->n++];
  memcpy(&dst->v, &v->v, sizeof v->v);
  size_t n = strlen(v->text);
  memcpy(dst->text, v->text, n + 1);
  dst->v.text = dst->text;
  return ACC_OK;
}

/* Normalise and add; values that do not normalise are skipped (an
 * unreadable value correlates with nothing). */
static acc_rc add(acc_cvals *vs, int kind, const char *algo, const char *s,
                  size_t n) {
  acc_cval v;
  if (acc_corr_normalise(kind, algo, s, n, &v))
    return ACC_OK;
  acc_rc rc = acc_cvals_add(vs, &v);
  if (rc || kind != ACC_CK_URL)
    return rc;
  /* a URL mentions its host too */
  acc_cval h;
  if (!acc_corr_url_host(v.text, &h))
    rc = acc_cvals_add(vs, &h);
  return rc;
}

static acc_rc add_json(acc_cvals *vs, int kind, const char *algo,
                       json_t *val) {
  if (json_is_string(val))
    return add(vs, kind, algo, json_string_value(val),
               json_string_length(val));
  if (json_is_integer(val)) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(val));
    return add(vs, kind, algo, buf, (size_t)n);
  }
  return ACC_OK;
}

static acc_rc add_hashes(acc_cvals *vs, json_t *hashes) {
  const char *alg;
  json_t *v;
  acc_rc rc = ACC_OK;
  if (!json_is_object(hashes))
    return ACC_OK;
  json_object_foreach(hashes, alg, v) {
    if ((rc = add_json(vs, ACC_CK_HASH, alg, v)))
      break;
  }
  return rc;
}

/* The values of one cyber-observable (top level or embedded). */
static acc_rc add_sco(acc_cvals *vs, json_t *o) {
  const char *type = json_string_value(json_object_get(o, "type"));
  if (!type)
    return ACC_OK;
  static const struct {
    const char *type, *prop;
    int kind;
  } props[] = {
      {"ipv4-addr", "value", ACC_CK_IPV4},
      {"ipv6-addr", "value", ACC_CK_IPV6},
      {"domain-name", "value", ACC_CK_DOMAIN},
      {"url", "value", ACC_CK_URL},
      {"email-addr", "value", ACC_CK_EMAIL},
      {"mac-addr", "value", ACC_CK_MAC},
      {"autonomous-system", "number", ACC_CK_ASN},
      {"x509-certificate", "serial_number", ACC_CK_X509_SERIAL},
      {"user-account", "account_login", ACC_CK_ACCOUNT},
      {"mutex", "name", ACC_CK_MUTEX},
      {"windows-registry-key", "key", ACC_CK_REGKEY},
  };
  acc_rc rc = ACC_OK;
  for (size_t i = 0; i < sizeof props / sizeof props[0] && !rc; i++)
    if (strcmp(type, props[i].type) == 0)
      rc = add_json(vs, props[i].kind, NULL,
                    json_object_get(o, props[i].prop));
  if (!rc && (strcmp(type, "file") == 0 || strcmp(type, "artifact") == 0 ||
              strcmp(type, "x509-certificate") == 0))
    rc = add_hashes(vs, json_object_get(o, "hashes"));
  return rc;
}

/* ---- indicator patterns ---- */

/* The kind of a value found at type:path, guessing from the literal where
 * the path goes through a reference. */
static int operand_kind(const acc_pattern_operand *o, const char **algo,
                        char algo_buf[64]) {
  const char *path = o->path;
  *algo = NULL;
  const char *h = strstr(path, "hashes.");
  if (h && (h == path || h[-1] == '.')) {
    snprintf(algo_buf, 64, "%s", h + 7);
    *algo = algo_buf;
    return ACC_CK_HASH;
  }
  const char *last = strrchr(path, '.');
  last = last ? last + 1 : path;
  int direct = strchr(path, '.') == NULL;
  if (direct) {
    static const struct {
      const char *type, *prop;
      int kind;
    } props[] = {
        {"ipv4-addr", "value", ACC_CK_IPV4},
        {"ipv6-addr", "value", ACC_CK_IPV6},
        {"domain-name", "value", ACC_CK_DOMAIN},
        {"url", "value", ACC_CK_URL},
        {"email-addr", "value", ACC_CK_EMAIL},
        {"mac-addr", "value", ACC_CK_MAC},
        {"autonomous-system", "number", ACC_CK_ASN},
        {"x509-certificate", "serial_number", ACC_CK_X509_SERIAL},
        {"user-account", "account_login", ACC_CK_ACCOUNT},
        {"mutex", "name", ACC_CK_MUTEX},
        {"windows-registry-key", "key", ACC_CK_REGKEY},
    };
    for (size_t i = 0; i < sizeof props / sizeof props[0]; i++)
      if (!strcmp(o->type, props[i].type) && !strcmp(path, props[i].prop))
        return props[i].kind;
    return ACC_CK_NONE;
  }
  /* through a reference: network-traffic:dst_ref.value,
   * email-message:from_ref.value, domain-name:resolves_to_refs[*].value */
  if (!strstr(path, "_ref"))
    return ACC_CK_NONE;
  if (!strcmp(last, "number"))
    return ACC_CK_ASN;
  if (!strcmp(last, "account_login"))
    return ACC_CK_ACCOUNT;
  if (strcmp(last, "value") || o->is_int)
    return ACC_CK_NONE;
  acc_cval tmp;
  if (!acc_corr_ip(o->value, o->len, &tmp))
    return tmp.v.kind;
  if (memchr(o->value, '@', o->len))
    return ACC_CK_EMAIL;
  if (o->len > 3 && memmem(o->value, o->len, "://", 3))
    return ACC_CK_URL;
  if (!acc_corr_normalise(ACC_CK_MAC, NULL, o->value, o->len, &tmp))
    return ACC_CK_MAC;
  return ACC_CK_DOMAIN;
}

typedef struct op_ctx {
  acc_cvals *vs;
  acc_rc rc;
} op_ctx;

static int on_operand(void *ctx, const acc_pattern_operand *o) {
  op_ctx *x = ctx;
  const char *algo;
  char algo_buf[64];
  int kind = operand_kind(o, &algo, algo_buf);
  if (!kind)
    return 0;
  if (o->op == 'S' && kind != ACC_CK_IPV4 && kind != ACC_CK_IPV6)
    return 0;
  if (o->is_int) {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)o->ival);
    x->rc = add(x->vs, kind, algo, buf, (size_t)n);
  } else {
    x->rc = add(x->vs, kind, algo, o->value, o->len);
  }
  return x->rc ? 1 : 0;
}

static acc_rc add_pattern(acc_cvals *vs, json_t *ind) {
  json_t *pt = json_object_get(ind, "pattern_type");
  json_t *p = json_object_get(ind, "pattern");
  if ((pt && !(json_is_string(pt) && !strcmp(json_string_value(pt), "stix"))) ||
      !json_is_string(p))
    return ACC_OK;
  acc_pattern *pat;
  acc_diag d;
  if (acc_pattern_parse(json_string_value(p), json_string_length(p), &pat, &d,
                        NULL, NULL))
    return ACC_OK; /* not a valid pattern: nothing to index */
  op_ctx x = {.vs = vs};
  acc_pattern_operands(pat, on_operand, &x);
  acc_pattern_free(pat);
  return x.rc;
}

/* ---- references ---- */

static int ref_indexed(const char *id) {
  const char *dd = strstr(id, "--");
  if (!dd || dd == id || dd - id > 250)
    return 0;
  char type[256];
  memcpy(type, id, (size_t)(dd - id));
  type[dd - id] = '\0';
  return !strcmp(type, "observed-data") || !strcmp(type, "indicator") ||
         acc_stix_type_kind(type) == ACC_KIND_SCO;
}

static acc_rc add_ref(acc_cvals *vs, json_t *ref) {
  if (!json_is_string(ref) || !ref_indexed(json_string_value(ref)))
    return ACC_OK;
  return add(vs, ACC_CK_REF, NULL, json_string_value(ref),
             json_string_length(ref));
}

static acc_rc add_refs(acc_cvals *vs, json_t *refs) {
  size_t i;
  json_t *r;
  acc_rc rc = ACC_OK;
  if (!json_is_array(refs))
    return ACC_OK;
  json_array_foreach(refs, i, r) {
    if ((rc = add_ref(vs, r)))
      break;
  }
  return rc;
}

static int64_t time_of(json_t *o, const char *prop) {
  json_t *v = json_object_get(o, prop);
  int64_t t;
  if (!json_is_string(v) ||
      acc_time_parse(json_string_value(v), json_string_length(v), 0, &t))
    return ACC_TIME_NONE;
  return t;
}

int acc_corr_type_indexed(const char *type) {
  static const char *const types[] = {
      "ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr",
      "mac-addr", "autonomous-system", "x509-certificate", "user-account",
      "mutex", "windows-registry-key", "file", "artifact", "indicator",
      "observed-data", "sighting"};
  for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
    if (!strcmp(type, types[i]))
      return 1;
  return 0;
}

acc_rc acc_corr_extract(json_t *obj, acc_cvals *vs) {
  acc_cvals_reset(vs);
  const char *type = json_string_value(json_object_get(obj, "type"));
  if (!type)
    return ACC_OK;
  acc_rc rc = ACC_OK;
  int64_t t = ACC_TIME_NONE, te = ACC_TIME_NONE;
  if (!strcmp(type, "indicator")) {
    rc = add_pattern(vs, obj);
    t = time_of(obj, "valid_from");
  } else if (!strcmp(type, "observed-data")) {
    json_t *objs = json_object_get(obj, "objects");
    const char *k;
    json_t *sco;
    if (json_is_object(objs))
      json_object_foreach(objs, k, sco) {
        if (json_is_object(sco) && (rc = add_sco(vs, sco)))
          break;
      }
    t = time_of(obj, "first_observed");
    te = time_of(obj, "last_observed");
  } else if (!strcmp(type, "sighting")) {
    rc = add_ref(vs, json_object_get(obj, "sighting_of_ref"));
    if (!rc)
      rc = add_refs(vs, json_object_get(obj, "observed_data_refs"));
    t = time_of(obj, "first_seen");
    te = time_of(obj, "last_seen");
  } else if (acc_stix_type_kind(type) == ACC_KIND_SCO) {
    rc = add_sco(vs, obj);
  }
  if (!rc)
    rc = add_refs(vs, json_object_get(obj, "object_refs"));
  if (t == ACC_TIME_NONE)
    t = time_of(obj, "created");
  if (te == ACC_TIME_NONE || (t != ACC_TIME_NONE && te < t))
    te = t;
  vs->t_us = t;
  vs->t_end_us = te;
  return rc == ACC_ETOOBIG ? ACC_OK : rc;
}
