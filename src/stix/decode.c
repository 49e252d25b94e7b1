/*
 * decode.c — splits a document into STIX objects with their exact bytes.
 *
 * Two passes.  The structural pass walks the whole document once with a
 * small JSON grammar checker (containers, literals, string boundaries,
 * depth) so that a truncated or malformed document is refused before any
 * object is handed on.  The second pass walks the chosen array again and
 * gives each element, parsed by jansson, to the caller.  String contents
 * (UTF-8, escapes, control characters) and duplicate keys are checked by
 * jansson per object, so one bad object does not sink its neighbours.
 */
#include "stix/decode.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_MAX_DOC ((size_t)1 << 30)
#define DEFAULT_MAX_OBJ ((size_t)64 << 20)
#define DEFAULT_MAX_DEPTH 64

const char *acc_doc_shape_name(acc_doc_shape s) {
  switch (s) {
  case ACC_SHAPE_BUNDLE:
    return "bundle";
  case ACC_SHAPE_ENVELOPE:
    return "TAXII envelope";
  case ACC_SHAPE_ARRAY:
    return "JSON array";
  case ACC_SHAPE_LINES:
    return "JSON lines";
  case ACC_SHAPE_OBJECT:
    return "single object";
  }
  return "?";
}

/* Scanner state over one buffer. */
typedef struct scan {
  const char *s;
  size_t len;
  size_t pos;
  unsigned max_depth;
  const char *err; /* what was expected, on failure */
  acc_rc rc;
} scan;

static int is_ws(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static void skip_ws(scan *sc) {
  while (sc->pos < sc->len && is_ws(sc->s[sc->pos]))
    sc->pos++;
}

static int fail(scan *sc, acc_rc rc, const char *what) {
  if (!sc->err) {
    sc->err = what;
    sc->rc = rc;
  }
  return -1;
}

/* Skip a string starting at the opening quote. */
static int scan_string(scan *sc) {
  const char *s = sc->s;
  size_t i = sc->pos + 1, n = sc->len;
  for (;;) {
    const char *q = memchr(s + i, '"', n - i);
    if (!q) {
      sc->pos = n;
      return fail(sc, ACC_EJSON, "end of string (document truncated?)");
    }
    size_t qi = (size_t)(q - s);
    /* Count backslashes before the quote: odd means it is escaped. */
    size_t bs = 0;
    while (qi - bs > i && s[qi - bs - 1] == '\\')
      bs++;
    if (bs % 2 == 0) {
      sc->pos = qi + 1;
      return 0;
    }
    i = qi + 1;
  }
}

static int scan_value(scan *sc, unsigned depth);

static int scan_literal(scan *sc, const char *lit) {
  size_t n = strlen(lit);
  if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, lit, n) != 0)
    return fail(sc, ACC_EJSON, "a JSON value");
  sc->pos += n;
  return 0;
}

static int scan_number(scan *sc) {
  size_t start = sc->pos;
  while (sc->pos < sc->len) {
    char c = sc->s[sc->pos];
    if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
        c == 'e' || c == 'E')
      sc->pos++;
    else
      break;
  }
  if (sc->pos == start)
    return fail(sc, ACC_EJSON, "a JSON value");
  return 0;
}

static int scan_container(scan *sc, unsigned depth, char close) {
  if (depth > sc->max_depth)
    return fail(sc, ACC_ETOODEEP, "less nesting");
  sc->pos++; /* the opening bracket */
  skip_ws(sc);
  if (sc->pos < sc->len && sc->s[sc->pos] == close) {
    sc->pos++;
    return 0;
  }
  for (;;) {
    skip_ws(sc);
    if (sc->pos >= sc->len)
      return fail(sc, ACC_EJSON,
                  close == '}' ? "a member (document truncated?)"
                               : "a value (document truncated?)");
    if (close == '}') {
      if (sc->s[sc->pos] != '"')
        return fail(sc, ACC_EJSON, "a string key");
      if (scan_string(sc))
        return -1;
      skip_ws(sc);
      if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
        return fail(sc, ACC_EJSON, "':' after the key");
      sc->pos++;
      skip_ws(sc);
    }
    if (scan_value(sc, depth + 1))
      return -1;
    skip_ws(sc);
    if (sc->pos >= sc->len)
      return fail(sc, ACC_EJSON,
                  close == '}' ? "',' or '}' (document truncated?)"
                               : "',' or ']' (document truncated?)");
    char c = sc->s[sc->pos];
    if (c == close) {
      sc->pos++;
      return 0;
    }
    if (c != ',')
      return fail(sc, ACC_EJSON, close == '}' ? "',' or '}'" : "',' or ']'");
    sc->pos++;
  }
}

