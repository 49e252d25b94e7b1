/*
 * pjson.c — a lean JSON reader for observations.  Matching reads up to
 * millions of observed-data objects and SCOs, and jansson (about 80 MB/s
 * here, an allocation per value) would take most of the time budget; this
 * reader builds a compact read-only tree in an arena that is reset after
 * each object, points into the input for strings without escapes, and
 * streams the elements of the document's "objects" array one at a time.
 *
 * It reads the shapes the decoder (stix/decode.c) reads: a bundle, a TAXII
 * envelope, a JSON array of objects, JSON lines, or one object.  Input is
 * checked as JSON (RFC 8259: grammar, UTF-8, escapes, no duplicate keys
 * in objects of up to 64 members) with nesting at most 64 deep.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_int.h"

#define PJ_MAX_DEPTH 64
#define PJ_STACK_LIMIT ((size_t)1 << 24) /* members under construction */

void acc_pjp_init(acc_pjp *ps, const char *buf, size_t len, acc_parena *a) {
  memset(ps, 0, sizeof *ps);
  ps->p = ps->base = buf;
  ps->end = buf + len;
  ps->arena = a;
  ps->max_depth = PJ_MAX_DEPTH;
  ps->stack_limit = PJ_STACK_LIMIT;
}

void acc_pjp_free(acc_pjp *ps) {
  free(ps->stack);
  ps->stack = NULL;
  ps->sp = ps->scap = 0;
}

static acc_rc fail(acc_pjp *ps, const char *what) {
  if (!ps->err[0])
    snprintf(ps->err, sizeof ps->err, "%s", what);
  return ACC_EJSON;
}

void acc_pjp_ws(acc_pjp *ps) {
  const char *p = ps->p;
  while (p < ps->end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  ps->p = p;
}

static acc_rc push(acc_pjp *ps, const acc_pj *v) {
  if (ps->sp == ps->scap) {
    size_t nc = ps->scap ? ps->scap * 2 : 256;
    if (nc > ps->stack_limit)
      return fail(ps, "too many members in open containers");
    acc_pj *ns = realloc(ps->stack, nc * sizeof *ns);
    if (!ns)
      return ACC_ENOMEM;
    ps->stack = ns;
    ps->scap = nc;
  }
  ps->stack[ps->sp++] = *v;
  return ACC_OK;
}

static int hexd(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static int u4(const char *p, const char *end, unsigned *out) {
  if (end - p < 4)
    return -1;
  unsigned v = 0;
  for (int i = 0; i < 4; i++) {
    int d = hexd(p[i]);
    if (d < 0)
      return -1;
    v = v << 4 | (unsigned)d;
  }
  *out = v;
  return 0;
}

static size_t put_utf8(char *o, unsigned cp) {
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | cp >> 6);
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | cp >> 12);
    o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | cp >> 18);
  o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* A string at ps->p (the opening quote). */
/* Nonzero when a byte of w is '"', '\\', below 0x20 or above 0x7F (the
 * bytes a string scan must stop at); SWAR, eight bytes at a time. */
static uint64_t special8(uint64_t w) {
  const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
  uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
  uint64_t zq = (q - ones) & ~q, zb = (b - ones) & ~b;
  uint64_t lo = w - ones * 0x20; /* borrows where a byte is < 0x20 */
  return (zq | zb | (lo & ~w) | w) & high;
}

