/*
 * manifest.c — the pack's MANIFEST (sha256sum-compatible lines) and
 * MANIFEST.sig, parsed strictly: a verifier reads them from a pack it has
 * been handed, so they are outside input (fuzz/fuzz_pack_manifest.c).
 * Also the deterministic ustar archive the API serves a pack as.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "pack/pack.h"

int acc_pack_name_ok(const char *name, size_t len) {
  if (len == 0 || len >= ACC_PACK_NAME_MAX || name[0] == '.')
    return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

acc_rc acc_pack_manifest_parse(const char *text, size_t len,
                               acc_pack_manifest *m, acc_diag *d) {
  memset(m, 0, sizeof *m);
  size_t pos = 0, line = 1;
  if (len == 0)
    return acc_diag_set(d, ACC_EINVAL, "MANIFEST is empty");
  while (pos < len) {
    const char *p = text + pos;
    const char *nl = memchr(p, '\n', len - pos);
    if (!nl)
      return acc_diag_set(d, ACC_EINVAL,
                          "MANIFEST line %zu: does not end with a newline",
                          line);
    size_t ll = (size_t)(nl - p);
    if (ll < 64 + 2 + 1)
      return acc_diag_set(d, ACC_EINVAL,
                          "MANIFEST line %zu: expected 64 hex digits, two "
                          "spaces and a file name",
                          line);
    if (m->n == ACC_PACK_MANIFEST_MAX)
      return acc_diag_set(d, ACC_EINVAL, "MANIFEST: more than %d files",
                          ACC_PACK_MANIFEST_MAX);
    for (size_t i = 0; i < 32; i++) {
      int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
      if (hi < 0 || lo < 0)
        return acc_diag_set(d, ACC_EINVAL,
                            "MANIFEST line %zu: column %zu is not a "
                            "lower-case hex digit",
                            line, 2 * i + (hi < 0 ? 1 : 2));
      m->e[m->n].sha256[i] = (unsigned char)(hi << 4 | lo);
    }
    if (p[64] != ' ' || p[65] != ' ')
      return acc_diag_set(d, ACC_EINVAL,
                          "MANIFEST line %zu: the digest must be followed by "
                          "two spaces",
                          line);
    const char *name = p + 66;
    size_t nl_len = ll - 66;
    if (!acc_pack_name_ok(name, nl_len))
      return acc_diag_set(d, ACC_EINVAL,
                          "MANIFEST line %zu: '%.*s' is not a pack file name "
                          "(letters, digits, '.', '_', '-'; no directories)",
                          line, (int)(nl_len > 80 ? 80 : nl_len), name);
    memcpy(m->e[m->n].name, name, nl_len);
    m->e[m->n].name[nl_len] = '\0';
    if (!strcmp(m->e[m->n].name, "MANIFEST") ||
        !strcmp(m->e[m->n].name, "MANIFEST.sig"))
      return acc_diag_set(d, ACC_EINVAL,
                          "MANIFEST line %zu: lists %s, which it cannot "
                          "cover",
                          line, m->e[m->n].name);
    if (m->n && strcmp(m->e[m->n - 1].name, m->e[m->n].name) >= 0)
      return acc_diag_set(d, ACC_EINVAL,
                          "MANIFEST line %zu: %s is repeated or out of order "
                          "(names are sorted)",
                          line, m->e[m->n].name);
    m->n++;
    pos += ll + 1;
    line++;
  }
  return ACC_OK;
}

acc_rc acc_pack_sig_parse(const char *text, size_t len, unsigned char sig[64],
                          acc_diag *d) {
  if (len == 0 || text[len - 1] != '\n' || len > 200)
    return acc_diag_set(d, ACC_EINVAL,
                        "MANIFEST.sig: expected one line of base64 (an "
                        "Ed25519 signature)");
  size_t n = 0;
  const char *end = NULL;
  if (sodium_base642bin(sig, 64, text, len - 1, NULL, &n, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      n != 64 || end != text + len - 1)
    return acc_diag_set(d, ACC_EINVAL,
                        "MANIFEST.sig: not the base64 of a 64-byte Ed25519 "
                        "signature");
  return ACC_OK;
}

/* ---- ustar ---- */

static void octal(char *field, size_t size, uint64_t v) {
  /* size-1 digits, NUL-terminated */
  field[size - 1] = '\0';
  for (size_t i = size - 1; i-- > 0;) {
    field[i] = (char)('0' + (v & 7));
    v >>= 3;
  }
}

static acc_rc tar_entry(acc_buf *out, const char *name, char type,
                        const unsigned char *data, size_t len, int64_t mtime) {
  char h[512];
  memset(h, 0, sizeof h);
  size_t nl = strlen(name);
  if (nl >= 100)
    return ACC_EINVAL;
  memcpy(h, name, nl);
  octal(h + 100, 8, type == '5' ? 0755 : 0644);
  octal(h + 108, 8, 0);
  octal(h + 116, 8, 0);
  octal(h + 124, 12, len);
  octal(h + 136, 12, mtime > 0 ? (uint64_t)mtime : 0);
  h[156] = type;
  memcpy(h + 257, "ustar", 6);
  memcpy(h + 263, "00", 2);
  memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (size_t i = 0; i < sizeof h; i++)
    sum += (unsigned char)h[i];
  octal(h + 148, 7, sum);
  h[155] = ' ';
  acc_rc rc = acc_buf_append(out, h, sizeof h);
  if (rc || !len)
    return rc;
  rc = acc_buf_append(out, data, len);
  static const char zero[512];
  if (!rc && len % 512)
    rc = acc_buf_append(out, zero, 512 - len % 512);
  return rc;
}

acc_rc acc_pack_tar(const acc_pack *p, const char *prefix, acc_buf *out,
                    acc_diag *d) {
  int64_t mtime = p->case_modified_us / 1000000;
  char name[160];
  snprintf(name, sizeof name, "%s/", prefix);
  acc_rc rc = tar_entry(out, name, '5', NULL, 0, mtime);
  for (size_t i = 0; !rc && i < p->n_files; i++) {
    snprintf(name, sizeof name, "%s/%s", prefix, p->files[i].name);
    rc = tar_entry(out, name, '0', p->files[i].data, p->files[i].len, mtime);
  }
  static const char zero[1024];
  if (!rc)
    rc = acc_buf_append(out, zero, sizeof zero);
  if (rc)
    return acc_diag_set(d, rc, "building the archive: %s", acc_strerror(rc));
  return ACC_OK;
}
