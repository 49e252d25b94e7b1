/*
 * fuzz_lists.c — libFuzzer harness for the anonymiser / relay list
 * parsers (correlate/lists.c): the input is read in every format (auto,
 * Tor exit list, plain, CSV with and without a --kind), and every entry
 * produced must be a well-formed network with an ordered period.  A list
 * file must end in entries or a clean refusal, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/lists.h"
#include "util/time.h"

static acc_rc check(void *ctx, const acc_list_entry *e) {
  (void)ctx;
  if (e->kind <= ACC_LK_NONE || e->kind >= ACC_LK_COUNT)
    abort();
  if (e->plen > (e->v6 ? 128 : 32))
    abort();
  /* host bits are clear */
  unsigned bits = e->v6 ? 128 : 32;
  for (unsigned i = e->plen; i < bits; i++)
    if (e->net[i / 8] & (0x80 >> (i % 8)))
      abort();
  return ACC_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const acc_list_format formats[] = {ACC_LF_AUTO, ACC_LF_TOR_EXIT,
                                            ACC_LF_PLAIN, ACC_LF_CSV};
  static const int kinds[] = {ACC_LK_NONE, ACC_LK_VPN};
  for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++)
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
      acc_list_parse_opts o = {.format = formats[f],
                               .kind = kinds[k],
                               .valid_from_us = ACC_TIME_NONE,
                               .valid_until_us = ACC_TIME_NONE};
      acc_list_parse_counts c;
      acc_diag d;
      acc_list_parse((const char *)data, size, &o, check, NULL, &c, &d);
      if (c.entries > c.lines * 64 + 64)
        abort();
    }
  return 0;
}
