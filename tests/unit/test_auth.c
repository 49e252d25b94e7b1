/*
 * test_auth.c — passwords, tokens, the Basic cache and the login throttle
 * against a real store.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth/auth.h"
#include "testutil.h"
#include "util/time.h"

static int64_t add_user(acc_store *s, const char *org, const char *name,
                        const char *pw, int disabled) {
  acc_diag d;
  acc_org o = {.member = 1};
  snprintf(o.name, sizeof o.name, "%s", org);
  if (s->ops->org_get(s, org, &o, &d) == ACC_ENOTFOUND)
    assert_int_equal(s->ops->org_add(s, &o, &d), ACC_OK);
  acc_user u = {.oid = o.oid, .disabled = disabled};
  snprintf(u.name, sizeof u.name, "%s", name);
  if (pw)
    assert_int_equal(acc_auth_hash_password(pw, u.pwhash, sizeof u.pwhash, &d),
                     ACC_OK);
  assert_int_equal(s->ops->user_add(s, &u, &d), ACC_OK);
  return u.uid;
}

static void test_basic(void **state) {
  fx *f = *state;
  acc_diag d;
  acc_principal p;
  add_user(f->s, "CERT-A", "alice", "correct horse", 0);
  add_user(f->s, "CERT-A", "bob", "pw", 1);
  add_user(f->s, "CERT-A", "carol", NULL, 0);
  assert_int_equal(acc_auth_basic(f->s, "alice", "correct horse", &p, &d),
                   ACC_OK);
  assert_string_equal(p.user, "alice");
  assert_string_equal(p.org, "CERT-A");
  assert_true(p.org_member);
  assert_true(p.uid > 0 && p.oid > 0);
  assert_int_equal(acc_auth_basic(f->s, "alice", "wrong", &p, &d), ACC_EINVAL);
  assert_string_equal(d.msg, "invalid credentials");
  assert_int_equal(acc_auth_basic(f->s, "nobody", "x", &p, &d), ACC_EINVAL);
  assert_string_equal(d.msg, "invalid credentials"); /* says not which */
  assert_int_equal(acc_auth_basic(f->s, "bob", "pw", &p, &d), ACC_EINVAL);
  assert_int_equal(acc_auth_basic(f->s, "carol", "", &p, &d), ACC_EINVAL);
  assert_int_equal(acc_auth_hash_password("", p.user, 200, &d), ACC_EINVAL);
}

static void test_tokens(void **state) {
  fx *f = *state;
  acc_diag d;
  acc_principal p;
  int64_t uid = add_user(f->s, "POLICE", "dave", NULL, 0);
  char tok[ACC_TOKEN_MAX], tok2[ACC_TOKEN_MAX];
  assert_int_equal(
      acc_auth_token_create(f->s, uid, "ci", ACC_TIME_NONE, tok, &d), ACC_OK);
  assert_int_equal(strncmp(tok, "acc_", 4), 0);
  assert_int_equal(acc_auth_bearer(f->s, tok, &p, &d), ACC_OK);
  assert_string_equal(p.user, "dave");
  assert_string_equal(p.org, "POLICE");
  /* Tampered secret, unknown prefix, garbage: all refused. */
  char bad[ACC_TOKEN_MAX];
  snprintf(bad, sizeof bad, "%s", tok);
  bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == 'A' ? 'B' : 'A';
  assert_int_equal(acc_auth_bearer(f->s, bad, &p, &d), ACC_EINVAL);
  snprintf(bad, sizeof bad, "%s", tok);
  bad[5] = bad[5] == '0' ? '1' : '0';
  assert_int_equal(acc_auth_bearer(f->s, bad, &p, &d), ACC_EINVAL);
  assert_int_equal(acc_auth_bearer(f->s, "acc_", &p, &d), ACC_EINVAL);
  assert_int_equal(acc_auth_bearer(f->s, "", &p, &d), ACC_EINVAL);
  /* Expired. */
  assert_int_equal(
      acc_auth_token_create(f->s, uid, "old", acc_time_now_us() - 1, tok2, &d),
      ACC_OK);
  assert_int_equal(acc_auth_bearer(f->s, tok2, &p, &d), ACC_EINVAL);
  /* Two tokens differ. */
  assert_string_not_equal(tok, tok2);
}

static void test_cache(void **state) {
  fx *f = *state;
  acc_diag d;
  acc_principal p;
  add_user(f->s, "CERT-B", "erin", "pw1", 0);
  acc_auth_cache *c = acc_auth_cache_new(64, 60 * 1000000LL);
  assert_non_null(c);
  assert_int_equal(acc_auth_basic_cached(c, f->s, "erin", "pw1", &p, &d),
                   ACC_OK);
  assert_int_equal(acc_auth_basic_cached(c, f->s, "erin", "pw1", &p, &d),
                   ACC_OK);
  assert_string_equal(p.user, "erin");
  /* A wrong password is never served from the cache. */
  assert_int_equal(acc_auth_basic_cached(c, f->s, "erin", "pw2", &p, &d),
                   ACC_EINVAL);
  assert_int_equal(acc_auth_basic_cached(c, f->s, "erin", "pw", &p, &d),
                   ACC_EINVAL);
  acc_auth_cache_free(c);
  acc_auth_cache_free(NULL);
}

