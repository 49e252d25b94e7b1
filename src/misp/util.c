/*
 * util.c — small helpers of the MISP subsystem: type table lookup, a
 * streaming JSON writer over acc_buf, UUIDv5 identifiers (SHA-1 from
 * libcrypto), and the loose number, boolean and time forms MISP uses.
 */
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "misp/misp_int.h"
#include "util/time.h"

static int cmp_type(const void *key, const void *elt) {
  return strcmp(key, ((const acc_misp_type *)elt)->name);
}

const acc_misp_type *acc_misp_type_find(const char *name) {
  if (!name)
    return NULL;
  return bsearch(name, acc_misp_types, acc_misp_n_types,
                 sizeof acc_misp_types[0], cmp_type);
}

int acc_misp_category_index(const char *name) {
  for (int i = 0; name && acc_misp_categories[i]; i++)
    if (strcmp(acc_misp_categories[i], name) == 0)
      return i;
  return -1;
}

/* ---- JSON writer ---------------------------------------------------- */

acc_rc acc_json_quote(acc_buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  acc_rc rc = acc_buf_reserve(b, n + 2);
  if (rc)
    return rc;
  b->data[b->len++] = '"';
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    if ((rc = acc_buf_append(b, s + start, i - start)))
      return rc;
    char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
    size_t el = 2;
    switch (c) {
    case '"':
      esc[1] = '"';
      break;
    case '\\':
      esc[1] = '\\';
      break;
    case '\n':
      esc[1] = 'n';
      break;
    case '\r':
      esc[1] = 'r';
      break;
    case '\t':
      esc[1] = 't';
      break;
    case '\b':
      esc[1] = 'b';
      break;
    case '\f':
      esc[1] = 'f';
      break;
    default:
      esc[1] = 'u';
      esc[2] = '0';
      esc[3] = '0';
      esc[4] = hex[c >> 4];
      esc[5] = hex[c & 15];
      el = 6;
    }
    if ((rc = acc_buf_append(b, esc, el)))
      return rc;
    start = i + 1;
  }
  if ((rc = acc_buf_append(b, s + start, n - start)))
    return rc;
  return acc_buf_putc(b, '"');
}

void acc_jw_init(acc_jw *w, acc_buf *b, int pretty) {
  memset(w, 0, sizeof *w);
  w->b = b;
  w->pretty = pretty;
  w->first[0] = 1;
}

static void indent(acc_jw *w) {
  if (!w->pretty || w->rc)
    return;
  w->rc = acc_buf_putc(w->b, '\n');
  for (int i = 0; i < w->depth && !w->rc; i++)
    w->rc = acc_buf_append(w->b, "  ", 2);
}

/* Before a value or key at the current level: a comma when not first. */
static void sep(acc_jw *w) {
  if (w->rc)
    return;
  if (!w->first[w->depth])
    w->rc = acc_buf_putc(w->b, ',');
  w->first[w->depth] = 0;
  if (w->depth)
    indent(w);
}

/* Before a value: a separator unless it follows its key. */
static void value_start(acc_jw *w) {
  if (w->keyed) {
    w->keyed = 0;
    if (w->pretty && !w->rc)
      w->rc = acc_buf_putc(w->b, ' ');
    return;
  }
  sep(w);
}

static void jw_open(acc_jw *w, char c) {
  value_start(w);
  if (w->rc)
    return;
  if (w->depth + 1 >= ACC_JW_DEPTH) {
    w->rc = ACC_ETOODEEP;
    return;
  }
  w->rc = acc_buf_putc(w->b, c);
  w->first[++w->depth] = 1;
}

void acc_jw_obj(acc_jw *w) {
  jw_open(w, '{');
}

void acc_jw_arr(acc_jw *w) {
  jw_open(w, '[');
}

void acc_jw_end(acc_jw *w, char close) {
  if (w->rc)
    return;
  int empty = w->first[w->depth];
  w->depth--;
  if (!empty)
    indent(w);
  if (!w->rc)
    w->rc = acc_buf_putc(w->b, close);
}

void acc_jw_key(acc_jw *w, const char *k) {
  sep(w);
  if (!w->rc)
    w->rc = acc_json_quote(w->b, k, strlen(k));
  if (!w->rc)
    w->rc = acc_buf_putc(w->b, ':');
  w->keyed = 1;
}

void acc_jw_strn(acc_jw *w, const char *s, size_t n) {
  value_start(w);
  if (!w->rc)
    w->rc = acc_json_quote(w->b, s, n);
}

void acc_jw_str(acc_jw *w, const char *s) {
  acc_jw_strn(w, s ? s : "", s ? strlen(s) : 0);
}

void acc_jw_int(acc_jw *w, long long v) {
  value_start(w);
  if (!w->rc)
    w->rc = acc_buf_printf(w->b, "%lld", v);
}

void acc_jw_bool(acc_jw *w, int v) {
  value_start(w);
  if (!w->rc)
    w->rc = acc_buf_puts(w->b, v ? "true" : "false");
}

