/*
 * parse.c — the pure parsers of the TAXII client (client.h): what an
 * envelope says about paging (more, next, objects), status resources,
 * discovery, error messages, Retry-After, the backoff schedule, the pull
 * watermark and the query of a pull request.  No I/O: fuzzed by
 * fuzz/fuzz_taxii_envelope.c and unit-tested by tests/unit/test_sync.c.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync/client.h"
#include "util/time.h"

#define MAX_DEPTH 64

/* ---- the envelope scanner ---- */

typedef struct jscan {
  const char *s;
  size_t len, pos;
  const char *err; /* what was expected, on failure */
} jscan;

static void ws(jscan *j) {
  while (j->pos < j->len && (j->s[j->pos] == ' ' || j->s[j->pos] == '\t' ||
                             j->s[j->pos] == '\n' || j->s[j->pos] == '\r'))
    j->pos++;
}

static int fail(jscan *j, const char *what) {
  if (!j->err)
    j->err = what;
  return -1;
}

static int hex4(const char *p, unsigned *out) {
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      return -1;
  }
  *out = v;
  return 0;
}

/* Append code point cp as UTF-8 to out[*n] (bounded by size, NUL kept). */
static void put_cp(char *out, size_t size, size_t *n, int *overflow,
                   unsigned cp) {
  unsigned char b[4];
  size_t k;
  if (cp < 0x80) {
    b[0] = (unsigned char)cp;
    k = 1;
  } else if (cp < 0x800) {
    b[0] = (unsigned char)(0xC0 | (cp >> 6));
    b[1] = (unsigned char)(0x80 | (cp & 0x3F));
    k = 2;
  } else if (cp < 0x10000) {
    b[0] = (unsigned char)(0xE0 | (cp >> 12));
    b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[2] = (unsigned char)(0x80 | (cp & 0x3F));
    k = 3;
  } else {
    b[0] = (unsigned char)(0xF0 | (cp >> 18));
    b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    b[3] = (unsigned char)(0x80 | (cp & 0x3F));
    k = 4;
  }
  if (!out)
    return;
  if (*n + k >= size) {
    *overflow = 1;
    return;
  }
  memcpy(out + *n, b, k);
  *n += k;
  out[*n] = '\0';
}

/* A string at j->pos; its unescaped text goes to out (when not NULL, at
 * most size - 1 bytes; *overflow set past that). */
static int str(jscan *j, char *out, size_t size, int *overflow) {
  size_t n = 0;
  int ov = 0;
  if (out && size)
    out[0] = '\0';
  if (j->pos >= j->len || j->s[j->pos] != '"')
    return fail(j, "a string");
  j->pos++;
  while (j->pos < j->len) {
    unsigned char c = (unsigned char)j->s[j->pos];
    if (c == '"') {
      j->pos++;
      if (overflow)
        *overflow = ov;
      return 0;
    }
    if (c < 0x20)
      return fail(j, "no control character inside a string");
    if (c != '\\') {
      put_cp(out, size, &n, &ov, c); /* bytes pass through as they are */
      j->pos++;
      continue;
    }
    if (j->pos + 1 >= j->len)
      break;
    char e = j->s[j->pos + 1];
    unsigned cp;
    j->pos += 2;
    switch (e) {
    case '"':
    case '\\':
    case '/':
      cp = (unsigned)e;
      break;
    case 'b':
      cp = '\b';
      break;
    case 'f':
      cp = '\f';
      break;
    case 'n':
      cp = '\n';
      break;
    case 'r':
      cp = '\r';
      break;
    case 't':
      cp = '\t';
      break;
    case 'u':
      if (j->pos + 4 > j->len || hex4(j->s + j->pos, &cp))
        return fail(j, "four hex digits after \\u");
      j->pos += 4;
      if (cp >= 0xD800 && cp < 0xDC00) {
        unsigned lo;
        if (j->pos + 6 > j->len || j->s[j->pos] != '\\' ||
            j->s[j->pos + 1] != 'u' || hex4(j->s + j->pos + 2, &lo) ||
            lo < 0xDC00 || lo > 0xDFFF)
          return fail(j, "a low surrogate after a high one");
        j->pos += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      } else if (cp >= 0xDC00 && cp < 0xE000) {
        return fail(j, "no lone low surrogate");
      }
      break;
    default:
      return fail(j, "a valid escape");
    }
    if (cp == 0)
      return fail(j, "no NUL character in a string");
    put_cp(out, size, &n, &ov, cp);
  }
  return fail(j, "the end of a string");
}

