/*
 * parse.c — the pure parsers of what a TAXII client sends: media types in
 * Accept and Content-Type (RFC 7231 §3.1.1.1, §5.3.2), the Authorization
 * header (Basic, RFC 7617; Bearer, RFC 6750), and the query parameters of
 * TAXII 2.1 §3.4, with their canonical form for binding `next` tokens.
 * Nothing here allocates more than the input's size, and every input,
 * however hostile, ends in a value or a clean refusal.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "taxii/taxii.h"
#include "util/time.h"

/* ---- media types ---- */

static int is_ows(char c) {
  return c == ' ' || c == '\t';
}

/* RFC 7230 tchar. */
static int is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
      (c >= '0' && c <= '9'))
    return 1;
  return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int lower(int c) {
  return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int span_eq(const char *p, size_t n, const char *lit) {
  size_t m = strlen(lit);
  if (n != m)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (lower((unsigned char)p[i]) != lit[i])
      return 0;
  return 1;
}

/* One media type or range, as parsed. */
typedef struct mtype {
  const char *type, *sub;
  size_t type_len, sub_len;
  char version[16]; /* "" when absent; "?" when present but unusable */
  int q;            /* quality in thousandths */
} mtype;

/* Parse a quality value "0", "0.5", "1.000" into thousandths; -1 if bad. */
static int parse_q(const char *v, size_t n) {
  if (n == 0 || n > 5)
    return -1;
  if (v[0] != '0' && v[0] != '1')
    return -1;
  int q = (v[0] - '0') * 1000;
  if (n == 1)
    return q;
  if (v[1] != '.')
    return -1;
  int scale = 100;
  for (size_t i = 2; i < n; i++, scale /= 10) {
    if (v[i] < '0' || v[i] > '9')
      return -1;
    q += (v[i] - '0') * scale;
  }
  return q > 1000 ? -1 : q;
}

/*
 * Parse one media type at s[*pos..end) up to a ',' (when in_list) or the
 * end.  Returns 0 on success, -1 when malformed (then *pos is past the
 * element).
 */
static int parse_mtype(const char *s, size_t *pos, size_t end, int in_list,
                       mtype *m) {
  size_t i = *pos;
  int bad = 0;
  memset(m, 0, sizeof *m);
  m->q = 1000;
  while (i < end && is_ows(s[i]))
    i++;
  m->type = s + i;
  while (i < end && is_tchar((unsigned char)s[i]))
    i++;
  m->type_len = (size_t)(s + i - m->type);
  if (m->type_len == 0 || i >= end || s[i] != '/')
    bad = 1;
  else {
    i++;
    m->sub = s + i;
    while (i < end && is_tchar((unsigned char)s[i]))
      i++;
    m->sub_len = (size_t)(s + i - m->sub);
    if (m->sub_len == 0)
      bad = 1;
  }
  while (!bad) {
    while (i < end && is_ows(s[i]))
      i++;
    if (i >= end || (in_list && s[i] == ','))
      break;
    if (s[i] != ';') {
      bad = 1;
      break;
    }
    i++;
    while (i < end && is_ows(s[i]))
      i++;
    const char *name = s + i;
    while (i < end && is_tchar((unsigned char)s[i]))
      i++;
    size_t name_len = (size_t)(s + i - name);
    if (name_len == 0 && (i >= end || (in_list && s[i] == ',')))
      break; /* a trailing ';' is tolerated */
    if (name_len == 0 || i >= end || s[i] != '=') {
      bad = 1;
      break;
    }
    i++;
    char val[16];
    size_t vn = 0;
    int overlong = 0;
    if (i < end && s[i] == '"') {
      i++;
      int closed = 0;
      while (i < end) {
        char c = s[i++];
        if (c == '\\' && i < end)
          c = s[i++];
        else if (c == '"') {
          closed = 1;
          break;
        }
        if (vn + 1 < sizeof val)
          val[vn++] = c;
        else
          overlong = 1;
      }
      if (!closed) {
        bad = 1;
        break;
      }
    } else {
      size_t st = i;
      while (i < end && is_tchar((unsigned char)s[i])) {
        if (vn + 1 < sizeof val)
          val[vn++] = s[i];
        else
          overlong = 1;
        i++;
      }
      if (i == st) {
        bad = 1;
        break;
      }
    }
    val[vn] = '\0';
    if (span_eq(name, name_len, "version")) {
      if (overlong || m->version[0])
        memcpy(m->version, "?", 2); /* too long or repeated */
      else
        memcpy(m->version, val, vn + 1);
    } else if (span_eq(name, name_len, "q")) {
      m->q = overlong ? -1 : parse_q(val, vn);
      if (m->q < 0) {
        bad = 1;
        break;
      }
    }
  }
  if (bad) {
    /* Skip to the next element, respecting quoted strings. */
    int inq = 0;
    while (i < end) {
      char c = s[i];
      if (inq && c == '\\' && i + 1 < end) {
        i += 2;
        continue;
      }
      if (c == '"')
        inq = !inq;
      else if (!inq && in_list && c == ',')
        break;
      i++;
    }
  }
  *pos = i;
  return bad ? -1 : 0;
}

static int is_taxii(const mtype *m) {
  return span_eq(m->type, m->type_len, "application") &&
         span_eq(m->sub, m->sub_len, "taxii+json");
}

int acc_taxii_accept_ok(const char *accept) {
  if (!accept)
    return 0;
  size_t end = strlen(accept), pos = 0;
  while (pos < end) {
    mtype m;
    int rc = parse_mtype(accept, &pos, end, 1, &m);
    if (pos < end)
      pos++; /* the ',' */
    if (rc || m.q <= 0)
      continue;
    if (is_taxii(&m) && (!m.version[0] || strcmp(m.version, "2.1") == 0))
      return 1;
    if (span_eq(m.type, m.type_len, "*") && span_eq(m.sub, m.sub_len, "*"))
      return 1;
    if (span_eq(m.type, m.type_len, "application") &&
        span_eq(m.sub, m.sub_len, "*"))
      return 1;
  }
  return 0;
}

int acc_taxii_content_type_ok(const char *ct) {
  if (!ct)
    return 0;
  size_t end = strlen(ct), pos = 0;
  mtype m;
  if (parse_mtype(ct, &pos, end, 0, &m) || pos != end)
    return 0;
  return is_taxii(&m) && (!m.version[0] || strcmp(m.version, "2.1") == 0);
}

/* ---- Authorization ---- */

void acc_taxii_auth_wipe(acc_taxii_auth *a) {
  sodium_memzero(a, sizeof *a);
}

void acc_taxii_auth_parse(const char *h, acc_taxii_auth *out) {
  memset(out, 0, sizeof *out);
  if (!h) {
    out->kind = ACC_TAXII_AUTH_NONE;
    return;
  }
  out->kind = ACC_TAXII_AUTH_BAD;
  size_t i = 0;
  while (is_ows(h[i]))
    i++;
  const char *scheme = h + i;
  while (is_tchar((unsigned char)h[i]))
    i++;
  size_t slen = (size_t)(h + i - scheme);
  if (!is_ows(h[i]))
    return;
  while (is_ows(h[i]))
    i++;
  const char *cred = h + i;
  size_t clen = strlen(cred);
  while (clen && is_ows(cred[clen - 1]))
    clen--;
  if (clen == 0)
    return;
  /* token68: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" then "="s */
  for (size_t k = 0; k < clen; k++) {
    char c = cred[k];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || strchr("-._~+/=", c);
    if (!ok || (c != '=' && k && cred[k - 1] == '='))
      return;
  }
  if (span_eq(scheme, slen, "basic")) {
    unsigned char raw[sizeof out->user + sizeof out->password + 1];
    size_t n = 0;
    if (clen > sodium_base64_ENCODED_LEN(sizeof raw,
                                         sodium_base64_VARIANT_ORIGINAL) ||
        sodium_base642bin(raw, sizeof raw, cred, clen, NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
      sodium_memzero(raw, sizeof raw);
      return;
    }
    unsigned char *colon = memchr(raw, ':', n);
    size_t ulen = colon ? (size_t)(colon - raw) : 0;
    size_t plen = colon ? n - ulen - 1 : 0;
    if (!colon || ulen == 0 || ulen >= sizeof out->user ||
        plen >= sizeof out->password || memchr(raw, '\0', n)) {
      sodium_memzero(raw, sizeof raw);
      return;
    }
    memcpy(out->user, raw, ulen);
    out->user[ulen] = '\0';
    memcpy(out->password, colon + 1, plen);
    out->password[plen] = '\0';
    sodium_memzero(raw, sizeof raw);
    out->kind = ACC_TAXII_AUTH_BASIC;
  } else if (span_eq(scheme, slen, "bearer")) {
    if (clen >= sizeof out->token)
      return;
    memcpy(out->token, cred, clen);
    out->token[clen] = '\0';
    out->kind = ACC_TAXII_AUTH_BEARER;
  }
}

/* ---- query parameters ---- */

void acc_taxii_filter_init(acc_taxii_filter *f) {
  memset(f, 0, sizeof *f);
  f->added_after_us = ACC_TIME_NONE;
}

void acc_taxii_filter_free(acc_taxii_filter *f) {
  if (!f)
    return;
  for (size_t i = 0; i < f->n_own; i++)
    free(f->own[i]);
  acc_taxii_filter_init(f);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* Sort and drop repeats; returns the new count. */
static size_t sort_unique(const char **v, size_t n) {
  if (n < 2)
    return n;
  qsort(v, n, sizeof *v, cmp_str);
  size_t k = 1;
  for (size_t i = 1; i < n; i++)
    if (strcmp(v[i], v[k - 1]) != 0)
      v[k++] = v[i];
  return k;
}

/*
 * Split a copy of value at commas into out[] (at most max items).  Every
 * item must be non-empty, at most item_max bytes and free of control
 * characters and spaces.
 */
static acc_rc split_list(acc_taxii_filter *f, const char *key,
                         const char *value, const char **out, size_t max,
                         size_t item_max, size_t *n_out, acc_diag *d) {
  if (!value || !*value)
    return acc_diag_set(d, ACC_EINVAL, "query parameter %s has no value", key);
  if (f->n_own >= sizeof f->own / sizeof f->own[0])
    return acc_diag_set(d, ACC_EINVAL, "too many query parameters");
  char *copy = strdup(value);
  if (!copy)
    return ACC_ENOMEM;
  f->own[f->n_own++] = copy;
  size_t n = 0;
  char *p = copy;
  for (;;) {
    char *comma = strchr(p, ',');
    if (comma)
      *comma = '\0';
    size_t len = strlen(p);
    if (len == 0)
      return acc_diag_set(d, ACC_EINVAL,
                          "query parameter %s has an empty value in its "
                          "list",
                          key);
    if (len > item_max)
      return acc_diag_set(d, ACC_EINVAL,
                          "query parameter %s has a value longer than %zu "
                          "bytes",
                          key, item_max);
    for (size_t i = 0; i < len; i++)
      if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f)
        return acc_diag_set(d, ACC_EINVAL,
                            "query parameter %s contains a space or "
                            "control character",
                            key);
    if (n >= max)
      return acc_diag_set(d, ACC_EINVAL,
                          "query parameter %s has more than %zu values", key,
                          max);
    out[n++] = p;
    if (!comma)
      break;
    p = comma + 1;
  }
  *n_out = n;
  return ACC_OK;
}

static acc_rc once(acc_taxii_filter *f, unsigned bit, const char *key,
                   acc_diag *d) {
  if (f->seen & bit)
    return acc_diag_set(d, ACC_EINVAL,
                        "query parameter %s is given more than once", key);
  f->seen |= bit;
  return ACC_OK;
}

static acc_rc add_versions(acc_taxii_filter *f, const char *key,
                           const char *value, acc_diag *d) {
  const char *items[ACC_QUERY_MAX_TERMS + 3];
  size_t n;
  acc_rc rc =
      split_list(f, key, value, items, sizeof items / sizeof *items, 64, &n, d);
  if (rc)
    return rc;
  for (size_t i = 0; i < n; i++) {
    unsigned bit;
    if (strcmp(items[i], "last") == 0)
      bit = ACC_TAXII_VER_LAST;
    else if (strcmp(items[i], "first") == 0)
      bit = ACC_TAXII_VER_FIRST;
    else if (strcmp(items[i], "all") == 0)
      bit = ACC_TAXII_VER_ALL;
    else {
      int64_t us;
      if (acc_time_parse(items[i], strlen(items[i]), 1, &us))
        return acc_diag_set(d, ACC_EINVAL,
                            "match[version]: '%.64s' is neither last, "
                            "first, all nor a timestamp",
                            items[i]);
      for (size_t k = 0; k < f->n_at; k++)
        if (f->at_us[k] == us)
          return acc_diag_set(d, ACC_EINVAL,
                              "match[version]: %.64s is given more than once",
                              items[i]);
      if (f->n_at >= ACC_QUERY_MAX_TERMS)
        return acc_diag_set(d, ACC_EINVAL,
                            "match[version]: more than %d timestamps",
                            ACC_QUERY_MAX_TERMS);
      f->at_us[f->n_at++] = us;
      f->versions |= ACC_TAXII_VER_AT;
      continue;
    }
    if (f->versions & bit)
      return acc_diag_set(d, ACC_EINVAL,
                          "match[version]: %s is given more than once",
                          items[i]);
    f->versions |= bit;
  }
  if ((f->versions & ACC_TAXII_VER_ALL) && f->versions != ACC_TAXII_VER_ALL)
    return acc_diag_set(d, ACC_EINVAL,
                        "match[version]: 'all' cannot be combined with "
                        "other versions");
  qsort(f->at_us, f->n_at, sizeof f->at_us[0], cmp_i64);
  return ACC_OK;
}

acc_rc acc_taxii_filter_add(acc_taxii_filter *f, const char *key,
                            const char *value, acc_diag *d) {
  acc_rc rc;
  if (!key)
    return ACC_OK;
  if (strcmp(key, "match[id]") == 0) {
    if ((rc = once(f, ACC_TAXII_P_ID, key, d)) ||
        (rc = split_list(f, key, value, f->ids, ACC_QUERY_MAX_TERMS,
                         ACC_ID_MAX - 1, &f->n_ids, d)))
      return rc;
    f->n_ids = sort_unique(f->ids, f->n_ids);
  } else if (strcmp(key, "match[type]") == 0) {
    if ((rc = once(f, ACC_TAXII_P_TYPE, key, d)) ||
        (rc = split_list(f, key, value, f->types, ACC_QUERY_MAX_TERMS, 250,
                         &f->n_types, d)))
      return rc;
    f->n_types = sort_unique(f->types, f->n_types);
  } else if (strcmp(key, "match[spec_version]") == 0) {
    if ((rc = once(f, ACC_TAXII_P_SPEC, key, d)) ||
        (rc = split_list(f, key, value, f->spec_versions, 4, 16,
                         &f->n_spec_versions, d)))
      return rc;
    for (size_t i = 0; i < f->n_spec_versions; i++) {
      /* n.m, both unsigned integers */
      const char *s = f->spec_versions[i];
      size_t k = 0, a = 0, b = 0;
      while (s[k] >= '0' && s[k] <= '9')
        k++, a++;
      if (s[k] == '.')
        for (k++; s[k] >= '0' && s[k] <= '9'; k++)
          b++;
      if (!a || !b || s[k])
        return acc_diag_set(d, ACC_EINVAL,
                            "match[spec_version]: '%.16s' is not of the "
                            "form n.m",
                            s);
    }
    f->n_spec_versions = sort_unique(f->spec_versions, f->n_spec_versions);
  } else if (strcmp(key, "match[version]") == 0) {
    if ((rc = once(f, ACC_TAXII_P_VERSION, key, d)) ||
        (rc = add_versions(f, key, value, d)))
      return rc;
  } else if (strcmp(key, "added_after") == 0) {
    if ((rc = once(f, ACC_TAXII_P_ADDED_AFTER, key, d)))
      return rc;
    int64_t us;
    if (!value || acc_time_parse(value, strlen(value), 1, &us))
      return acc_diag_set(d, ACC_EINVAL,
                          "added_after: '%.64s' is not a timestamp "
                          "(YYYY-MM-DDTHH:MM:SS.ssssssZ)",
                          value ? value : "");
    f->added_after_us = us;
  } else if (strcmp(key, "limit") == 0) {
    if ((rc = once(f, ACC_TAXII_P_LIMIT, key, d)))
      return rc;
    size_t v = 0, k = 0;
    for (; value && value[k] >= '0' && value[k] <= '9'; k++)
      v = v > 100000000 ? 1000000000 : v * 10 + (size_t)(value[k] - '0');
    if (!value || k == 0 || value[k] || v == 0)
      return acc_diag_set(d, ACC_EINVAL,
                          "limit: '%.32s' is not a positive integer",
                          value ? value : "");
    f->limit = v;
  } else if (strcmp(key, "next") == 0) {
    if ((rc = once(f, ACC_TAXII_P_NEXT, key, d)))
      return rc;
    size_t n = value ? strlen(value) : 0;
    if (n == 0 || n > ACC_TAXII_NEXT_MAX)
      return acc_diag_set(d, ACC_EINVAL, "next: not a token of this server");
    memcpy(f->next, value, n + 1);
  }
  /* Anything else (other match fields, unknown parameters) is ignored, as
   * section 3.4 allows. */
  return ACC_OK;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Percent-decode s[0..n) into out (at least n + 1 bytes); like the HTTP
 * server, '+' stays '+' and a malformed escape is kept as it is. */
static void unescape(const char *s, size_t n, char *out) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    int hi, lo;
    if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
        (lo = hexval(s[i + 2])) >= 0) {
      out[k++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      out[k++] = s[i];
    }
  }
  out[k] = '\0';
}

acc_rc acc_taxii_filter_parse(acc_taxii_filter *f, const char *qs, size_t len,
                              acc_diag *d) {
  acc_rc rc = ACC_OK;
  size_t i = 0;
  while (i < len && !rc) {
    size_t j = i;
    while (j < len && qs[j] != '&')
      j++;
    if (j > i) {
      const char *eq = memchr(qs + i, '=', j - i);
      size_t klen = eq ? (size_t)(eq - (qs + i)) : j - i;
      char *key = malloc(klen + 1);
      char *val = eq ? malloc(j - i - klen) : NULL;
      if (!key || (eq && !val)) {
        free(key);
        free(val);
        return ACC_ENOMEM;
      }
      unescape(qs + i, klen, key);
      if (eq)
        unescape(eq + 1, j - i - klen - 1, val);
      /* A decoded NUL ends the string, as it would in the server. */
      rc = acc_taxii_filter_add(f, key, val, d);
      free(key);
      free(val);
    }
    i = j + 1;
  }
  return rc;
}

static acc_rc put_term(acc_buf *b, const char *s) {
  return acc_buf_printf(b, "%zu:%s", strlen(s), s);
}

acc_rc acc_taxii_filter_normalise(const acc_taxii_filter *f, acc_buf *b) {
  acc_rc rc = acc_buf_puts(b, "id=");
  for (size_t i = 0; i < f->n_ids && !rc; i++)
    rc = put_term(b, f->ids[i]);
  rc = rc ? rc : acc_buf_puts(b, ";type=");
  for (size_t i = 0; i < f->n_types && !rc; i++)
    rc = put_term(b, f->types[i]);
  rc = rc ? rc : acc_buf_puts(b, ";spec=");
  for (size_t i = 0; i < f->n_spec_versions && !rc; i++)
    rc = put_term(b, f->spec_versions[i]);
  unsigned v = f->versions ? f->versions : ACC_TAXII_VER_LAST;
  rc = rc ? rc : acc_buf_printf(b, ";ver=%u", v);
  for (size_t i = 0; i < f->n_at && !rc; i++)
    rc = acc_buf_printf(b, ",%lld", (long long)f->at_us[i]);
  if (!rc && f->added_after_us != ACC_TIME_NONE)
    rc = acc_buf_printf(b, ";after=%lld", (long long)f->added_after_us);
  return rc;
}

/* ---- JSON text ---- */

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 if none. */
static size_t utf8_len(const unsigned char *p, size_t n) {
  unsigned c = p[0];
  size_t len;
  unsigned min;
  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    len = 2, min = 0x80;
  else if (c >= 0xe0 && c <= 0xef)
    len = 3, min = 0x800;
  else if (c >= 0xf0 && c <= 0xf4)
    len = 4, min = 0x10000;
  else
    return 0;
  if (n < len)
    return 0;
  unsigned cp = c & (0x7f >> len);
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

acc_rc acc_taxii_json_str(acc_buf *b, const char *s) {
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  size_t n = strlen((const char *)p);
  acc_rc rc = acc_buf_reserve(b, n + 2);
  if (rc)
    return rc;
  rc = acc_buf_putc(b, '"');
  size_t i = 0;
  while (i < n && !rc) {
    size_t run = i;
    while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' &&
           p[run] != '\\')
      run++;
    if (run > i) {
      rc = acc_buf_append(b, p + i, run - i);
      i = run;
      continue;
    }
    unsigned c = p[i];
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', (char)c};
      rc = acc_buf_append(b, esc, 2);
      i++;
    } else if (c < 0x20) {
      rc = acc_buf_printf(b, "\\u%04x", c);
      i++;
    } else {
      size_t l = utf8_len(p + i, n - i);
      if (l) {
        rc = acc_buf_append(b, p + i, l);
        i += l;
      } else {
        rc = acc_buf_puts(b, "\\ufffd");
        i++;
      }
    }
  }
  return rc ? rc : acc_buf_putc(b, '"');
}
