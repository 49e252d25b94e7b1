/*
 * fuzz_corr_normalise.c — libFuzzer harness for value normalisation
 * (correlate/normalise.c): the input, as every kind of value (and as a
 * value typed by a user, whose kind is guessed), must normalise to a
 * value or be refused cleanly — never crash or leak — and normalising a
 * normalised value again must give it unchanged (the index meets every
 * spelling of a value at one key).  The first byte picks a hash
 * algorithm name for the hash kind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate.h"

static const char *const algos[] = {"SHA-256", "md5", "SHA-1", "SHA3-512",
                                    "ssdeep", "TLSH", "x"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!size)
    return 0;
  const char *algo = algos[data[0] % (sizeof algos / sizeof algos[0])];
  const char *s = (const char *)data + 1;
  size_t n = size - 1;
  static acc_cval v, w;
  for (int kind = 1; kind < ACC_CK_COUNT; kind++) {
    if (acc_corr_normalise(kind, algo, s, n, &v))
      continue;
    if (strlen(v.text) >= ACC_CVAL_MAX || v.v.text != v.text)
      abort();
    /* idempotent: the canonical form is its own canonical form (hashes
     * carry "algo:" in front, so they are checked through the guess) */
    if (kind == ACC_CK_HASH)
      continue;
    if (acc_corr_normalise(kind, algo, v.text, strlen(v.text), &w) ||
        strcmp(v.text, w.text))
      abort();
  }
  char *z = malloc(n + 1);
  if (!z)
    return 0;
  memcpy(z, s, n);
  z[n] = '\0';
  if (!acc_corr_guess(z, &v) && v.v.kind == ACC_CK_HASH &&
      (acc_corr_guess(v.text, &w) || strcmp(v.text, w.text)))
    abort();
  free(z);
  return 0;
}
