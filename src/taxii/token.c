/*
 * token.c — the opaque `next` token of TAXII pagination.  The server keeps
 * no cursor: the token carries the position (the date_added of the last
 * record returned) and an HMAC-SHA-512-256 (libsodium crypto_auth) over the
 * position and the canonical form of the query it was issued for, under a
 * random key kept with the data.  A token that was altered, or that is
 * replayed with another query, fails the check.
 *
 * Layout before base64url (no padding): 1 version byte (1), 8 bytes of
 * position (big-endian, two's complement), 32 bytes of tag.
 */
#include <sodium.h>
#include <string.h>

#include "taxii/taxii.h"

#define TOKEN_VERSION 1
#define RAW_LEN (1 + 8 + crypto_auth_BYTES)

static const char DOMAIN_TAG[] = "accord.taxii.next.v1";

static void tag_of(const unsigned char key[ACC_TAXII_NEXT_KEYBYTES],
                   const unsigned char head[9], const char *query, size_t len,
                   unsigned char out[crypto_auth_BYTES]) {
  crypto_auth_hmacsha512256_state st;
  crypto_auth_hmacsha512256_init(&st, key, ACC_TAXII_NEXT_KEYBYTES);
  crypto_auth_hmacsha512256_update(&st, (const unsigned char *)DOMAIN_TAG,
                                   sizeof DOMAIN_TAG);
  crypto_auth_hmacsha512256_update(&st, head, 9);
  crypto_auth_hmacsha512256_update(&st, (const unsigned char *)query, len);
  crypto_auth_hmacsha512256_final(&st, out);
  sodium_memzero(&st, sizeof st);
}

void acc_taxii_next_make(const unsigned char key[ACC_TAXII_NEXT_KEYBYTES],
                         const char *query, size_t len, int64_t pos,
                         char *out) {
  unsigned char raw[RAW_LEN];
  uint64_t u = (uint64_t)pos;
  raw[0] = TOKEN_VERSION;
  for (int i = 0; i < 8; i++)
    raw[1 + i] = (unsigned char)(u >> (56 - 8 * i));
  tag_of(key, raw, query, len, raw + 9);
  sodium_bin2base64(out, ACC_TAXII_NEXT_MAX + 1, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

acc_rc acc_taxii_next_check(const unsigned char key[ACC_TAXII_NEXT_KEYBYTES],
                            const char *query, size_t len, const char *token,
                            int64_t *pos) {
  unsigned char raw[RAW_LEN + 1];
  size_t n = 0;
  size_t tlen = token ? strlen(token) : 0;
  if (tlen == 0 || tlen > ACC_TAXII_NEXT_MAX ||
      sodium_base642bin(raw, sizeof raw, token, tlen, NULL, &n, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      n != RAW_LEN || raw[0] != TOKEN_VERSION)
    return ACC_EINVAL;
  unsigned char want[crypto_auth_BYTES];
  tag_of(key, raw, query, len, want);
  if (sodium_memcmp(want, raw + 9, crypto_auth_BYTES) != 0)
    return ACC_EINVAL;
  uint64_t u = 0;
  for (int i = 0; i < 8; i++)
    u = (u << 8) | raw[1 + i];
  *pos = (int64_t)u;
  return ACC_OK;
}