static int scan_value(scan *sc, unsigned depth) {
  skip_ws(sc);
  if (sc->pos >= sc->len)
    return fail(sc, ACC_EJSON, "a JSON value (document truncated?)");
  switch (sc->s[sc->pos]) {
  case '{':
    return scan_container(sc, depth, '}');
  case '[':
    return scan_container(sc, depth, ']');
  case '"':
    return scan_string(sc);
  case 't':
    return scan_literal(sc, "true");
  case 'f':
    return scan_literal(sc, "false");
  case 'n':
    return scan_literal(sc, "null");
  default:
    return scan_number(sc);
  }
}

/* 1-based line and column of byte offset off. */
static void line_col(const char *s, size_t off, size_t *line, size_t *col) {
  size_t l = 1, last_nl = 0;
  int seen = 0;
  for (size_t i = 0; i < off; i++) {
    if (s[i] == '\n') {
      l++;
      last_nl = i;
      seen = 1;
    }
  }
  *line = l;
  *col = seen ? off - last_nl : off + 1;
}

static acc_rc doc_error(const char *buf, size_t len, scan *sc, acc_diag *d) {
  size_t line, col;
  size_t off = sc->pos < len ? sc->pos : len;
  line_col(buf, off, &line, &col);
  if (sc->rc == ACC_ETOODEEP)
    return acc_diag_set(d, ACC_ETOODEEP,
                        "line %zu, column %zu: nested deeper than %u levels",
                        line, col, sc->max_depth);
  if (off >= len)
    return acc_diag_set(d, sc->rc,
                        "line %zu, column %zu: unexpected end of input, "
                        "expected %s",
                        line, col, sc->err);
  return acc_diag_set(
      d, sc->rc, "line %zu, column %zu: unexpected '%c', expected %s", line,
      col,
      (unsigned char)buf[off] >= 0x20 && (unsigned char)buf[off] < 0x7f
          ? buf[off]
          : '?',
      sc->err);
}

/* Line counting for the spans handed to the callback, done incrementally. */
typedef struct linepos {
  const char *s;
  size_t off;
  size_t line;
} linepos;

static size_t line_at(linepos *lp, size_t off) {
  const char *p = lp->s + lp->off, *end = lp->s + off;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
      break;
    lp->line++;
    p = nl + 1;
  }
  lp->off = off;
  return lp->line;
}

typedef struct emit {
  const acc_decode_limits *lim;
  acc_decode_cb cb;
  void *ctx;
  size_t index;
} emit;

/* Parse one element and hand it to the callback. */
static acc_rc emit_one(emit *e, const char *raw, size_t len, size_t line,
                       acc_rc pre_rc, const char *pre_msg) {
  acc_decoded d = {.index = e->index++, .raw = raw, .len = len, .line = line};
  char msg[320];
  json_t *j = NULL;
  if (pre_rc) {
    d.err = pre_rc;
    d.errmsg = pre_msg;
  } else if (len > e->lim->max_object_bytes) {
    snprintf(msg, sizeof msg,
             "object of %zu bytes exceeds the limit of %zu bytes", len,
             e->lim->max_object_bytes);
    d.err = ACC_ETOOBIG;
    d.errmsg = msg;
  } else if (raw[0] != '{') {
    d.err = ACC_EINVAL;
    d.errmsg = "not a JSON object";
  } else {
    json_error_t je;
    j = json_loadb(raw, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
      /* je.line is relative to the span; report it absolute. */
      enum json_error_code code = json_error_code(&je);
      snprintf(msg, sizeof msg, "%s at line %d, column %d: %s",
               code == json_error_invalid_utf8    ? "invalid UTF-8"
               : code == json_error_duplicate_key ? "duplicate key"
                                                  : "invalid JSON",
               je.line + (int)line - 1, je.column, je.text);
      d.err = ACC_EJSON;
      d.errmsg = msg;
    }
  }
  d.json = j;
  acc_rc rc = e->cb(e->ctx, &d);
  json_decref(j);
  return rc;
}

