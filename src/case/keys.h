/*
 * keys.h — organisation signing keys (Ed25519, libsodium) and the
 * instance's secret, kept in the data directory: DIR/keys/ (mode 0700),
 * one file per organisation (mode 0600; a key file readable by others is
 * refused, as ssh does).  Evidence packs are signed with them; the
 * consultations between states reuse them.
 *
 * A public key travels as text: "ed25519:" + base64 of its 32 bytes.  Its
 * key id is the first 16 hex digits of the SHA-256 of those bytes.
 */
#ifndef ACC_CASE_KEYS_H
#define ACC_CASE_KEYS_H

#include <stddef.h>

#include "util/error.h"

#define ACC_KEY_PUB_TEXT_MAX 64 /* "ed25519:" + 44 base64 + NUL */
#define ACC_KEY_ID_LEN 17       /* 16 hex digits + NUL */
#define ACC_KEY_SIG_BYTES 64

typedef struct acc_org_key {
  char org[128];
  unsigned char pk[32];
  unsigned char sk[64]; /* libsodium secret key (seed + public) */
  int has_secret;
  char key_id[ACC_KEY_ID_LEN];
} acc_org_key;

/* Make a new key pair for org and keep it; ACC_EEXIST when the org has one
 * (unless force, which replaces it). */
acc_rc acc_key_generate(const char *data_dir, const char *org, int force,
                        acc_org_key *out, acc_diag *d);

/* Load org's key (with its secret).  ACC_ENOTFOUND when it has none. */
acc_rc acc_key_load(const char *data_dir, const char *org, acc_org_key *out,
                    acc_diag *d);

/* Forget the secret held in k. */
void acc_key_wipe(acc_org_key *k);

/* Public key ⇄ text, and its id. */
void acc_key_public_text(const unsigned char pk[32],
                         char out[ACC_KEY_PUB_TEXT_MAX]);
acc_rc acc_key_public_parse(const char *text, unsigned char pk[32],
                            acc_diag *d);
void acc_key_id(const unsigned char pk[32], char out[ACC_KEY_ID_LEN]);

/* Detached signatures. */
acc_rc acc_key_sign(const acc_org_key *k, const void *msg, size_t len,
                    unsigned char sig[ACC_KEY_SIG_BYTES], acc_diag *d);
int acc_key_verify(const unsigned char pk[32], const void *msg, size_t len,
                   const unsigned char sig[ACC_KEY_SIG_BYTES]);

/* The instance's 32-byte secret (made on first use), for keyed hashes
 * such as the pseudonyms of protected sources. */
acc_rc acc_key_instance_secret(const char *data_dir, unsigned char out[32],
                               acc_diag *d);

/* The path of org's key file (for messages). */
void acc_key_path(const char *data_dir, const char *org, char *out,
                  size_t size);

#endif
