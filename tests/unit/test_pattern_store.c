/*
 * test_pattern_store.c — the pattern subsystem with the store: the latest
 * stored indicators load into a matcher (revoked ones, other pattern
 * languages and invalid patterns left out), and one stored observed-data
 * object with its object_refs SCOs is matched, its sightings stored —
 * what the TAXII server will do for each observed-data it receives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest/ingest.h"
#include "pattern/pattern.h"
#include "store/store_raw.h"
#include "testutil.h"
#include "util/time.h"

#define TS "2026-01-01T00:00:00.000Z"
#define IND(n) "indicator--00000000-0000-4000-8000-00000000000" #n
#define WHERE "identity--f431f809-377b-45e0-aa1c-6a4751cae5ff"
#define OD "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf"

static const char *doc =
    "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" IND(
        1) "\",\"created\":\"" TS "\",\"modified\":\"" TS
           "\",\"valid_from\":\"" TS "\",\"pattern_type\":\"stix\",\"pattern\":"
                                     "\"[network-traffic:dst_ref."
           "value ISSUBSET '198.51.100.0/24']\"}\n"
           "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"" IND(
               2) "\",\"created\":\"" TS "\",\"modified\":\"" TS
                  "\",\"valid_from\":\"" TS "\",\"pattern_type\":\"stix\","
                                            "\"pattern\":\"[ipv4-addr:value = "
                  "'198.51.100.3']\",\"revoked\":true}\n"
                  "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":"
                  "\"" IND(3) "\",\"created\":\"" TS "\",\"modified\":\"" TS
                              "\",\"valid_from\":\"" TS
                              "\",\"pattern_type\":\"sigma\",\"pattern\":"
                              "\"title: x\"}\n"
                              "{\"type\":\"indicator\",\"spec_version\":\"2."
                              "1\",\"id\":\"" IND(
                                  4) "\",\"created\":\"" TS
                                     "\",\"modified\":\"" TS
                                     "\",\"valid_from\":\"" TS
                                     "\",\"pattern_type\":\"stix\",\"pattern\":"
                                     "\"[ipv4-addr:value = "
                                     "'198.51.100.3'] AND [ipv4-addr:value = "
                                     "'198.51.100.4']\"}\n"
                                     "{\"type\":\"ipv4-addr\",\"spec_version\":"
                                     "\"2.1\",\"id\":\"ipv4-addr--"
                                     "ff26c055-6336-5bc5-b98d-13d6226742dd\","
                                     "\"value\":\"198.51.100.3\"}\n"
                                     "{\"type\":\"network-traffic\",\"spec_"
                                     "version\":\"2.1\",\"id\":"
                                     "\"network-traffic--2568d22a-8998-58eb-"
                                     "99ec-3c8ca74f527d\",\"dst_ref\":"
                                     "\"ipv4-addr--ff26c055-6336-5bc5-b98d-"
                                     "13d6226742dd\",\"protocols\":"
                                     "[\"tcp\"]}\n"
                                     "{\"type\":\"observed-data\",\"spec_"
                                     "version\":\"2.1\",\"id\":\"" OD
                                     "\",\"created\":\"" TS
                                     "\",\"modified\":\"" TS
                                     "\",\"first_observed\":\"" TS
                                     "\",\"last_observed\":\"" TS
                                     "\",\"number_observed\":2,\"object_refs\":"
                                     "[\"network-traffic--2568d22a-"
                                     "8998-58eb-99ec-3c8ca74f527d\",\"ipv4-"
                                     "addr--ff26c055-6336-5bc5-b98d-"
                                     "13d6226742dd\"]}\n";

typedef struct seen {
  int n;
  char raw[4096];
} seen;

static int on_sighting(void *ctx, const acc_record *r) {
  seen *s = ctx;
  s->n++;
  snprintf(s->raw, sizeof s->raw, "%.*s", (int)r->raw_len, r->raw);
  return 0;
}

static void test_stored_observation(void **state) {
  fx *f = *state;
  acc_ingest_opts o = {0};
  acc_ingest_counts c;
  acc_diag d;
  assert_int_equal(acc_ingest(f->s, doc, strlen(doc), &o, &c, NULL, &d),
                   ACC_OK);
  assert_int_equal(c.stored, 7);
  acc_matcher *m;
  assert_int_equal(acc_matcher_new(&m), ACC_OK);
  size_t added, bad;
  assert_int_equal(acc_matcher_add_from_store(m, f->s, &added, &bad, &d),
                   ACC_OK);
  assert_int_equal(added, 2); /* 1 and 4: not revoked, not sigma */
  assert_int_equal(bad, 0);
  assert_int_equal(acc_matcher_compile(m, &d), ACC_OK);
  size_t n = 0;
  int64_t now = INT64_C(1767225600000000);
  if (acc_match_stored_observation(f->s, m, OD, WHERE, now, &n, &d))
    fail_msg("%s", d.msg);
  assert_int_equal(n, 1); /* indicator 1 only: 4 needs two observations */
  acc_query q;
  acc_query_init(&q);
  q.types[0] = "sighting";
  q.n_types = 1;
  seen s = {0};
  assert_int_equal(acc_store_scan(f->s, &q, on_sighting, &s, &d), ACC_OK);
  assert_int_equal(s.n, 1);
  assert_non_null(strstr(s.raw, "\"sighting_of_ref\":\"" IND(1) "\""));
  assert_non_null(strstr(s.raw, "\"observed_data_refs\":[\"" OD "\"]"));
  assert_non_null(strstr(s.raw, "\"where_sighted_refs\":[\"" WHERE "\"]"));
  assert_non_null(strstr(s.raw, "\"count\":2"));
  /* again: the same sighting, a duplicate */
  assert_int_equal(
      acc_match_stored_observation(f->s, m, OD, WHERE, now, &n, &d), ACC_OK);
  s.n = 0;
  assert_int_equal(acc_store_scan(f->s, &q, on_sighting, &s, &d), ACC_OK);
  assert_int_equal(s.n, 1);
  /* an id that is not stored */
  assert_int_equal(acc_match_stored_observation(
                       f->s, m,
                       "observed-data--00000000-0000-4000-8000-000000000000",
                       WHERE, now, &n, &d),
                   ACC_ENOTFOUND);
  acc_matcher_free(m);
}

/* An invalid stix pattern in the store (stored before validation
 * existed) is counted and skipped, not fatal. */
static void test_invalid_in_store(void **state) {
  fx *f = *state;
  acc_ingest_opts o = {0};
  acc_ingest_counts c;
  acc_diag d;
  const char *bad = "{\"type\":\"indicator\",\"id\":\"" IND(
      5) "\",\"created\":\"" TS "\",\"modified\":\"" TS
         "\",\"labels\":[\"x\"],\"valid_from\":\"" TS
         "\",\"pattern\":\"[ipv4-addr:value = ]\"}\n";
  /* STIX 2.0 (no pattern_type): stored, not validated on import */
  assert_int_equal(acc_ingest(f->s, bad, strlen(bad), &o, &c, NULL, &d),
                   ACC_OK);
  assert_int_equal(c.stored, 1);
  acc_matcher *m;
  assert_int_equal(acc_matcher_new(&m), ACC_OK);
  size_t added, nbad;
  assert_int_equal(acc_matcher_add_from_store(m, f->s, &added, &nbad, &d),
                   ACC_OK);
  assert_int_equal(added, 0);
  assert_int_equal(nbad, 1);
  acc_matcher_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_stored_observation, setup, teardown),
      cmocka_unit_test_setup_teardown(test_invalid_in_store, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
