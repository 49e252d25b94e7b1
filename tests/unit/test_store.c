/*
 * test_store.c — the SQLite backend through the storage interface, on real
 * database files in a temporary directory: versions, duplicates, conflicts,
 * latest/first tracking, date_added ordering, queries, savepoints,
 * persistence and schema versioning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store_raw.h"
#include "store/store.h"
#include "util/time.h"

#define ID_A "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
#define ID_B "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"

#include "testutil.h"

static acc_stix_obj sdo(const char *id, const char *modified) {
  acc_stix_obj o = {.type = "indicator",
                    .id = id,
                    .spec_version = "2.1",
                    .kind = ACC_KIND_SDO,
                    .created_us = 0,
                    .modified_us = ACC_TIME_NONE};
  if (modified)
    assert_int_equal(
        acc_time_parse(modified, strlen(modified), 1, &o.modified_us), ACC_OK);
  return o;
}

static acc_rc put(acc_store *s, acc_stix_obj *o, const char *raw,
                  acc_put_status *st) {
  acc_diag d;
  return acc_store_put(s, 1, o, NULL, raw, strlen(raw), st, NULL, &d);
}

typedef struct rows {
  size_t n;
  char raw[16][160];
  int64_t added[16];
  int latest[16];
} rows;

static int collect(void *ctx, const acc_record *r) {
  rows *x = ctx;
  if (x->n < 16) {
    snprintf(x->raw[x->n], sizeof x->raw[0], "%.*s", (int)r->raw_len, r->raw);
    x->added[x->n] = r->date_added_us;
    x->latest[x->n] = r->is_latest;
  }
  x->n++;
  return 0;
}

static void test_versions_and_duplicates(void **state) {
  fx *f = *state;
  acc_diag d;
  acc_put_status st;
  assert_int_equal(acc_store_begin(f->s, &d), ACC_OK);
  acc_stix_obj v1 = sdo(ID_A, "2020-01-01T00:00:00Z");
  acc_stix_obj v2 = sdo(ID_A, "2021-01-01T00:00:00.5Z");
  acc_stix_obj v0 = sdo(ID_A, "2019-01-01T00:00:00Z");
  assert_int_equal(put(f->s, &v1, "{\"v\":1}", &st), ACC_OK);
  assert_int_equal(st, ACC_PUT_STORED);
  /* Exact duplicate, and the same JSON written differently. */
  assert_int_equal(put(f->s, &v1, "{\"v\":1}", &st), ACC_OK);
  assert_int_equal(st, ACC_PUT_DUPLICATE);
  assert_int_equal(put(f->s, &v1, "{ \"v\" : 1 }", &st), ACC_OK);
  assert_int_equal(st, ACC_PUT_DUPLICATE);
  /* Same version, other content: a conflict, nothing written. */
  assert_int_equal(
      acc_store_put(f->s, 1, &v1, NULL, "{\"v\":9}", 7, &st, NULL, &d),
      ACC_ECONFLICT);
  assert_non_null(strstr(d.msg, "different content"));
  assert_int_equal(put(f->s, &v2, "{\"v\":2}", &st), ACC_OK);
  assert_int_equal(st, ACC_PUT_STORED);
  assert_int_equal(put(f->s, &v0, "{\"v\":0}", &st), ACC_OK); /* older */
  assert_int_equal(acc_store_commit(f->s, &d), ACC_OK);

  rows r = {0};
  assert_int_equal(acc_store_get(f->s, 1, ID_A, ACC_TIME_NONE, collect, &r, &d),
                   ACC_OK);
  assert_int_equal(r.n, 1);
  assert_string_equal(r.raw[0], "{\"v\":2}"); /* latest by modified */
  memset(&r, 0, sizeof r);
  assert_int_equal(
      acc_store_get(f->s, 1, ID_A, v0.modified_us, collect, &r, &d), ACC_OK);
  assert_string_equal(r.raw[0], "{\"v\":0}");
  assert_int_equal(acc_store_get(f->s, 1, ID_A, 12345, collect, &r, &d),
                   ACC_ENOTFOUND);
  assert_int_equal(acc_store_get(f->s, 1, ID_B, ACC_TIME_NONE, collect, &r, &d),
                   ACC_ENOTFOUND);

  acc_query q;
  acc_query_init(&q);
  q.version = ACC_VER_FIRST;
  memset(&r, 0, sizeof r);
  assert_int_equal(acc_store_scan(f->s, &q, collect, &r, &d), ACC_OK);
  assert_int_equal(r.n, 1);
  assert_string_equal(r.raw[0], "{\"v\":0}");
  q.version = ACC_VER_ALL;
  memset(&r, 0, sizeof r);
  assert_int_equal(acc_store_scan(f->s, &q, collect, &r, &d), ACC_OK);
  assert_int_equal(r.n, 3);
  for (size_t i = 1; i < r.n; i++)
    assert_true(r.added[i] > r.added[i - 1]);
  assert_int_equal(acc_store_check(f->s, &d), ACC_OK);
}

