/*
 * test_guard_cache.c — the enforcement point keeps, per store handle, the
 * organisations of federation peers and each organisation's access to
 * each collection, so a request does not read them again.  These tests
 * change grants and peers through the same handle and through a second
 * connection (as another process or server thread would) and check that
 * the very next read decides on the new facts, in both directions.
 */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "ingest/ingest.h"
#include "policy/guard.h"
#include "policy/policy.h"
#include "testutil.h"
#include "util/time.h"

#define GREEN "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define RED "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

typedef struct world {
  fx *f;
  acc_store *b; /* a second connection to the same store */
  acc_audit *audit;
  int64_t oid;
  acc_principal p;
} world;

static int n_seen(void *ctx, const acc_record *r) {
  (void)r;
  (*(int *)ctx)++;
  return 0;
}

/* How many versions the principal reads from handle s (scan, then the
 * single-object path must agree). */
static int visible(world *w, acc_store *s, const char *id) {
  acc_reader rd = {.who = &w->p, .path = "test guard cache", .audit = w->audit};
  acc_query q;
  acc_query_init(&q);
  int n = 0;
  acc_diag d;
  assert_int_equal(acc_guard_scan(s, &rd, &q, n_seen, &n, NULL, &d), ACC_OK);
  int one = 0;
  acc_rc rc = acc_guard_get(s, &rd, 0, id, ACC_TIME_NONE, n_seen, &one, &d);
  assert_int_equal(rc, n ? ACC_OK : ACC_ENOTFOUND);
  assert_int_equal(one, n ? 1 : 0);
  return n;
}

static void ingest(acc_store *s, const char *id, const char *marking,
                   const char *user) {
  char doc[1024];
  snprintf(doc, sizeof doc,
           "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\","
           "\"created\":\"2026-01-01T00:00:00.000Z\","
           "\"modified\":\"2026-01-01T00:00:00.000Z\",\"name\":\"n\","
           "\"pattern\":\"[ipv4-addr:value = '198.51.100.7']\","
           "\"pattern_type\":\"stix\",\"valid_from\":\"2026-01-01T00:00:00Z\","
           "\"object_marking_refs\":[\"%s\"]%s%s%s}",
           id, marking, user ? ",\"extensions\":{\"" ACC_EXT_SHARING
                               "\":{\"extension_type\":\"property-extension\","
                               "\"recipient_users\":[\""
                             : "",
           user ? user : "", user ? "\"]}}" : "");
  acc_ingest_opts o = {.collection = ACC_DEFAULT_COLLECTION};
  acc_ingest_counts c;
  acc_diag d;
  assert_int_equal(acc_ingest(s, doc, strlen(doc), &o, &c, NULL, &d), ACC_OK);
  assert_int_equal(c.stored, 1);
}

static int wsetup(void **state) {
  if (setup(state))
    return -1;
  fx *f = *state;
  world *w = calloc(1, sizeof *w);
  w->f = f;
  acc_diag d;
  if (acc_store_open(f->dir, 0, &w->b, &d) || acc_audit_open(f->dir, &w->audit, &d))
    return -1;
  acc_org o = {.member = 1};
  snprintf(o.name, sizeof o.name, "cert-a");
  snprintf(o.identity_ref, sizeof o.identity_ref,
           "identity--0000000a-0000-4000-8000-00000000000a");
  if (f->s->ops->org_add(f->s, &o, &d))
    return -1;
  w->oid = o.oid;
  acc_user u = {.oid = o.oid};
  snprintf(u.name, sizeof u.name, "ana");
  if (f->s->ops->user_add(f->s, &u, &d))
    return -1;
  if (acc_auth_principal_of(f->s, "ana", &w->p, &d))
    return -1;
  *state = w;
  return 0;
}

static int wteardown(void **state) {
  world *w = *state;
  acc_store_close(w->b);
  acc_audit_close(w->audit);
  void *f = w->f;
  free(w);
  return teardown(&f);
}

/* A grant given and taken back, through this handle and another. */
static void test_grant_changes(void **state) {
  world *w = *state;
  acc_store *a = w->f->s;
  acc_diag d;
  const char *id = "indicator--00000001-0000-4000-8000-000000000001";
  ingest(a, id, GREEN, NULL);
  assert_int_equal(visible(w, a, id), 0); /* no grant yet */
  assert_int_equal(
      w->b->ops->grant_set(w->b, ACC_DEFAULT_COLLECTION, w->oid, 1, 0, &d),
      ACC_OK);
  assert_int_equal(visible(w, a, id), 1); /* granted by the other connection */
  assert_int_equal(visible(w, a, id), 1); /* from the cache */
  assert_int_equal(
      w->b->ops->grant_set(w->b, ACC_DEFAULT_COLLECTION, w->oid, 0, 0, &d),
      ACC_OK);
  assert_int_equal(visible(w, a, id), 0); /* revoked elsewhere: at once */
  assert_int_equal(a->ops->grant_set(a, ACC_DEFAULT_COLLECTION, w->oid, 1, 0, &d),
                   ACC_OK);
  assert_int_equal(visible(w, a, id), 1);
  assert_int_equal(a->ops->grant_set(a, ACC_DEFAULT_COLLECTION, w->oid, 0, 0, &d),
                   ACC_OK);
  assert_int_equal(visible(w, a, id), 0); /* revoked here: at once */
  /* and inside a transaction of this handle, before it commits */
  assert_int_equal(acc_store_begin(a, &d), ACC_OK);
  assert_int_equal(a->ops->grant_set(a, ACC_DEFAULT_COLLECTION, w->oid, 1, 0, &d),
                   ACC_OK);
  assert_int_equal(visible(w, a, id), 1);
  assert_int_equal(acc_store_rollback(a), ACC_OK);
  assert_int_equal(visible(w, a, id), 0);
}

/* Registering the organisation as a federation peer takes RED from its
 * accounts (the policy's rule); removing the peer gives it back. */
static void test_peer_changes(void **state) {
  world *w = *state;
  acc_store *a = w->f->s;
  acc_diag d;
  const char *id = "indicator--00000002-0000-4000-8000-000000000002";
  assert_int_equal(a->ops->grant_set(a, ACC_DEFAULT_COLLECTION, w->oid, 1, 0, &d),
                   ACC_OK);
  ingest(a, id, RED, "ana");
  assert_int_equal(visible(w, a, id), 1);
  acc_peer_row p = {.oid = w->oid};
  snprintf(p.name, sizeof p.name, "cert-a-node");
  snprintf(p.config, sizeof p.config, "{}");
  assert_int_equal(w->b->ops->peer_add(w->b, &p, &d), ACC_OK);
  assert_int_equal(visible(w, a, id), 0);
  assert_int_equal(w->b->ops->peer_remove(w->b, p.pid, &d), ACC_OK);
  assert_int_equal(visible(w, a, id), 1);
  acc_peer_row p2 = {.oid = w->oid};
  snprintf(p2.name, sizeof p2.name, "cert-a-node2");
  snprintf(p2.config, sizeof p2.config, "{}");
  assert_int_equal(a->ops->peer_add(a, &p2, &d), ACC_OK);
  assert_int_equal(visible(w, a, id), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_grant_changes, wsetup, wteardown),
      cmocka_unit_test_setup_teardown(test_peer_changes, wsetup, wteardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
