/*
 * sign.c — signatures of points of contact and consultation messages.
 *
 * What is signed is the object itself, so that a message can be checked
 * wherever it travels (a TAXII server in between, an export, a file):
 * the bytes "accord-cbm-v1\n" followed by the RFC 8785 canonical JSON of
 * the object with extensions[ACC_EXT_CBM].signature removed.  Everything
 * else is covered — id, timestamps, text, the TLP marking and the
 * recipients named — so a message cannot be re-addressed, re-dated or
 * edited without the signature failing.  The key is the sending
 * organisation's (case/keys.h); whether that key really is the
 * organisation's is decided by the keyring (keyring.c), not here.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cbm/cbm.h"
#include "stix/stix.h"

#define DOMAIN_TAG "accord-cbm-v1\n"
#define SIGNED_MAX ((size_t)4 << 20)

static json_t *ext_of(json_t *obj) {
  return json_object_get(json_object_get(obj, "extensions"), ACC_EXT_CBM);
}

acc_rc acc_cbm_signed_bytes(json_t *obj, acc_buf *out, acc_diag *d) {
  json_t *ext = ext_of(obj);
  if (!json_is_object(ext))
    return acc_diag_set(d, ACC_EINVAL,
                        "no confidence-building extension to sign");
  /* The canonical form of the object without the signature: take the
   * member out, serialise, put it back (the caller's tree is unchanged). */
  json_t *sig = json_object_get(ext, "signature");
  json_incref(sig);
  if (sig)
    json_object_del(ext, "signature");
  acc_buf_reset(out);
  acc_rc rc = acc_buf_puts(out, DOMAIN_TAG);
  if (!rc)
    rc = acc_jcs_dump(obj, out);
  if (sig) {
    json_object_set(ext, "signature", sig);
    json_decref(sig);
  }
  if (rc)
    return acc_diag_set(d, rc, "canonical form of %s: %s",
                        json_string_value(json_object_get(obj, "id"))
                            ? json_string_value(json_object_get(obj, "id"))
                            : "an object",
                        acc_strerror(rc));
  return ACC_OK;
}

acc_rc acc_cbm_sign(json_t *obj, const acc_org_key *k, acc_diag *d) {
  if (!k->has_secret)
    return acc_diag_set(d, ACC_EINVAL, "the key of %s has no secret here",
                        k->org);
  json_t *ext = ext_of(obj);
  if (!json_is_object(ext))
    return acc_diag_set(d, ACC_EINVAL,
                        "no confidence-building extension to sign");
  json_object_del(ext, "signature");
  acc_buf b;
  acc_buf_init(&b, SIGNED_MAX);
  acc_rc rc = acc_cbm_signed_bytes(obj, &b, d);
  unsigned char sig[ACC_KEY_SIG_BYTES];
  if (!rc)
    rc = acc_key_sign(k, b.data, b.len, sig, d);
  acc_buf_free(&b);
  if (rc)
    return rc;
  char pub[ACC_KEY_PUB_TEXT_MAX];
  acc_key_public_text(k->pk, pub);
  char b64[sodium_base64_ENCODED_LEN(ACC_KEY_SIG_BYTES,
                                     sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, sig, sizeof sig,
                    sodium_base64_VARIANT_ORIGINAL);
  json_t *s = json_pack("{s:s,s:s,s:s,s:s}", "alg", "ed25519", "key_id",
                        k->key_id, "public_key", pub, "value", b64);
  if (!s)
    return acc_diag_set(d, ACC_ENOMEM, "building a signature");
  json_object_set_new(ext, "signature", s);
  return ACC_OK;
}

int acc_cbm_verify(json_t *obj, char key_out[ACC_KEY_PUB_TEXT_MAX]) {
  if (key_out)
    key_out[0] = '\0';
  json_t *sig = json_object_get(ext_of(obj), "signature");
  if (!sig)
    return ACC_CBM_SIG_NONE;
  const char *alg = json_string_value(json_object_get(sig, "alg"));
  const char *pub = json_string_value(json_object_get(sig, "public_key"));
  const char *val = json_string_value(json_object_get(sig, "value"));
  const char *kid = json_string_value(json_object_get(sig, "key_id"));
  if (!json_is_object(sig) || !alg || strcmp(alg, "ed25519") || !pub || !val)
    return ACC_CBM_SIG_BAD;
  unsigned char pk[32];
  if (acc_key_public_parse(pub, pk, NULL))
    return ACC_CBM_SIG_BAD;
  if (key_out)
    snprintf(key_out, ACC_KEY_PUB_TEXT_MAX, "%s", pub);
  /* The key id, when given, must be the key's. */
  char id[ACC_KEY_ID_LEN];
  acc_key_id(pk, id);
  if (kid && strcmp(kid, id))
    return ACC_CBM_SIG_BAD;
  unsigned char s[ACC_KEY_SIG_BYTES];
  size_t n = 0;
  const char *end = NULL;
  if (sodium_base642bin(s, sizeof s, val, strlen(val), NULL, &n, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      n != sizeof s || (end && *end))
    return ACC_CBM_SIG_BAD;
  acc_buf b;
  acc_buf_init(&b, SIGNED_MAX);
  int ok = acc_cbm_signed_bytes(obj, &b, NULL) == ACC_OK &&
           acc_key_verify(pk, b.data, b.len, s);
  acc_buf_free(&b);
  return ok ? ACC_CBM_SIG_OK : ACC_CBM_SIG_BAD;
}