static void test_unversioned(void **state) {
  fx *f = *state;
  acc_diag d;
  acc_put_status st;
  acc_stix_obj o = sdo(ID_B, NULL);
  o.type = "ipv4-addr";
  o.kind = ACC_KIND_SCO;
  assert_int_equal(acc_store_begin(f->s, &d), ACC_OK);
  assert_int_equal(put(f->s, &o, "{\"value\":\"198.51.100.3\"}", &st), ACC_OK);
  assert_int_equal(st, ACC_PUT_STORED);
  assert_int_equal(put(f->s, &o, "{\"value\":\"198.51.100.3\"}", &st), ACC_OK);
  assert_int_equal(st, ACC_PUT_DUPLICATE);
  /* Other content under the same id: kept, and it becomes the latest. */
  assert_int_equal(put(f->s, &o, "{\"value\":\"198.51.100.3\",\"x_n\":1}", &st),
                   ACC_OK);
  assert_int_equal(st, ACC_PUT_STORED);
  assert_int_equal(acc_store_commit(f->s, &d), ACC_OK);
  rows r = {0};
  assert_int_equal(acc_store_get(f->s, 1, ID_B, ACC_TIME_NONE, collect, &r, &d),
                   ACC_OK);
  assert_int_equal(r.n, 1);
  assert_non_null(strstr(r.raw[0], "x_n"));
  assert_int_equal(acc_store_check(f->s, &d), ACC_OK);
}

static void test_query_filters(void **state) {
  fx *f = *state;
  acc_diag d;
  acc_put_status st;
  char id[80], raw[64];
  assert_int_equal(acc_store_begin(f->s, &d), ACC_OK);
  for (int i = 0; i < 10; i++) {
    snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", i);
    snprintf(raw, sizeof raw, "{\"i\":%d}", i);
    acc_stix_obj o = sdo(id, "2020-01-01T00:00:00Z");
    if (i % 2)
      o.type = "malware";
    assert_int_equal(put(f->s, &o, raw, &st), ACC_OK);
  }
  assert_int_equal(acc_store_commit(f->s, &d), ACC_OK);
  acc_query q;
  acc_query_init(&q);
  q.types[q.n_types++] = "malware";
  rows r = {0};
  assert_int_equal(acc_store_scan(f->s, &q, collect, &r, &d), ACC_OK);
  assert_int_equal(r.n, 5);
  assert_string_equal(r.raw[0], "{\"i\":1}");
  /* Paging by added_after. */
  acc_query_init(&q);
  q.limit = 4;
  memset(&r, 0, sizeof r);
  assert_int_equal(acc_store_scan(f->s, &q, collect, &r, &d), ACC_OK);
  assert_int_equal(r.n, 4);
  q.added_after_us = r.added[3];
  memset(&r, 0, sizeof r);
  assert_int_equal(acc_store_scan(f->s, &q, collect, &r, &d), ACC_OK);
  assert_int_equal(r.n, 4);
  assert_string_equal(r.raw[0], "{\"i\":4}");
  /* By id. */
  acc_query_init(&q);
  q.ids[q.n_ids++] = "indicator--00000000-0000-4000-8000-000000000007";
  q.ids[q.n_ids++] = "indicator--00000000-0000-4000-8000-000000000002";
  memset(&r, 0, sizeof r);
  assert_int_equal(acc_store_scan(f->s, &q, collect, &r, &d), ACC_OK);
  assert_int_equal(r.n, 2);
  /* Stats. */
  acc_stats s;
  assert_int_equal(acc_store_stats(f->s, &s, &d), ACC_OK);
  assert_int_equal(s.objects, 10);
  assert_int_equal(s.versions, 10);
  assert_int_equal(s.n_types, 2);
  assert_string_equal(s.types[0].type, "indicator");
  assert_int_equal(s.types[1].objects, 5);
  acc_stats_free(&s);
}