static int digits(jscan *j) {
  size_t start = j->pos;
  while (j->pos < j->len && j->s[j->pos] >= '0' && j->s[j->pos] <= '9')
    j->pos++;
  return j->pos > start ? 0 : -1;
}

static int number(jscan *j) {
  if (j->s[j->pos] == '-')
    j->pos++;
  if (j->pos < j->len && j->s[j->pos] == '0')
    j->pos++;
  else if (digits(j))
    return fail(j, "a digit");
  if (j->pos < j->len && j->s[j->pos] == '.') {
    j->pos++;
    if (digits(j))
      return fail(j, "a digit after '.'");
  }
  if (j->pos < j->len && (j->s[j->pos] == 'e' || j->s[j->pos] == 'E')) {
    j->pos++;
    if (j->pos < j->len && (j->s[j->pos] == '+' || j->s[j->pos] == '-'))
      j->pos++;
    if (digits(j))
      return fail(j, "a digit in the exponent");
  }
  return 0;
}

static int literal(jscan *j, const char *word) {
  size_t n = strlen(word);
  if (j->len - j->pos < n || memcmp(j->s + j->pos, word, n) != 0)
    return fail(j, "a value");
  j->pos += n;
  return 0;
}

static int value(jscan *j, unsigned depth);

/* Elements of an array at j->pos; *count gets how many. */
static int array(jscan *j, unsigned depth, size_t *count) {
  size_t n = 0;
  if (depth > MAX_DEPTH)
    return fail(j, "nesting at most 64 deep");
  j->pos++; /* '[' */
  ws(j);
  if (j->pos < j->len && j->s[j->pos] == ']') {
    j->pos++;
    *count = 0;
    return 0;
  }
  for (;;) {
    if (value(j, depth + 1))
      return -1;
    n++;
    ws(j);
    if (j->pos >= j->len)
      return fail(j, "',' or ']'");
    if (j->s[j->pos] == ']') {
      j->pos++;
      *count = n;
      return 0;
    }
    if (j->s[j->pos] != ',')
      return fail(j, "',' or ']'");
    j->pos++;
    ws(j);
  }
}

static int object(jscan *j, unsigned depth) {
  if (depth > MAX_DEPTH)
    return fail(j, "nesting at most 64 deep");
  j->pos++; /* '{' */
  ws(j);
  if (j->pos < j->len && j->s[j->pos] == '}') {
    j->pos++;
    return 0;
  }
  for (;;) {
    if (str(j, NULL, 0, NULL))
      return -1;
    ws(j);
    if (j->pos >= j->len || j->s[j->pos] != ':')
      return fail(j, "':'");
    j->pos++;
    ws(j);
    if (value(j, depth + 1))
      return -1;
    ws(j);
    if (j->pos >= j->len)
      return fail(j, "',' or '}'");
    if (j->s[j->pos] == '}') {
      j->pos++;
      return 0;
    }
    if (j->s[j->pos] != ',')
      return fail(j, "',' or '}'");
    j->pos++;
    ws(j);
  }
}

static int value(jscan *j, unsigned depth) {
  ws(j);
  if (j->pos >= j->len)
    return fail(j, "a value");
  char c = j->s[j->pos];
  size_t n;
  switch (c) {
  case '{':
    return object(j, depth);
  case '[':
    return array(j, depth, &n);
  case '"':
    return str(j, NULL, 0, NULL);
  case 't':
    return literal(j, "true");
  case 'f':
    return literal(j, "false");
  case 'n':
    return literal(j, "null");
  default:
    if (c == '-' || (c >= '0' && c <= '9'))
      return number(j);
    return fail(j, "a value");
  }
}