/* Walk the elements of the array whose '[' is at sc->pos. */
static acc_rc emit_array(scan *sc, emit *e, linepos *lp, unsigned depth) {
  sc->pos++;
  for (;;) {
    skip_ws(sc);
    if (sc->s[sc->pos] == ']')
      return ACC_OK;
    size_t start = sc->pos;
    scan_value(sc, depth + 1); /* validated by the structural pass */
    acc_rc rc = emit_one(e, sc->s + start, sc->pos - start, line_at(lp, start),
                         ACC_OK, NULL);
    if (rc)
      return rc;
    skip_ws(sc);
    if (sc->s[sc->pos] == ',')
      sc->pos++;
  }
}

/* Find member `key` of the object at sc->pos; leaves sc->pos at its value.
 * Also reports the string value of "type" when asked. */
typedef struct members {
  size_t objects_at; /* offset of the "objects" value, 0 when absent */
  const char *type;  /* value of "type" when a string, else NULL */
  size_t type_len;
  int has_type;
} members;

static void find_members(scan *sc, members *m) {
  memset(m, 0, sizeof *m);
  sc->pos++;
  for (;;) {
    skip_ws(sc);
    if (sc->s[sc->pos] == '}')
      return;
    size_t kstart = sc->pos;
    scan_string(sc);
    size_t klen = sc->pos - kstart;
    skip_ws(sc);
    sc->pos++; /* ':' */
    skip_ws(sc);
    size_t vstart = sc->pos;
    scan_value(sc, 2);
    if (klen == 9 && memcmp(sc->s + kstart, "\"objects\"", 9) == 0)
      m->objects_at = vstart;
    else if (klen == 6 && memcmp(sc->s + kstart, "\"type\"", 6) == 0) {
      m->has_type = 1;
      if (sc->s[vstart] == '"') {
        m->type = sc->s + vstart + 1;
        m->type_len = sc->pos - vstart - 2;
      }
    }
    skip_ws(sc);
    if (sc->s[sc->pos] == ',')
      sc->pos++;
  }
}

static acc_rc decode_lines(const char *buf, size_t len, emit *e,
                           unsigned max_depth) {
  size_t off = 0, line = 0;
  while (off < len) {
    const char *nl = memchr(buf + off, '\n', len - off);
    size_t end = nl ? (size_t)(nl - buf) : len;
    line++;
    size_t a = off, b = end;
    while (a < b && is_ws(buf[a]))
      a++;
    while (b > a && is_ws(buf[b - 1]))
      b--;
    off = end + 1;
    if (a == b)
      continue;
    scan sc = {.s = buf + a, .len = b - a, .max_depth = max_depth};
    acc_rc rc;
    char msg[200];
    if (scan_value(&sc, 1) == 0) {
      skip_ws(&sc);
      if (sc.pos != sc.len) {
        sc.err = "end of line after the value";
        sc.rc = ACC_EJSON;
      }
    }
    if (sc.err) {
      snprintf(msg, sizeof msg, "%s at column %zu: expected %s",
               sc.rc == ACC_ETOODEEP ? "nested too deeply" : "malformed JSON",
               sc.pos + 1, sc.err);
      rc = emit_one(e, buf + a, b - a, line, sc.rc, msg);
    } else if (buf[a] == '{') {
      /* A line may itself hold a bundle or envelope: expand it. */
      scan w = {.s = buf + a, .len = b - a, .max_depth = max_depth};
      members m;
      find_members(&w, &m);
      int wrapper = m.objects_at &&
                    (!m.has_type ||
                     (m.type_len == 6 && memcmp(m.type, "bundle", 6) == 0));
      if (wrapper && buf[a + m.objects_at] == '[') {
        w.pos = m.objects_at;
        linepos lp = {.s = buf + a, .off = 0, .line = line};
        rc = emit_array(&w, e, &lp, 2);
      } else {
        rc = emit_one(e, buf + a, b - a, line, ACC_OK, NULL);
      }
    } else {
      rc = emit_one(e, buf + a, b - a, line, ACC_OK, NULL);
    }
    if (rc)
      return rc;
  }
  return ACC_OK;
}

