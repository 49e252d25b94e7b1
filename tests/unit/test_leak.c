/*
 * test_leak.c — randomized leak test of the sharing policy at the library's
 * enforcement point.  Thousands of objects with random TLP markings (2.0
 * and 1.0 ids, or none), random recipients (organisations and users, by
 * name or identity), random granular markings and random originators go
 * into several collections with random grants and defaults; dozens of
 * principals across member and partner organisations then ask every read
 * path for everything.  Each answer must equal exactly what the policy in
 * docs/PRODUCT.md allows, computed here independently of src/policy.
 * The seed is fixed (ACC_LEAK_SEED overrides it) and printed on failure.
 */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "policy/guard.h"
#include "testutil.h"
#include "util/time.h"

#define LW_FAIL(...) fail_msg(__VA_ARGS__)
#include "leakworld.h"

static uint64_t seed = 20261123;

/* What a principal got back. */
typedef struct seen {
  char *got; /* per object: 0 absent, 1 present, 2 present w/o desc */
  size_t n;
  int bad;
} seen;

static int find_obj(const char *id) {
  unsigned idx;
  if (sscanf(id, "indicator--%08x-", &idx) != 1 || idx >= N_OBJECTS)
    return -1;
  return (int)idx;
}

static int on_seen(void *ctx, const acc_record *r) {
  seen *s = ctx;
  int i = find_obj(r->id);
  if (i < 0) {
    s->bad++;
    return 0;
  }
  int has_desc = memmem(r->raw, r->raw_len, "secret-description", 18) != NULL;
  s->got[i] = has_desc ? 1 : 2;
  s->n++;
  return 0;
}

static void check_principal(fx *f, acc_audit *audit, int u) {
  acc_principal p;
  acc_diag d;
  assert_int_equal(acc_auth_principal_of(f->s, users[u].name, &p, &d), ACC_OK);
  acc_reader rd = {.who = &p, .path = "test", .audit = audit};
  for (int c = -1; c < N_COLLS; c++) {
    seen s = {.got = calloc(N_OBJECTS, 1)};
    acc_query q;
    acc_query_init(&q);
    q.collection = c < 0 ? 0 : colls[c].cid;
    q.version = c == 2 ? ACC_VER_ALL : ACC_VER_LATEST;
    assert_int_equal(acc_guard_scan(f->s, &rd, &q, on_seen, &s, NULL, &d),
                     ACC_OK);
    assert_int_equal(s.bad, 0);
    for (int i = 0; i < N_OBJECTS; i++) {
      const obj_t *o = &objs[i];
      int in_scope = c < 0 || o->coll == c;
      int want = in_scope && expect_visible(u, o);
      int want_desc = want && expect_description(u, o);
      int got = s.got[i];
      if (want != (got != 0) || (want && want_desc != (got == 1)))
        fail_msg("seed %llu: %s asked %s, object %d (coll %d tlp %d "
                 "granular %d origin %d): want %d/%d got %d",
                 (unsigned long long)seed, users[u].name,
                 c < 0 ? "all" : "one collection", i, o->coll, o->tlp,
                 o->granular, o->origin_user, want, want_desc, got);
    }
    free(s.got);
  }
  /* Single-object reads: the same answer, and invisible == absent. */
  for (int k = 0; k < 60; k++) {
    int i = (int)pick(N_OBJECTS);
    seen s = {.got = calloc(N_OBJECTS, 1)};
    acc_rc rc =
        acc_guard_get(f->s, &rd, 0, objs[i].id, ACC_TIME_NONE, on_seen, &s, &d);
    int want = expect_visible(u, &objs[i]);
    if (want) {
      assert_int_equal(rc, ACC_OK);
      assert_int_equal(s.got[i], expect_description(u, &objs[i]) ? 1 : 2);
    } else {
      assert_int_equal(rc, ACC_ENOTFOUND);
      char want_msg[128];
      snprintf(want_msg, sizeof want_msg, "no object with id %s", objs[i].id);
      assert_string_equal(d.msg, want_msg);
    }
    free(s.got);
  }
}

static void test_random_leak(void **state) {
  fx *f = *state;
  const char *env = getenv("ACC_LEAK_SEED");
  if (env)
    seed = strtoull(env, NULL, 10);
  rng_state = seed;
  build_world(f->s);
  for (int i = 0; i < N_OBJECTS; i++)
    make_object(f->s, i);
  acc_audit *audit;
  acc_diag d;
  assert_int_equal(acc_audit_open(f->dir, &audit, &d), ACC_OK);
  for (int u = 0; u < N_USERS; u++)
    check_principal(f, audit, u);
  /* Anonymous: TLP:CLEAR of the public collection only. */
  acc_reader rd = {
      .who = &acc_principal_anonymous, .path = "test", .audit = audit};
  seen s = {.got = calloc(N_OBJECTS, 1)};
  acc_query q;
  acc_query_init(&q);
  assert_int_equal(acc_guard_scan(f->s, &rd, &q, on_seen, &s, NULL, &d),
                   ACC_OK);
  size_t n_anon = 0;
  for (int i = 0; i < N_OBJECTS; i++) {
    int want = expect_visible_anon(&objs[i]);
    n_anon += (size_t)want;
    if (want != (s.got[i] != 0) ||
        (want && expect_description_anon(&objs[i]) != (s.got[i] == 1)))
      fail_msg("seed %llu: anonymous, object %d: want %d got %d",
               (unsigned long long)seed, i, want, s.got[i]);
  }
  assert_int_equal(s.n, n_anon);
  assert_true(n_anon > 0);
  free(s.got);
  /* The operator sees everything. */
  rd.who = &acc_principal_operator;
  s = (seen){.got = calloc(N_OBJECTS, 1)};
  assert_int_equal(acc_guard_scan(f->s, &rd, &q, on_seen, &s, NULL, &d),
                   ACC_OK);
  assert_int_equal(s.n, N_OBJECTS);
  free(s.got);
  /* A read without a principal or an audit log is refused. */
  acc_reader bad = {.who = NULL, .path = "x", .audit = audit};
  assert_int_equal(acc_guard_scan(f->s, &bad, &q, on_seen, &s, NULL, &d),
                   ACC_EINVAL);
  bad = (acc_reader){.who = &acc_principal_operator, .path = "x"};
  assert_int_equal(acc_guard_scan(f->s, &bad, &q, on_seen, &s, NULL, &d),
                   ACC_EINVAL);
  acc_audit_close(audit);
  /* Every release and denial was written, and the chain holds. */
  size_t n;
  char head[65];
  assert_int_equal(acc_audit_verify(f->dir, &n, head, &d), ACC_OK);
  assert_true(n > (size_t)N_USERS);
}

int main(void) {
  if (sodium_init() < 0)
    return 1;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_random_leak, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
