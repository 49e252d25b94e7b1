/*
 * auth.c — passwords (argon2id), API tokens (random, stored hashed),
 * a verified-credentials cache for Basic auth, and a per-address throttle
 * on failed logins.  All secrets are compared in constant time.
 */
#include "auth/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/time.h"

const acc_principal acc_principal_anonymous = {0};

#define TOKEN_TAG "acc_"
#define PREFIX_BYTES 4  /* 8 hex characters */
#define SECRET_BYTES 32 /* 43 base64url characters */

acc_rc acc_auth_hash_password(const char *password, char *out, size_t size,
                              acc_diag *d) {
  if (size < crypto_pwhash_STRBYTES)
    return acc_diag_set(d, ACC_EINVAL, "password hash buffer too small");
  if (!password[0])
    return acc_diag_set(d, ACC_EINVAL, "the password is empty");
  if (crypto_pwhash_str(out, password, strlen(password),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return acc_diag_set(d, ACC_ENOMEM,
                        "hashing the password ran out of "
                        "memory");
  return ACC_OK;
}

static void token_hash(const char *token, unsigned char out[32]) {
  crypto_generichash(out, 32, (const unsigned char *)token, strlen(token), NULL,
                     0);
}

acc_rc acc_auth_token_create(acc_store *s, int64_t uid, const char *label,
                             int64_t expires_us, char out[ACC_TOKEN_MAX],
                             acc_diag *d) {
  unsigned char pfx[PREFIX_BYTES], secret[SECRET_BYTES];
  char hex[PREFIX_BYTES * 2 + 1];
  char b64[sodium_base64_ENCODED_LEN(SECRET_BYTES,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  acc_token t = {.uid = uid, .expires_us = expires_us};
  acc_rc rc = ACC_EEXIST;
  /* A prefix clash is astronomically rare; try a few times. */
  for (int attempt = 0; attempt < 4 && rc == ACC_EEXIST; attempt++) {
    randombytes_buf(pfx, sizeof pfx);
    randombytes_buf(secret, sizeof secret);
    sodium_bin2hex(hex, sizeof hex, pfx, sizeof pfx);
    sodium_bin2base64(b64, sizeof b64, secret, sizeof secret,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(out, ACC_TOKEN_MAX, TOKEN_TAG "%s_%s", hex, b64);
    snprintf(t.prefix, sizeof t.prefix, "%s", hex);
    snprintf(t.label, sizeof t.label, "%s", label ? label : "");
    token_hash(out, t.hash);
    rc = s->ops->token_add(s, &t, d);
  }
  sodium_memzero(secret, sizeof secret);
  if (rc)
    sodium_memzero(out, ACC_TOKEN_MAX);
  return rc;
}

static acc_rc fill_principal(acc_store *s, const acc_user *u, acc_principal *p,
                             acc_diag *d) {
  acc_org o;
  acc_rc rc = s->ops->org_get(s, u->org, &o, d);
  if (rc)
    return rc;
  memset(p, 0, sizeof *p);
  p->uid = u->uid;
  p->oid = u->oid;
  snprintf(p->user, sizeof p->user, "%s", u->name);
  snprintf(p->org, sizeof p->org, "%s", u->org);
  snprintf(p->org_identity, sizeof p->org_identity, "%s", o.identity_ref);
  p->org_member = o.member;
  p->admin = u->admin;
  return ACC_OK;
}

static acc_rc denied(acc_diag *d) {
  return acc_diag_set(d, ACC_EINVAL, "invalid credentials");
}

/* A hash to verify against when the user does not exist, so that the
 * answer takes the same time either way. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void) {
  unsigned char pw[16];
  randombytes_buf(pw, sizeof pw);
  if (crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof pw,
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    dummy_hash[0] = '\0';
}

acc_rc acc_auth_basic(acc_store *s, const char *user, const char *password,
                      acc_principal *p, acc_diag *d) {
  acc_user u;
  acc_diag ignore;
  acc_rc rc = s->ops->user_get(s, user, &u, &ignore);
  if (rc == ACC_ENOTFOUND || (!rc && (!u.pwhash[0] || u.disabled))) {
    pthread_once(&dummy_once, make_dummy);
    if (dummy_hash[0])
      if (crypto_pwhash_str_verify(dummy_hash, password, strlen(password)))
        (void)0; /* the outcome is irrelevant: only the time spent */
    return denied(d);
  }
  if (rc)
    return acc_diag_set(d, rc, "%s", ignore.msg);
  if (crypto_pwhash_str_verify(u.pwhash, password, strlen(password)) != 0)
    return denied(d);
  return fill_principal(s, &u, p, d);
}

acc_rc acc_auth_bearer(acc_store *s, const char *token, acc_principal *p,
                       acc_diag *d) {
  size_t tl = strlen(TOKEN_TAG);
  if (strncmp(token, TOKEN_TAG, tl) != 0 ||
      strlen(token) < tl + PREFIX_BYTES * 2 + 2 ||
      token[tl + PREFIX_BYTES * 2] != '_')
    return denied(d);
  char prefix[PREFIX_BYTES * 2 + 1];
  memcpy(prefix, token + tl, PREFIX_BYTES * 2);
  prefix[PREFIX_BYTES * 2] = '\0';
  acc_token t;
  acc_diag ignore;
  acc_rc rc = s->ops->token_get(s, prefix, &t, &ignore);
  if (rc == ACC_ENOTFOUND)
    return denied(d);
  if (rc)
    return acc_diag_set(d, rc, "%s", ignore.msg);
  unsigned char h[32];
  token_hash(token, h);
  if (sodium_memcmp(h, t.hash, 32) != 0 || t.revoked ||
      (t.expires_us != ACC_TIME_NONE && t.expires_us <= acc_time_now_us()))
    return denied(d);
  acc_user u;
  rc = s->ops->user_by_id(s, t.uid, &u, &ignore);
  if (rc || u.disabled)
    return denied(d);
  return fill_principal(s, &u, p, d);
}

acc_rc acc_auth_principal_of(acc_store *s, const char *user, acc_principal *p,
                             acc_diag *d) {
  acc_user u;
  acc_rc rc = s->ops->user_get(s, user, &u, d);
  if (rc == ACC_ENOTFOUND)
    return acc_diag_set(d, rc, "no user '%s'", user);
  if (rc)
    return rc;
  return fill_principal(s, &u, p, d);
}

/* ---- verified-credentials cache ---- */

typedef struct cache_slot {
  unsigned char key[32]; /* keyed BLAKE2b of user \0 password */
  int64_t expires_us;
  acc_principal p;
} cache_slot;

struct acc_auth_cache {
  pthread_mutex_t mu;
  unsigned char hkey[crypto_generichash_KEYBYTES];
  size_t n;
  int64_t ttl_us;
  cache_slot *slots;
};

acc_auth_cache *acc_auth_cache_new(size_t slots, int64_t ttl_us) {
  acc_auth_cache *c = calloc(1, sizeof *c);
  if (!c)
    return NULL;
  c->slots = calloc(slots ? slots : 1, sizeof *c->slots);
  if (!c->slots) {
    free(c);
    return NULL;
  }
  c->n = slots ? slots : 1;
  c->ttl_us = ttl_us;
  randombytes_buf(c->hkey, sizeof c->hkey);
  pthread_mutex_init(&c->mu, NULL);
  return c;
}

void acc_auth_cache_free(acc_auth_cache *c) {
  if (!c)
    return;
  pthread_mutex_destroy(&c->mu);
  sodium_memzero(c->slots, c->n * sizeof *c->slots);
  free(c->slots);
  free(c);
}

acc_rc acc_auth_basic_cached(acc_auth_cache *c, acc_store *s, const char *user,
                             const char *password, acc_principal *p,
                             acc_diag *d) {
  if (!c)
    return acc_auth_basic(s, user, password, p, d);
  unsigned char key[32];
  crypto_generichash_state st;
  crypto_generichash_init(&st, c->hkey, sizeof c->hkey, sizeof key);
  crypto_generichash_update(&st, (const unsigned char *)user, strlen(user) + 1);
  crypto_generichash_update(&st, (const unsigned char *)password,
                            strlen(password));
  crypto_generichash_final(&st, key, sizeof key);
  size_t slot;
  memcpy(&slot, key, sizeof slot);
  slot %= c->n;
  int64_t now = acc_time_now_us();
  pthread_mutex_lock(&c->mu);
  cache_slot *cs = &c->slots[slot];
  if (cs->expires_us > now && sodium_memcmp(cs->key, key, sizeof key) == 0) {
    *p = cs->p;
    pthread_mutex_unlock(&c->mu);
    return ACC_OK;
  }
  pthread_mutex_unlock(&c->mu);
  acc_rc rc = acc_auth_basic(s, user, password, p, d);
  if (rc)
    return rc;
  pthread_mutex_lock(&c->mu);
  memcpy(cs->key, key, sizeof key);
  cs->expires_us = now + c->ttl_us;
  cs->p = *p;
  pthread_mutex_unlock(&c->mu);
  return ACC_OK;
}

/* ---- failed-login throttle ---- */

typedef struct throttle_slot {
  unsigned char addr[16]; /* BLAKE2b-128 of the address text */
  unsigned failures;
  int64_t until_us;
} throttle_slot;

struct acc_throttle {
  pthread_mutex_t mu;
  size_t n;
  unsigned burst;
  int64_t max_wait_us;
  throttle_slot *slots;
};

acc_throttle *acc_throttle_new(size_t slots, unsigned burst,
                               int64_t max_wait_us) {
  acc_throttle *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  t->n = slots ? slots : 1;
  t->slots = calloc(t->n, sizeof *t->slots);
  if (!t->slots) {
    free(t);
    return NULL;
  }
  t->burst = burst;
  t->max_wait_us = max_wait_us;
  pthread_mutex_init(&t->mu, NULL);
  return t;
}

void acc_throttle_free(acc_throttle *t) {
  if (!t)
    return;
  pthread_mutex_destroy(&t->mu);
  free(t->slots);
  free(t);
}

static throttle_slot *find_slot(acc_throttle *t, const char *addr,
                                unsigned char h[16]) {
  crypto_generichash(h, 16, (const unsigned char *)addr, strlen(addr), NULL, 0);
  size_t i;
  memcpy(&i, h, sizeof i);
  return &t->slots[i % t->n];
}

int64_t acc_throttle_wait(acc_throttle *t, const char *addr, int64_t now_us) {
  unsigned char h[16];
  int64_t wait = 0;
  pthread_mutex_lock(&t->mu);
  throttle_slot *s = find_slot(t, addr, h);
  if (memcmp(s->addr, h, sizeof h) == 0 && s->until_us > now_us)
    wait = s->until_us - now_us;
  pthread_mutex_unlock(&t->mu);
  return wait;
}

void acc_throttle_failure(acc_throttle *t, const char *addr, int64_t now_us) {
  unsigned char h[16];
  pthread_mutex_lock(&t->mu);
  throttle_slot *s = find_slot(t, addr, h);
  if (memcmp(s->addr, h, sizeof h) != 0) {
    /* A new address takes the slot (fixed memory: the oldest loses). */
    memcpy(s->addr, h, sizeof h);
    s->failures = 0;
    s->until_us = 0;
  }
  s->failures++;
  if (s->failures >= t->burst) {
    unsigned shift = s->failures - t->burst;
    int64_t wait = shift >= 20 ? t->max_wait_us : (int64_t)1000000 << shift;
    if (wait > t->max_wait_us)
      wait = t->max_wait_us;
    s->until_us = now_us + wait;
  }
  pthread_mutex_unlock(&t->mu);
}

void acc_throttle_success(acc_throttle *t, const char *addr) {
  unsigned char h[16];
  pthread_mutex_lock(&t->mu);
  throttle_slot *s = find_slot(t, addr, h);
  if (memcmp(s->addr, h, sizeof h) == 0) {
    s->failures = 0;
    s->until_us = 0;
  }
  pthread_mutex_unlock(&t->mu);
}
