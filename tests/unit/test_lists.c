/*
 * test_lists.c — anonymiser and relay lists: each format parsed, entries
 * stored with their validity, and lookups by address and date ("was this
 * IP a Tor exit on date D?"), through acc_lists_lookup — the API the
 * attribution cases use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "correlate/lists.h"
#include "testutil.h"
#include "util/time.h"

static int64_t T(const char *s) {
  int64_t t;
  assert_int_equal(acc_lists_date(s, strlen(s), &t, NULL), ACC_OK);
  return t;
}

static size_t hits(acc_store *s, const char *ip, const char *at,
                   acc_list_hit *out) {
  size_t n = 99;
  acc_diag d;
  assert_int_equal(acc_lists_lookup(s, ip, at ? T(at) : ACC_TIME_NONE, out, 8,
                                    &n, &d),
                   ACC_OK);
  return n;
}

static void import(acc_store *s, const char *name, const char *doc, int kind,
                   int64_t from, int64_t until, acc_list_parse_counts *c) {
  acc_list_parse_opts o = {
      .kind = kind, .valid_from_us = from, .valid_until_us = until};
  acc_diag d;
  acc_rc rc = acc_lists_import(s, name, "test", doc, strlen(doc), &o, 0, c, &d);
  if (rc)
    fail_msg("import %s: %s", name, d.msg);
}

static const char TOR[] =
    "@type tordnsel 1.0\n"
    "Downloaded 2023-08-13 18:02:01\n"
    "ExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\n"
    "Published 2023-08-13 02:34:01\n"
    "LastStatus 2023-08-13 17:00:00\n"
    "ExitAddress 162.247.74.201 2023-08-13 17:14:13\n"
    "ExitNode 0091174DE56EADE37B4D9A5C6FE4DF09A2F3D6A2\n"
    "Published 2023-08-12 21:39:51\n"
    "LastStatus 2023-08-13 12:00:00\n"
    "ExitAddress 185.220.101.12 2023-08-13 12:22:05\n"
    "ExitAddress 2a0b:f4c2::12 2023-08-13 12:22:05\n";

static void test_tor_exit_dates(void **state) {
  fx *f = *state;
  acc_list_parse_counts c;
  acc_list_hit h[8];
  import(f->s, "exit-addresses", TOR, 0, ACC_TIME_NONE, ACC_TIME_NONE, &c);
  assert_int_equal(c.format, ACC_LF_TOR_EXIT);
  assert_int_equal(c.entries, 3);
  assert_int_equal(c.bad, 0);
  /* seen exiting on the 13th: an exit that day, not a month later */
  assert_int_equal(hits(f->s, "162.247.74.201", "2023-08-13T17:00:00Z", h), 1);
  assert_string_equal(h[0].kind, "tor-exit");
  assert_string_equal(h[0].list, "exit-addresses");
  assert_int_equal(h[0].valid_from_us, T("2023-08-13 02:34:01"));
  assert_int_equal(h[0].valid_until_us, T("2023-08-14 17:14:13"));
  assert_int_equal(hits(f->s, "162.247.74.201", "2023-09-13T00:00:00Z", h), 0);
  assert_int_equal(hits(f->s, "162.247.74.201", "2023-08-01T00:00:00Z", h), 0);
  /* other forms of the same address */
  assert_int_equal(hits(f->s, "2a0b:f4c2:0:0:0:0:0:12", "2023-08-13", h), 1);
  assert_int_equal(hits(f->s, "::ffff:185.220.101.12", "2023-08-13", h), 1);
  assert_int_equal(hits(f->s, "185.220.101.13", "2023-08-13", h), 0);
}