static void test_savepoint_and_rollback(void **state) {
  fx *f = *state;
  acc_diag d;
  acc_put_status st;
  acc_stix_obj a = sdo(ID_A, "2020-01-01T00:00:00Z");
  acc_stix_obj b = sdo(ID_A, "2022-01-01T00:00:00Z");
  assert_int_equal(acc_store_begin(f->s, &d), ACC_OK);
  assert_int_equal(put(f->s, &a, "{\"a\":1}", &st), ACC_OK);
  assert_int_equal(acc_store_savepoint(f->s, &d), ACC_OK);
  assert_int_equal(put(f->s, &b, "{\"b\":1}", &st), ACC_OK);
  assert_int_equal(acc_store_rollback_to(f->s, &d), ACC_OK);
  assert_int_equal(acc_store_commit(f->s, &d), ACC_OK);
  rows r = {0};
  assert_int_equal(acc_store_get(f->s, 1, ID_A, ACC_TIME_NONE, collect, &r, &d),
                   ACC_OK);
  assert_string_equal(r.raw[0], "{\"a\":1}");
  /* A rolled-back transaction leaves nothing. */
  assert_int_equal(acc_store_begin(f->s, &d), ACC_OK);
  assert_int_equal(put(f->s, &b, "{\"b\":1}", &st), ACC_OK);
  assert_int_equal(acc_store_rollback(f->s), ACC_OK);
  memset(&r, 0, sizeof r);
  assert_int_equal(acc_store_get(f->s, 1, ID_A, ACC_TIME_NONE, collect, &r, &d),
                   ACC_OK);
  assert_string_equal(r.raw[0], "{\"a\":1}");
  assert_int_equal(acc_store_check(f->s, &d), ACC_OK);
}

static void test_put_needs_transaction(void **state) {
  fx *f = *state;
  acc_put_status st;
  acc_stix_obj a = sdo(ID_A, "2020-01-01T00:00:00Z");
  assert_int_equal(put(f->s, &a, "{}", &st), ACC_ESTORE);
}

static void test_persistence_and_schema(void **state) {
  fx *f = *state;
  acc_diag d;
  acc_put_status st;
  acc_stix_obj a = sdo(ID_A, "2020-01-01T00:00:00Z");
  assert_int_equal(acc_store_begin(f->s, &d), ACC_OK);
  assert_int_equal(put(f->s, &a, "{\"keep\":true}", &st), ACC_OK);
  assert_int_equal(acc_store_commit(f->s, &d), ACC_OK);
  acc_store_close(f->s);
  f->s = NULL;
  /* Reopen: the object is there. */
  assert_int_equal(acc_store_open(f->dir, 0, &f->s, &d), ACC_OK);
  rows r = {0};
  assert_int_equal(acc_store_get(f->s, 1, ID_A, ACC_TIME_NONE, collect, &r, &d),
                   ACC_OK);
  assert_string_equal(r.raw[0], "{\"keep\":true}");
  acc_store_close(f->s);
  f->s = NULL;
  /* A store from a newer Accord is refused, not damaged. */
  char path[128];
  snprintf(path, sizeof path, "%s/accord.db", f->dir);
  sqlite3 *db;
  acc_stats before;
  assert_int_equal(acc_store_open(f->dir, 0, &f->s, &d), ACC_OK);
  assert_int_equal(acc_store_stats(f->s, &before, &d), ACC_OK);
  acc_stats_free(&before);
  acc_store_close(f->s);
  f->s = NULL;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  assert_int_equal(sqlite3_exec(db, "PRAGMA user_version=999", 0, 0, 0),
                   SQLITE_OK);
  sqlite3_close(db);
  acc_store *s2 = NULL;
  assert_int_equal(acc_store_open(f->dir, 0, &s2, &d), ACC_ESCHEMA);
  assert_non_null(strstr(d.msg, "999"));
  assert_null(s2);
  /* Opening a directory with no store says how to make one. */
  assert_int_equal(acc_store_open("/nonexistent-acc", 0, &s2, &d),
                   ACC_ENOTFOUND);
  assert_non_null(strstr(d.msg, "accord init"));
  /* Leave a usable store for teardown. */
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  char restore[64];
  snprintf(restore, sizeof restore, "PRAGMA user_version=%d",
           before.schema_version);
  sqlite3_exec(db, restore, 0, 0, 0);
  sqlite3_close(db);
  assert_int_equal(acc_store_open(f->dir, 0, &f->s, &d), ACC_OK);
}

static void test_date_added_across_writers(void **state) {
  fx *f = *state;
  acc_diag d;
  acc_put_status st;
  acc_store *other;
  assert_int_equal(acc_store_open(f->dir, 0, &other, &d), ACC_OK);
  char id[80];
  for (int i = 0; i < 20; i++) {
    acc_store *w = i % 2 ? other : f->s;
    snprintf(id, sizeof id, "indicator--00000000-0000-4000-8000-%012d", i);
    acc_stix_obj o = sdo(id, "2020-01-01T00:00:00Z");
    assert_int_equal(acc_store_begin(w, &d), ACC_OK);
    assert_int_equal(put(w, &o, "{}", &st), ACC_OK);
    assert_int_equal(acc_store_commit(w, &d), ACC_OK);
  }
  acc_store_close(other);
  assert_int_equal(acc_store_check(f->s, &d), ACC_OK);
}

typedef struct share {
  int tlp;
  char orgs[64];
} share;

