/*
 * fuzz_telnet.c — libFuzzer harness for the Telnet option parser
 * (src/sensor/telnet_parse.c): any bytes, fed whole and then split at a
 * point chosen from the input, never crash, never write past the output
 * (at most one byte out per byte in), keep replies and the fingerprint
 * within their bounds, and give the same data either way.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  acc_telnet a, b;
  acc_telnet_init(&a);
  acc_telnet_init(&b);
  acc_telnet_offer(&a);
  acc_telnet_offer(&b);
  unsigned char *oa = malloc(size + 1), *ob = malloc(size + 1);
  if (!oa || !ob)
    abort();
  size_t ka = 0, kb = 0, k2 = 0;
  acc_telnet_feed(&a, data, size, oa, &ka);
  size_t cut = size ? data[0] % (size + 1) : 0;
  acc_telnet_feed(&b, data, cut, ob, &kb);
  acc_telnet_feed(&b, data + cut, size - cut, ob + kb, &k2);
  kb += k2;
  if (ka > size || kb != ka || memcmp(oa, ob, ka) != 0)
    abort();
  if (a.reply_len > ACC_TELNET_REPLY_MAX || a.fp_len >= ACC_TELNET_FP_MAX ||
      a.sb_len > ACC_TELNET_SB_MAX || strlen(a.fp) != a.fp_len ||
      strlen(a.ttype) >= sizeof a.ttype)
    abort();
  if (strcmp(a.fp, b.fp) != 0 || a.width != b.width)
    abort();
  char fp[33];
  acc_telnet_fingerprint(&a, fp);
  free(oa);
  free(ob);
  return 0;
}
