/*
 * jcs.c — RFC 8785 JSON Canonicalization Scheme: the one serialisation of a
 * JSON value that every implementation agrees on, used for SCO
 * deterministic identifiers (STIX §2.9).
 *
 * Objects are written with their members sorted by the UTF-16 code units of
 * their names, strings with only the escapes JSON.stringify() uses, and
 * numbers in ECMAScript Number::toString form (shortest digits that read
 * back to the same double; plain notation from 1e-6 up to 1e21, exponent
 * notation outside).  No whitespace.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stix/stix.h"
#include "stix/types.h"

/* Nesting deeper than this is refused rather than recursed into. */
#define JCS_MAX_DEPTH 2048

/* Members sorted in place for objects up to this size; larger ones use
 * the heap. */
#define JCS_STACK_MEMBERS 32

/* ---- strings ------------------------------------------------------------ */

acc_rc acc_jcs_string(const char *s, size_t len, acc_buf *b) {
  static const char hex[] = "0123456789abcdef";
  acc_rc rc = acc_buf_putc(b, '"');
  size_t run = 0; /* start of the pending run of bytes copied verbatim */
  for (size_t i = 0; !rc && i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[7];
    size_t n = 0;
    if (c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
      n = 2;
    } else if (c < 0x20) {
      esc[0] = '\\';
      n = 2;
      switch (c) {
      case '\b':
        esc[1] = 'b';
        break;
      case '\t':
        esc[1] = 't';
        break;
      case '\n':
        esc[1] = 'n';
        break;
      case '\f':
        esc[1] = 'f';
        break;
      case '\r':
        esc[1] = 'r';
        break;
      default:
        memcpy(esc + 1, "u00", 3);
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        n = 6;
      }
    } else {
      continue;
    }
    rc = acc_buf_append(b, s + run, i - run);
    if (!rc)
      rc = acc_buf_append(b, esc, n);
    run = i + 1;
  }
  if (!rc)
    rc = acc_buf_append(b, s + run, len - run);
  if (!rc)
    rc = acc_buf_putc(b, '"');
  return rc;
}

/* ---- numbers ------------------------------------------------------------ */

/* The decimal digits of a mantissa and the power of ten of its last one. */
typedef struct decimal {
  uint64_t mant; /* no trailing zeros, non-zero */
  int exp;       /* value = mant * 10^exp */
} decimal;

/*
 * The shortest decimal that reads back as d (d > 0, finite), and among
 * those of that length the closest to d.  printf rounds correctly, so at
 * each length its result is the closest candidate, and the first length
 * whose result reads back is the answer.  (The one case where a farther
 * candidate could read back while the closest does not, the lopsided
 * rounding interval of a power of two, does not arise for doubles: every
 * power of two was checked against ECMAScript.)  Seventeen digits always
 * read back.
 */
static decimal shortest(double d) {
  decimal r = {0, 0};
  char tmp[48];
  for (int prec = 1; prec <= 17; prec++) {
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
    if (strtod(tmp, NULL) == d || prec == 17) {
      /* tmp is "D[.DDD]e[+-]XX" */
      const char *p = tmp;
      for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
          r.mant = r.mant * 10 + (uint64_t)(*p - '0');
      r.exp = (int)strtol(p + 1, NULL, 10) - (prec - 1);
      break;
    }
  }
  while (r.mant && r.mant % 10 == 0) {
    r.mant /= 10;
    r.exp++;
  }
  return r;
}

/* ECMAScript Number::toString(d) for a finite d. */
static acc_rc jcs_double(double d, acc_buf *b) {
  if (!isfinite(d))
    return ACC_EINVAL;
  if (d == 0)
    return acc_buf_putc(b, '0'); /* and -0 too */
  acc_rc rc = ACC_OK;
  if (d < 0) {
    rc = acc_buf_putc(b, '-');
    d = -d;
  }
  if (rc)
    return rc;
  decimal dec = shortest(d);
  char s[24];
  int k = snprintf(s, sizeof s, "%llu", (unsigned long long)dec.mant);
  int n = dec.exp + k; /* d = 0.s * 10^n */
  if (k <= n && n <= 21) {
    rc = acc_buf_append(b, s, (size_t)k);
    for (int i = k; !rc && i < n; i++)
      rc = acc_buf_putc(b, '0');
  } else if (0 < n && n <= 21) {
    rc = acc_buf_append(b, s, (size_t)n);
    if (!rc)
      rc = acc_buf_putc(b, '.');
    if (!rc)
      rc = acc_buf_append(b, s + n, (size_t)(k - n));
  } else if (-6 < n && n <= 0) {
    rc = acc_buf_puts(b, "0.");
    for (int i = 0; !rc && i < -n; i++)
      rc = acc_buf_putc(b, '0');
    if (!rc)
      rc = acc_buf_append(b, s, (size_t)k);
  } else {
    int e = n - 1;
    rc = acc_buf_putc(b, s[0]);
    if (!rc && k > 1) {
      rc = acc_buf_putc(b, '.');
      if (!rc)
        rc = acc_buf_append(b, s + 1, (size_t)(k - 1));
    }
    if (!rc)
      rc = acc_buf_printf(b, "e%c%d", e < 0 ? '-' : '+', e < 0 ? -e : e);
  }
  return rc;
}

