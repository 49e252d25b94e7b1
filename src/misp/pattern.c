/*
 * pattern.c — the STIX patterns the MISP mapper writes, both ways: quote
 * a value as a pattern string literal, and read back a pattern of one
 * observation whose comparisons are '=' joined by AND
 * ("[file:name = 'a' AND file:hashes.'MD5' = 'b']").  Anything richer is
 * not read here (the exporter then keeps the whole pattern as a MISP
 * stix2-pattern attribute); the full grammar is src/pattern/'s business.
 */
#include <stdlib.h>
#include <string.h>

#include "misp/misp_int.h"

acc_rc acc_pat_quote(acc_buf *b, const char *s) {
  acc_rc rc = acc_buf_putc(b, '\'');
  for (const char *p = s; !rc && *p; p++) {
    if (*p == '\'' || *p == '\\')
      rc = acc_buf_putc(b, '\\');
    if (!rc)
      rc = acc_buf_putc(b, *p);
  }
  return rc ? rc : acc_buf_putc(b, '\'');
}

static const char *skip_ws(const char *p) {
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* An object path: type ':' then property steps; copied into out. */
static const char *read_path(const char *p, char out[160]) {
  size_t n = 0;
  const char *start = p;
  while ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
         *p == '_' || (*p >= 'A' && *p <= 'Z'))
    p++;
  if (p == start || *p != ':')
    return NULL;
  p++;
  /* steps: identifiers, '.', quoted keys, [*] or [N] */
  for (;;) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
        (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.') {
      p++;
    } else if (*p == '\'') {
      p++;
      while (*p && *p != '\'')
        p++;
      if (*p != '\'')
        return NULL;
      p++;
    } else if (*p == '[') {
      p++;
      while (*p == '*' || (*p >= '0' && *p <= '9'))
        p++;
      if (*p != ']')
        return NULL;
      p++;
    } else {
      break;
    }
  }
  n = (size_t)(p - start);
  if (n >= 160)
    return NULL;
  memcpy(out, start, n);
  out[n] = '\0';
  return p;
}

/* A string literal or an integer. */
static const char *read_value(const char *p, acc_pat_term *t) {
  acc_buf b;
  acc_buf_init(&b, 1 << 24);
  if (*p == '\'') {
    p++;
    while (*p && *p != '\'') {
      if (*p == '\\') {
        p++;
        if (*p != '\'' && *p != '\\')
          goto bad;
      }
      if (acc_buf_putc(&b, *p))
        goto bad;
      p++;
    }
    if (*p != '\'')
      goto bad;
    p++;
  } else if ((*p >= '0' && *p <= '9') || *p == '-') {
    const char *s = p;
    p++;
    while (*p >= '0' && *p <= '9')
      p++;
    if (acc_buf_append(&b, s, (size_t)(p - s)))
      goto bad;
    t->is_int = 1;
  } else {
    goto bad;
  }
  t->value = strdup(acc_buf_cstr(&b));
  acc_buf_free(&b);
  return t->value ? p : NULL;
bad:
  acc_buf_free(&b);
  return NULL;
}

void acc_pat_free(acc_pat *p) {
  for (size_t i = 0; i < p->n; i++)
    free(p->t[i].value);
  p->n = 0;
}

acc_rc acc_pat_parse(const char *s, acc_pat *pat) {
  memset(pat, 0, sizeof *pat);
  const char *p = skip_ws(s);
  if (*p++ != '[')
    return ACC_EINVAL;
  for (;;) {
    if (pat->n == ACC_PAT_MAX_TERMS)
      goto bad;
    acc_pat_term *t = &pat->t[pat->n];
    memset(t, 0, sizeof *t);
    p = skip_ws(p);
    if (!(p = read_path(p, t->path)))
      goto bad;
    p = skip_ws(p);
    if (*p++ != '=')
      goto bad;
    p = skip_ws(p);
    if (!(p = read_value(p, t)))
      goto bad;
    pat->n++;
    p = skip_ws(p);
    if (*p == ']')
      break;
    if (strncmp(p, "AND", 3) != 0 || (p[3] != ' ' && p[3] != '\t'))
      goto bad;
    p += 3;
  }
  p = skip_ws(p + 1);
  if (*p)
    goto bad;
  return ACC_OK;
bad:
  acc_pat_free(pat);
  return ACC_EINVAL;
}