/* Line and column of offset pos, for messages. */
static void line_col(const char *s, size_t pos, size_t *line, size_t *col) {
  size_t l = 1, c = 1;
  for (size_t i = 0; i < pos; i++) {
    if (s[i] == '\n') {
      l++;
      c = 1;
    } else {
      c++;
    }
  }
  *line = l;
  *col = c;
}

acc_rc acc_sync_envelope_parse(const char *body, size_t len,
                               acc_sync_envelope *out, acc_diag *d) {
  jscan j = {.s = body, .len = len};
  acc_sync_envelope e;
  memset(&e, 0, sizeof e);
  int seen_more = 0;
  const char *dup = NULL;
  if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
    j.pos = 3;
  ws(&j);
  if (j.pos >= len || body[j.pos] != '{') {
    fail(&j, "a JSON object (a TAXII envelope)");
    goto bad;
  }
  j.pos++;
  ws(&j);
  if (j.pos < len && body[j.pos] == '}') {
    j.pos++;
  } else {
    for (;;) {
      char key[16];
      int key_long = 0;
      if (str(&j, key, sizeof key, &key_long))
        goto bad;
      ws(&j);
      if (j.pos >= len || body[j.pos] != ':') {
        fail(&j, "':'");
        goto bad;
      }
      j.pos++;
      ws(&j);
      if (key_long) {
        if (value(&j, 2))
          goto bad;
      } else if (strcmp(key, "more") == 0) {
        if (seen_more)
          dup = "more";
        seen_more = 1;
        e.more = j.pos < len && body[j.pos] == 't';
        if (literal(&j, e.more ? "true" : "false")) {
          j.err = "true or false for 'more'";
          goto bad;
        }
      } else if (strcmp(key, "next") == 0) {
        if (e.has_next)
          dup = "next";
        if (j.pos >= len || body[j.pos] != '"') {
          fail(&j, "a string for 'next'");
          goto bad;
        }
        if (str(&j, e.next, sizeof e.next, &e.next_too_long))
          goto bad;
        e.has_next = 1;
        if (e.next_too_long)
          e.next[0] = '\0';
      } else if (strcmp(key, "objects") == 0) {
        if (e.has_objects)
          dup = "objects";
        if (j.pos >= len || body[j.pos] != '[') {
          fail(&j, "an array for 'objects'");
          goto bad;
        }
        if (array(&j, 2, &e.n_objects))
          goto bad;
        e.has_objects = 1;
      } else if (value(&j, 2)) {
        goto bad;
      }
      ws(&j);
      if (j.pos >= len) {
        fail(&j, "',' or '}'");
        goto bad;
      }
      if (body[j.pos] == '}') {
        j.pos++;
        break;
      }
      if (body[j.pos] != ',') {
        fail(&j, "',' or '}'");
        goto bad;
      }
      j.pos++;
      ws(&j);
    }
  }
  ws(&j);
  if (j.pos != len) {
    fail(&j, "the end of the envelope");
    goto bad;
  }
  if (dup)
    return acc_diag_set(d, ACC_EJSON, "the envelope has '%s' more than once",
                        dup);
  *out = e;
  return ACC_OK;
bad:;
  size_t line, col;
  line_col(body, j.pos < len ? j.pos : len, &line, &col);
  return acc_diag_set(d, ACC_EJSON,
                      "not a TAXII envelope: line %zu, column %zu: expected %s",
                      line, col, j.err ? j.err : "JSON");
}

/* ---- status, discovery, API root, errors ---- */

static int count_of(json_t *o, const char *k, int64_t *out) {
  json_t *v = json_object_get(o, k);
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return -1;
  *out = json_integer_value(v);
  return 0;
}

