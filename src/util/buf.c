/*
 * buf.c — capped growable buffer.
 */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void acc_buf_init(acc_buf *b, size_t limit) {
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  b->limit = limit ? limit : (size_t)-1 / 2;
}

void acc_buf_free(acc_buf *b) {
  if (!b)
    return;
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void acc_buf_reset(acc_buf *b) {
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

acc_rc acc_buf_reserve(acc_buf *b, size_t extra) {
  if (extra > b->limit || b->len > b->limit - extra)
    return ACC_ETOOBIG;
  size_t need = b->len + extra + 1;
  if (need <= b->cap)
    return ACC_OK;
  size_t ncap = b->cap ? b->cap : 256;
  while (ncap < need)
    ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
  char *p = realloc(b->data, ncap);
  if (!p)
    return ACC_ENOMEM;
  b->data = p;
  b->cap = ncap;
  return ACC_OK;
}

acc_rc acc_buf_append(acc_buf *b, const void *p, size_t n) {
  acc_rc rc = acc_buf_reserve(b, n);
  if (rc)
    return rc;
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
  return ACC_OK;
}

acc_rc acc_buf_puts(acc_buf *b, const char *s) {
  return acc_buf_append(b, s, strlen(s));
}

acc_rc acc_buf_putc(acc_buf *b, char c) {
  return acc_buf_append(b, &c, 1);
}

acc_rc acc_buf_printf(acc_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return ACC_EINVAL;
  acc_rc rc = acc_buf_reserve(b, (size_t)n);
  if (rc)
    return rc;
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
  return ACC_OK;
}

const char *acc_buf_cstr(acc_buf *b) {
  if (!b->data)
    return "";
  return b->data;
}
