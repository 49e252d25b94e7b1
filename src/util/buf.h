/*
 * buf.h — a growable byte buffer with a hard cap (never grows past it).
 */
#ifndef ACC_BUF_H
#define ACC_BUF_H

#include <stddef.h>

#include "util/error.h"

typedef struct acc_buf {
  char *data;   /* NUL-terminated when len > 0 or after acc_buf_cstr */
  size_t len;   /* bytes used, excluding the terminating NUL */
  size_t cap;   /* bytes allocated */
  size_t limit; /* growth past this fails with ACC_ETOOBIG */
} acc_buf;

void acc_buf_init(acc_buf *b, size_t limit);
void acc_buf_free(acc_buf *b);
void acc_buf_reset(acc_buf *b);
acc_rc acc_buf_reserve(acc_buf *b, size_t extra);
acc_rc acc_buf_append(acc_buf *b, const void *p, size_t n);
acc_rc acc_buf_puts(acc_buf *b, const char *s);
acc_rc acc_buf_putc(acc_buf *b, char c);
acc_rc acc_buf_printf(acc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The contents as a NUL-terminated string ("" when empty). */
const char *acc_buf_cstr(acc_buf *b);

#endif
