/*
 * test_ingest_shared.c — the real MITRE ATT&CK bundles from ../shared
 * through decode → validate → store: object counts (ICS 18.1: 1,826;
 * Mobile 17.1: 2,148; Enterprise 18.1, STIX 2.0: 24,771), no rejection,
 * every object's bytes unchanged in the store, a second import all
 * duplicates.  Exits 77 (skipped) when ../shared is absent.
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
#include "ingest_compare.h"
#include "testutil.h"
#include "util/time.h"

static void shared_file(fx *f, const char *rel, size_t want) {
  char path[1024];
  assert_non_null(shared_path(rel, path, sizeof path));
  size_t len = 0;
  char *buf;
  if (strstr(rel, ".xz")) {
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "xz -dc '%s'", path);
    buf = slurp_cmd(cmd, &len);
  } else {
    buf = slurp(path, &len);
  }
  assert_non_null(buf);
  ingest_and_compare(f, buf, len, want);
  free(buf);
}

static void test_attack_ics(void **state) {
  shared_file(*state, "data/attack/ics-attack-18.1.json", 1826);
}

static void test_attack_mobile(void **state) {
  shared_file(*state, "data/attack/mobile-attack-17.1.json", 2148);
}

static void test_attack_enterprise(void **state) {
  shared_file(*state, "data/attack/enterprise-attack-18.1.stix20.json.xz",
              24771);
}

int main(void) {
  char p[1024];
  if (!shared_path("data/attack", p, sizeof p)) {
    printf("SKIP: shared data not found\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_attack_ics, setup, teardown),
      cmocka_unit_test_setup_teardown(test_attack_mobile, setup, teardown),
      cmocka_unit_test_setup_teardown(test_attack_enterprise, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
