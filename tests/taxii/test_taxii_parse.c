/*
 * test_taxii_parse.c — unit tests of the TAXII server's pure parts: media
 * type negotiation, the Authorization header, query filters and their
 * canonical form, `next` tokens, configuration, and JSON string output.
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

#include "taxii/taxii.h"
#include "util/time.h"

static void test_accept(void **state) {
  (void)state;
  assert_true(acc_taxii_accept_ok("application/taxii+json;version=2.1"));
  assert_true(acc_taxii_accept_ok("application/taxii+json"));
  assert_true(acc_taxii_accept_ok("Application/TAXII+JSON; Version=\"2.1\""));
  assert_true(acc_taxii_accept_ok("text/html, application/taxii+json;q=0.2"));
  assert_true(acc_taxii_accept_ok("*/*"));
  assert_true(acc_taxii_accept_ok("application/*;q=0.1"));
  assert_true(acc_taxii_accept_ok(
      "application/taxii+json;version=2.1,application/stix+json;version=2.1"));
  assert_false(acc_taxii_accept_ok(NULL));
  assert_false(acc_taxii_accept_ok(""));
  assert_false(acc_taxii_accept_ok("application/json"));
  assert_false(acc_taxii_accept_ok("application/taxii+json;version=2.0"));
  assert_false(acc_taxii_accept_ok("application/taxii+json;version=2.1;q=0"));
  assert_false(acc_taxii_accept_ok("application/stix+json;version=2.1"));
  assert_false(acc_taxii_accept_ok("application/taxii+json;version"));
  assert_false(acc_taxii_accept_ok("application/taxii+json;q=2"));
  assert_false(acc_taxii_accept_ok("application/taxii+json;version=\"2.1"));
  /* A bad element does not hide a good one after it. */
  assert_true(acc_taxii_accept_ok("a/b;;;=, application/taxii+json"));
}

static void test_content_type(void **state) {
  (void)state;
  assert_true(acc_taxii_content_type_ok("application/taxii+json;version=2.1"));
  assert_true(acc_taxii_content_type_ok("application/taxii+json"));
  assert_true(acc_taxii_content_type_ok(
      "application/taxii+json; version=2.1; charset=utf-8"));
  assert_false(acc_taxii_content_type_ok(NULL));
  assert_false(acc_taxii_content_type_ok("application/json"));
  assert_false(acc_taxii_content_type_ok("application/taxii+json;version=2.0"));
  assert_false(acc_taxii_content_type_ok(
      "application/taxii+json, application/taxii+json"));
  assert_false(acc_taxii_content_type_ok("application/stix+json"));
}