void acc_jw_null(acc_jw *w) {
  value_start(w);
  if (!w->rc)
    w->rc = acc_buf_puts(w->b, "null");
}

void acc_jw_raw(acc_jw *w, const char *s, size_t n) {
  value_start(w);
  if (!w->rc)
    w->rc = acc_buf_append(w->b, s, n);
}

static int dump_cb(const char *buf, size_t size, void *data) {
  return acc_buf_append(data, buf, size) ? -1 : 0;
}

void acc_jw_json(acc_jw *w, const json_t *v) {
  value_start(w);
  if (!w->rc &&
      json_dump_callback(v, dump_cb, w->b,
                         JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY))
    w->rc = ACC_ENOMEM;
}

void acc_jw_kstr(acc_jw *w, const char *k, const char *s) {
  acc_jw_key(w, k);
  acc_jw_str(w, s);
}

void acc_jw_kint(acc_jw *w, const char *k, long long v) {
  acc_jw_key(w, k);
  acc_jw_int(w, v);
}

void acc_jw_kbool(acc_jw *w, const char *k, int v) {
  acc_jw_key(w, k);
  acc_jw_bool(w, v);
}

/* ---- identifiers --------------------------------------------------------- */

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

int acc_misp_uuid_ok(const char *s) {
  if (!s)
    return 0;
  for (int i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-')
        return 0;
    } else if (hexval(s[i]) < 0) {
      return 0;
    }
  }
  return s[36] == '\0';
}

void acc_misp_uuid_lower(const char *s, char out[37]) {
  for (int i = 0; i < 36; i++)
    out[i] = (s[i] >= 'A' && s[i] <= 'F') ? (char)(s[i] - 'A' + 'a') : s[i];
  out[36] = '\0';
}

acc_rc acc_misp_uuid5(const char *ns, const char *name, size_t len,
                      char out[37]) {
  unsigned char nsb[16];
  if (!acc_misp_uuid_ok(ns))
    return ACC_EINVAL;
  for (int i = 0, j = 0; i < 36; i++) {
    if (ns[i] == '-')
      continue;
    int hi = hexval(ns[i]), lo = hexval(ns[i + 1]);
    nsb[j++] = (unsigned char)(hi << 4 | lo);
    i++;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  EVP_MD_CTX *c = EVP_MD_CTX_new();
  int ok = c && EVP_DigestInit_ex(c, EVP_sha1(), NULL) &&
           EVP_DigestUpdate(c, nsb, sizeof nsb) &&
           EVP_DigestUpdate(c, name, len) &&
           EVP_DigestFinal_ex(c, md, &mdlen) && mdlen >= 16;
  EVP_MD_CTX_free(c);
  if (!ok)
    return ACC_ENOMEM;
  md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
  md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
  static const char hex[] = "0123456789abcdef";
  char *o = out;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      *o++ = '-';
    *o++ = hex[md[i] >> 4];
    *o++ = hex[md[i] & 15];
  }
  *o = '\0';
  return ACC_OK;
}

/* ---- loose values ---------------------------------------------------- */

int acc_misp_intval(const json_t *v, long long *out) {
  if (json_is_integer(v)) {
    *out = json_integer_value(v);
    return 0;
  }
  if (!json_is_string(v))
    return -1;
  const char *s = json_string_value(v);
  size_t n = json_string_length(v);
  if (n == 0 || n > 18)
    return -1;
  long long r = 0;
  size_t i = 0;
  int neg = 0;
  if (s[0] == '-') {
    neg = 1;
    i = 1;
    if (n == 1)
      return -1;
  }
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    r = r * 10 + (s[i] - '0');
  }
  *out = neg ? -r : r;
  return 0;
}

int acc_misp_boolval(const json_t *v, int *out) {
  if (json_is_boolean(v)) {
    *out = json_is_true(v);
    return 0;
  }
  long long i;
  if (acc_misp_intval(v, &i) == 0 && (i == 0 || i == 1)) {
    *out = (int)i;
    return 0;
  }
  if (json_is_string(v)) {
    if (strcmp(json_string_value(v), "true") == 0) {
      *out = 1;
      return 0;
    }
    if (strcmp(json_string_value(v), "false") == 0) {
      *out = 0;
      return 0;
    }
  }
  return -1;
}

int acc_misp_unix(const json_t *v, int64_t *secs) {
  long long s;
  if (acc_misp_intval(v, &s) || s < 0 || s > INT64_C(253402300799))
    return -1;
  *secs = s;
  return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

/* n digits at s as a number; -1 when not all digits. */
static int digits(const char *s, int n) {
  int r = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    r = r * 10 + (s[i] - '0');
  }
  return r;
}

