/*
 * parse.c — the STIX 2.1 pattern language (STIX §9, STIXPattern.g4): a
 * hand-written lexer and recursive-descent parser that build the syntax
 * tree of pattern_int.h in one arena, and the checks the grammar alone
 * does not make: duplicate qualifiers on one observation expression,
 * hash values of the wrong form, CIDR blocks, regular expressions (PCRE2),
 * integer ranges.  Errors say where (0-based character position) and what
 * was expected; warnings flag valid patterns that cannot match.
 *
 * Precedence, lowest first: FOLLOWEDBY, OR, AND (observation level);
 * qualifiers bind to the observation expression just before them; inside
 * brackets OR, then AND.  All operators associate left to right.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern_int.h"
#include "util/time.h"

/* Deepest nesting of parentheses and brackets accepted. */
#define MAX_DEPTH 200

/* Most comparisons in one pattern. */
#define MAX_CMPS 100000

/* STIX integers (§2.10). */
#define INT_LIMIT INT64_C(9007199254740991)

typedef enum tk {
  TK_EOF,
  TK_ERR,   /* the lexer already wrote the error */
  TK_OTHER, /* a character that starts no token */
  TK_LBRACK,
  TK_RBRACK,
  TK_LPAREN,
  TK_RPAREN,
  TK_COLON,
  TK_COMMA,
  TK_DOT,
  TK_STAR,
  TK_EQ,
  TK_NE,
  TK_LT,
  TK_LE,
  TK_GT,
  TK_GE,
  TK_INT,
  TK_FLOAT,
  TK_STR,
  TK_BIN,
  TK_HEX,
  TK_TS,
  TK_BOOL,
  TK_IDENT,
  /* keywords */
  TK_AND,
  TK_OR,
  TK_NOT,
  TK_FOLLOWEDBY,
  TK_LIKE,
  TK_MATCHES,
  TK_ISSUPERSET,
  TK_ISSUBSET,
  TK_EXISTS,
  TK_LAST,
  TK_IN,
  TK_START,
  TK_STOP,
  TK_SECONDS,
  TK_WITHIN,
  TK_REPEATS,
  TK_TIMES,
} tk;

static const struct {
  const char *word;
  tk kind;
} keywords[] = {
    {"AND", TK_AND},
    {"OR", TK_OR},
    {"NOT", TK_NOT},
    {"FOLLOWEDBY", TK_FOLLOWEDBY},
    {"LIKE", TK_LIKE},
    {"MATCHES", TK_MATCHES},
    {"ISSUPERSET", TK_ISSUPERSET},
    {"ISSUBSET", TK_ISSUBSET},
    {"EXISTS", TK_EXISTS},
    {"LAST", TK_LAST},
    {"IN", TK_IN},
    {"START", TK_START},
    {"STOP", TK_STOP},
    {"SECONDS", TK_SECONDS},
    {"WITHIN", TK_WITHIN},
    {"REPEATS", TK_REPEATS},
    {"TIMES", TK_TIMES},
    {"true", TK_BOOL},
    {"false", TK_BOOL},
};

typedef struct token {
  tk kind;
  size_t pos, end; /* byte offsets in the text */
  int hyphen;      /* TK_IDENT containing '-' */
} token;

/* A growable list of pointers kept in malloc'd memory while parsing. */
typedef struct plist {
  void **v;
  size_t n, cap;
} plist;

typedef struct parser {
  const char *s; /* the arena copy of the text, NUL-terminated */
  size_t n;
  size_t p; /* lexer cursor */
  token tok;
  acc_pattern *pat;
  acc_diag *diag;
  acc_pattern_warn_fn warn;
  void *wctx;
  unsigned depth;
  acc_rc failed; /* the first error, once there is one */
  plist cmps, leaves;
  acc_buf tmp;
} parser;

/* ---- messages ----------------------------------------------------------- */