static void test_auth(void **state) {
  (void)state;
  acc_taxii_auth a;
  acc_taxii_auth_parse(NULL, &a);
  assert_int_equal(a.kind, ACC_TAXII_AUTH_NONE);
  acc_taxii_auth_parse("Basic YWxpY2U6czNjcjN0OndpdGggY29sb24=", &a);
  assert_int_equal(a.kind, ACC_TAXII_AUTH_BASIC);
  assert_string_equal(a.user, "alice");
  assert_string_equal(a.password, "s3cr3t:with colon");
  acc_taxii_auth_wipe(&a);
  assert_int_equal(a.password[0], 0);
  acc_taxii_auth_parse("basic   YWxpY2U6", &a); /* empty password */
  assert_int_equal(a.kind, ACC_TAXII_AUTH_BASIC);
  assert_string_equal(a.password, "");
  acc_taxii_auth_parse("Bearer acc_abcdefgh_XYZ-_", &a);
  assert_int_equal(a.kind, ACC_TAXII_AUTH_BEARER);
  assert_string_equal(a.token, "acc_abcdefgh_XYZ-_");
  acc_taxii_auth_parse("Basic Og==", &a); /* ":" — no user */
  assert_int_equal(a.kind, ACC_TAXII_AUTH_BAD);
  acc_taxii_auth_parse("Basic bm9jb2xvbg==", &a); /* "nocolon" */
  assert_int_equal(a.kind, ACC_TAXII_AUTH_BAD);
  acc_taxii_auth_parse("Basic !!!!", &a);
  assert_int_equal(a.kind, ACC_TAXII_AUTH_BAD);
  acc_taxii_auth_parse("Digest abc", &a);
  assert_int_equal(a.kind, ACC_TAXII_AUTH_BAD);
  acc_taxii_auth_parse("Bearer", &a);
  assert_int_equal(a.kind, ACC_TAXII_AUTH_BAD);
  acc_taxii_auth_parse("Bearer a=b", &a);
  assert_int_equal(a.kind, ACC_TAXII_AUTH_BAD);
  acc_taxii_auth_parse("Basic YQBiOmM=", &a); /* "a\0b:c" */
  assert_int_equal(a.kind, ACC_TAXII_AUTH_BAD);
  char big[2048];
  memset(big, 'A', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  memcpy(big, "Basic ", 6);
  acc_taxii_auth_parse(big, &a);
  assert_int_equal(a.kind, ACC_TAXII_AUTH_BAD);
}

static acc_rc parse(acc_taxii_filter *f, const char *qs) {
  acc_diag d;
  acc_taxii_filter_init(f);
  return acc_taxii_filter_parse(f, qs, strlen(qs), &d);
}

static void test_filter_ok(void **state) {
  (void)state;
  acc_taxii_filter f;
  assert_int_equal(
      parse(&f, "match[type]=malware,indicator,malware&limit=10&"
                "match%5Bid%5D=b--1,a--2&added_after=2016-01-01T01:01:01Z&"
                "match[spec_version]=2.1,2.0&match[version]=first,"
                "2018-03-02T01:01:01.123Z,last&match[foo]=bar&x=y"),
      ACC_OK);
  assert_int_equal(f.n_types, 2);
  assert_string_equal(f.types[0], "indicator");
  assert_string_equal(f.types[1], "malware");
  assert_int_equal(f.n_ids, 2);
  assert_string_equal(f.ids[0], "a--2");
  assert_int_equal(f.limit, 10);
  assert_int_equal(f.n_spec_versions, 2);
  assert_string_equal(f.spec_versions[0], "2.0");
  assert_int_equal(f.versions,
                   ACC_TAXII_VER_FIRST | ACC_TAXII_VER_LAST | ACC_TAXII_VER_AT);
  assert_int_equal(f.n_at, 1);
  int64_t us;
  assert_int_equal(acc_time_parse("2016-01-01T01:01:01Z", 20, 1, &us), 0);
  assert_true(f.added_after_us == us);
  acc_taxii_filter_free(&f);

  assert_int_equal(parse(&f, "match[version]=all&limit=999999999999"), ACC_OK);
  assert_int_equal(f.versions, ACC_TAXII_VER_ALL);
  assert_true(f.limit >= 1000000000);
  acc_taxii_filter_free(&f);
  assert_int_equal(parse(&f, ""), ACC_OK);
  assert_int_equal(f.seen, 0);
  acc_taxii_filter_free(&f);
}

static void test_filter_bad(void **state) {
  (void)state;
  static const char *bad[] = {
      "limit=0",
      "limit=-1",
      "limit=abc",
      "limit=",
      "limit",
      "limit=1&limit=2",
      "added_after=yesterday",
      "added_after=2016-02-30T00:00:00Z",
      "added_after=2016-01-01T00:00:00Z&added_after=2016-01-01T00:00:00Z",
      "match[version]=all,first",
      "match[version]=last,last",
      "match[version]=2016-01-01T00:00:00Z,2016-01-01T00:00:00.000Z",
      "match[version]=newest",
      "match[type]=",
      "match[type]=a,,b",
      "match[type]=a&match[type]=b",
      "match[type]=a%20b",
      "match[spec_version]=two",
      "match[spec_version]=2.",
      "match[spec_version]=1.0,1.1,1.2,1.3,1.4",
      "next=",
      "next=a&next=a",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    acc_taxii_filter f;
    if (parse(&f, bad[i]) != ACC_EINVAL)
      fail_msg("accepted: %s", bad[i]);
    acc_taxii_filter_free(&f);
  }
  /* 65 ids is one too many. */
  char qs[8192];
  size_t off = (size_t)snprintf(qs, sizeof qs, "match[id]=");
  for (int i = 0; i < 65; i++)
    off +=
        (size_t)snprintf(qs + off, sizeof qs - off, "%sx--%d", i ? "," : "", i);
  acc_taxii_filter f;
  assert_int_equal(parse(&f, qs), ACC_EINVAL);
  acc_taxii_filter_free(&f);
}

static void norm(const char *qs, acc_buf *b) {
  acc_taxii_filter f;
  assert_int_equal(parse(&f, qs), ACC_OK);
  acc_buf_reset(b);
  assert_int_equal(acc_taxii_filter_normalise(&f, b), ACC_OK);
  acc_taxii_filter_free(&f);
}

static void test_normalise(void **state) {
  (void)state;
  acc_buf a, b;
  acc_buf_init(&a, 0);
  acc_buf_init(&b, 0);
  norm("match[type]=b,a&limit=5&match[version]=last,first", &a);
  norm("match[version]=first,last&match[type]=a,b,a&limit=7&next=zz", &b);
  assert_string_equal(a.data, b.data);
  norm("match[type]=a,b", &b);
  assert_string_not_equal(a.data, b.data);
  norm("", &a);
  norm("match[version]=last", &b);
  assert_string_equal(a.data, b.data); /* last is the default */
  /* Terms are length-prefixed: no ambiguity from separators in values. */
  norm("match[id]=a,b", &a);  /* 1:a1:b */
  norm("match[id]=a1:b", &b); /* 4:a1:b */
  assert_string_not_equal(a.data, b.data);
  acc_buf_free(&a);
  acc_buf_free(&b);
}

static void test_next(void **state) {
  (void)state;
  unsigned char key[ACC_TAXII_NEXT_KEYBYTES] = {7};
  unsigned char other[ACC_TAXII_NEXT_KEYBYTES] = {8};
  char tok[ACC_TAXII_NEXT_MAX + 1];
  int64_t pos = 0;
  acc_taxii_next_make(key, "q1", 2, 1700000000123456LL, tok);
  assert_true(strlen(tok) > 40 && strlen(tok) <= ACC_TAXII_NEXT_MAX);
  assert_int_equal(acc_taxii_next_check(key, "q1", 2, tok, &pos), ACC_OK);
  assert_true(pos == 1700000000123456LL);
  assert_int_equal(acc_taxii_next_check(key, "q2", 2, tok, &pos), ACC_EINVAL);
  assert_int_equal(acc_taxii_next_check(other, "q1", 2, tok, &pos), ACC_EINVAL);
  /* Any single changed character is refused. */
  for (size_t i = 0; tok[i]; i++) {
    char t2[ACC_TAXII_NEXT_MAX + 1];
    memcpy(t2, tok, sizeof t2);
    t2[i] = t2[i] == 'A' ? 'B' : 'A';
    assert_int_equal(acc_taxii_next_check(key, "q1", 2, t2, &pos), ACC_EINVAL);
  }
  assert_int_equal(acc_taxii_next_check(key, "q1", 2, "", &pos), ACC_EINVAL);
  assert_int_equal(acc_taxii_next_check(key, "q1", 2, "!!", &pos), ACC_EINVAL);
  acc_taxii_next_make(key, "q1", 2, ACC_TIME_NONE, tok);
  assert_int_equal(acc_taxii_next_check(key, "q1", 2, tok, &pos), ACC_OK);
  assert_true(pos == ACC_TIME_NONE);
}

static void test_config(void **state) {
  (void)state;
  acc_taxii_config c;
  acc_diag d;
  acc_taxii_config_defaults(&c);
  assert_string_equal(c.listen, "127.0.0.1");
  assert_int_equal(c.page_default, 100);
  assert_int_equal(acc_taxii_config_set(&c, "max_content_length", "2M", &d),
                   ACC_OK);
  assert_int_equal(c.max_content_length, 2 << 20);
  assert_int_equal(acc_taxii_config_set(&c, "insecure_http", "yes", &d),
                   ACC_OK);
  assert_int_equal(c.insecure_http, 1);
  assert_int_equal(acc_taxii_config_set(&c, "nope", "1", &d), ACC_EUSAGE);
  assert_int_equal(acc_taxii_config_set(&c, "threads", "0", &d), ACC_EUSAGE);
  assert_int_equal(acc_taxii_config_set(&c, "port", "70000", &d), ACC_EUSAGE);
  assert_int_equal(acc_taxii_config_set(&c, "listen", "example.org", &d),
                   ACC_EUSAGE);
  assert_int_equal(acc_taxii_config_set(&c, "api_root", "taxii2", &d),
                   ACC_EUSAGE);
  assert_int_equal(acc_taxii_config_set(&c, "api_root", "a/b", &d), ACC_EUSAGE);
  assert_int_equal(acc_taxii_config_set(&c, "status_keep_hours", "1", &d),
                   ACC_EUSAGE);

  char path[] = "/tmp/accord-taxii-conf-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const char *text = "# comment\n\n  port = 9000\ntitle = \"  My server \"\n"
                     "api_root=trust1\n";
  assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  acc_taxii_config_defaults(&c);
  assert_int_equal(acc_taxii_config_load(&c, path, &d), ACC_OK);
  assert_int_equal(c.port, 9000);
  assert_string_equal(c.title, "  My server ");
  assert_string_equal(c.api_root, "trust1");
  FILE *f = fopen(path, "w");
  fputs("port = 1\nthreads = many\n", f);
  fclose(f);
  assert_int_equal(acc_taxii_config_load(&c, path, &d), ACC_EUSAGE);
  assert_non_null(strstr(d.msg, ":2: threads"));
  unlink(path);
  assert_int_equal(acc_taxii_config_load(&c, path, &d), ACC_ENOTFOUND);

  assert_true(acc_taxii_addr_is_loopback("127.0.0.1"));
  assert_true(acc_taxii_addr_is_loopback("127.9.8.7"));
  assert_true(acc_taxii_addr_is_loopback("::1"));
  assert_true(acc_taxii_addr_is_loopback("localhost"));
  assert_false(acc_taxii_addr_is_loopback("0.0.0.0"));
  assert_false(acc_taxii_addr_is_loopback("::"));
  assert_false(acc_taxii_addr_is_loopback("192.0.2.1"));
}

static void test_json_str(void **state) {
  (void)state;
  acc_buf b;
  acc_buf_init(&b, 0);
  assert_int_equal(acc_taxii_json_str(&b, "a\"b\\c\n\x01\xc3\xa9\xff"), ACC_OK);
  assert_string_equal(b.data, "\"a\\\"b\\\\c\\u000a\\u0001\xc3\xa9\\ufffd\"");
  acc_buf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_accept),     cmocka_unit_test(test_content_type),
      cmocka_unit_test(test_auth),       cmocka_unit_test(test_filter_ok),
      cmocka_unit_test(test_filter_bad), cmocka_unit_test(test_normalise),
      cmocka_unit_test(test_next),       cmocka_unit_test(test_config),
      cmocka_unit_test(test_json_str),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
