/*
 * decode.h — turn a document from outside (a file, stdin, an HTTP body)
 * into STIX objects, each with the exact bytes it was written as.
 *
 * Accepted shapes: a STIX bundle, a TAXII envelope ({"objects": [...]}),
 * a JSON array of objects, JSON lines (one object or bundle per line) and a
 * single object.  A structural pass over the whole document runs first and
 * enforces the size and depth bounds, so a truncated or malformed document
 * is refused before anything of it is handed on; each object is then parsed
 * by jansson (UTF-8 checked, duplicate keys refused) and passed to the
 * callback with its byte span.  In JSON lines, lines are independent: a bad
 * line is reported through the callback and the others go on.
 */
#ifndef ACC_DECODE_H
#define ACC_DECODE_H

#include <jansson.h>
#include <stddef.h>

#include "util/error.h"

typedef enum acc_doc_shape {
  ACC_SHAPE_BUNDLE,
  ACC_SHAPE_ENVELOPE,
  ACC_SHAPE_ARRAY,
  ACC_SHAPE_LINES,
  ACC_SHAPE_OBJECT,
} acc_doc_shape;

const char *acc_doc_shape_name(acc_doc_shape s);

typedef struct acc_decode_limits {
  size_t max_doc_bytes;    /* whole document; 0 = default (1 GiB) */
  size_t max_object_bytes; /* one object; 0 = default (64 MiB) */
  unsigned max_depth;      /* nesting from the document root; 0 = 64 */
} acc_decode_limits;

/* One element of the document, in order.  index counts from 0 across the
 * document.  On a per-object failure (bad JSON, too deep, not an object)
 * json is NULL and err/err_diag say why; the callback decides what to do.
 * raw/len is the element's exact text.  line is its 1-based starting line.
 * Return non-zero to stop decoding (that value is returned). */
typedef struct acc_decoded {
  size_t index;
  const char *raw;
  size_t len;
  size_t line;
  json_t *json;       /* borrowed: freed by the decoder after the callback */
  acc_rc err;         /* ACC_OK when json is set */
  const char *errmsg; /* what was wrong with this element, when err */
} acc_decoded;

typedef acc_rc (*acc_decode_cb)(void *ctx, const acc_decoded *d);

/*
 * Decode buf[0..len).  Document-level problems (malformed or truncated
 * JSON outside JSON lines, too big, too deep, unknown shape) return an
 * error with diag saying what and where (line and column) before any
 * callback runs.  shape, when not NULL, receives the detected shape.
 */
acc_rc acc_decode(const char *buf, size_t len, const acc_decode_limits *lim,
                  acc_decode_cb cb, void *ctx, acc_doc_shape *shape,
                  acc_diag *diag);

#endif
