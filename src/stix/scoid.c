/*
 * scoid.c — deterministic identifiers of cyber-observable objects (STIX
 * §2.9, §3.4): a UUIDv5 in the STIX namespace whose name is the RFC 8785
 * serialisation of a JSON object holding only the SCO's ID-contributing
 * properties, as each SCO type lists them (types.c).
 *
 * A hashes property contributes one hash: the first of MD5, SHA-1, SHA-256
 * and SHA-512 present (the order of preference the specification gives);
 * when none of those is present, the algorithm whose name sorts first, so
 * that the choice never depends on the order of the members.  SHA-1 comes
 * from OpenSSL's libcrypto.
 */
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

#include "stix/stix.h"
#include "stix/types.h"

/* 00abedb4-aa42-466c-9c01-fed23315a9b7 */
static const unsigned char stix_ns[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42,
                                          0x46, 0x6c, 0x9c, 0x01, 0xfe, 0xd2,
                                          0x33, 0x15, 0xa9, 0xb7};

/* Canonical form of the ID-contributing object will not exceed this. */
#define SCOID_MAX_NAME ((size_t)64 << 20)

/* SHA-1, fetched from the default provider once rather than per digest. */
static EVP_MD *sha1_md;
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;

static void sha1_fetch(void) {
  sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
}

static const EVP_MD *sha1(void) {
  pthread_once(&sha1_once, sha1_fetch);
  return sha1_md ? sha1_md : EVP_sha1();
}

/* Append the single contributing hash of a hashes dictionary as JCS. */
static acc_rc one_hash(json_t *hashes, acc_buf *b) {
  static const char *const pref[] = {"MD5", "SHA-1", "SHA-256", "SHA-512"};
  const char *name = NULL;
  json_t *val = NULL;
  for (size_t i = 0; i < sizeof pref / sizeof pref[0] && !val; i++) {
    val = json_object_get(hashes, pref[i]);
    name = pref[i];
  }
  if (!val) {
    const char *key;
    json_t *v;
    json_object_foreach(hashes, key, v) {
      if (!val || strcmp(key, name) < 0) {
        name = key;
        val = v;
      }
    }
  }
  acc_rc rc = acc_buf_putc(b, '{');
  if (!rc && val) {
    rc = acc_jcs_string(name, strlen(name), b);
    if (!rc)
      rc = acc_buf_putc(b, ':');
    if (!rc)
      rc = acc_jcs_dump(val, b);
  }
  return rc ? rc : acc_buf_putc(b, '}');
}

acc_rc acc_stix_sco_id(json_t *sco, char out[ACC_ID_MAX]) {
  const char *type = json_string_value(json_object_get(sco, "type"));
  const acc_type *t = type ? acc_stix_type_find(type) : NULL;
  if (!t || t->kind != ACC_KIND_SCO || !t->id_props)
    return ACC_ENOTFOUND;

  acc_buf b;
  acc_buf_init(&b, SCOID_MAX_NAME);
  acc_rc rc = acc_buf_append(&b, stix_ns, sizeof stix_ns);
  if (!rc)
    rc = acc_buf_putc(&b, '{');
  int any = 0;
  /* id_props is sorted, which for these ASCII names is the JCS order */
  for (const char *const *p = t->id_props; !rc && *p; p++) {
    json_t *v = json_object_get(sco, *p);
    if (!v)
      continue;
    if (any)
      rc = acc_buf_putc(&b, ',');
    if (!rc)
      rc = acc_buf_putc(&b, '"');
    if (!rc)
      rc = acc_buf_puts(&b, *p);
    if (!rc)
      rc = acc_buf_append(&b, "\":", 2);
    if (!rc)
      rc = !strcmp(*p, "hashes") && json_is_object(v) ? one_hash(v, &b)
                                                      : acc_jcs_dump(v, &b);
    any = 1;
  }
  if (!rc && !any)
    rc = ACC_ENOTFOUND; /* the producer must use a UUIDv4 */
  if (!rc)
    rc = acc_buf_putc(&b, '}');
  if (rc)
    goto out;

  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  size_t tl = strlen(type);
  if (tl + 2 + 36 >= ACC_ID_MAX) {
    rc = ACC_EINVAL;
    goto out;
  }
  if (!EVP_Digest(b.data, b.len, md, &mdlen, sha1(), NULL) || mdlen < 16) {
    rc = ACC_ENOMEM;
    goto out;
  }
  md[6] = (unsigned char)((md[6] & 0x0f) | 0x50); /* version 5 */
  md[8] = (unsigned char)((md[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  static const char hex[] = "0123456789abcdef";
  char *o = out;
  memcpy(o, type, tl);
  o += tl;
  *o++ = '-';
  *o++ = '-';
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      *o++ = '-';
    *o++ = hex[md[i] >> 4];
    *o++ = hex[md[i] & 15];
  }
  *o = '\0';
out:
  acc_buf_free(&b);
  return rc;
}