static void test_plain_and_ranges(void **state) {
  fx *f = *state;
  acc_list_parse_counts c;
  acc_list_hit h[8];
  import(f->s, "bulk", "# Tor bulk exit list\n1.2.3.4\n5.6.7.0/24\n"
                       "10.0.0.1-10.0.0.6\nnot-an-ip\n2001:db8::/32\n",
         ACC_LK_VPN, T("2024-01-01"), T("2024-01-31"), &c);
  assert_int_equal(c.format, ACC_LF_PLAIN);
  assert_int_equal(c.entries, 7); /* 1 + 1 + 4 (the range) + 1 */
  assert_int_equal(c.bad, 1);
  assert_int_equal(hits(f->s, "5.6.7.200", "2024-01-15T00:00:00Z", h), 1);
  assert_string_equal(h[0].kind, "vpn");
  assert_int_equal(hits(f->s, "10.0.0.1", "2024-01-15T00:00:00Z", h), 1);
  assert_int_equal(hits(f->s, "10.0.0.6", "2024-01-15T00:00:00Z", h), 1);
  assert_int_equal(hits(f->s, "10.0.0.7", "2024-01-15T00:00:00Z", h), 0);
  assert_int_equal(hits(f->s, "10.0.0.0", "2024-01-15T00:00:00Z", h), 0);
  assert_int_equal(hits(f->s, "2001:db8:1::5", "2024-01-15T00:00:00Z", h), 1);
  /* outside the period given on import */
  assert_int_equal(hits(f->s, "1.2.3.4", "2023-12-31T23:59:59Z", h), 0);
  assert_int_equal(hits(f->s, "1.2.3.4", "2024-02-01T00:00:00Z", h), 0);
  /* a network is covered only by entries covering all of it */
  size_t n;
  acc_diag d;
  assert_int_equal(acc_lists_lookup_span(f->s, "5.6.7.128/25", ACC_TIME_NONE,
                                         ACC_TIME_NONE, h, 8, &n, &d),
                   ACC_OK);
  assert_int_equal(n, 1);
  assert_int_equal(acc_lists_lookup_span(f->s, "5.6.0.0/16", ACC_TIME_NONE,
                                         ACC_TIME_NONE, h, 8, &n, &d),
                   ACC_OK);
  assert_int_equal(n, 0);
  /* no plain list without a kind */
  acc_list_parse_opts o = {.valid_from_us = ACC_TIME_NONE,
                           .valid_until_us = ACC_TIME_NONE};
  assert_int_equal(acc_lists_import(f->s, "x", "t", "1.1.1.1\n", 8, &o, 0, &c,
                                    &d),
                   ACC_EINVAL);
}

static void test_csv_types(void **state) {
  fx *f = *state;
  acc_list_parse_counts c;
  acc_list_hit h[8];
  import(f->s, "feed.csv",
         "ip,type,first_seen,last_seen\n"
         "9.9.9.9,vpn,2024-01-01,2024-02-01\n"
         "\"8.8.8.0/24\",CDN,,\n"
         "7.7.7.7,unknownthing,,\n"
         "6.6.6.6,tor,2024-03-01T10:00:00Z,\n",
         0, ACC_TIME_NONE, ACC_TIME_NONE, &c);
  assert_int_equal(c.format, ACC_LF_CSV);
  assert_int_equal(c.entries, 3);
  assert_int_equal(c.bad, 1);
  assert_int_equal(hits(f->s, "9.9.9.9", "2024-02-01T23:00:00Z", h), 1);
  assert_string_equal(h[0].kind, "vpn");
  assert_int_equal(hits(f->s, "9.9.9.9", "2024-02-02T00:00:01Z", h), 0);
  assert_int_equal(hits(f->s, "8.8.8.8", NULL, h), 1);
  assert_string_equal(h[0].kind, "cdn");
  assert_int_equal(h[0].valid_from_us, ACC_TIME_NONE);
  assert_int_equal(h[0].valid_until_us, ACC_TIME_NONE);
  assert_int_equal(hits(f->s, "6.6.6.6", "2024-03-01T09:59:59Z", h), 0);
  assert_int_equal(hits(f->s, "6.6.6.6", "2030-01-01T00:00:00Z", h), 1);
  /* with --kind, rows of other types are left out */
  import(f->s, "only-vpn", "ip,kind\n1.0.0.1,vpn\n1.0.0.2,proxy\n", ACC_LK_VPN,
         ACC_TIME_NONE, ACC_TIME_NONE, &c);
  assert_int_equal(c.entries, 1);
  assert_int_equal(c.other_kind, 1);
  assert_int_equal(hits(f->s, "1.0.0.2", NULL, h), 0);
}

