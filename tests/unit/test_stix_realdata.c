/*
 * test_stix_realdata.c — the validator against real content: MITRE ATT&CK
 * (Enterprise 18.1 in STIX 2.0, ICS 18.1 and Mobile 17.1 in STIX 2.1) and
 * the OASIS STIX 2.1 example documents, all of which must validate.
 *
 * The data lives in the shared directory named by ACC_SHARED (ctest sets
 * it).  Without it, or without the files or xz, the test exits 77, which
 * ctest reports as skipped: it never passes without having run.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "stix/stix.h"

#define SKIP 77

static const char *shared;

typedef struct tally {
  size_t objects;
  size_t v20, v21;
  size_t warnings;
  size_t kinds[5];
} tally;

static void on_warn(void *ctx, const char *msg) {
  tally *t = ctx;
  t->warnings++;
  print_message("warning: %s\n", msg);
}

/* Validate each element of array, which came from file. */
static void validate_all(json_t *array, const char *file, tally *t) {
  size_t i;
  json_t *obj;
  json_array_foreach(array, i, obj) {
    acc_stix_obj o;
    acc_diag d;
    if (acc_stix_validate(obj, &o, &d, on_warn, t) != ACC_OK)
      fail_msg("%s: object %zu (%s): %s", file, i,
               json_string_value(json_object_get(obj, "id")), d.msg);
    t->objects++;
    if (!strcmp(o.spec_version, "2.0"))
      t->v20++;
    else
      t->v21++;
    t->kinds[o.kind]++;
  }
}

static json_t *load_file(const char *name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/data/attack/%s", shared, name);
  json_error_t err;
  json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
  if (!doc)
    fail_msg("%s: line %d: %s", path, err.line, err.text);
  return doc;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void test_ics(void **state) {
  (void)state;
  json_t *doc = load_file("ics-attack-18.1.json");
  tally t = {0};
  validate_all(json_object_get(doc, "objects"), "ics-attack-18.1.json", &t);
  assert_int_equal(t.objects, 1826);
  assert_int_equal(t.v21, 1826);
  assert_int_equal(t.warnings, 0);
  json_decref(doc);
}

static void test_mobile(void **state) {
  (void)state;
  json_t *doc = load_file("mobile-attack-17.1.json");
  tally t = {0};
  validate_all(json_object_get(doc, "objects"), "mobile-attack-17.1.json", &t);
  assert_int_equal(t.objects, 2148);
  assert_int_equal(t.v21, 2148);
  assert_int_equal(t.warnings, 0);
  json_decref(doc);
}

/* Enterprise is kept xz-compressed; decompress into memory. */
static void test_enterprise(void **state) {
  (void)state;
  char cmd[4200];
  snprintf(cmd, sizeof cmd,
           "xz -dc '%s/data/attack/enterprise-attack-18.1.stix20.json.xz'",
           shared);
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t cap = (size_t)64 << 20, len = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  for (;;) {
    if (len == cap) {
      assert_true(cap < ((size_t)1 << 30));
      cap *= 2;
      char *nb = realloc(buf, cap);
      assert_non_null(nb);
      buf = nb;
    }
    size_t n = fread(buf + len, 1, cap - len, p);
    if (n == 0)
      break;
    len += n;
  }
  assert_int_equal(pclose(p), 0);
  json_error_t err;
  json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
  free(buf);
  if (!doc)
    fail_msg("enterprise: line %d: %s", err.line, err.text);
  tally t = {0};
  double t0 = now_ms();
  validate_all(json_object_get(doc, "objects"), "enterprise-attack-18.1", &t);
  print_message("enterprise: %zu objects validated in %.1f ms\n", t.objects,
                now_ms() - t0);
  assert_int_equal(t.objects, 24771);
  assert_int_equal(t.v20, 24771); /* no spec_version on the objects */
  assert_int_equal(t.warnings, 0);
  assert_true(t.kinds[ACC_KIND_CUSTOM] > 0); /* x-mitre-* */
  json_decref(doc);
}

/* Every file of the OASIS examples: a bundle or a single object. */
static void test_oasis_examples(void **state) {
  (void)state;
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/data/stix-examples", shared);
  DIR *d = opendir(dir);
  assert_non_null(d);
  struct dirent *e;
  size_t files = 0;
  tally t = {0};
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n < 6 || strcmp(e->d_name + n - 5, ".json"))
      continue;
    char path[8300];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    json_error_t err;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    if (!doc)
      fail_msg("%s: line %d: %s", path, err.line, err.text);
    json_t *objs = json_object_get(doc, "objects");
    if (json_is_array(objs)) {
      validate_all(objs, e->d_name, &t);
    } else {
      json_t *one = json_array();
      json_array_append(one, doc);
      validate_all(one, e->d_name, &t);
      json_decref(one);
    }
    json_decref(doc);
    files++;
  }
  closedir(d);
  print_message("OASIS examples: %zu files, %zu objects, %zu warnings\n", files,
                t.objects, t.warnings);
  assert_true(files >= 8);
  assert_true(t.objects >= 260);
}

/* 1 when everything the tests need is there. */
static int have_data(void) {
  static const char *const need[] = {
      "data/attack/ics-attack-18.1.json", "data/attack/mobile-attack-17.1.json",
      "data/attack/enterprise-attack-18.1.stix20.json.xz",
      "data/stix-examples"};
  shared = getenv("ACC_SHARED");
  if (!shared || !*shared) {
    fprintf(stderr, "ACC_SHARED is not set: skipping\n");
    return 0;
  }
  for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", shared, need[i]);
    if (stat(path, &st) != 0) {
      fprintf(stderr, "%s is missing: skipping\n", path);
      return 0;
    }
  }
  if (system("xz --version >/dev/null 2>&1") != 0) {
    fprintf(stderr, "xz is not available: skipping\n");
    return 0;
  }
  return 1;
}

int main(void) {
  if (!have_data())
    return SKIP;
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ics),
      cmocka_unit_test(test_mobile),
      cmocka_unit_test(test_enterprise),
      cmocka_unit_test(test_oasis_examples),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
