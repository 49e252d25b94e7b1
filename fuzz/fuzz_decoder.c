/*
 * fuzz_decoder.c — libFuzzer harness for the document decoder and the STIX
 * validator: any bytes in, no crash, no leak, and every object handed on
 * is a parsed JSON object whose span lies inside the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "stix/decode.h"
#include "stix/stix.h"

typedef struct bounds {
  const char *base;
  size_t len;
} bounds;

static acc_rc on_obj(void *ctx, const acc_decoded *d) {
  bounds *b = ctx;
  if (d->raw < b->base || d->raw + d->len > b->base + b->len)
    abort();
  if (d->err)
    return ACC_OK;
  if (!json_is_object(d->json))
    abort();
  acc_stix_obj o;
  acc_diag diag;
  if (acc_stix_validate(d->json, &o, &diag, NULL, NULL) == ACC_OK &&
      (!o.id || !o.type || !o.spec_version))
    abort();
  return ACC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  acc_decode_limits lim = {
      .max_doc_bytes = 1 << 20, .max_object_bytes = 1 << 18, .max_depth = 32};
  bounds b = {(const char *)data, size};
  acc_diag d;
  acc_decode((const char *)data, size, &lim, on_obj, &b, NULL, &d);
  return 0;
}
