/*
 * test_correlate_leak.c — correlation as an egress path of the sharing
 * policy, on the random world of the leak tests (leakworld.h): thousands
 * of indicators that all test the same address, with random TLP markings,
 * recipients, granular markings, originators and collection grants.  For
 * every principal, the answer for that address must name exactly the
 * indicators the policy lets it read, and its counts, sources and
 * "common" flag must be computed over those alone; asking by the id of an
 * invisible indicator must read exactly like asking for an absent one.
 * The expected answers come from leakworld.h's model of docs/PRODUCT.md,
 * not from src/policy.  Seed fixed (ACC_LEAK_SEED overrides), printed on
 * failure.
 */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate/correlate.h"
#include "ingest/ingest.h"
#include "policy/guard.h"
#include "testutil.h"
#include "util/time.h"

#define LW_FAIL(...) fail_msg(__VA_ARGS__)
#include "leakworld.h"

#define COMMON 3

static uint64_t seed = 20261124;
static size_t sum_min;

static int find_obj(const char *id) {
  unsigned idx;
  if (sscanf(id, "indicator--%08x-", &idx) != 1 || idx >= N_OBJECTS)
    return -1;
  return (int)idx;
}

static const char *source_of(const obj_t *o) {
  return o->origin_user >= 0 ? orgs[users[o->origin_user].org].name
                             : "(this instance)";
}

static void check_user(fx *f, acc_audit *audit, int u) {
  acc_principal p;
  acc_diag d;
  assert_int_equal(acc_auth_principal_of(f->s, users[u].name, &p, &d), ACC_OK);
  acc_reader rd = {.who = &p, .path = "test correlate", .audit = audit};
  acc_corr_opts o = {.common = COMMON,
                     .max_objects = N_OBJECTS + 10,
                     .at_us = ACC_TIME_NONE,
                     .sum_min = sum_min};
  json_t *ans = NULL;
  assert_int_equal(acc_corr_query(f->s, &rd, "198.51.100.1", &o, &ans, &d),
                   ACC_OK);
  json_t *g = json_array_get(json_object_get(ans, "values"), 0);
  assert_non_null(g);
  assert_string_equal(json_string_value(json_object_get(g, "value")),
                      "198.51.100.1");
  /* expected: the visible indicators, their sources */
  char *want = calloc(N_OBJECTS, 1);
  size_t n_want = 0;
  int want_src[N_ORGS + 1] = {0};
  for (int i = 0; i < N_OBJECTS; i++)
    if (expect_visible(u, &objs[i])) {
      want[i] = 1;
      n_want++;
      want_src[objs[i].origin_user >= 0 ? users[objs[i].origin_user].org
                                        : N_ORGS] = 1;
    }
  size_t n_src = 0;
  for (int k = 0; k <= N_ORGS; k++)
    n_src += (size_t)want_src[k];
  json_int_t occ = json_integer_value(json_object_get(g, "occurrences"));
  /* a common value is counted until it is known to be common: its counts
   * are then lower bounds, still over visible objects only */
  int partial = json_object_get(g, "counted") != NULL;
  if (partial && (n_src <= COMMON || (size_t)occ > n_want ||
                  json_array_size(json_object_get(g, "sources")) !=
                      COMMON + 1))
    fail_msg("seed %llu: %s: counted 'at least' %lld with %zu visible "
             "objects of %zu sources",
             (unsigned long long)seed, users[u].name, (long long)occ, n_want,
             n_src);
  if (!partial && (size_t)occ != n_want)
    fail_msg("seed %llu: %s: %lld occurrences, want %zu",
             (unsigned long long)seed, users[u].name, (long long)occ, n_want);
  json_t *objsj = json_object_get(g, "objects");
  /* a common value names its 10 most recent objects, others all */
  size_t n_named = n_src > COMMON && n_want > 10 ? 10 : n_want;
  if (partial ? json_array_size(objsj) > n_named
              : json_array_size(objsj) != n_named)
    fail_msg("seed %llu: %s: %zu objects named, want %zu",
             (unsigned long long)seed, users[u].name, json_array_size(objsj),
             n_named);
  size_t i;
  json_t *ob;
  json_array_foreach(objsj, i, ob) {
    int k = find_obj(json_string_value(json_object_get(ob, "id")));
    if (k < 0 || !want[k])
      fail_msg("seed %llu: %s was told of object %d (coll %d tlp %d origin "
               "%d)",
               (unsigned long long)seed, users[u].name, k,
               k >= 0 ? objs[k].coll : -1, k >= 0 ? objs[k].tlp : -9,
               k >= 0 ? objs[k].origin_user : -9);
    if (strcmp(json_string_value(json_object_get(ob, "source")),
               source_of(&objs[k])))
      fail_msg("seed %llu: %s: object %d has source %s", (unsigned long long)seed,
               users[u].name, k,
               json_string_value(json_object_get(ob, "source")));
    want[k] = 2;
  }
  json_t *srcs = json_object_get(g, "sources");
  if (!partial && json_array_size(srcs) != n_src)
    fail_msg("seed %llu: %s: %zu sources, want %zu", (unsigned long long)seed,
             users[u].name, json_array_size(srcs), n_src);
  json_t *sv;
  json_array_foreach(srcs, i, sv) {
    const char *name = json_string_value(sv);
    int k = strcmp(name, "(this instance)") == 0 ? N_ORGS : -1;
    for (int o2 = 0; o2 < N_ORGS && k < 0; o2++)
      if (!strcmp(orgs[o2].name, name))
        k = o2;
    if (k < 0 || !want_src[k])
      fail_msg("seed %llu: %s was told of source %s", (unsigned long long)seed,
               users[u].name, name);
  }
  int common = 0;
  json_array_foreach(json_object_get(g, "flags"), i, sv) {
    if (!strcmp(json_string_value(sv), "common"))
      common = 1;
  }
  if (common != (n_src > COMMON))
    fail_msg("seed %llu: %s: common flag %d with %zu visible sources",
             (unsigned long long)seed, users[u].name, common, n_src);
  json_decref(ans);
  /* by id: an invisible object reads exactly like an absent one */
  o.max_objects = 40;
  for (int k = 0; k < 8; k++) {
    int x = (int)pick(N_OBJECTS);
    ans = NULL;
    acc_rc rc = acc_corr_query(f->s, &rd, objs[x].id, &o, &ans, &d);
    if (expect_visible(u, &objs[x])) {
      assert_int_equal(rc, ACC_OK);
      /* the others it shares the address with: all visible, not itself */
      g = json_array_get(json_object_get(ans, "values"), 0);
      json_array_foreach(json_object_get(g, "objects"), i, ob) {
        int y = find_obj(json_string_value(json_object_get(ob, "id")));
        if (y < 0 || y == x || !expect_visible(u, &objs[y]))
          fail_msg("seed %llu: %s asked by id %d, told of %d",
                   (unsigned long long)seed, users[u].name, x, y);
      }
      if (!json_object_get(g, "counted") &&
          (size_t)json_integer_value(json_object_get(g, "occurrences")) !=
              n_want - 1)
        fail_msg("seed %llu: %s by id: count", (unsigned long long)seed,
                 users[u].name);
    } else {
      assert_int_equal(rc, ACC_ENOTFOUND);
      char msg[128];
      snprintf(msg, sizeof msg, "no object with id %s", objs[x].id);
      assert_string_equal(d.msg, msg);
    }
    json_decref(ans);
  }
  free(want);
}

