/*
 * keyring.c — which Ed25519 keys are an organisation's.
 *
 * A signature proves only that the holder of some key wrote the message;
 * it means "cert-b acknowledged" only if that key is cert-b's.  Trusted
 * as an organisation's here:
 *  - its key file in this data directory (`accord key generate`): the
 *    organisations this instance signs for;
 *  - the key of each of its points of contact that it published itself:
 *    the entry's latest version was added by that very organisation (a
 *    user or federation peer of it) or by this instance's operator (who
 *    may pin a partner's key given by other means), it is not revoked,
 *    and it is signed with the key it lists (proof of possession).
 * An entry naming cert-b but added by anyone else proves nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbm/cbm.h"

#define MAX_KEYS 100000

typedef struct kr_key {
  char org[ACC_NAME_MAX];
  char key[ACC_KEY_PUB_TEXT_MAX];
} kr_key;

typedef struct kr_org {
  int64_t oid;
  char name[ACC_NAME_MAX];
} kr_org;

struct acc_cbm_keyring {
  kr_key *k;
  size_t n, cap;
  kr_org *o;
  size_t n_o, cap_o;
};

static acc_rc add_key(acc_cbm_keyring *kr, const char *org, const char *key) {
  if (acc_cbm_keyring_has(kr, org, key))
    return ACC_OK;
  if (kr->n == kr->cap) {
    if (kr->cap >= MAX_KEYS)
      return ACC_ENOMEM;
    size_t cap = kr->cap ? kr->cap * 2 : 16;
    kr_key *k = realloc(kr->k, cap * sizeof *k);
    if (!k)
      return ACC_ENOMEM;
    kr->k = k;
    kr->cap = cap;
  }
  snprintf(kr->k[kr->n].org, sizeof kr->k[kr->n].org, "%s", org);
  snprintf(kr->k[kr->n].key, sizeof kr->k[kr->n].key, "%s", key);
  kr->n++;
  return ACC_OK;
}

static int on_org(void *ctx, const acc_org *o) {
  acc_cbm_keyring *kr = ctx;
  if (kr->n_o == kr->cap_o) {
    if (kr->cap_o >= MAX_KEYS)
      return (int)ACC_ENOMEM;
    size_t cap = kr->cap_o ? kr->cap_o * 2 : 16;
    kr_org *n = realloc(kr->o, cap * sizeof *n);
    if (!n)
      return (int)ACC_ENOMEM;
    kr->o = n;
    kr->cap_o = cap;
  }
  kr->o[kr->n_o].oid = o->oid;
  snprintf(kr->o[kr->n_o].name, sizeof kr->o[kr->n_o].name, "%s", o->name);
  kr->n_o++;
  return 0;
}

typedef struct poc_ctx {
  acc_cbm_keyring *kr;
  acc_rc rc;
} poc_ctx;

static int on_poc(void *ctx, const acc_cbm_row *r) {
  poc_ctx *x = ctx;
  if (!r->public_key[0] || r->sig != ACC_CBM_SIG_OK || r->revoked)
    return 0;
  if (r->origin_oid != 0 &&
      strcmp(acc_cbm_keyring_org(x->kr, r->origin_oid), r->org))
    return 0;
  if ((x->rc = add_key(x->kr, r->org, r->public_key)))
    return 1;
  return 0;
}

acc_rc acc_cbm_keyring_load(acc_store *s, const char *data_dir,
                            acc_cbm_keyring **out, acc_diag *d) {
  acc_cbm_keyring *kr = calloc(1, sizeof *kr);
  if (!kr)
    return acc_diag_set(d, ACC_ENOMEM, "loading keys");
  acc_rc rc = s->ops->org_list(s, on_org, kr, d);
  if (rc)
    goto out_free;
  for (size_t i = 0; data_dir && i < kr->n_o; i++) {
    acc_org_key k;
    if (acc_key_load(data_dir, kr->o[i].name, &k, NULL) != ACC_OK)
      continue;
    char pub[ACC_KEY_PUB_TEXT_MAX];
    acc_key_public_text(k.pk, pub);
    acc_key_wipe(&k);
    if ((rc = add_key(kr, kr->o[i].name, pub)))
      goto out_free;
  }
  poc_ctx x = {.kr = kr};
  rc = s->ops->cbm_list(s, 'p', NULL, on_poc, &x, d);
  if (rc == 1)
    rc = x.rc;
  if (rc)
    goto out_free;
  *out = kr;
  return ACC_OK;
out_free:
  acc_cbm_keyring_free(kr);
  return rc == ACC_ENOMEM ? acc_diag_set(d, rc, "too many keys") : rc;
}

int acc_cbm_keyring_has(const acc_cbm_keyring *kr, const char *org,
                        const char *key) {
  for (size_t i = 0; kr && org && key && i < kr->n; i++)
    if (!strcmp(kr->k[i].key, key) && !strcmp(kr->k[i].org, org))
      return 1;
  return 0;
}

const char *acc_cbm_keyring_org(const acc_cbm_keyring *kr, int64_t oid) {
  for (size_t i = 0; kr && oid > 0 && i < kr->n_o; i++)
    if (kr->o[i].oid == oid)
      return kr->o[i].name;
  return "";
}

int64_t acc_cbm_keyring_oid(const acc_cbm_keyring *kr, const char *name) {
  for (size_t i = 0; kr && name && i < kr->n_o; i++)
    if (!strcmp(kr->o[i].name, name))
      return kr->o[i].oid;
  return 0;
}

void acc_cbm_keyring_free(acc_cbm_keyring *kr) {
  if (!kr)
    return;
  free(kr->k);
  free(kr->o);
  free(kr);
}