static acc_rc pstring(acc_pjp *ps, const char **out, size_t *outn) {
  const char *p = ps->p + 1, *start = p;
  int esc = 0, high = 0;
  /* skip plain ASCII eight bytes at a time */
  while (ps->end - p >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    if (special8(w))
      break;
    p += 8;
  }
  for (;;) {
    if (p >= ps->end)
      return fail(ps, "unterminated string");
    unsigned char c = (unsigned char)*p;
    if (c == '"')
      break;
    if (c < 0x20)
      return fail(ps, "control character in a string");
    if (c == '\\') {
      esc = 1;
      p += 2;
      continue;
    }
    high |= c >= 0x80;
    p++;
  }
  size_t n = (size_t)(p - start);
  if (high && !acc_pat_utf8_ok(start, n))
    return fail(ps, "invalid UTF-8 in a string");
  ps->p = p + 1;
  if (!esc) {
    *out = start;
    *outn = n;
    return ACC_OK;
  }
  char *o = acc_parena_alloc(ps->arena, n + 1);
  if (!o)
    return ACC_ENOMEM;
  size_t k = 0;
  for (const char *q = start; q < p; q++) {
    if (*q != '\\') {
      o[k++] = *q;
      continue;
    }
    q++;
    switch (*q) {
    case '"':
    case '\\':
    case '/':
      o[k++] = *q;
      break;
    case 'b':
      o[k++] = '\b';
      break;
    case 'f':
      o[k++] = '\f';
      break;
    case 'n':
      o[k++] = '\n';
      break;
    case 'r':
      o[k++] = '\r';
      break;
    case 't':
      o[k++] = '\t';
      break;
    case 'u': {
      unsigned cp, lo;
      if (u4(q + 1, p, &cp))
        return fail(ps, "invalid \\u escape");
      q += 4;
      if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (p - q < 7 || q[1] != '\\' || q[2] != 'u' || u4(q + 3, p, &lo) ||
            lo < 0xDC00 || lo > 0xDFFF)
          return fail(ps, "unpaired surrogate in a \\u escape");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        q += 6;
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return fail(ps, "unpaired surrogate in a \\u escape");
      }
      /* 6 escaped bytes always hold the up to 4 bytes written */
      k += put_utf8(o + k, cp);
      break;
    }
    default:
      return fail(ps, "invalid escape in a string");
    }
  }
  o[k] = '\0';
  *out = o;
  *outn = k;
  return ACC_OK;
}

static acc_rc pnumber(acc_pjp *ps, acc_pj *v) {
  const char *p = ps->p, *s = p;
  int real = 0;
  if (p < ps->end && *p == '-')
    p++;
  if (p >= ps->end || *p < '0' || *p > '9')
    return fail(ps, "invalid number");
  if (*p == '0')
    p++;
  else
    while (p < ps->end && *p >= '0' && *p <= '9')
      p++;
  if (p < ps->end && *p == '.') {
    real = 1;
    p++;
    if (p >= ps->end || *p < '0' || *p > '9')
      return fail(ps, "invalid number");
    while (p < ps->end && *p >= '0' && *p <= '9')
      p++;
  }
  if (p < ps->end && (*p == 'e' || *p == 'E')) {
    real = 1;
    p++;
    if (p < ps->end && (*p == '+' || *p == '-'))
      p++;
    if (p >= ps->end || *p < '0' || *p > '9')
      return fail(ps, "invalid number");
    while (p < ps->end && *p >= '0' && *p <= '9')
      p++;
  }
  size_t n = (size_t)(p - s);
  ps->p = p;
  if (!real && n <= 18) {
    int64_t x = 0;
    for (const char *q = s + (*s == '-'); q < p; q++)
      x = x * 10 + (*q - '0');
    v->type = PJ_INT;
    v->u.i = *s == '-' ? -x : x;
    return ACC_OK;
  }
  char buf[400];
  if (n >= sizeof buf)
    return fail(ps, "number too long");
  memcpy(buf, s, n);
  buf[n] = '\0';
  v->type = PJ_REAL;
  v->u.d = strtod(buf, NULL);
  return ACC_OK;
}

static int lit(acc_pjp *ps, const char *w, size_t n) {
  if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n))
    return 0;
  ps->p += n;
  return 1;
}

static int same_key(const acc_pj *a, const acc_pj *b) {
  return a->keylen == b->keylen && !memcmp(a->key, b->key, a->keylen);
}

static acc_rc pvalue(acc_pjp *ps, acc_pj *v, unsigned depth);

/* Close a container whose members are on the stack from sp0. */
static acc_rc close_container(acc_pjp *ps, acc_pj *v, size_t sp0) {
  size_t n = ps->sp - sp0;
  if (n > UINT32_MAX)
    return fail(ps, "container too large");
  v->n = (uint32_t)n;
  v->u.kids = NULL;
  if (n) {
    v->u.kids = acc_parena_alloc(ps->arena, n * sizeof *v->u.kids);
    if (!v->u.kids)
      return ACC_ENOMEM;
    memcpy(v->u.kids, ps->stack + sp0, n * sizeof *v->u.kids);
  }
  ps->sp = sp0;
  if (v->type == PJ_OBJ && n <= 64)
    for (size_t i = 1; i < n; i++)
      for (size_t j = 0; j < i; j++)
        if (same_key(&v->u.kids[i], &v->u.kids[j]))
          return fail(ps, "duplicate key in an object");
  return ACC_OK;
}