static void test_correlate_leak(void **state) {
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
    check_user(f, audit, u);
  /* anonymous: CLEAR of the public collection only (descriptions are
   * granular-marked; the address is not, so it stays visible) */
  (void)expect_description;
  (void)expect_description_anon;
  acc_reader anon = {
      .who = &acc_principal_anonymous, .path = "test", .audit = audit};
  acc_corr_opts o = {.max_objects = N_OBJECTS + 10, .at_us = ACC_TIME_NONE};
  json_t *ans;
  assert_int_equal(acc_corr_query(f->s, &anon, "198.51.100.1", &o, &ans, &d),
                   ACC_OK);
  size_t n_anon = 0;
  for (int i = 0; i < N_OBJECTS; i++)
    n_anon += (size_t)expect_visible_anon(&objs[i]);
  json_t *g = json_array_get(json_object_get(ans, "values"), 0);
  if ((size_t)json_integer_value(json_object_get(g, "occurrences")) != n_anon)
    fail_msg("seed %llu: anonymous: count", (unsigned long long)seed);
  json_decref(ans);
  /* summed per sharing class (the path of values with many postings):
   * the same answers */
  sum_min = 1;
  for (int u = 0; u < N_USERS; u += 3)
    check_user(f, audit, u);
  sum_min = 0;
  /* the rebuilt index answers the same */
  acc_corr_rebuild_counts rc;
  assert_int_equal(acc_corr_rebuild(f->s, &rc, &d), ACC_OK);
  assert_int_equal(rc.indexed, N_OBJECTS);
  for (int u = 0; u < N_USERS; u += 5)
    check_user(f, audit, u);
  acc_audit_close(audit);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_correlate_leak, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