acc_rc acc_decode(const char *buf, size_t len, const acc_decode_limits *lim_in,
                  acc_decode_cb cb, void *ctx, acc_doc_shape *shape_out,
                  acc_diag *d) {
  acc_decode_limits lim = {0};
  if (lim_in)
    lim = *lim_in;
  if (!lim.max_doc_bytes)
    lim.max_doc_bytes = DEFAULT_MAX_DOC;
  if (!lim.max_object_bytes)
    lim.max_object_bytes = DEFAULT_MAX_OBJ;
  if (!lim.max_depth)
    lim.max_depth = DEFAULT_MAX_DEPTH;

  if (len > lim.max_doc_bytes)
    return acc_diag_set(d, ACC_ETOOBIG,
                        "document of %zu bytes exceeds the limit of %zu bytes "
                        "(raise it with --max-bytes)",
                        len, lim.max_doc_bytes);
  /* A UTF-8 byte order mark is tolerated and skipped. */
  if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
    buf += 3;
    len -= 3;
  }
  scan sc = {.s = buf, .len = len, .max_depth = lim.max_depth};
  skip_ws(&sc);
  if (sc.pos == len)
    return acc_diag_set(d, ACC_ESHAPE,
                        "the document is empty (expected a STIX bundle, a "
                        "TAXII envelope, a JSON array or JSON lines)");
  size_t first = sc.pos;
  if (scan_value(&sc, 1))
    return doc_error(buf, len, &sc, d);
  size_t first_end = sc.pos;
  skip_ws(&sc);
  emit e = {.lim = &lim, .cb = cb, .ctx = ctx};

  if (sc.pos < len) {
    /* More after the first value: JSON lines, if the first value fits on
     * its first line; otherwise trailing garbage. */
    if (memchr(buf + first, '\n', first_end - first) ||
        !memchr(buf + first_end, '\n', sc.pos - first_end)) {
      sc.err = "end of input after the top-level value";
      sc.rc = ACC_EJSON;
      return doc_error(buf, len, &sc, d);
    }
    if (shape_out)
      *shape_out = ACC_SHAPE_LINES;
    return decode_lines(buf, len, &e, lim.max_depth);
  }

  char c = buf[first];
  linepos lp = {.s = buf, .off = 0, .line = 1};
  if (c == '[') {
    if (shape_out)
      *shape_out = ACC_SHAPE_ARRAY;
    sc.pos = first;
    return emit_array(&sc, &e, &lp, 1);
  }
  if (c != '{')
    return acc_diag_set(d, ACC_ESHAPE,
                        "the document is a JSON scalar (expected a STIX "
                        "bundle, a TAXII envelope, a JSON array or JSON "
                        "lines)");
  members m;
  sc.pos = first;
  find_members(&sc, &m);
  int is_bundle = m.type && m.type_len == 6 && memcmp(m.type, "bundle", 6) == 0;
  if (is_bundle || (!m.has_type && m.objects_at)) {
    acc_doc_shape shape = is_bundle ? ACC_SHAPE_BUNDLE : ACC_SHAPE_ENVELOPE;
    if (shape_out)
      *shape_out = shape;
    if (!m.objects_at)
      return ACC_OK; /* a bundle with no objects is valid and empty */
    if (buf[m.objects_at] != '[') {
      size_t line, col;
      line_col(buf, m.objects_at, &line, &col);
      return acc_diag_set(d, ACC_ESHAPE,
                          "line %zu, column %zu: property 'objects' of the %s "
                          "is not an array",
                          line, col, acc_doc_shape_name(shape));
    }
    sc.pos = m.objects_at;
    return emit_array(&sc, &e, &lp, 2);
  }
  if (m.has_type) {
    if (shape_out)
      *shape_out = ACC_SHAPE_OBJECT;
    return emit_one(&e, buf + first, first_end - first, 1, ACC_OK, NULL);
  }
  return acc_diag_set(d, ACC_ESHAPE,
                      "the top-level JSON object has neither 'type' nor "
                      "'objects' (expected a STIX bundle, a TAXII envelope, "
                      "a JSON array or JSON lines)");
}
