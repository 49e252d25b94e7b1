/*
 * test_pattern_shared.c — the OASIS pattern validator's test cases
 * (../shared/data/patterns/validator-cases.json): every "valid" pattern
 * must parse, every "invalid" one must be refused; where the reference
 * error gives a position ("line 1:N"), ours must give the same N.  Also
 * every indicator pattern of the OASIS example bundles must be valid.
 * Exits 77 (skipped) when ../shared is absent.
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
#include <jansson.h>

#include "pattern/pattern.h"
#include "testutil.h"

static void test_validator_cases(void **state) {
  (void)state;
  char path[1024];
  assert_non_null(
      shared_path("data/patterns/validator-cases.json", path, sizeof path));
  json_error_t err;
  json_t *root = json_load_file(path, 0, &err);
  assert_non_null(root);
  size_t nvalid = 0, ninvalid = 0, npos = 0;
  for (int k = 0; k < 2; k++) {
    json_t *list = json_object_get(root, k ? "invalid" : "valid");
    assert_true(json_array_size(list) > 0);
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c) {
      json_t *jp = json_object_get(c, "pattern");
      const char *p = json_string_value(jp);
      assert_non_null(p);
      acc_diag d;
      d.msg[0] = '\0';
      acc_rc rc = acc_pattern_check(p, json_string_length(jp), &d, NULL, NULL);
      if (!k) {
        if (rc)
          fail_msg("valid case %zu refused: %s\n  %s", i, p, d.msg);
        nvalid++;
        continue;
      }
      if (rc != ACC_EINVAL)
        fail_msg("invalid case %zu accepted: %s", i, p);
      ninvalid++;
      const char *ref =
          json_string_value(json_object_get(c, "reference_error"));
      const char *at = ref ? strstr(ref, "line 1:") : NULL;
      if (at && at[7] >= '0' && at[7] <= '9') {
        long want = strtol(at + 7, NULL, 10);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "position %ld:", want);
        if (strncmp(d.msg, prefix, strlen(prefix)))
          fail_msg("invalid case %zu: %s\n  ours: %s\n  reference: %s", i, p,
                   d.msg, ref);
        npos++;
      }
    }
  }
  printf("validator cases: %zu valid, %zu invalid (%zu positions agree)\n",
         nvalid, ninvalid, npos);
  json_decref(root);
}

static void test_example_bundles(void **state) {
  (void)state;
  static const char *files[] = {
      "data/stix-examples/apt1.json",
      "data/stix-examples/indicator-for-c2-ip-address.json",
      "data/stix-examples/indicator-to-campaign-relationship.json",
      "data/stix-examples/indicators-for-C2-with-COA.json",
      "data/stix-examples/malicious-email-indicator-with-attachment.json",
      "data/stix-examples/poisonivy.json",
  };
  size_t n = 0;
  for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
    char path[1024];
    if (!shared_path(files[f], path, sizeof path))
      continue;
    json_error_t err;
    json_t *b = json_load_file(path, 0, &err);
    assert_non_null(b);
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(b, "objects"), i, o) {
      json_t *p = json_object_get(o, "pattern");
      const char *pt = json_string_value(json_object_get(o, "pattern_type"));
      if (!p || (pt && strcmp(pt, "stix")))
        continue;
      acc_diag d;
      if (acc_pattern_check(json_string_value(p), json_string_length(p), &d,
                            NULL, NULL))
        fail_msg("%s object %zu: %s\n  %s", files[f], i, json_string_value(p),
                 d.msg);
      n++;
    }
    json_decref(b);
  }
  assert_true(n >= 40);
}

int main(void) {
  char path[1024];
  if (!shared_path("data/patterns/validator-cases.json", path, sizeof path)) {
    printf("SKIP: ../shared not found (set ACC_SHARED)\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_validator_cases),
      cmocka_unit_test(test_example_bundles),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