static void test_throttle(void **state) {
  (void)state;
  acc_throttle *t = acc_throttle_new(128, 3, 8000000);
  int64_t now = 1000000000;
  for (int i = 0; i < 2; i++)
    acc_throttle_failure(t, "192.0.2.1", now);
  assert_int_equal(acc_throttle_wait(t, "192.0.2.1", now), 0);
  acc_throttle_failure(t, "192.0.2.1", now);
  assert_int_equal(acc_throttle_wait(t, "192.0.2.1", now), 1000000);
  assert_int_equal(acc_throttle_wait(t, "192.0.2.2", now), 0);
  for (int i = 0; i < 10; i++)
    acc_throttle_failure(t, "192.0.2.1", now);
  assert_int_equal(acc_throttle_wait(t, "192.0.2.1", now), 8000000); /* cap */
  assert_int_equal(acc_throttle_wait(t, "192.0.2.1", now + 9000000), 0);
  acc_throttle_success(t, "192.0.2.1");
  acc_throttle_failure(t, "192.0.2.1", now);
  assert_int_equal(acc_throttle_wait(t, "192.0.2.1", now), 0);
  acc_throttle_free(t);
  acc_throttle_free(NULL);
}

static void test_admin_records(void **state) {
  fx *f = *state;
  acc_store *s = f->s;
  acc_diag d;
  acc_collection c = {0};
  snprintf(c.id, sizeof c.id, "91a7b528-80eb-42ed-a74d-c6fbd5a26116");
  snprintf(c.title, sizeof c.title, "Indicators");
  snprintf(c.alias, sizeof c.alias, "ind");
  assert_int_equal(s->ops->coll_add(s, &c, &d), ACC_OK);
  assert_true(c.cid > 1);
  acc_collection got;
  assert_int_equal(s->ops->coll_get(s, "api", "ind", &got, &d), ACC_OK);
  assert_string_equal(got.id, c.id);
  assert_int_equal(s->ops->coll_get(s, NULL, c.id, &got, &d), ACC_OK);
  assert_int_equal(s->ops->coll_get(s, "other", "ind", &got, &d),
                   ACC_ENOTFOUND);
  assert_int_equal(s->ops->coll_get(s, NULL, "default", &got, &d), ACC_OK);
  assert_int_equal(got.cid, ACC_DEFAULT_COLLECTION);
  assert_int_equal(s->ops->coll_add(s, &c, &d), ACC_EEXIST);
  acc_org o = {.member = 0};
  snprintf(o.name, sizeof o.name, "Partner");
  assert_int_equal(s->ops->org_add(s, &o, &d), ACC_OK);
  assert_int_equal(s->ops->org_add(s, &o, &d), ACC_EEXIST);
  int r = 9, w = 9;
  assert_int_equal(s->ops->grant_get(s, c.cid, o.oid, &r, &w, &d), ACC_OK);
  assert_int_equal(r + w, 0);
  assert_int_equal(s->ops->grant_set(s, c.cid, o.oid, 1, 0, &d), ACC_OK);
  assert_int_equal(s->ops->grant_get(s, c.cid, o.oid, &r, &w, &d), ACC_OK);
  assert_int_equal(r, 1);
  assert_int_equal(w, 0);
  assert_int_equal(s->ops->grant_set(s, c.cid, o.oid, 1, 1, &d), ACC_OK);
  assert_int_equal(s->ops->grant_get(s, c.cid, o.oid, &r, &w, &d), ACC_OK);
  assert_int_equal(w, 1);
  /* Status resources and settings survive reopening. */
  assert_int_equal(
      s->ops->status_put(s, "st-1", "{\"a\":1}", 7LL * 86400 * 1000000, &d),
      ACC_OK);
  assert_int_equal(s->ops->meta_set(s, "k", "v", &d), ACC_OK);
  acc_store_close(f->s);
  assert_int_equal(acc_store_open(f->dir, 0, &f->s, &d), ACC_OK);
  s = f->s;
  char *j = NULL;
  assert_int_equal(s->ops->status_get(s, "st-1", &j, &d), ACC_OK);
  assert_string_equal(j, "{\"a\":1}");
  free(j);
  assert_int_equal(s->ops->status_get(s, "st-2", &j, &d), ACC_ENOTFOUND);
  char v[16];
  assert_int_equal(s->ops->meta_get(s, "k", v, sizeof v, &d), ACC_OK);
  assert_string_equal(v, "v");
  /* Purging: a zero keep time removes older entries on the next put. */
  usleep(2000);
  assert_int_equal(s->ops->status_put(s, "st-3", "{}", 1000, &d), ACC_OK);
  assert_int_equal(s->ops->status_get(s, "st-1", &j, &d), ACC_ENOTFOUND);
}

int main(void) {
  if (sodium_init() < 0)
    return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
      cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
      cmocka_unit_test(test_throttle),
      cmocka_unit_test_setup_teardown(test_admin_records, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
