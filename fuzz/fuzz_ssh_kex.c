/*
 * fuzz_ssh_kex.c — libFuzzer harness for the watcher of the cleartext
 * start of SSH connections (src/sensor/sshwire.c): any bytes, whole or
 * split, never crash or leak; the version is printable and NUL-ended;
 * a parsed KEXINIT has its ten lists and a 32-digit HASSH.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  acc_sshwire w;
  acc_sshwire_init(&w);
  size_t cut = size ? data[size - 1] % (size + 1) : 0;
  acc_sshwire_feed(&w, data, cut);
  acc_sshwire_feed(&w, data + cut, size - cut);
  if (w.have_version) {
    if (strlen(w.version) >= ACC_SSH_VERSION_MAX ||
        strncmp(w.version, "SSH-", 4) != 0)
      abort();
  }
  if (w.state == ACC_SSHWIRE_DONE) {
    for (int i = 0; i < ACC_KEX_LISTS; i++)
      if (!w.kex.list[i])
        abort();
    if (strlen(w.kex.hassh) != 32)
      abort();
  }
  acc_sshwire_free(&w);
  /* the payload parser on its own */
  acc_ssh_kex k;
  if (acc_ssh_kexinit_parse(data, size, &k) == ACC_OK)
    acc_ssh_kex_free(&k);
  return 0;
}