static int get_share(void *ctx, const acc_record *r) {
  share *x = ctx;
  x->tlp = r->tlp;
  snprintf(x->orgs, sizeof x->orgs, "%s", r->share_orgs ? r->share_orgs : "");
  return 0;
}

/* A store written by schema 1 (before collections) is migrated in place:
 * its objects land in the default collection, untouched. */
static void test_migration_from_v1(void **state) {
  fx *f = *state;
  acc_store_close(f->s);
  f->s = NULL;
  char path[128];
  snprintf(path, sizeof path, "%s/v1", f->dir);
  assert_int_equal(mkdir(path, 0700), 0);
  snprintf(path, sizeof path, "%s/v1/accord.db", f->dir);
  sqlite3 *db;
  assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
  /* Schema 1 exactly as it shipped. */
  assert_int_equal(
      sqlite3_exec(db,
                   "CREATE TABLE objects(seq INTEGER PRIMARY KEY, id TEXT NOT "
                   "NULL, type TEXT NOT NULL, spec_version TEXT NOT NULL, "
                   "created_us INTEGER, modified_us INTEGER, date_added_us "
                   "INTEGER NOT NULL UNIQUE, revoked INTEGER NOT NULL DEFAULT "
                   "0, is_latest INTEGER NOT NULL DEFAULT 0, is_first INTEGER "
                   "NOT NULL DEFAULT 0, created_by_ref TEXT, raw_len INTEGER "
                   "NOT NULL, raw TEXT NOT NULL);"
                   "CREATE INDEX objects_id ON objects(id, modified_us);"
                   "CREATE INDEX objects_latest ON objects(date_added_us) "
                   "WHERE is_latest;"
                   "CREATE INDEX objects_first ON objects(date_added_us) "
                   "WHERE is_first;"
                   "CREATE INDEX objects_type_latest ON objects(type, "
                   "date_added_us) WHERE is_latest;"
                   "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT "
                   "NULL) WITHOUT ROWID;"
                   "INSERT INTO objects VALUES(1, '" ID_A "', 'indicator', "
                   "'2.1', 0, 5, 10, 0, 1, 1, NULL, 7, '{\"v\":1}');"
                   "INSERT INTO objects VALUES(2, '" ID_B "', 'ipv4-addr', "
                   "'2.1', NULL, NULL, 11, 0, 1, 1, NULL, 10, '{\"object_"
                   "marking_refs\":[\"marking-definition--34098fce-860f-"
                   "48ae-8e50-ebd3cc5e41da\",\"marking-definition--55d920b0-"
                   "5e8b-4f79-9ee9-91f868d9b421\"],\"extensions\":{\""
                   "extension-definition--5c6d7a1e-2f48-4b9c-8e3a-"
                   "6d0f1b2c3e4a\":{\"recipient_orgs\":[\"A\",\"B\"]}}}"
                   "');"
                   "UPDATE objects SET raw_len = length(CAST(raw AS BLOB));"
                   "PRAGMA user_version=1;",
                   0, 0, 0),
      SQLITE_OK);
  sqlite3_close(db);
  snprintf(path, sizeof path, "%s/v1", f->dir);
  acc_diag d;
  assert_int_equal(acc_store_open(path, 0, &f->s, &d), ACC_OK);
  rows r = {0};
  assert_int_equal(acc_store_get(f->s, ACC_DEFAULT_COLLECTION, ID_A,
                                 ACC_TIME_NONE, collect, &r, &d),
                   ACC_OK);
  assert_string_equal(r.raw[0], "{\"v\":1}");
  assert_int_equal(acc_store_check(f->s, &d), ACC_OK);
  /* Sharing facts are backfilled from the stored JSON. */
  share s2 = {0};
  assert_int_equal(
      acc_store_get(f->s, 0, ID_B, ACC_TIME_NONE, get_share, &s2, &d), ACC_OK);
  assert_int_equal(s2.tlp, 2); /* GREEN and AMBER: AMBER wins */
  assert_string_equal(s2.orgs, "|A|B|");
  share s1 = {0};
  assert_int_equal(
      acc_store_get(f->s, 0, ID_A, ACC_TIME_NONE, get_share, &s1, &d), ACC_OK);
  assert_int_equal(s1.tlp, -1);
  acc_stats st;
  assert_int_equal(acc_store_stats(f->s, &st, &d), ACC_OK);
  assert_true(st.schema_version >= 2);
  acc_stats_free(&st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_versions_and_duplicates, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_unversioned, setup, teardown),
      cmocka_unit_test_setup_teardown(test_query_filters, setup, teardown),
      cmocka_unit_test_setup_teardown(test_savepoint_and_rollback, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_put_needs_transaction, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_persistence_and_schema, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_date_added_across_writers, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_migration_from_v1, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
