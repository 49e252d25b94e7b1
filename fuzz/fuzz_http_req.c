/*
 * fuzz_http_req.c — libFuzzer harness for the sensor's HTTP request
 * parser and the extractors run on attacker requests
 * (src/sensor/http_parse.c): any bytes never crash; a parsed head lies
 * inside the input with every span inside it; Basic, form, decoding and
 * URL/address extraction stay within their buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/parse.h"

static const char *g_base;
static size_t g_len;

static void in_input(acc_span s) {
  if (s.n && (s.p < g_base || s.p + s.n > g_base + g_len))
    abort();
}

static void on_hit(void *ctx, acc_extract_kind kind, const char *s, size_t n) {
  (void)ctx;
  (void)kind;
  if (s < g_base || s + n > g_base + g_len || n == 0)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *buf = (const char *)data;
  g_base = buf;
  g_len = size;
  acc_http_req r;
  int done = 0;
  acc_diag d;
  if (acc_http_parse(buf, size, &r, &done, &d) == ACC_OK && done) {
    if (r.head_len > size || r.n_headers > ACC_HTTP_MAX_HEADERS)
      abort();
    in_input(r.method);
    in_input(r.target);
    in_input(r.version);
    for (size_t i = 0; i < r.n_headers; i++) {
      in_input(r.hname[i]);
      in_input(r.hval[i]);
      char u[64], p[64];
      if (acc_http_basic(r.hval[i].p, r.hval[i].n, u, sizeof u, p, sizeof p) ==
              ACC_OK &&
          (strlen(u) >= sizeof u || strlen(p) >= sizeof p))
        abort();
    }
    acc_http_header(&r, "authorization");
  }
  char out[256];
  size_t k = acc_url_decode(buf, size, 1, out, sizeof out);
  if (k >= sizeof out || strlen(out) > k)
    abort();
  static const char *const names[] = {"username", "password", NULL};
  acc_form_get(buf, size, names, out, sizeof out);
  acc_extract(buf, size, 64, on_hit, NULL);
  acc_looks_like_command(buf, size);
  return 0;
}
