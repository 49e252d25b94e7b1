/*
 * test_time.c — RFC 3339 UTC timestamps: parsing, calendar checks, and
 * formatting round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/time.h"

static int64_t p(const char *s, int cal, acc_rc *rc) {
  int64_t v = -1;
  *rc = acc_time_parse(s, strlen(s), cal, &v);
  return v;
}

static void test_known_values(void **state) {
  (void)state;
  acc_rc rc;
  assert_int_equal(p("1970-01-01T00:00:00Z", 1, &rc), 0);
  assert_int_equal(rc, ACC_OK);
  assert_int_equal(p("2016-01-20T12:31:12.123Z", 1, &rc),
                   INT64_C(1453293072123000));
  assert_int_equal(p("2016-01-20T12:31:12.1234567Z", 1, &rc),
                   INT64_C(1453293072123456));
  assert_int_equal(p("1969-12-31T23:59:59.5Z", 1, &rc), -500000);
  assert_int_equal(p("2000-02-29T00:00:00Z", 1, &rc), INT64_C(951782400000000));
  assert_int_equal(rc, ACC_OK);
}

static void test_rejects(void **state) {
  (void)state;
  static const char *bad[] = {
      "2016-01-20T12:31:12",
      "2016-01-20 12:31:12Z",
      "2016-01-20T12:31:12+00:00",
      "2016-13-01T00:00:00Z",
      "2016-00-01T00:00:00Z",
      "2016-01-32T00:00:00Z",
      "2016-01-01T24:00:00Z",
      "2016-01-01T00:60:00Z",
      "2016-01-01T00:00:61Z",
      "2016-01-01T00:00:00.Z",
      "16-01-01T00:00:00Z",
      "2016-01-01T00:00:00ZZ",
      "",
      "2016-01-01T00:00:0aZ",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    acc_rc rc;
    int64_t v = p(bad[i], 0, &rc);
    if (rc != ACC_EINVAL)
      fail_msg("accepted '%s'", bad[i]);
    assert_int_equal(v, -1); /* not written on failure */
  }
}

static void test_calendar(void **state) {
  (void)state;
  acc_rc rc;
  p("2023-02-29T00:00:00Z", 1, &rc);
  assert_int_equal(rc, ACC_EINVAL);
  p("2023-02-30T00:00:00Z", 0, &rc); /* syntactically fine */
  assert_int_equal(rc, ACC_OK);
  p("1900-02-29T00:00:00Z", 1, &rc);
  assert_int_equal(rc, ACC_EINVAL);
  p("2024-04-31T00:00:00Z", 1, &rc);
  assert_int_equal(rc, ACC_EINVAL);
}

static void test_format_round_trip(void **state) {
  (void)state;
  char buf[ACC_TIME_BUFSZ];
  int64_t vals[] = {
      0, 1, 999999, INT64_C(1453293072123456), -1, INT64_C(253402300799999999)};
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    acc_time_format(vals[i], buf);
    acc_rc rc;
    assert_int_equal(p(buf, 1, &rc), vals[i]);
    assert_int_equal(rc, ACC_OK);
  }
  acc_time_format_ms(INT64_C(1453293072123456), buf);
  assert_string_equal(buf, "2016-01-20T12:31:12.123Z");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_known_values),
      cmocka_unit_test(test_rejects),
      cmocka_unit_test(test_calendar),
      cmocka_unit_test(test_format_round_trip),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