acc_rc acc_sync_status_parse(const char *body, size_t len, acc_sync_status *out,
                             acc_diag *d) {
  json_error_t err;
  json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
  acc_sync_status s;
  memset(&s, 0, sizeof s);
  acc_rc rc = ACC_OK;
  if (!j)
    return acc_diag_set(d, ACC_EJSON,
                        "the status resource is not JSON: line %d, column "
                        "%d: %s",
                        err.line, err.column, err.text);
  if (!json_is_object(j)) {
    rc = acc_diag_set(d, ACC_EJSON, "the status resource is not an object");
    goto out;
  }
  const char *id = json_string_value(json_object_get(j, "id"));
  const char *st = json_string_value(json_object_get(j, "status"));
  if (!id || !*id || strlen(id) >= sizeof s.id) {
    rc = acc_diag_set(d, ACC_EINVAL, "the status resource has no usable 'id'");
    goto out;
  }
  for (const char *p = id; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
          (*p >= 'A' && *p <= 'F') || *p == '-')) {
      rc = acc_diag_set(d, ACC_EINVAL,
                        "the status resource's 'id' is not an identifier");
      goto out;
    }
  snprintf(s.id, sizeof s.id, "%s", id);
  if (!st || (strcmp(st, "complete") != 0 && strcmp(st, "pending") != 0)) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "the status resource's 'status' is neither 'complete' "
                      "nor 'pending'");
    goto out;
  }
  s.complete = strcmp(st, "complete") == 0;
  if (count_of(j, "total_count", &s.total) ||
      count_of(j, "success_count", &s.success) ||
      count_of(j, "failure_count", &s.failure) ||
      count_of(j, "pending_count", &s.pending)) {
    rc = acc_diag_set(d, ACC_EINVAL,
                      "the status resource lacks a count (total_count, "
                      "success_count, failure_count, pending_count)");
    goto out;
  }
  json_t *f = json_array_get(json_object_get(j, "failures"), 0);
  if (json_is_object(f)) {
    const char *fid = json_string_value(json_object_get(f, "id"));
    const char *msg = json_string_value(json_object_get(f, "message"));
    snprintf(s.failure_msg, sizeof s.failure_msg, "%s: %s", fid ? fid : "?",
             msg ? msg : "refused");
    for (char *p = s.failure_msg; *p; p++)
      if ((unsigned char)*p < 0x20)
        *p = ' ';
  }
  *out = s;
out:
  json_decref(j);
  return rc;
}

acc_rc acc_sync_discovery_parse(const char *body, size_t len, char *root,
                                size_t root_size, acc_diag *d) {
  json_error_t err;
  json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
  acc_rc rc = ACC_OK;
  if (!json_is_object(j)) {
    json_decref(j);
    return acc_diag_set(d, ACC_EJSON,
                        "the discovery resource is not a JSON object");
  }
  const char *def = json_string_value(json_object_get(j, "default"));
  json_t *roots = json_object_get(j, "api_roots");
  if (!def && json_array_size(roots) == 1)
    def = json_string_value(json_array_get(roots, 0));
  if (!def || !*def)
    rc = acc_diag_set(d, ACC_ENOTFOUND,
                      "the server's discovery resource names no default API "
                      "root (%zu listed): give one with --api-root",
                      json_array_size(roots));
  else if (strlen(def) >= root_size)
    rc = acc_diag_set(d, ACC_ETOOBIG, "the default API root URL is too long");
  else
    snprintf(root, root_size, "%s", def);
  json_decref(j);
  return rc;
}

size_t acc_sync_api_root_max_content(const char *body, size_t len) {
  json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
  json_t *v = json_object_get(j, "max_content_length");
  size_t n = 0;
  if (json_is_integer(v) && json_integer_value(v) > 0)
    n = (size_t)json_integer_value(v);
  json_decref(j);
  return n;
}

/* Copy s to out as printable text, at most max characters. */
static void printable(const char *s, size_t len, char *out, size_t size) {
  size_t n = 0;
  int space = 0;
  for (size_t i = 0; i < len && n + 4 < size; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x20 || c == 0x7f) {
      space = n > 0;
      continue;
    }
    if (space) {
      out[n++] = ' ';
      space = 0;
    }
    out[n++] = (char)(c < 0x80 ? c : '?');
  }
  out[n] = '\0';
}

