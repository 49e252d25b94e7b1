/*
 * test_misp_shared.c — the round trip MISP -> Accord -> MISP on the real
 * events in ../shared/data/misp/: every value, type, category, to_ids,
 * comment, tag, object, reference and galaxy cluster comes back (the
 * fields compared are those of test_misp_compare.h; what is not compared
 * is listed in docs/MISP.md).  Exits 77 (skipped) when ../shared is
 * absent; the same comparison runs on tests/data/misp/ in test_misp.c.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_misp_compare.h"
#include "testutil.h"

/* Each file into a fresh store of its own. */
static void round_trip(const char *name) {
  void *st = NULL;
  assert_int_equal(setup(&st), 0);
  fx *f = st;
  char rel[512], path[1024];
  snprintf(rel, sizeof rel, "data/misp/%s", name);
  assert_non_null(shared_path(rel, path, sizeof path));
  size_t len = 0;
  char *buf = slurp(path, &len);
  assert_non_null(buf);
  acc_misp_counts c;
  json_t *back = tm_round_trip(f->s, f->dir, buf, len, &c);
  assert_non_null(back);
  assert_int_equal(c.unmapped, 0);
  assert_int_equal(c.rejected, 0);
  assert_int_equal(c.stix.rejected, 0);
  json_t *orig = json_loadb(buf, len, 0, NULL);
  json_t *a = tm_events(orig), *b = tm_events(back);
  int n = tm_diff(name, a, b);
  if (n)
    fprintf(stderr, "%s: %d difference(s)\n", name, n);
  assert_int_equal(n, 0);
  json_decref(a);
  json_decref(b);
  json_decref(orig);
  json_decref(back);
  free(buf);
  assert_int_equal(teardown(&st), 0);
}

static void test_misp_tests_event(void **state) {
  (void)state;
  round_trip("misp-tests-event.json");
}

static void test_pymisp_existing_event(void **state) {
  (void)state;
  round_trip("pymisp-existing_event.json");
}

/* Any other sample put there later is held to the same standard. */
static void test_every_sample(void **state) {
  (void)state;
  char path[1024];
  assert_non_null(shared_path("data/misp", path, sizeof path));
  DIR *d = opendir(path);
  assert_non_null(d);
  struct dirent *de;
  size_t n = 0;
  while ((de = readdir(d)) && n < 1000) {
    size_t l = strlen(de->d_name);
    if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0) {
      round_trip(de->d_name);
      n++;
    }
  }
  closedir(d);
  assert_true(n >= 2);
}

int main(void) {
  char p[1024];
  if (!shared_path("data/misp", p, sizeof p)) {
    printf("SKIP: shared data not found\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_misp_tests_event),
      cmocka_unit_test(test_pymisp_existing_event),
      cmocka_unit_test(test_every_sample),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