static acc_rc pcontainer(acc_pjp *ps, acc_pj *v, unsigned depth) {
  int obj = *ps->p == '{';
  char close = obj ? '}' : ']';
  v->type = obj ? PJ_OBJ : PJ_ARR;
  if (depth >= ps->max_depth)
    return fail(ps, "nested too deeply");
  ps->p++;
  size_t sp0 = ps->sp;
  acc_rc rc;
  acc_pjp_ws(ps);
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
    return close_container(ps, v, sp0);
  }
  for (;;) {
    acc_pj m;
    memset(&m, 0, sizeof m);
    acc_pjp_ws(ps);
    if (obj) {
      if (ps->p >= ps->end || *ps->p != '"')
        return fail(ps, "expected a key (a string)");
      size_t kn;
      if ((rc = pstring(ps, &m.key, &kn)))
        return rc;
      if (kn > UINT32_MAX)
        return fail(ps, "key too long");
      m.keylen = (uint32_t)kn;
      acc_pjp_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':')
        return fail(ps, "expected ':' after a key");
      ps->p++;
      acc_pjp_ws(ps);
    }
    const char *key = m.key;
    uint32_t keylen = m.keylen;
    if ((rc = pvalue(ps, &m, depth + 1)))
      return rc;
    m.key = key;
    m.keylen = keylen;
    if ((rc = push(ps, &m)))
      return rc;
    acc_pjp_ws(ps);
    if (ps->p >= ps->end)
      return fail(ps, "unexpected end of input");
    if (*ps->p == ',') {
      ps->p++;
      continue;
    }
    if (*ps->p == close) {
      ps->p++;
      return close_container(ps, v, sp0);
    }
    return fail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static acc_rc pvalue(acc_pjp *ps, acc_pj *v, unsigned depth) {
  acc_pjp_ws(ps);
  if (ps->p >= ps->end)
    return fail(ps, "unexpected end of input");
  switch (*ps->p) {
  case '{':
  case '[':
    return pcontainer(ps, v, depth);
  case '"': {
    size_t n;
    acc_rc rc = pstring(ps, &v->u.s, &n);
    if (rc)
      return rc;
    if (n > UINT32_MAX)
      return fail(ps, "string too long");
    v->type = PJ_STR;
    v->n = (uint32_t)n;
    return ACC_OK;
  }
  case 't':
    v->type = PJ_TRUE;
    return lit(ps, "true", 4) ? ACC_OK : fail(ps, "invalid literal");
  case 'f':
    v->type = PJ_FALSE;
    return lit(ps, "false", 5) ? ACC_OK : fail(ps, "invalid literal");
  case 'n':
    v->type = PJ_NULL;
    return lit(ps, "null", 4) ? ACC_OK : fail(ps, "invalid literal");
  default:
    return pnumber(ps, v);
  }
}

acc_rc acc_pjp_value(acc_pjp *ps, acc_pj *out) {
  memset(out, 0, sizeof *out);
  ps->err[0] = '\0';
  return pvalue(ps, out, 0);
}

const acc_pj *acc_pj_get(const acc_pj *o, const char *key) {
  if (!o || o->type != PJ_OBJ)
    return NULL;
  size_t n = strlen(key);
  for (uint32_t i = 0; i < o->n; i++) {
    const acc_pj *m = &o->u.kids[i];
    if (m->keylen == n && !memcmp(m->key, key, n))
      return m;
  }
  return NULL;
}

acc_rc acc_pj_copy(acc_parena *a, const acc_pj *v, acc_pj *out) {
  *out = *v;
  if (v->key) {
    out->key = acc_parena_strdup(a, v->key, v->keylen);
    if (!out->key)
      return ACC_ENOMEM;
  }
  if (v->type == PJ_STR) {
    out->u.s = acc_parena_strdup(a, v->u.s, v->n);
    return out->u.s ? ACC_OK : ACC_ENOMEM;
  }
  if ((v->type != PJ_OBJ && v->type != PJ_ARR) || v->n == 0)
    return ACC_OK;
  out->u.kids = acc_parena_alloc(a, v->n * sizeof *out->u.kids);
  if (!out->u.kids)
    return ACC_ENOMEM;
  for (uint32_t i = 0; i < v->n; i++) {
    acc_rc rc = acc_pj_copy(a, &v->u.kids[i], &out->u.kids[i]);
    if (rc)
      return rc;
  }
  return ACC_OK;
}