static acc_rc perr(parser *P, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static acc_rc perr(parser *P, size_t off, const char *fmt, ...) {
  if (P->failed)
    return P->failed;
  P->failed = ACC_EINVAL;
  char what[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  for (char *c = what; *c; c++)
    if ((unsigned char)*c < 0x20)
      *c = ' ';
  return acc_diag_set(P->diag, ACC_EINVAL, "position %zu: %s",
                      acc_pat_charpos(P->s, off), what);
}

static void pwarn(parser *P, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void pwarn(parser *P, size_t off, const char *fmt, ...) {
  if (!P->warn)
    return;
  char what[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  P->warn(P->wctx, acc_pat_charpos(P->s, off), what);
}

/* The current token as quoted text for "got ..." (clipped). */
static const char *got(parser *P, char buf[64]) {
  const token *t = &P->tok;
  if (t->kind == TK_EOF)
    return "the end of the pattern";
  size_t len = t->end - t->pos;
  if (len == 0)
    len = 1;
  int clip = len > 40;
  if (clip)
    len = 40;
  /* do not cut a UTF-8 sequence */
  while (clip && len > 0 && ((unsigned char)P->s[t->pos + len] & 0xC0) == 0x80)
    len--;
  snprintf(buf, 64, "'%.*s%s'", (int)len, P->s + t->pos, clip ? "..." : "");
  return buf;
}

static acc_rc expected(parser *P, const char *what) {
  char b[64];
  return perr(P, P->tok.pos, "expected %s, got %s", what, got(P, b));
}

/* ---- lexer -------------------------------------------------------------- */

static int is_alpha(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(int c) {
  return c >= '0' && c <= '9';
}

static int is_hexd(int c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_b64(int c) {
  return is_alpha(c) ? c != '_' : (is_digit(c) || c == '+' || c == '/');
}

/* Length of the whitespace character at s (0 if none): the grammar's WS
 * set, ASCII and Unicode. */
static size_t ws_len(const unsigned char *s, const unsigned char *end) {
  unsigned c = s[0];
  if (c == ' ' || (c >= '\t' && c <= '\r'))
    return 1;
  if (c == 0xC2 && end - s >= 2 && (s[1] == 0x85 || s[1] == 0xA0))
    return 2;
  if (end - s < 3)
    return 0;
  if (c == 0xE1 && s[1] == 0x9A && s[2] == 0x80)
    return 3; /* U+1680 */
  if (c == 0xE2 && s[1] == 0x80 &&
      (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF))
    return s[2] >= 0x80 ? 3 : 0; /* U+2000-200A, 2028, 2029, 202F */
  if (c == 0xE2 && s[1] == 0x81 && s[2] == 0x9F)
    return 3; /* U+205F */
  if (c == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
    return 3; /* U+3000 */
  return 0;
}

/* Skip whitespace and comments; 0 or an error (unterminated comment). */
static acc_rc skip_ws(parser *P) {
  const unsigned char *s = (const unsigned char *)P->s;
  const unsigned char *end = s + P->n;
  for (;;) {
    if (P->p >= P->n)
      return ACC_OK;
    size_t w = ws_len(s + P->p, end);
    if (w) {
      P->p += w;
      continue;
    }
    if (s[P->p] == '/' && P->p + 1 < P->n && s[P->p + 1] == '*') {
      const char *close = NULL;
      for (size_t i = P->p + 2; i + 1 < P->n; i++)
        if (s[i] == '*' && s[i + 1] == '/') {
          close = P->s + i;
          break;
        }
      if (!close)
        return perr(P, P->p, "unterminated comment (expected '*/')");
      P->p = (size_t)(close - P->s) + 2;
      continue;
    }
    if (s[P->p] == '/' && P->p + 1 < P->n && s[P->p + 1] == '/') {
      while (P->p < P->n && s[P->p] != '\n' && s[P->p] != '\r')
        P->p++;
      continue;
    }
    return ACC_OK;
  }
}

/* A quoted body starting at the quote at q: sets *close to the closing
 * quote.  Escapes are \' and \\ only. */
static acc_rc scan_quoted(parser *P, size_t q, size_t *close) {
  for (size_t i = q + 1; i < P->n; i++) {
    char c = P->s[i];
    if (c == '\'') {
      *close = i;
      return ACC_OK;
    }
    if (c == '\\') {
      if (i + 1 < P->n && (P->s[i + 1] == '\'' || P->s[i + 1] == '\\')) {
        i++;
        continue;
      }
      return perr(P, i,
                  "invalid escape in a string: only \\' and \\\\ may "
                  "follow a backslash");
    }
  }
  return perr(P, q, "unterminated string (expected a closing ')");
}

static int two(const char *s) {
  return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Check t'...' per the grammar; body is between the quotes. */
static acc_rc check_ts(parser *P, size_t at, const char *b, size_t n) {
  static const char form[] = "YYYY-MM-DDTHH:MM:SS";
  const char *want = "t'YYYY-MM-DDTHH:MM:SS[.fraction]Z'";
  if (n < 20)
    return perr(P, at, "invalid timestamp literal (expected %s)", want);
  for (size_t i = 0; i < 19; i++) {
    int ok = form[i] == 'Y' || form[i] == 'M' || form[i] == 'D' ||
                     form[i] == 'H' || form[i] == 'S'
                 ? is_digit(b[i])
                 : b[i] == form[i];
    if (!ok)
      return perr(P, at, "invalid timestamp literal (expected %s)", want);
  }
  int mo = two(b + 5), d = two(b + 8), h = two(b + 11), mi = two(b + 14),
      se = two(b + 17);
  const char *bad = mo < 1 || mo > 12 ? "month"
                    : d < 1 || d > 31 ? "day"
                    : h > 23          ? "hour"
                    : mi > 59         ? "minute"
                    : se > 60         ? "second"
                                      : NULL;
  if (bad)
    return perr(P, at, "invalid timestamp literal: %s out of range (%s)", bad,
                want);
  size_t i = 19;
  if (i < n && b[i] == '.') {
    size_t k = ++i;
    while (i < n && is_digit(b[i]))
      i++;
    if (i == k)
      return perr(P, at, "invalid timestamp literal: no digit after '.' (%s)",
                  want);
  }
  if (i != n - 1 || b[i] != 'Z')
    return perr(P, at,
                "invalid timestamp literal: expected 'Z' (UTC) at "
                "the end (%s)",
                want);
  return ACC_OK;
}

/* b'...': groups of four base64 characters, padded; line feeds are
 * ignored (STIX §9.2). */
static acc_rc check_b64(parser *P, size_t at, const char *b, size_t n) {
  size_t k = 0, pad = 0;
  for (size_t i = 0; i < n; i++) {
    char c = b[i];
    if (c == '\n' || c == '\r')
      continue;
    if (c == '=') {
      pad++;
    } else if (!is_b64((unsigned char)c) || pad) {
      return perr(P, at,
                  "invalid binary literal: '%c' is not base64 (expected "
                  "b'<base64>', e.g. b'ABI=')",
                  c);
    }
    k++;
  }
  if (k == 0 || k % 4 || pad > 2)
    return perr(P, at,
                "invalid binary literal: base64 must be groups of four "
                "characters with at most two '=' of padding");
  return ACC_OK;
}

static void lex_next(parser *P) {
  token *t = &P->tok;
  if (skip_ws(P)) {
    t->kind = TK_ERR;
    return;
  }
  const char *s = P->s;
  size_t i = P->p;
  t->pos = i;
  t->hyphen = 0;
  if (i >= P->n) {
    t->kind = TK_EOF;
    t->end = i;
    return;
  }
  char c = s[i], c1 = i + 1 < P->n ? s[i + 1] : '\0';
  tk k = TK_OTHER;
  size_t len = 1;
  switch (c) {
  case '[':
    k = TK_LBRACK;
    break;
  case ']':
    k = TK_RBRACK;
    break;
  case '(':
    k = TK_LPAREN;
    break;
  case ')':
    k = TK_RPAREN;
    break;
  case ':':
    k = TK_COLON;
    break;
  case ',':
    k = TK_COMMA;
    break;
  case '*':
    k = TK_STAR;
    break;
  case '=':
    k = TK_EQ;
    len = c1 == '=' ? 2 : 1;
    break;
  case '!':
    if (c1 == '=') {
      k = TK_NE;
      len = 2;
    }
    break;
  case '<':
    k = c1 == '=' ? TK_LE : c1 == '>' ? TK_NE : TK_LT;
    len = c1 == '=' || c1 == '>' ? 2 : 1;
    break;
  case '>':
    k = c1 == '=' ? TK_GE : TK_GT;
    len = c1 == '=' ? 2 : 1;
    break;
  case '\'': {
    size_t close;
    if (scan_quoted(P, i, &close)) {
      t->kind = TK_ERR;
      return;
    }
    k = TK_STR;
    len = close + 1 - i;
    break;
  }
  default:
    break;
  }
  if (k == TK_OTHER && (is_digit(c) || c == '.' || c == '+' || c == '-')) {
    /* numbers: [+-]? digits ( '.' digits+ )?  or  [+-]? '.' digits+ */
    size_t j = i + (c == '+' || c == '-');
    size_t d0 = j;
    while (j < P->n && is_digit(s[j]))
      j++;
    if (j + 1 < P->n && s[j] == '.' && is_digit(s[j + 1])) {
      j++;
      while (j < P->n && is_digit(s[j]))
        j++;
      k = TK_FLOAT;
      len = j - i;
    } else if (j > d0) {
      k = TK_INT;
      /* like the grammar: a leading 0 is an integer of its own */
      len = (s[d0] == '0' ? d0 + 1 : j) - i;
    } else if (c == '.') {
      k = TK_DOT;
    }
  } else if (k == TK_OTHER && is_alpha(c)) {
    if ((c == 'b' || c == 'h' || c == 't') && c1 == '\'') {
      size_t close;
      if (scan_quoted(P, i + 1, &close)) {
        t->kind = TK_ERR;
        return;
      }
      const char *b = s + i + 2;
      size_t bn = close - i - 2;
      acc_rc rc = ACC_OK;
      if (c == 't') {
        rc = check_ts(P, i, b, bn);
        k = TK_TS;
      } else if (c == 'b') {
        rc = check_b64(P, i, b, bn);
        k = TK_BIN;
      } else {
        for (size_t x = 0; !rc && x < bn; x++)
          if (!is_hexd((unsigned char)b[x]))
            rc = perr(P, i,
                      "invalid hex literal: '%c' is not a hexadecimal "
                      "digit (expected h'<pairs of hex digits>')",
                      b[x]);
        if (!rc && bn % 2)
          rc = perr(P, i,
                    "invalid hex literal: odd number of digits "
                    "(expected pairs, e.g. h'ffd8')");
        k = TK_HEX;
      }
      if (rc) {
        t->kind = TK_ERR;
        return;
      }
      len = close + 1 - i;
    } else {
      size_t j = i + 1;
      while (j < P->n && (is_alpha(s[j]) || is_digit(s[j]) || s[j] == '-')) {
        if (s[j] == '-')
          t->hyphen = 1;
        j++;
      }
      len = j - i;
      k = TK_IDENT;
      if (!t->hyphen)
        for (size_t w = 0; w < sizeof keywords / sizeof *keywords; w++)
          if (strlen(keywords[w].word) == len &&
              memcmp(keywords[w].word, s + i, len) == 0) {
            k = keywords[w].kind;
            break;
          }
    }
  } else if (k == TK_OTHER) {
    /* one whole UTF-8 character, for the message */
    while (i + len < P->n && ((unsigned char)s[i + len] & 0xC0) == 0x80)
      len++;
  }
  t->kind = k;
  t->end = i + len;
  P->p = i + len;
}

/* ---- tree building ------------------------------------------------------ */

static void *alloc(parser *P, size_t n) {
  void *p = acc_parena_alloc(&P->pat->arena, n);
  if (!p) {
    if (!P->failed)
      acc_diag_set(P->diag, ACC_ENOMEM, "out of memory parsing the pattern");
    P->failed = ACC_ENOMEM;
    return NULL;
  }
  memset(p, 0, n);
  return p;
}

static int plist_push(parser *P, plist *l, void *v) {
  if (l->n == l->cap) {
    size_t nc = l->cap ? l->cap * 2 : 16;
    void **nv = realloc(l->v, nc * sizeof *nv);
    if (!nv) {
      acc_diag_set(P->diag, ACC_ENOMEM, "out of memory parsing the pattern");
      P->failed = ACC_ENOMEM;
      return -1;
    }
    l->v = nv;
    l->cap = nc;
  }
  l->v[l->n++] = v;
  return 0;
}

/* The unescaped body of the string token t (quote at q, close at e-1). */
static const char *unquote(parser *P, size_t q, size_t e, size_t *outn) {
  size_t n = e - q - 2;
  const char *b = P->s + q + 1;
  if (!memchr(b, '\\', n)) {
    *outn = n;
    return b;
  }
  char *o = alloc(P, n + 1);
  if (!o)
    return NULL;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (b[i] == '\\')
      i++;
    o[k++] = b[i];
  }
  o[k] = '\0';
  *outn = k;
  return o;
}

/* Code points of UTF-8 s as octets when all are below U+0100. */
static void set_latin1(parser *P, acc_pval *v) {
  const unsigned char *s = (const unsigned char *)v->s;
  int ascii = 1;
  for (size_t i = 0; i < v->n; i++) {
    if (s[i] >= 0xC4)
      return; /* U+0100 and above */
    if (s[i] >= 0x80)
      ascii = 0;
  }
  v->latin1_ok = 1;
  if (ascii) {
    v->l1 = v->s;
    v->l1n = v->n;
    return;
  }
  unsigned char *o = alloc(P, v->n + 1);
  if (!o)
    return;
  size_t k = 0;
  for (size_t i = 0; i < v->n; i++) {
    if (s[i] >= 0xC0 && i + 1 < v->n) {
      o[k++] = (unsigned char)(((s[i] & 0x1F) << 6) | (s[i + 1] & 0x3F));
      i++;
    } else {
      o[k++] = s[i];
    }
  }
  v->l1 = (const char *)o;
  v->l1n = k;
}

/* Turn the current literal token into v; kinds is a mask of accepted
 * token kinds; what says what was expected. */
static acc_rc literal(parser *P, acc_pval *v, unsigned long kinds,
                      const char *what) {
  token t = P->tok;
  if (!(kinds & (1ul << t.kind)))
    return expected(P, what);
  memset(v, 0, sizeof *v);
  v->pos = t.pos;
  const char *s = P->s + t.pos;
  size_t n = t.end - t.pos;
  switch (t.kind) {
  case TK_INT: {
    int neg = s[0] == '-';
    size_t i = s[0] == '-' || s[0] == '+';
    int64_t x = 0;
    for (; i < n; i++) {
      x = x * 10 + (s[i] - '0');
      if (x > INT_LIMIT)
        return perr(P, t.pos,
                    "integer out of range (STIX integers lie within "
                    "-(2^53-1) and 2^53-1)");
    }
    v->kind = PV_INT;
    v->u.i = neg ? -x : x;
    break;
  }
  case TK_FLOAT: {
    char buf[128];
    if (n >= sizeof buf)
      return perr(P, t.pos, "number too long (at most %zu characters)",
                  sizeof buf - 1);
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    double f = strtod(buf, NULL);
    if (errno == ERANGE && (f > 1 || f < -1))
      return perr(P, t.pos, "number out of range");
    v->kind = PV_FLOAT;
    v->u.f = f;
    break;
  }
  case TK_STR:
    v->kind = PV_STR;
    v->s = unquote(P, t.pos, t.end, &v->n);
    if (!v->s)
      return ACC_ENOMEM;
    set_latin1(P, v);
    break;
  case TK_BIN:
  case TK_HEX: {
    const char *b = s + 2;
    size_t bn = n - 3;
    unsigned char *o = alloc(P, bn + 1);
    if (!o)
      return ACC_ENOMEM;
    long k =
        t.kind == TK_BIN ? acc_pat_base64(b, bn, 1, o) : acc_pat_hex(b, bn, o);
    if (k < 0)
      return perr(P, t.pos, "invalid %s literal",
                  t.kind == TK_BIN ? "binary" : "hex");
    v->kind = PV_BYTES;
    v->hex = t.kind == TK_HEX;
    v->s = (const char *)o;
    v->n = (size_t)k;
    break;
  }
  case TK_TS: {
    const char *b = s + 2;
    size_t bn = n - 3;
    int64_t us, cal;
    if (acc_time_parse(b, bn, 0, &us))
      return perr(P, t.pos, "invalid timestamp literal");
    if (acc_time_parse(b, bn, 1, &cal) != ACC_OK)
      pwarn(P, t.pos,
            "%.10s is not a calendar date (accepted as the day it "
            "overflows to)",
            b);
    v->kind = PV_TS;
    v->u.ts = us;
    break;
  }
  case TK_BOOL:
    v->kind = PV_BOOL;
    v->u.b = s[0] == 't';
    break;
  default:
    return expected(P, what);
  }
  lex_next(P);
  return P->tok.kind == TK_ERR ? ACC_EINVAL : ACC_OK;
}

#define K(x) (1ul << (x))
#define ORDERABLE                                                              \
  (K(TK_INT) | K(TK_FLOAT) | K(TK_STR) | K(TK_BIN) | K(TK_HEX) | K(TK_TS))
#define PRIMITIVE (ORDERABLE | K(TK_BOOL))

static const char *lit_what = "a literal (string, number, boolean, "
                              "b'...', h'...' or t'...')";

/* ---- checks on one comparison ----------------------------------------- */

/* Hash algorithms whose values have a fixed form (STIX §2.7 vocabulary
 * and the reference validator's list). */
static const struct {
  const char *name; /* upper case, no '-' */
  const char *label;
  unsigned lens[6];
} hash_forms[] = {
    {"MD5", "MD5", {32}},
    {"MD6", "MD6", {32, 40, 56, 64, 96, 128}},
    {"RIPEMD160", "RIPEMD-160", {40}},
    {"SHA1", "SHA-1", {40}},
    {"SHA224", "SHA-224", {56}},
    {"SHA256", "SHA-256", {64}},
    {"SHA384", "SHA-384", {96}},
    {"SHA512", "SHA-512", {128}},
    {"SHA3224", "SHA3-224", {56}},
    {"SHA3256", "SHA3-256", {64}},
    {"SHA3384", "SHA3-384", {96}},
    {"SHA3512", "SHA3-512", {128}},
    {"WHIRLPOOL", "WHIRLPOOL", {128}},
    {"SSDEEP", "SSDEEP", {0}},
};

static acc_rc check_hash_value(parser *P, int form, const acc_pval *v) {
  if (v->kind != PV_STR)
    return ACC_OK;
  int ok;
  if (!strcmp(hash_forms[form].name, "SSDEEP")) {
    ok = v->n >= 1 && v->n <= 128;
    for (size_t i = 0; ok && i < v->n; i++) {
      char c = v->s[i];
      ok = is_alpha((unsigned char)c)
               ? c != '_'
               : is_digit(c) || c == '/' || c == '+' || c == ':' || c == '.';
    }
  } else {
    ok = 0;
    for (int k = 0; k < 6 && hash_forms[form].lens[k]; k++)
      ok |= v->n == hash_forms[form].lens[k];
    for (size_t i = 0; ok && i < v->n; i++)
      ok = is_hexd((unsigned char)v->s[i]);
  }
  if (ok)
    return ACC_OK;
  char clip[48];
  snprintf(clip, sizeof clip, "%.*s%s", (int)(v->n > 40 ? 40 : v->n), v->s,
           v->n > 40 ? "..." : "");
  if (!strcmp(hash_forms[form].name, "SSDEEP"))
    return perr(P, v->pos,
                "'%s' is not a valid SSDEEP hash (expected 1-128 "
                "characters of A-Z a-z 0-9 / + : .)",
                clip);
  return perr(P, v->pos,
              "'%s' is not a valid %s hash (expected %u hexadecimal digits)",
              clip, hash_forms[form].label, hash_forms[form].lens[0]);
}

/* Equality tests on a path ending in hashes.<ALGO> must give a value of
 * that algorithm's form. */
static acc_rc check_hashes(parser *P, acc_pcmp *c) {
  if (c->op != PC_EQ && c->op != PC_NE && c->op != PC_IN)
    return ACC_OK;
  const acc_ppath *p = &c->path;
  const acc_pstep *last = &p->steps[p->nsteps - 1];
  if (last->kind != PS_KEY)
    return ACC_OK;
  int in_hashes = 0;
  for (unsigned i = 0; i + 1 < p->nsteps; i++)
    if (p->steps[i].kind == PS_KEY && p->steps[i].keylen == 6 &&
        !memcmp(p->steps[i].key, "hashes", 6))
      in_hashes = 1;
  if (!in_hashes || last->keylen > 32)
    return ACC_OK;
  char name[40];
  size_t k = 0;
  for (size_t i = 0; i < last->keylen; i++) {
    char ch = last->key[i];
    if (ch == '-')
      continue;
    name[k++] = ch >= 'a' && ch <= 'z' ? (char)(ch - 32) : ch;
  }
  name[k] = '\0';
  for (size_t f = 0; f < sizeof hash_forms / sizeof *hash_forms; f++) {
    if (strcmp(name, hash_forms[f].name))
      continue;
    acc_rc rc = c->op == PC_IN ? ACC_OK : check_hash_value(P, (int)f, &c->val);
    for (unsigned i = 0; !rc && c->op == PC_IN && i < c->nset; i++)
      rc = check_hash_value(P, (int)f, &c->set[i]);
    return rc;
  }
  return ACC_OK;
}

/* NFC-normalise a string literal in place (LIKE and MATCHES). */
static acc_rc nfc_literal(parser *P, acc_pval *v) {
  const char *o;
  size_t on;
  acc_buf_reset(&P->tmp);
  acc_rc rc = acc_pat_nfc(v->s, v->n, &P->tmp, &o, &on);
  if (rc)
    return perr(P, v->pos, "the string is not valid UTF-8");
  if (o != v->s) {
    char *c = alloc(P, on + 1);
    if (!c)
      return ACC_ENOMEM;
    memcpy(c, o, on);
    c[on] = '\0';
    v->s = c;
    v->n = on;
  }
  return ACC_OK;
}

static acc_rc compile_regex(parser *P, acc_pcmp *c) {
  int err;
  PCRE2_SIZE off;
  uint32_t opts = PCRE2_DOTALL | (c->path.binary ? 0 : PCRE2_UTF);
  c->re = pcre2_compile((PCRE2_SPTR)c->val.s, c->val.n, opts, &err, &off, NULL);
  if (!c->re) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    return perr(P, c->val.pos,
                "invalid regular expression: %s (at offset %zu of the "
                "expression)",
                (const char *)msg, (size_t)off);
  }
  /* JIT where the platform has it; matching works without. */
  pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE);
  return ACC_OK;
}

static acc_rc finish_cmp(parser *P, acc_pcmp *c) {
  acc_rc rc = ACC_OK;
  switch (c->op) {
  case PC_LIKE:
    rc = nfc_literal(P, &c->val);
    break;
  case PC_MATCHES:
    if (!c->path.binary)
      rc = nfc_literal(P, &c->val);
    if (!rc)
      rc = compile_regex(P, c);
    break;
  case PC_SUBSET:
  case PC_SUPERSET:
    if (!acc_pat_cidr_parse(c->val.s, c->val.n, &c->cidr))
      rc = perr(P, c->val.pos,
                "expected an IPv4 or IPv6 address or CIDR block (e.g. "
                "'198.51.100.0/24')");
    break;
  case PC_IN: {
    unsigned kinds = 0;
    for (unsigned i = 0; i < c->nset; i++) {
      unsigned k = c->set[i].kind;
      kinds |= 1u << (k == PV_FLOAT ? PV_INT : k);
    }
    if (kinds & (kinds - 1))
      pwarn(P, c->set[0].pos,
            "the set mixes constants of different types (STIX §9.6.1 "
            "wants them homogeneous)");
    break;
  }
  default:
    break;
  }
  if (!rc)
    rc = check_hashes(P, c);
  if (!rc)
    for (unsigned i = 0; i < c->path.nsteps; i++)
      if (c->path.steps[i].kind == PS_INDEX && c->path.steps[i].index < 0)
        pwarn(P, c->path.pos,
              "a negative list index is never present: this comparison is "
              "always false");
  return rc;
}

/* ---- object paths ------------------------------------------------------- */

static int ends_with(const char *s, size_t n, const char *suf) {
  size_t k = strlen(suf);
  return n >= k && !memcmp(s + n - k, suf, k);
}

static acc_rc path(parser *P, acc_ppath *out) {
  token t = P->tok;
  if (t.kind != TK_IDENT)
    return expected(P, "an object path (type:property)");
  out->pos = t.pos;
  out->type = acc_parena_strdup(&P->pat->arena, P->s + t.pos, t.end - t.pos);
  out->typelen = t.end - t.pos;
  if (!out->type) {
    P->failed = ACC_ENOMEM;
    return acc_diag_set(P->diag, ACC_ENOMEM, "out of memory");
  }
  lex_next(P);
  if (P->tok.kind != TK_COLON)
    return expected(P, "':' after the object type");
  lex_next(P);
  acc_pstep steps[64];
  acc_pstep *heap = NULL;
  size_t n = 0, cap = 64;
  acc_rc rc = ACC_OK;
  const char *lastkey = NULL;
  size_t lastlen = 0;
  for (int first = 1;; first = 0) {
    acc_pstep st = {0};
    if (first || P->tok.kind == TK_DOT) {
      if (!first)
        lex_next(P);
      t = P->tok;
      if (t.kind == TK_IDENT && !t.hyphen) {
        st.key = P->s + t.pos;
        st.keylen = t.end - t.pos;
      } else if (t.kind == TK_STR) {
        st.key = unquote(P, t.pos, t.end, &st.keylen);
        if (!st.key) {
          rc = ACC_ENOMEM;
          break;
        }
      } else {
        rc = expected(P, "a property name (quote names that contain '-' or "
                         "'.', e.g. hashes.'SHA-256')");
        break;
      }
      st.kind = PS_KEY;
      lastkey = st.key;
      lastlen = st.keylen;
      lex_next(P);
    } else if (P->tok.kind == TK_LBRACK) {
      lex_next(P);
      t = P->tok;
      if (t.kind == TK_STAR) {
        st.kind = PS_STAR;
      } else if (t.kind == TK_INT) {
        acc_pval v;
        st.kind = PS_INDEX;
        if ((rc = literal(P, &v, K(TK_INT), "a list index")))
          break;
        st.index = v.u.i;
        t.kind = TK_EOF; /* literal() consumed it */
      } else {
        rc = expected(P, "a list index (an integer or '*')");
        break;
      }
      if (t.kind == TK_STAR)
        lex_next(P);
      if (P->tok.kind != TK_RBRACK) {
        rc = expected(P, "']' after the list index");
        break;
      }
      lex_next(P);
    } else {
      break;
    }
    if (P->tok.kind == TK_ERR) {
      rc = ACC_EINVAL;
      break;
    }
    if (n == cap) {
      if (cap >= 4096) {
        rc = perr(P, t.pos, "object path too long (at most 4096 steps)");
        break;
      }
      acc_pstep *nh = realloc(heap, cap * 2 * sizeof *nh);
      if (!nh) {
        rc = acc_diag_set(P->diag, ACC_ENOMEM, "out of memory");
        P->failed = ACC_ENOMEM;
        break;
      }
      if (!heap)
        memcpy(nh, steps, sizeof steps);
      heap = nh;
      cap *= 2;
    }
    (heap ? heap : steps)[n++] = st;
  }
  if (!rc) {
    out->steps = alloc(P, n * sizeof *out->steps);
    if (out->steps) {
      memcpy(out->steps, heap ? heap : steps, n * sizeof *out->steps);
      out->nsteps = (unsigned)n;
      out->binary = !lastkey                              ? 0
                    : ends_with(lastkey, lastlen, "_bin") ? 1
                    : ends_with(lastkey, lastlen, "_hex") ? 2
                                                          : 0;
    } else {
      rc = ACC_ENOMEM;
    }
  }
  free(heap);
  return rc;
}

/* ---- comparison expressions ------------------------------------------- */

static acc_pcnode *cmp_or(parser *P);

static acc_pcnode *new_test(parser *P, acc_pcmp *c) {
  acc_pcnode *n = alloc(P, sizeof *n);
  if (!n)
    return NULL;
  n->kind = PN_TEST;
  n->cmp = c;
  c->id = (unsigned)P->cmps.n;
  if (P->cmps.n >= MAX_CMPS) {
    perr(P, c->path.pos, "too many comparisons (at most %d)", MAX_CMPS);
    return NULL;
  }
  return plist_push(P, &P->cmps, c) ? NULL : n;
}

static acc_pcnode *cmp_prim(parser *P) {
  if (P->tok.kind == TK_LPAREN) {
    size_t at = P->tok.pos;
    if (++P->depth > MAX_DEPTH) {
      perr(P, at, "nesting too deep (at most %d levels)", MAX_DEPTH);
      return NULL;
    }
    lex_next(P);
    acc_pcnode *e = cmp_or(P);
    if (!e)
      return NULL;
    if (P->tok.kind != TK_RPAREN) {
      expected(P, "AND, OR or ')'");
      return NULL;
    }
    P->depth--;
    lex_next(P);
    return P->tok.kind == TK_ERR ? NULL : e;
  }
  acc_pcmp *c = alloc(P, sizeof *c);
  if (!c)
    return NULL;
  if (P->tok.kind == TK_NOT || P->tok.kind == TK_EXISTS) {
    if (P->tok.kind == TK_NOT) {
      c->negated = 1;
      lex_next(P);
      if (P->tok.kind != TK_EXISTS) {
        expected(P, "EXISTS after a leading NOT");
        return NULL;
      }
    }
    lex_next(P);
    c->op = PC_EXISTS;
    if (path(P, &c->path))
      return NULL;
    return new_test(P, c);
  }
  if (P->tok.kind != TK_IDENT) {
    expected(P, "a comparison (object path, EXISTS, NOT EXISTS or '(')");
    return NULL;
  }
  if (path(P, &c->path))
    return NULL;
  if (P->tok.kind == TK_NOT) {
    c->negated = 1;
    lex_next(P);
  }
  acc_rc rc;
  switch (P->tok.kind) {
  case TK_EQ:
  case TK_NE:
    c->op = P->tok.kind == TK_EQ ? PC_EQ : PC_NE;
    lex_next(P);
    rc = literal(P, &c->val, PRIMITIVE, lit_what);
    break;
  case TK_LT:
  case TK_LE:
  case TK_GT:
  case TK_GE:
    c->op = P->tok.kind == TK_LT   ? PC_LT
            : P->tok.kind == TK_LE ? PC_LE
            : P->tok.kind == TK_GT ? PC_GT
                                   : PC_GE;
    lex_next(P);
    rc = literal(P, &c->val, ORDERABLE,
                 "an orderable literal (string, number, b'...', h'...' or "
                 "t'...')");
    break;
  case TK_LIKE:
  case TK_MATCHES:
  case TK_ISSUBSET:
  case TK_ISSUPERSET:
    c->op = P->tok.kind == TK_LIKE       ? PC_LIKE
            : P->tok.kind == TK_MATCHES  ? PC_MATCHES
            : P->tok.kind == TK_ISSUBSET ? PC_SUBSET
                                         : PC_SUPERSET;
    lex_next(P);
    rc = literal(P, &c->val, K(TK_STR), "a string literal ('...')");
    break;
  case TK_IN: {
    c->op = PC_IN;
    lex_next(P);
    if (P->tok.kind != TK_LPAREN) {
      expected(P, "'(' to open the set after IN");
      return NULL;
    }
    lex_next(P);
    acc_pval buf[16], *vals = buf;
    size_t n = 0, cap = 16;
    rc = ACC_OK;
    while (P->tok.kind != TK_RPAREN) {
      if (n && P->tok.kind != TK_COMMA) {
        rc = expected(P, "',' or ')' in the set");
        break;
      }
      if (n)
        lex_next(P);
      if (n == cap) {
        if (cap >= 65536) {
          rc = perr(P, P->tok.pos, "set too large (at most 65536 values)");
          break;
        }
        acc_pval *nv = malloc(cap * 2 * sizeof *nv);
        if (!nv) {
          rc = acc_diag_set(P->diag, ACC_ENOMEM, "out of memory");
          P->failed = ACC_ENOMEM;
          break;
        }
        memcpy(nv, vals, n * sizeof *nv);
        if (vals != buf)
          free(vals);
        vals = nv;
        cap *= 2;
      }
      if ((rc = literal(P, &vals[n], PRIMITIVE, lit_what)))
        break;
      n++;
    }
    if (!rc) {
      c->set = alloc(P, (n ? n : 1) * sizeof *c->set);
      if (c->set) {
        memcpy(c->set, vals, n * sizeof *c->set);
        c->nset = (unsigned)n;
        lex_next(P);
      } else {
        rc = ACC_ENOMEM;
      }
    }
    if (vals != buf)
      free(vals);
    break;
  }
  default:
    expected(P, "a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, "
                "MATCHES, ISSUBSET or ISSUPERSET)");
    return NULL;
  }
  if (rc || P->tok.kind == TK_ERR || finish_cmp(P, c))
    return NULL;
  return new_test(P, c);
}

/* Join left and right under kind, flattening chains of the same kind. */
static acc_pcnode *cjoin(parser *P, acc_pcnode *l, acc_pcnode *r, int kind) {
  acc_pcnode *n;
  if (l->kind == kind) {
    n = l;
  } else {
    n = alloc(P, sizeof *n);
    if (!n)
      return NULL;
    n->kind = (uint8_t)kind;
    n->kids = alloc(P, 4 * sizeof *n->kids);
    if (!n->kids)
      return NULL;
    n->kids[n->nkids++] = l;
  }
  /* capacities are powers of two from 4 */
  if (n->nkids >= 4 && (n->nkids & (n->nkids - 1)) == 0) {
    acc_pcnode **nk = alloc(P, 2 * n->nkids * sizeof *nk);
    if (!nk)
      return NULL;
    memcpy(nk, n->kids, n->nkids * sizeof *nk);
    n->kids = nk;
  }
  n->kids[n->nkids++] = r;
  return n;
}

static acc_pcnode *cmp_and(parser *P) {
  acc_pcnode *l = cmp_prim(P);
  while (l && P->tok.kind == TK_AND) {
    lex_next(P);
    acc_pcnode *r = cmp_prim(P);
    l = r ? cjoin(P, l, r, PN_AND) : NULL;
  }
  return l;
}

static acc_pcnode *cmp_or(parser *P) {
  acc_pcnode *l = cmp_and(P);
  while (l && P->tok.kind == TK_OR) {
    lex_next(P);
    acc_pcnode *r = cmp_and(P);
    l = r ? cjoin(P, l, r, PN_OR) : NULL;
  }
  return l;
}

/* The object types a comparison expression can be true for: up to 8
 * types in t; returns their number, or -1 for "too many to say". */
static int types_of(const acc_pcnode *n, const char *t[8]) {
  if (n->kind == PN_TEST) {
    t[0] = n->cmp->path.type;
    return 1;
  }
  const char *a[8];
  int na = types_of(n->kids[0], a);
  for (unsigned k = 1; k < n->nkids; k++) {
    const char *b[8], *c[8];
    int nb = types_of(n->kids[k], b), nc = 0;
    if (n->kind == PN_OR) {
      if (na < 0 || nb < 0) {
        na = -1;
        continue;
      }
      memcpy(c, a, (size_t)na * sizeof *c);
      nc = na;
      for (int j = 0; j < nb; j++) {
        int dup = 0;
        for (int i = 0; i < na; i++)
          dup |= !strcmp(a[i], b[j]);
        if (!dup) {
          if (nc == 8)
            return -1;
          c[nc++] = b[j];
        }
      }
    } else {
      if (na < 0) {
        memcpy(c, b, (size_t)(nb > 0 ? nb : 0) * sizeof *c);
        nc = nb;
      } else if (nb < 0) {
        memcpy(c, a, (size_t)na * sizeof *c);
        nc = na;
      } else {
        for (int i = 0; i < na; i++)
          for (int j = 0; j < nb; j++)
            if (!strcmp(a[i], b[j]))
              c[nc++] = a[i];
      }
    }
    memcpy(a, c, (size_t)(nc > 0 ? nc : 0) * sizeof *a);
    na = nc;
  }
  if (na > 0)
    memcpy(t, a, (size_t)na * sizeof *t);
  return na;
}

/* ---- observation expressions ------------------------------------------ */

static acc_ponode *obs_fby(parser *P);

static acc_ponode *onew(parser *P, int kind, size_t pos) {
  acc_ponode *n = alloc(P, sizeof *n);
  if (n) {
    n->kind = (uint8_t)kind;
    n->pos = pos;
  }
  return n;
}

/* '[' comparison expression ']'  or  '(' observation expressions ')' */
static acc_ponode *obs_primary(parser *P, int *compound) {
  size_t at = P->tok.pos;
  if (P->tok.kind == TK_LBRACK) {
    *compound = 0;
    lex_next(P);
    acc_pcnode *c = cmp_or(P);
    if (!c)
      return NULL;
    if (P->tok.kind != TK_RBRACK) {
      expected(P, "AND, OR or ']'");
      return NULL;
    }
    lex_next(P);
    if (P->tok.kind == TK_ERR)
      return NULL;
    const char *t[8];
    if (types_of(c, t) == 0)
      pwarn(P, at,
            "AND joins comparisons of different object types: this "
            "observation expression can never match (STIX §9.5 wants every "
            "operand of AND satisfied by the same object)");
    acc_ponode *n = onew(P, PO_SIMPLE, at);
    if (!n)
      return NULL;
    n->cexpr = c;
    n->leaf = (unsigned)P->leaves.n;
    return plist_push(P, &P->leaves, n) ? NULL : n;
  }
  if (P->tok.kind == TK_LPAREN) {
    *compound = 1;
    if (++P->depth > MAX_DEPTH) {
      perr(P, at, "nesting too deep (at most %d levels)", MAX_DEPTH);
      return NULL;
    }
    lex_next(P);
    acc_ponode *e = obs_fby(P);
    if (!e)
      return NULL;
    if (P->tok.kind != TK_RPAREN) {
      expected(P, "an observation operator (AND, OR, FOLLOWEDBY), a "
                  "qualifier (WITHIN, REPEATS, START) or ')'");
      return NULL;
    }
    P->depth--;
    lex_next(P);
    return P->tok.kind == TK_ERR ? NULL : e;
  }
  expected(P, "an observation expression ('[' or '(')");
  return NULL;
}

static acc_ponode *obs_qual(parser *P) {
  int compound;
  acc_ponode *e = obs_primary(P, &compound);
  unsigned seen = 0;
  while (e && (P->tok.kind == TK_WITHIN || P->tok.kind == TK_REPEATS ||
               P->tok.kind == TK_START)) {
    token q = P->tok;
    unsigned bit = 1u << (q.kind == TK_WITHIN    ? 0
                          : q.kind == TK_REPEATS ? 1
                                                 : 2);
    const char *name = q.kind == TK_WITHIN    ? "WITHIN"
                       : q.kind == TK_REPEATS ? "REPEATS"
                                              : "START/STOP";
    if ((seen & bit) && !compound) {
      perr(P, q.pos,
           "duplicate %s qualifier on one observation expression (STIX "
           "§9.5.1 allows one of each)",
           name);
      return NULL;
    }
    if (seen & bit)
      pwarn(P, q.pos,
            "two %s qualifiers on one parenthesised expression: both apply",
            name);
    seen |= bit;
    acc_ponode *n = onew(P,
                         q.kind == TK_WITHIN    ? PO_WITHIN
                         : q.kind == TK_REPEATS ? PO_REPEATS
                                                : PO_STARTSTOP,
                         q.pos);
    if (!n)
      return NULL;
    n->kids = alloc(P, sizeof *n->kids);
    if (!n->kids)
      return NULL;
    n->kids[0] = e;
    n->nkids = 1;
    lex_next(P);
    acc_pval v;
    if (q.kind == TK_WITHIN) {
      if (literal(P, &v, K(TK_INT) | K(TK_FLOAT),
                  "a positive number of seconds (integer or float)"))
        return NULL;
      double secs = v.kind == PV_INT ? (double)v.u.i : v.u.f;
      if (!(secs > 0)) {
        perr(P, v.pos, "expected a positive number of seconds");
        return NULL;
      }
      n->within_us = secs >= 9.2e12 ? INT64_MAX : (int64_t)(secs * 1e6 + 0.5);
      if (n->within_us == 0)
        n->within_us = 1;
      if (P->tok.kind != TK_SECONDS) {
        expected(P, "SECONDS");
        return NULL;
      }
      lex_next(P);
    } else if (q.kind == TK_REPEATS) {
      if (literal(P, &v, K(TK_INT), "a positive integer"))
        return NULL;
      if (v.u.i <= 0) {
        perr(P, v.pos, "expected a positive integer");
        return NULL;
      }
      n->repeats = (uint64_t)v.u.i;
      if (P->tok.kind != TK_TIMES) {
        expected(P, "TIMES");
        return NULL;
      }
      lex_next(P);
    } else {
      if (literal(P, &v, K(TK_TS), "a timestamp t'...' after START"))
        return NULL;
      n->start_us = v.u.ts;
      if (P->tok.kind != TK_STOP) {
        expected(P, "STOP");
        return NULL;
      }
      lex_next(P);
      if (literal(P, &v, K(TK_TS), "a timestamp t'...' after STOP"))
        return NULL;
      n->stop_us = v.u.ts;
      if (n->stop_us <= n->start_us)
        pwarn(P, q.pos,
              "STOP is not after START: this qualifier can never "
              "be satisfied");
    }
    if (P->tok.kind == TK_ERR)
      return NULL;
    e = n;
  }
  return e;
}

static acc_ponode *ojoin(parser *P, acc_ponode *l, acc_ponode *r, int kind,
                         size_t pos, int *fresh) {
  acc_ponode *n;
  if (l->kind == kind && !*fresh) {
    n = l;
  } else {
    n = onew(P, kind, pos);
    if (!n)
      return NULL;
    n->kids = alloc(P, 4 * sizeof *n->kids);
    if (!n->kids)
      return NULL;
    n->kids[n->nkids++] = l;
  }
  *fresh = 0;
  if (n->nkids >= 4 && (n->nkids & (n->nkids - 1)) == 0) {
    acc_ponode **nk = alloc(P, 2 * n->nkids * sizeof *nk);
    if (!nk)
      return NULL;
    memcpy(nk, n->kids, n->nkids * sizeof *nk);
    n->kids = nk;
  }
  n->kids[n->nkids++] = r;
  return n;
}

static acc_ponode *obs_and(parser *P) {
  acc_ponode *l = obs_qual(P);
  int fresh = 1;
  while (l && P->tok.kind == TK_AND) {
    size_t at = P->tok.pos;
    lex_next(P);
    acc_ponode *r = obs_qual(P);
    l = r ? ojoin(P, l, r, PO_AND, at, &fresh) : NULL;
  }
  return l;
}

static acc_ponode *obs_or(parser *P) {
  acc_ponode *l = obs_and(P);
  int fresh = 1;
  while (l && P->tok.kind == TK_OR) {
    size_t at = P->tok.pos;
    lex_next(P);
    acc_ponode *r = obs_and(P);
    l = r ? ojoin(P, l, r, PO_OR, at, &fresh) : NULL;
  }
  return l;
}

static acc_ponode *obs_fby(parser *P) {
  acc_ponode *l = obs_or(P);
  int fresh = 1;
  while (l && P->tok.kind == TK_FOLLOWEDBY) {
    size_t at = P->tok.pos;
    lex_next(P);
    acc_ponode *r = obs_or(P);
    l = r ? ojoin(P, l, r, PO_FBY, at, &fresh) : NULL;
  }
  return l;
}

/* ---- the pattern -------------------------------------------------------- */

void acc_pattern_free(acc_pattern *p) {
  if (!p)
    return;
  for (unsigned i = 0; i < p->ncmps; i++)
    pcre2_code_free(p->cmps[i]->re);
  acc_parena_free(&p->arena);
  free(p);
}

acc_rc acc_pattern_parse(const char *text, size_t len, acc_pattern **out,
                         acc_diag *diag, acc_pattern_warn_fn warn,
                         void *warn_ctx) {
  if (len > ACC_PATTERN_MAX_BYTES)
    return acc_diag_set(diag, ACC_EINVAL,
                        "pattern too long (%zu bytes; at most %u)", len,
                        ACC_PATTERN_MAX_BYTES);
  if (!acc_pat_utf8_ok(text, len)) {
    size_t bad = 0;
    while (bad < len && acc_pat_utf8_ok(text, bad + 1))
      bad++;
    return acc_diag_set(diag, ACC_EINVAL, "position %zu: invalid UTF-8",
                        acc_pat_charpos(text, bad));
  }
  acc_pattern *pat = calloc(1, sizeof *pat);
  if (!pat)
    return acc_diag_set(diag, ACC_ENOMEM, "out of memory");
  acc_parena_init(&pat->arena, 2048 + len * 4, (size_t)64 << 20);
  parser P = {.pat = pat, .diag = diag, .warn = warn, .wctx = warn_ctx};
  acc_buf_init(&P.tmp, ACC_PATTERN_MAX_BYTES * 4);
  acc_rc rc = ACC_OK;
  char *copy = acc_parena_strdup(&pat->arena, text, len);
  if (!copy) {
    rc = acc_diag_set(diag, ACC_ENOMEM, "out of memory");
    goto out;
  }
  pat->text = P.s = copy;
  pat->len = P.n = len;
  lex_next(&P);
  if (P.tok.kind != TK_ERR)
    pat->root = obs_fby(&P);
  if (pat->root && P.tok.kind != TK_EOF && P.tok.kind != TK_ERR)
    expected(&P, "an observation operator (AND, OR, FOLLOWEDBY), a "
                 "qualifier (WITHIN, REPEATS, START) or the end of the "
                 "pattern");
  /* keep what was built so that acc_pattern_free releases the regexes */
  pat->cmps = acc_parena_alloc(&pat->arena,
                               (P.cmps.n ? P.cmps.n : 1) * sizeof *pat->cmps);
  pat->leaves = acc_parena_alloc(&pat->arena, (P.leaves.n ? P.leaves.n : 1) *
                                                  sizeof *pat->leaves);
  if (pat->cmps && pat->leaves) {
    if (P.cmps.n)
      memcpy(pat->cmps, P.cmps.v, P.cmps.n * sizeof *pat->cmps);
    pat->ncmps = (unsigned)P.cmps.n;
    if (P.leaves.n)
      memcpy(pat->leaves, P.leaves.v, P.leaves.n * sizeof *pat->leaves);
    pat->nleaves = (unsigned)P.leaves.n;
  } else {
    for (size_t i = 0; i < P.cmps.n; i++)
      pcre2_code_free(((acc_pcmp *)P.cmps.v[i])->re);
    if (!P.failed)
      acc_diag_set(diag, ACC_ENOMEM, "out of memory");
    P.failed = ACC_ENOMEM;
  }
  if (P.failed || !pat->root) {
    rc = P.failed ? P.failed : ACC_EINVAL;
    goto out;
  }
  {
    const acc_ponode *r = pat->root;
    while (r->kind == PO_STARTSTOP)
      r = r->kids[0];
    pat->single = r->kind == PO_SIMPLE;
  }
out:
  free(P.cmps.v);
  free(P.leaves.v);
  acc_buf_free(&P.tmp);
  if (rc) {
    acc_pattern_free(pat);
    return rc;
  }
  *out = pat;
  return ACC_OK;
}

acc_rc acc_pattern_check(const char *text, size_t len, acc_diag *diag,
                         acc_pattern_warn_fn warn, void *warn_ctx) {
  acc_pattern *p = NULL;
  acc_rc rc = acc_pattern_parse(text, len, &p, diag, warn, warn_ctx);
  acc_pattern_free(p);
  return rc;
}

unsigned acc_pattern_leaves(const acc_pattern *p) {
  return p->nleaves;
}

int acc_pattern_single(const acc_pattern *p) {
  return p->single;
}

/* ---- canonical rendering ------------------------------------------------ */

static acc_rc dump_quoted(acc_buf *b, const char *s, size_t n) {
  acc_rc rc = acc_buf_putc(b, '\'');
  for (size_t i = 0; !rc && i < n; i++) {
    if (s[i] == '\'' || s[i] == '\\')
      rc = acc_buf_putc(b, '\\');
    if (!rc)
      rc = acc_buf_putc(b, s[i]);
  }
  return rc ? rc : acc_buf_putc(b, '\'');
}

static int plain_key(const char *s, size_t n) {
  if (n == 0 || !is_alpha((unsigned char)s[0]))
    return 0;
  for (size_t i = 1; i < n; i++)
    if (!is_alpha((unsigned char)s[i]) && !is_digit(s[i]))
      return 0;
  for (size_t w = 0; w < sizeof keywords / sizeof *keywords; w++)
    if (strlen(keywords[w].word) == n && !memcmp(keywords[w].word, s, n))
      return 0;
  return 1;
}

static acc_rc dump_val(acc_buf *b, const acc_pval *v) {
  char ts[ACC_TIME_BUFSZ];
  switch (v->kind) {
  case PV_INT:
    return acc_buf_printf(b, "%lld", (long long)v->u.i);
  case PV_FLOAT:
    return acc_buf_printf(b, "%.17g", v->u.f);
  case PV_STR:
    return dump_quoted(b, v->s, v->n);
  case PV_BYTES: {
    acc_rc rc = acc_buf_puts(b, "h'");
    for (size_t i = 0; !rc && i < v->n; i++)
      rc = acc_buf_printf(b, "%02x", (unsigned char)v->s[i]);
    return rc ? rc : acc_buf_putc(b, '\'');
  }
  case PV_TS:
    acc_time_format(v->u.ts, ts);
    return acc_buf_printf(b, "t'%s'", ts);
  case PV_BOOL:
    return acc_buf_puts(b, v->u.b ? "true" : "false");
  }
  return ACC_OK;
}

static acc_rc dump_path(acc_buf *b, const acc_ppath *p) {
  acc_rc rc = acc_buf_printf(b, "%s:", p->type);
  for (unsigned i = 0; !rc && i < p->nsteps; i++) {
    const acc_pstep *s = &p->steps[i];
    if (s->kind == PS_KEY) {
      if (i)
        rc = acc_buf_putc(b, '.');
      if (!rc)
        rc = plain_key(s->key, s->keylen) ? acc_buf_append(b, s->key, s->keylen)
                                          : dump_quoted(b, s->key, s->keylen);
    } else if (s->kind == PS_STAR) {
      rc = acc_buf_puts(b, "[*]");
    } else {
      rc = acc_buf_printf(b, "[%lld]", (long long)s->index);
    }
  }
  return rc;
}

static const char *op_name[] = {"=",       "!=",       "<",          "<=",
                                ">",       ">=",       "IN",         "LIKE",
                                "MATCHES", "ISSUBSET", "ISSUPERSET", "EXISTS"};

static acc_rc dump_cnode(acc_buf *b, const acc_pcnode *n) {
  acc_rc rc;
  if (n->kind != PN_TEST) {
    rc = acc_buf_putc(b, '(');
    for (unsigned i = 0; !rc && i < n->nkids; i++) {
      if (i)
        rc = acc_buf_puts(b, n->kind == PN_AND ? " AND " : " OR ");
      if (!rc)
        rc = dump_cnode(b, n->kids[i]);
    }
    return rc ? rc : acc_buf_putc(b, ')');
  }
  const acc_pcmp *c = n->cmp;
  if (c->op == PC_EXISTS) {
    rc = acc_buf_puts(b, c->negated ? "NOT EXISTS " : "EXISTS ");
    return rc ? rc : dump_path(b, &c->path);
  }
  rc = dump_path(b, &c->path);
  if (!rc)
    rc = acc_buf_printf(b, " %s%s ", c->negated ? "NOT " : "", op_name[c->op]);
  if (rc)
    return rc;
  if (c->op != PC_IN)
    return dump_val(b, &c->val);
  rc = acc_buf_putc(b, '(');
  for (unsigned i = 0; !rc && i < c->nset; i++) {
    if (i)
      rc = acc_buf_puts(b, ", ");
    if (!rc)
      rc = dump_val(b, &c->set[i]);
  }
  return rc ? rc : acc_buf_putc(b, ')');
}

static acc_rc dump_onode(acc_buf *b, const acc_ponode *n) {
  acc_rc rc;
  char t1[ACC_TIME_BUFSZ], t2[ACC_TIME_BUFSZ];
  switch (n->kind) {
  case PO_SIMPLE:
    rc = acc_buf_putc(b, '[');
    if (!rc)
      rc = dump_cnode(b, n->cexpr);
    return rc ? rc : acc_buf_putc(b, ']');
  case PO_AND:
  case PO_OR:
  case PO_FBY:
    rc = acc_buf_putc(b, '(');
    for (unsigned i = 0; !rc && i < n->nkids; i++) {
      if (i)
        rc = acc_buf_puts(b, n->kind == PO_AND  ? " AND "
                             : n->kind == PO_OR ? " OR "
                                                : " FOLLOWEDBY ");
      if (!rc)
        rc = dump_onode(b, n->kids[i]);
    }
    return rc ? rc : acc_buf_putc(b, ')');
  default:
    rc = acc_buf_putc(b, '(');
    if (!rc)
      rc = dump_onode(b, n->kids[0]);
    if (rc)
      return rc;
    if (n->kind == PO_WITHIN) {
      rc = acc_buf_printf(b, " WITHIN %.6g SECONDS)",
                          (double)n->within_us / 1e6);
    } else if (n->kind == PO_REPEATS) {
      rc = acc_buf_printf(b, " REPEATS %llu TIMES)",
                          (unsigned long long)n->repeats);
    } else {
      acc_time_format(n->start_us, t1);
      acc_time_format(n->stop_us, t2);
      rc = acc_buf_printf(b, " START t'%s' STOP t'%s')", t1, t2);
    }
    return rc;
  }
}

acc_rc acc_pattern_dump(const acc_pattern *p, acc_buf *out) {
  return dump_onode(out, p->root);
}