void acc_sync_error_text(const char *body, size_t len, char *out, size_t size) {
  if (!size)
    return;
  out[0] = '\0';
  json_t *j = len ? json_loadb(body, len, 0, NULL) : NULL;
  const char *title = json_string_value(json_object_get(j, "title"));
  const char *desc = json_string_value(json_object_get(j, "description"));
  if (title) {
    char t[512];
    snprintf(t, sizeof t, "%s%s%s", title, desc ? ": " : "", desc ? desc : "");
    printable(t, strlen(t), out, size);
  } else if (len) {
    size_t n = len < 160 ? len : 160;
    printable(body, n, out, size);
  }
  json_decref(j);
}

/* ---- retries ---- */

int64_t acc_sync_retry_after_ms(const char *value, int64_t now_us) {
  if (!value)
    return -1;
  while (*value == ' ' || *value == '\t')
    value++;
  size_t n = strlen(value);
  while (n && (value[n - 1] == ' ' || value[n - 1] == '\t' ||
               value[n - 1] == '\r' || value[n - 1] == '\n'))
    n--;
  if (n == 0 || n > 63)
    return -1;
  char v[64];
  memcpy(v, value, n);
  v[n] = '\0';
  size_t i = 0;
  while (i < n && v[i] >= '0' && v[i] <= '9')
    i++;
  if (i == n) {
    if (n > 9) /* past 31 years: treat as the cap the caller applies */
      return INT64_MAX / 2;
    return (int64_t)strtoll(v, NULL, 10) * 1000;
  }
  /* An HTTP-date: IMF-fixdate (or the obsolete forms libcurl reads). */
  if (!strchr(v, ' '))
    return -1;
  time_t t = curl_getdate(v, NULL);
  if (t == (time_t)-1)
    return -1;
  int64_t ms = ((int64_t)t * 1000000 - now_us) / 1000;
  return ms < 0 ? 0 : ms;
}

unsigned acc_sync_backoff_ms(unsigned attempt, unsigned max_ms, uint32_t rnd) {
  uint64_t ms = 500ull << (attempt > 20 ? 20 : attempt);
  if (ms > max_ms)
    ms = max_ms;
  uint64_t half = ms / 2;
  return (unsigned)(half + (half ? rnd % (half + 1) : 0));
}

/* ---- watermark and query ---- */

int acc_sync_watermark_advance(char wm[64], const char *last) {
  int64_t t, w;
  if (!last || !*last || strlen(last) >= 64)
    return 0;
  if (acc_time_parse(last, strlen(last), 1, &t))
    return 0;
  if (wm[0] && acc_time_parse(wm, strlen(wm), 1, &w) == ACC_OK && t <= w)
    return 0;
  memcpy(wm, last, strlen(last) + 1);
  return 1;
}

static acc_rc put_encoded(acc_buf *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  acc_rc rc = ACC_OK;
  for (const unsigned char *p = (const unsigned char *)s; *p && !rc; p++) {
    unsigned char c = *p;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~' || c == ':')
      rc = acc_buf_putc(b, (char)c);
    else {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      rc = acc_buf_append(b, e, 3);
    }
  }
  return rc;
}

acc_rc acc_sync_objects_query(acc_buf *url, const char *added_after,
                              unsigned limit, int all_versions,
                              const char *next) {
  const char *sep =
      memchr(url->data ? url->data : "", '?', url->len) ? "&" : "?";
  acc_rc rc = ACC_OK;
  if (added_after && *added_after) {
    rc = acc_buf_printf(url, "%sadded_after=", sep);
    rc = rc ? rc : put_encoded(url, added_after);
    sep = "&";
  }
  if (!rc && limit) {
    rc = acc_buf_printf(url, "%slimit=%u", sep, limit);
    sep = "&";
  }
  if (!rc && all_versions) {
    rc = acc_buf_printf(url, "%smatch%%5Bversion%%5D=all", sep);
    sep = "&";
  }
  if (!rc && next && *next) {
    rc = acc_buf_printf(url, "%snext=", sep);
    rc = rc ? rc : put_encoded(url, next);
  }
  return rc;
}