int acc_misp_iso(const char *s, int64_t *us) {
  if (!s)
    return -1;
  size_t n = strlen(s);
  if (n < 10 || s[4] != '-' || s[7] != '-')
    return -1;
  int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31)
    return -1;
  int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400;
  int64_t frac = 0;
  const char *p = s + 10;
  if (*p == 'T' || *p == 't' || *p == ' ') {
    if (strlen(p) < 9 || p[3] != ':' || p[6] != ':')
      return -1;
    int h = digits(p + 1, 2), mi = digits(p + 4, 2), se = digits(p + 7, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
      return -1;
    t += h * 3600 + mi * 60 + se;
    p += 9;
    if (*p == '.') {
      p++;
      int nd = 0;
      while (*p >= '0' && *p <= '9') {
        if (nd < 6)
          frac = frac * 10 + (*p - '0');
        nd++;
        p++;
      }
      if (nd == 0)
        return -1;
      for (; nd < 6; nd++)
        frac *= 10;
    }
    if (*p == 'Z' || *p == 'z') {
      p++;
    } else if (*p == '+' || *p == '-') {
      int sign = *p == '-' ? -1 : 1;
      int oh = digits(p + 1, 2), om = -1;
      if (oh < 0)
        return -1;
      if (p[3] == ':')
        om = digits(p + 4, 2), p += 6;
      else if (p[3] >= '0' && p[3] <= '9')
        om = digits(p + 3, 2), p += 5;
      else
        om = 0, p += 3;
      if (om < 0 || oh > 23 || om > 59)
        return -1;
      t -= sign * (oh * 3600 + om * 60);
    }
  }
  if (*p)
    return -1;
  *us = t * 1000000 + frac;
  return 0;
}

/* ---- string map ---------------------------------------------------------- */

/* A removed entry: the probe sequence goes on past it. */
static char tomb_key;
#define TOMB (&tomb_key)

static uint64_t fnv(const char *s) {
  uint64_t h = UINT64_C(1469598103934665603);
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
  return h ? h : 1;
}

void acc_smap_init(acc_smap *m) {
  memset(m, 0, sizeof *m);
}

void acc_smap_free(acc_smap *m, void (*free_val)(void *)) {
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->e[i].key || m->e[i].key == TOMB)
      continue;
    if (free_val)
      free_val(m->e[i].val);
    free(m->e[i].key);
  }
  free(m->e);
  memset(m, 0, sizeof *m);
}

void acc_smap_clear(acc_smap *m, void (*free_val)(void *)) {
  for (size_t i = 0; i < m->cap; i++) {
    if (m->e[i].key && m->e[i].key != TOMB) {
      if (free_val)
        free_val(m->e[i].val);
      free(m->e[i].key);
    }
  }
  if (m->cap)
    memset(m->e, 0, m->cap * sizeof *m->e);
  m->n = m->used = 0;
}

static acc_smap_ent *find(const acc_smap *m, const char *key, uint64_t h) {
  if (!m->cap)
    return NULL;
  size_t mask = m->cap - 1;
  for (size_t i = (size_t)h & mask, n = 0; n < m->cap;
       i = (i + 1) & mask, n++) {
    acc_smap_ent *e = &m->e[i];
    if (!e->key)
      return NULL;
    if (e->key != TOMB && e->h == h && strcmp(e->key, key) == 0)
      return e;
  }
  return NULL;
}

void **acc_smap_get(const acc_smap *m, const char *key) {
  acc_smap_ent *e = find(m, key, fnv(key));
  return e ? &e->val : NULL;
}

static acc_rc grow(acc_smap *m) {
  size_t ncap = m->cap ? m->cap * 2 : 64;
  acc_smap_ent *ne = calloc(ncap, sizeof *ne);
  if (!ne)
    return ACC_ENOMEM;
  for (size_t i = 0; i < m->cap; i++) {
    acc_smap_ent *e = &m->e[i];
    if (!e->key || e->key == TOMB)
      continue;
    size_t j = (size_t)e->h & (ncap - 1);
    while (ne[j].key)
      j = (j + 1) & (ncap - 1);
    ne[j] = *e;
  }
  free(m->e);
  m->e = ne;
  m->cap = ncap;
  m->used = m->n;
  return ACC_OK;
}

acc_rc acc_smap_put(acc_smap *m, const char *key, void *val, int *existed) {
  uint64_t h = fnv(key);
  acc_smap_ent *e = find(m, key, h);
  if (existed)
    *existed = e != NULL;
  if (e) {
    e->val = val;
    return ACC_OK;
  }
  if ((m->used + 1) * 4 >= m->cap * 3) {
    acc_rc rc = grow(m);
    if (rc)
      return rc;
  }
  char *k = strdup(key);
  if (!k)
    return ACC_ENOMEM;
  size_t mask = m->cap - 1, i = (size_t)h & mask;
  while (m->e[i].key && m->e[i].key != TOMB)
    i = (i + 1) & mask;
  if (!m->e[i].key)
    m->used++;
  m->e[i] = (acc_smap_ent){.key = k, .val = val, .h = h};
  m->n++;
  return ACC_OK;
}

void *acc_smap_del(acc_smap *m, const char *key) {
  acc_smap_ent *e = find(m, key, fnv(key));
  if (!e)
    return NULL;
  void *v = e->val;
  free(e->key);
  e->key = TOMB;
  e->val = NULL;
  m->n--;
  return v;
}