/* Line of p (1-based), counting on from the last position asked about
 * (positions asked about only grow while streaming). */
static size_t line_of(acc_pjp *ps, const char *p) {
  if (!ps->line_at || p < ps->line_at) {
    ps->line_at = ps->base;
    ps->line = 1;
  }
  for (const char *q = ps->line_at; q < p; q++)
    ps->line += *q == '\n';
  ps->line_at = p;
  return ps->line;
}

/* Line and column (1-based) of p. */
static void where(const char *base, const char *p, size_t *line, size_t *col) {
  size_t l = 1;
  const char *ls = base;
  for (const char *q = base; q < p; q++)
    if (*q == '\n') {
      l++;
      ls = q + 1;
    }
  *line = l;
  *col = (size_t)(p - ls) + 1;
}

acc_rc acc_pj_parse(const char *buf, size_t len, acc_parena *a, acc_pj *out,
                    acc_diag *d) {
  acc_pjp ps;
  acc_pjp_init(&ps, buf, len, a);
  acc_rc rc = acc_pjp_value(&ps, out);
  if (!rc) {
    acc_pjp_ws(&ps);
    if (ps.p != ps.end)
      rc = fail(&ps, "text after the value");
  }
  if (rc) {
    size_t line, col;
    where(buf, ps.p, &line, &col);
    if (rc == ACC_ENOMEM)
      acc_diag_set(d, rc, "out of memory reading JSON");
    else
      acc_diag_set(d, rc, "line %zu, column %zu: %s", line, col, ps.err);
  }
  acc_pjp_free(&ps);
  return rc;
}

/* ---- documents ---------------------------------------------------------- */

typedef struct stream {
  acc_pjp ps;
  acc_parena *scratch;
  acc_pj_obj_cb cb;
  void *ctx;
  size_t index;
  size_t *bad;
} stream;

/* One element of an array of STIX objects, parsed into scratch. */
static acc_rc element(stream *st, unsigned depth) {
  acc_pj v;
  memset(&v, 0, sizeof v);
  const char *at = st->ps.p;
  acc_parena *keep = st->ps.arena;
  st->ps.arena = st->scratch;
  acc_rc rc = pvalue(&st->ps, &v, depth);
  st->ps.arena = keep;
  if (rc)
    return rc;
  if (v.type != PJ_OBJ)
    (*st->bad)++;
  else
    rc = st->cb(st->ctx, &v, st->index, line_of(&st->ps, at));
  st->index++;
  acc_parena_reset(st->scratch);
  return rc;
}

/* An array whose elements are STIX objects, streamed. */
static acc_rc stream_array(stream *st, unsigned depth) {
  acc_pjp *ps = &st->ps;
  ps->p++;
  acc_pjp_ws(ps);
  if (ps->p < ps->end && *ps->p == ']') {
    ps->p++;
    return ACC_OK;
  }
  for (;;) {
    acc_rc rc = element(st, depth + 1);
    if (rc)
      return rc;
    acc_pjp_ws(ps);
    if (ps->p >= ps->end)
      return fail(ps, "unexpected end of input");
    if (*ps->p == ',') {
      ps->p++;
      continue;
    }
    if (*ps->p == ']') {
      ps->p++;
      return ACC_OK;
    }
    return fail(ps, "expected ',' or ']'");
  }
}

/* A top-level object: a bundle or envelope (its "objects" array is
 * streamed), or one STIX object. */
