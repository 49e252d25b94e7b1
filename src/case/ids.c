/*
 * ids.c — identifiers for what cases and packs write: random UUIDv4 for
 * new objects, UUIDv5 in Accord's own namespace for objects that must come
 * out the same every time (endorsements per organisation, everything a
 * pack generates), and the STIX identity that stands for an organisation.
 */
#include <openssl/evp.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "case/case.h"

/* Accord's UUIDv5 namespace: 5b7c1f0e-4a2d-4e8b-b6c3-9d0e1f2a3b4c. */
static const unsigned char accord_ns[16] = {0x5b, 0x7c, 0x1f, 0x0e, 0x4a, 0x2d,
                                            0x4e, 0x8b, 0xb6, 0xc3, 0x9d, 0x0e,
                                            0x1f, 0x2a, 0x3b, 0x4c};

static void format_uuid(const char *type, const unsigned char u[16],
                        char out[ACC_ID_MAX]) {
  snprintf(out, ACC_ID_MAX,
           "%s--%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%"
           "02x%02x",
           type, u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
           u[10], u[11], u[12], u[13], u[14], u[15]);
}

void acc_case_uuid4(const char *type, char out[ACC_ID_MAX]) {
  unsigned char u[16];
  randombytes_buf(u, sizeof u);
  u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
  u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
  format_uuid(type, u, out);
}

acc_rc acc_case_uuid5(const char *type, const char *name, size_t len,
                      char out[ACC_ID_MAX]) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_MD_CTX *x = EVP_MD_CTX_new();
  if (!x)
    return ACC_ENOMEM;
  int ok = EVP_DigestInit_ex(x, EVP_sha1(), NULL) &&
           EVP_DigestUpdate(x, accord_ns, sizeof accord_ns) &&
           EVP_DigestUpdate(x, name, len) && EVP_DigestFinal_ex(x, md, &n);
  EVP_MD_CTX_free(x);
  if (!ok || n < 16)
    return ACC_ENOMEM;
  md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
  md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
  format_uuid(type, md, out);
  return ACC_OK;
}

acc_rc acc_case_org_identity(acc_store *s, const char *org,
                             char out[ACC_ID_MAX], acc_diag *d) {
  acc_org o;
  if (s && org && *org && s->ops->org_get(s, org, &o, NULL) == ACC_OK &&
      o.identity_ref[0]) {
    snprintf(out, ACC_ID_MAX, "%s", o.identity_ref);
    return ACC_OK;
  }
  if (!org || !*org)
    return acc_diag_set(d, ACC_EINVAL, "no organisation to name");
  char name[ACC_NAME_MAX + 16];
  int n = snprintf(name, sizeof name, "organisation|%s", org);
  return acc_case_uuid5("identity", name, (size_t)n, out);
}

typedef struct org_find {
  int64_t oid;
  char *out;
  size_t size;
} org_find;

static int on_org(void *ctx, const acc_org *o) {
  org_find *f = ctx;
  if (o->oid != f->oid)
    return 0;
  snprintf(f->out, f->size, "%s", o->name);
  return 1;
}

void acc_case_org_name(acc_store *s, int64_t oid, char *out, size_t size) {
  if (size)
    out[0] = '\0';
  if (oid <= 0 || !s)
    return;
  org_find f = {oid, out, size};
  s->ops->org_list(s, on_org, &f, NULL);
}