static acc_rc jcs_integer(json_int_t i, acc_buf *b) {
  const json_int_t exact = (json_int_t)1 << 53;
  if (i >= -exact && i <= exact)
    return acc_buf_printf(b, "%lld", (long long)i);
  /* Outside what a double holds exactly: JCS numbers are doubles. */
  return jcs_double((double)i, b);
}

/* ---- member order ------------------------------------------------------- */

/* Walks a UTF-8 string as UTF-16 code units. */
typedef struct u16iter {
  const unsigned char *p, *end;
  unsigned low; /* pending low surrogate, 0 if none */
} u16iter;

/* Next code unit, or -1 at the end.  Bytes that are not valid UTF-8 (which
 * jansson never produces) stand for themselves. */
static long u16next(u16iter *it) {
  if (it->low) {
    unsigned u = it->low;
    it->low = 0;
    return u;
  }
  if (it->p >= it->end)
    return -1;
  unsigned c = *it->p, need, cp;
  if (c < 0x80) {
    it->p++;
    return c;
  } else if (c >= 0xc2 && c < 0xe0) {
    need = 1;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c < 0xf0) {
    need = 2;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c < 0xf5) {
    need = 3;
    cp = c & 0x07;
  } else {
    it->p++;
    return c;
  }
  if ((size_t)(it->end - it->p) <= need) {
    it->p++;
    return c;
  }
  for (unsigned i = 1; i <= need; i++) {
    if ((it->p[i] & 0xc0) != 0x80) {
      it->p++;
      return c;
    }
    cp = (cp << 6) | (it->p[i] & 0x3f);
  }
  it->p += need + 1;
  if (cp < 0x10000)
    return cp;
  cp -= 0x10000;
  it->low = 0xdc00 + (cp & 0x3ff);
  return 0xd800 + (cp >> 10);
}

typedef struct member {
  const char *key;
  size_t len;
  json_t *val;
} member;

static int member_cmp(const void *pa, const void *pb) {
  const member *a = pa, *b = pb;
  u16iter ia = {(const unsigned char *)a->key,
                (const unsigned char *)a->key + a->len, 0};
  u16iter ib = {(const unsigned char *)b->key,
                (const unsigned char *)b->key + b->len, 0};
  for (;;) {
    long ua = u16next(&ia), ub = u16next(&ib);
    if (ua != ub)
      return ua < ub ? -1 : 1; /* the end (-1) sorts first */
    if (ua < 0)
      return 0;
  }
}

/* ---- values ------------------------------------------------------------- */

static acc_rc dump(const json_t *v, acc_buf *b, int depth);

static acc_rc dump_object(const json_t *v, acc_buf *b, int depth) {
  json_t *obj = (json_t *)v; /* jansson's iterators are not const */
  size_t n = json_object_size(obj);
  member stack[JCS_STACK_MEMBERS];
  member *m = stack;
  acc_rc rc;
  if (n > JCS_STACK_MEMBERS) {
    m = malloc(n * sizeof *m);
    if (!m)
      return ACC_ENOMEM;
  }
  size_t i = 0;
  for (void *it = json_object_iter(obj); it && i < n;
       it = json_object_iter_next(obj, it), i++) {
    m[i].key = json_object_iter_key(it);
    m[i].len = json_object_iter_key_len(it);
    m[i].val = json_object_iter_value(it);
  }
  n = i;
  qsort(m, n, sizeof *m, member_cmp);
  rc = acc_buf_putc(b, '{');
  for (i = 0; !rc && i < n; i++) {
    if (i)
      rc = acc_buf_putc(b, ',');
    if (!rc)
      rc = acc_jcs_string(m[i].key, m[i].len, b);
    if (!rc)
      rc = acc_buf_putc(b, ':');
    if (!rc)
      rc = dump(m[i].val, b, depth + 1);
  }
  if (!rc)
    rc = acc_buf_putc(b, '}');
  if (m != stack)
    free(m);
  return rc;
}

static acc_rc dump(const json_t *v, acc_buf *b, int depth) {
  if (!v)
    return ACC_EINVAL;
  if (depth > JCS_MAX_DEPTH)
    return ACC_ETOODEEP;
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return dump_object(v, b, depth);
  case JSON_ARRAY: {
    acc_rc rc = acc_buf_putc(b, '[');
    size_t n = json_array_size(v);
    for (size_t i = 0; !rc && i < n; i++) {
      if (i)
        rc = acc_buf_putc(b, ',');
      if (!rc)
        rc = dump(json_array_get(v, i), b, depth + 1);
    }
    return rc ? rc : acc_buf_putc(b, ']');
  }
  case JSON_STRING:
    return acc_jcs_string(json_string_value(v), json_string_length(v), b);
  case JSON_INTEGER:
    return jcs_integer(json_integer_value(v), b);
  case JSON_REAL:
    return jcs_double(json_real_value(v), b);
  case JSON_TRUE:
    return acc_buf_puts(b, "true");
  case JSON_FALSE:
    return acc_buf_puts(b, "false");
  case JSON_NULL:
    return acc_buf_puts(b, "null");
  }
  return ACC_EINVAL;
}

/* Appends the serialisation to b; on failure b is left as it was. */
acc_rc acc_jcs_dump(const json_t *v, acc_buf *b) {
  size_t mark = b->len;
  acc_rc rc = dump(v, b, 0);
  if (rc) {
    b->len = mark;
    if (b->data)
      b->data[mark] = '\0';
  }
  return rc;
}