static acc_rc stream_object(stream *st) {
  acc_pjp *ps = &st->ps;
  const char *at = ps->p;
  size_t sp0 = ps->sp;
  int saw_objects = 0;
  acc_rc rc;
  ps->arena = st->scratch;
  ps->p++;
  acc_pjp_ws(ps);
  if (ps->p < ps->end && *ps->p == '}') {
    ps->p++;
    (*st->bad)++;
    st->index++;
    return ACC_OK;
  }
  for (;;) {
    acc_pj m;
    memset(&m, 0, sizeof m);
    acc_pjp_ws(ps);
    if (ps->p >= ps->end || *ps->p != '"')
      return fail(ps, "expected a key (a string)");
    size_t kn;
    if ((rc = pstring(ps, &m.key, &kn)))
      return rc;
    m.keylen = (uint32_t)kn;
    acc_pjp_ws(ps);
    if (ps->p >= ps->end || *ps->p != ':')
      return fail(ps, "expected ':' after a key");
    ps->p++;
    acc_pjp_ws(ps);
    if (kn == 7 && !memcmp(m.key, "objects", 7) && ps->p < ps->end &&
        *ps->p == '[') {
      if (saw_objects)
        return fail(ps, "duplicate key in an object");
      saw_objects = 1;
      if ((rc = stream_array(st, 1)))
        return rc;
    } else {
      const char *key = m.key;
      if ((rc = pvalue(ps, &m, 1)))
        return rc;
      m.key = key;
      m.keylen = (uint32_t)kn;
      if ((rc = push(ps, &m)))
        return rc;
    }
    acc_pjp_ws(ps);
    if (ps->p >= ps->end)
      return fail(ps, "unexpected end of input");
    if (*ps->p == ',') {
      ps->p++;
      continue;
    }
    if (*ps->p == '}') {
      ps->p++;
      break;
    }
    return fail(ps, "expected ',' or '}'");
  }
  if (saw_objects) {
    /* the other members (type, id) are not needed; their memory may
     * already be gone with the streamed elements */
    ps->sp = sp0;
    return ACC_OK;
  }
  acc_pj v;
  memset(&v, 0, sizeof v);
  v.type = PJ_OBJ;
  if ((rc = close_container(ps, &v, sp0)))
    return rc;
  rc = st->cb(st->ctx, &v, st->index++, line_of(ps, at));
  acc_parena_reset(st->scratch);
  return rc;
}

acc_rc acc_pj_stream(const char *buf, size_t len, acc_parena *scratch,
                     acc_pj_obj_cb cb, void *ctx, size_t *bad, acc_diag *d) {
  stream st;
  size_t bad_local = 0;
  acc_pjp_init(&st.ps, buf, len, scratch);
  st.scratch = scratch;
  st.cb = cb;
  st.ctx = ctx;
  st.index = 0;
  st.bad = bad ? bad : &bad_local;
  acc_pjp *ps = &st.ps;
  if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
    ps->p += 3;
  int values = 0, lines = 0;
  acc_rc rc = ACC_OK;
  for (;;) {
    acc_pjp_ws(ps);
    if (ps->p >= ps->end)
      break;
    if (values)
      lines = 1; /* a second top-level value: JSON lines */
    const char *start = ps->p;
    ps->err[0] = '\0';
    if (*ps->p == '[')
      rc = stream_array(&st, 0);
    else if (*ps->p == '{')
      rc = stream_object(&st);
    else
      rc = fail(ps, "expected a JSON object or array");
    ps->sp = 0;
    if (rc == ACC_EJSON) {
      /* In JSON lines a bad line is skipped; elsewhere the document is
       * refused.  A first value that fails on its own line, with more
       * lines after it, counts as JSON lines. */
      const char *nl = memchr(start, '\n', (size_t)(ps->end - start));
      const char *errat = ps->p < ps->end ? ps->p : ps->end;
      if (!lines && !values && nl && errat < nl)
        lines = 1;
      if (lines && (!nl || errat <= nl)) {
        (*st.bad)++;
        st.index++;
        ps->p = nl ? nl + 1 : ps->end;
        rc = ACC_OK;
        values++;
        acc_parena_reset(scratch);
        continue;
      }
    }
    if (rc)
      break;
    values++;
  }
  if (rc) {
    size_t line, col;
    where(buf, ps->p < ps->end ? ps->p : ps->end, &line, &col);
    if (rc == ACC_EJSON)
      acc_diag_set(d, rc, "line %zu, column %zu: %s", line, col,
                   ps->err[0] ? ps->err : "malformed JSON");
    else if (rc == ACC_ENOMEM)
      acc_diag_set(d, rc, "out of memory reading the document");
  }
  acc_pjp_free(ps);
  return rc;
}
