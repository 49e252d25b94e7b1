/*
 * auth.h — who is asking: principals, password and token checks, and the
 * throttle on failed logins.  Passwords are argon2id hashes (libsodium
 * crypto_pwhash_str); API tokens are random, shown once, and stored as a
 * BLAKE2b-256 hash found by their public prefix.  Every comparison of
 * secrets is constant-time.
 */
#ifndef ACC_AUTH_H
#define ACC_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/error.h"

/* A principal: the user (and so organisation) a request acts for.  The
 * anonymous principal has uid 0 and oid 0. */
typedef struct acc_principal {
  int64_t uid;
  int64_t oid;
  char user[ACC_NAME_MAX];
  char org[ACC_NAME_MAX];
  char org_identity[ACC_ID_MAX]; /* the org's STIX identity id, or "" */
  int org_member;                /* the organisation belongs to the community */
  int admin;
} acc_principal;

extern const acc_principal acc_principal_anonymous;

/* Token text: "acc_" + 8-char prefix + "_" + 43-char secret. */
#define ACC_TOKEN_MAX 64

/* Hash a password for storage (argon2id, libsodium's interactive limits). */
acc_rc acc_auth_hash_password(const char *password, char *out, size_t size,
                              acc_diag *d);

/* Create a token for user uid: writes the token text to out (shown once)
 * and stores its hash.  expires_us may be ACC_TIME_NONE. */
acc_rc acc_auth_token_create(acc_store *s, int64_t uid, const char *label,
                             int64_t expires_us, char out[ACC_TOKEN_MAX],
                             acc_diag *d);

/* Check credentials; on success fill *p.  ACC_EINVAL on any mismatch
 * (unknown user, wrong password, unknown, revoked or expired token) with
 * a message that does not say which. */
acc_rc acc_auth_basic(acc_store *s, const char *user, const char *password,
                      acc_principal *p, acc_diag *d);
acc_rc acc_auth_bearer(acc_store *s, const char *token, acc_principal *p,
                       acc_diag *d);

/* The principal of a named user, without credentials: for the operator's
 * CLI acting on someone's behalf (`--as USER`). */
acc_rc acc_auth_principal_of(acc_store *s, const char *user, acc_principal *p,
                             acc_diag *d);

/* A verified-password cache, so Basic auth does not pay argon2id on every
 * request: entries are keyed by a keyed hash of (user, password) and
 * expire.  Thread-safe. */
typedef struct acc_auth_cache acc_auth_cache;
acc_auth_cache *acc_auth_cache_new(size_t slots, int64_t ttl_us);
void acc_auth_cache_free(acc_auth_cache *c);
acc_rc acc_auth_basic_cached(acc_auth_cache *c, acc_store *s, const char *user,
                             const char *password, acc_principal *p,
                             acc_diag *d);

/* Failed-login throttle per source address: after `burst` failures an
 * address must wait, doubling up to max_wait_us.  Thread-safe, fixed
 * memory (slots). */
typedef struct acc_throttle acc_throttle;
acc_throttle *acc_throttle_new(size_t slots, unsigned burst,
                               int64_t max_wait_us);
void acc_throttle_free(acc_throttle *t);
/* Microseconds the address must still wait (0 = may try now). */
int64_t acc_throttle_wait(acc_throttle *t, const char *addr, int64_t now_us);
void acc_throttle_failure(acc_throttle *t, const char *addr, int64_t now_us);
void acc_throttle_success(acc_throttle *t, const char *addr);

#endif