typedef struct lc {
  int n;
  int64_t entries;
} lc;

static int count_lists(void *ctx, const acc_list_info *l) {
  lc *x = ctx;
  x->n++;
  x->entries += l->n_entries;
  return 0;
}

static void test_several_lists_and_replace(void **state) {
  fx *f = *state;
  acc_list_parse_counts c;
  acc_list_hit h[8];
  import(f->s, "a", "1.2.3.4\n", ACC_LK_TOR_EXIT, ACC_TIME_NONE, ACC_TIME_NONE,
         &c);
  import(f->s, "b", "1.2.3.0/24\n", ACC_LK_PROXY, ACC_TIME_NONE,
         ACC_TIME_NONE, &c);
  assert_int_equal(hits(f->s, "1.2.3.4", NULL, h), 2);
  /* importing into a list adds; the same entry twice is stored once */
  import(f->s, "a", "1.2.3.4\n4.3.2.1\n", ACC_LK_TOR_EXIT, ACC_TIME_NONE,
         ACC_TIME_NONE, &c);
  lc x = {0};
  acc_diag d;
  assert_int_equal(f->s->ops->list_list(f->s, count_lists, &x, &d), ACC_OK);
  assert_int_equal(x.n, 2);
  assert_int_equal(x.entries, 3);
  /* replace */
  acc_list_parse_opts o = {.kind = ACC_LK_TOR_EXIT,
                           .valid_from_us = ACC_TIME_NONE,
                           .valid_until_us = ACC_TIME_NONE};
  assert_int_equal(acc_lists_import(f->s, "a", "t", "9.9.9.9\n", 8, &o, 1, &c,
                                    &d),
                   ACC_OK);
  assert_int_equal(hits(f->s, "4.3.2.1", NULL, h), 0);
  assert_int_equal(hits(f->s, "9.9.9.9", NULL, h), 1);
  /* remove */
  assert_int_equal(acc_store_begin(f->s, &d), ACC_OK);
  assert_int_equal(f->s->ops->list_drop(f->s, "b", &d), ACC_OK);
  assert_int_equal(f->s->ops->list_drop(f->s, "nope", &d), ACC_ENOTFOUND);
  assert_int_equal(acc_store_commit(f->s, &d), ACC_OK);
  assert_int_equal(hits(f->s, "1.2.3.4", NULL, h), 0);
  /* more hits than room: n says how many */
  size_t n;
  acc_list_hit one[1];
  import(f->s, "c", "1.2.3.4\n", ACC_LK_SCANNER, ACC_TIME_NONE, ACC_TIME_NONE,
         &c);
  import(f->s, "d", "1.2.0.0/16\n", ACC_LK_CDN, ACC_TIME_NONE, ACC_TIME_NONE,
         &c);
  assert_int_equal(acc_lists_lookup(f->s, "1.2.3.4", ACC_TIME_NONE, one, 1, &n,
                                    &d),
                   ACC_OK);
  assert_int_equal(n, 2);
  assert_int_equal(acc_lists_lookup(f->s, "not-ip", ACC_TIME_NONE, one, 1, &n,
                                    &d),
                   ACC_EINVAL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_tor_exit_dates, setup, teardown),
      cmocka_unit_test_setup_teardown(test_plain_and_ranges, setup, teardown),
      cmocka_unit_test_setup_teardown(test_csv_types, setup, teardown),
      cmocka_unit_test_setup_teardown(test_several_lists_and_replace, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
