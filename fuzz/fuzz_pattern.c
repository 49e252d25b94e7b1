/*
 * fuzz_pattern.c — libFuzzer harness for the STIX pattern parser: any
 * bytes in, no crash, no leak; a pattern that parses renders to a
 * pattern that parses again to the same rendering.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/pattern.h"

static void no_warn(void *ctx, size_t pos, const char *msg) {
  (void)ctx, (void)pos, (void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  acc_pattern *p = NULL;
  acc_diag d;
  if (acc_pattern_parse((const char *)data, size, &p, &d, no_warn, NULL))
    return 0;
  acc_buf a, b;
  acc_buf_init(&a, (size_t)64 << 20);
  acc_buf_init(&b, (size_t)64 << 20);
  if (acc_pattern_dump(p, &a))
    abort();
  acc_pattern *q = NULL;
  if (acc_pattern_parse(a.data, a.len, &q, &d, NULL, NULL))
    abort(); /* the rendering must be a valid pattern */
  if (acc_pattern_dump(q, &b) || a.len != b.len ||
      memcmp(a.data, b.data, a.len))
    abort(); /* ... with the same tree */
  if (acc_pattern_leaves(p) != acc_pattern_leaves(q))
    abort();
  acc_pattern_free(q);
  acc_pattern_free(p);
  acc_buf_free(&a);
  acc_buf_free(&b);
  return 0;
}
