/*
 * fuzz_pack_manifest.c — libFuzzer harness for what a pack verifier reads
 * from a pack it was handed: MANIFEST (strict sha256sum lines),
 * MANIFEST.sig (base64) and, through acc_pack_verify_files, pack.json and
 * the set of files.  The input is split at "\n--\n" into the contents of
 * MANIFEST, MANIFEST.sig, pack.json, bundle.json and statement.html.
 * Every parser must end in a value or a clean refusal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pack/pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  acc_pack_manifest m;
  acc_diag d;
  if (acc_pack_manifest_parse((const char *)data, size, &m, &d) == ACC_OK) {
    if (m.n == 0 || m.n > ACC_PACK_MANIFEST_MAX)
      abort();
    for (size_t i = 1; i < m.n; i++)
      if (strcmp(m.e[i - 1].name, m.e[i].name) >= 0)
        abort();
  }
  unsigned char sig[64];
  acc_pack_sig_parse((const char *)data, size, sig, &d);

  static const char *const names[] = {"MANIFEST", "MANIFEST.sig", "pack.json",
                                      "bundle.json", "statement.html"};
  acc_pack_file f[5];
  size_t n = 0, start = 0;
  for (size_t i = 0; i <= size && n < 5; i++) {
    int end = i == size || (i + 4 <= size && !memcmp(data + i, "\n--\n", 4));
    if (!end)
      continue;
    memset(&f[n], 0, sizeof f[n]);
    memcpy(f[n].name, names[n], strlen(names[n]) + 1);
    f[n].len = i - start;
    f[n].data = malloc(f[n].len + 1);
    if (!f[n].data)
      break;
    memcpy(f[n].data, data + start, f[n].len);
    n++;
    start = i + 4;
    i += 3;
  }
  acc_pack_report rep;
  acc_pack_verify_files(f, n, NULL, &rep, &d);
  for (size_t i = 0; i < n; i++)
    free(f[i].data);
  return 0;
}
