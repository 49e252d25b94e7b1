/*
 * fuzz_taxii_envelope.c — libFuzzer harness for what a federation peer
 * sends back to the TAXII client (src/sync/parse.c): the envelope scanner
 * (more, next, objects), status resources, discovery and API root
 * resources, TAXII error messages, Retry-After values and the
 * X-TAXII-Date-Added-Last watermark.  The whole input is each of the JSON
 * bodies in turn; its first line is also a header value.  An accepted
 * envelope is handed to the store's decoder as a pull would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stix/decode.h"
#include "sync/client.h"

static acc_rc count(void *ctx, const acc_decoded *d) {
  (void)d;
  (*(size_t *)ctx)++;
  return ACC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *body = (const char *)data;
  acc_diag d;
  acc_sync_envelope e;
  if (acc_sync_envelope_parse(body, size, &e, &d) == ACC_OK) {
    if (strlen(e.next) > ACC_PEER_NEXT_MAX)
      abort();
    if (e.next_too_long && e.next[0])
      abort();
    if (!e.has_objects && e.n_objects)
      abort();
    if (e.has_objects && e.n_objects) {
      size_t n = 0;
      acc_decode_limits lim = {.max_doc_bytes = size + 1};
      acc_decode(body, size, &lim, count, &n, NULL, &d);
    }
  }
  acc_sync_status st;
  if (acc_sync_status_parse(body, size, &st, &d) == ACC_OK) {
    if (st.total < 0 || st.success < 0 || st.failure < 0 || st.pending < 0)
      abort();
    for (const char *p = st.id; *p; p++)
      if (*p == '/' || *p == '.')
        abort(); /* it becomes a URL path segment */
  }
  char root[256], text[200];
  acc_sync_discovery_parse(body, size, root, sizeof root, &d);
  acc_sync_api_root_max_content(body, size);
  acc_sync_error_text(body, size, text, sizeof text);
  for (const char *p = text; *p; p++)
    if ((unsigned char)*p < 0x20)
      abort();

  /* The first line as a header value. */
  size_t n = 0;
  while (n < size && n < 200 && data[n] != '\n' && data[n] != '\0')
    n++;
  char h[201];
  memcpy(h, data, n);
  h[n] = '\0';
  int64_t ms = acc_sync_retry_after_ms(h, 1700000000LL * 1000000);
  if (ms < -1)
    abort();
  char wm[64] = "2026-01-01T00:00:00Z";
  acc_sync_watermark_advance(wm, h);
  if (!memchr(wm, '\0', sizeof wm))
    abort();
  return 0;
}
