/*
 * test_web.c — the web interface's server side without a server: session
 * table (open, find, idle and absolute expiry, logout, ending a user's
 * sessions, making room when full), the CSRF check, the session cookie's
 * parsing and Set-Cookie, and the static file helpers (paths, hashed
 * names, gzip negotiation, content types).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "web/web.h"

#define S 1000000LL /* a second in microseconds */

static void test_sessions(void **state) {
  (void)state;
  acc_web_sessions *t = acc_web_sessions_new(3, 10 * S, 60 * S);
  assert_non_null(t);
  char sid[ACC_WEB_SECRET_MAX], csrf[ACC_WEB_SECRET_MAX];
  acc_diag d;
  assert_int_equal(acc_web_session_open(t, 7, "alice", 100 * S, sid, csrf, &d),
                   ACC_OK);
  assert_int_equal(strlen(sid), 43);
  assert_int_equal(strlen(csrf), 43);
  assert_string_not_equal(sid, csrf);
  acc_web_session ws;
  assert_int_equal(acc_web_session_find(t, sid, 105 * S, 1, &ws), ACC_OK);
  assert_int_equal(ws.uid, 7);
  assert_string_equal(ws.user, "alice");
  assert_string_equal(ws.csrf, csrf);
  assert_int_equal(ws.expires_us, 115 * S);
  /* Used within the idle timeout: alive; the idle clock restarts. */
  assert_int_equal(acc_web_session_find(t, sid, 114 * S, 1, &ws), ACC_OK);
  assert_int_equal(acc_web_session_find(t, sid, 123 * S, 1, &ws), ACC_OK);
  /* Idle too long: gone, and stays gone. */
  assert_int_equal(acc_web_session_find(t, sid, 134 * S, 1, &ws),
                   ACC_ENOTFOUND);
  assert_int_equal(acc_web_session_find(t, sid, 124 * S, 1, &ws),
                   ACC_ENOTFOUND);
  /* Absolute lifetime, however busy. */
  assert_int_equal(acc_web_session_open(t, 7, "alice", 200 * S, sid, csrf, &d),
                   ACC_OK);
  for (int64_t now = 205; now < 260; now += 5)
    assert_int_equal(acc_web_session_find(t, sid, now * S, 1, &ws), ACC_OK);
  assert_int_equal(acc_web_session_find(t, sid, 260 * S, 1, &ws),
                   ACC_ENOTFOUND);
  /* Logout; a find without touch does not extend. */
  assert_int_equal(acc_web_session_open(t, 8, "bob", 300 * S, sid, csrf, &d),
                   ACC_OK);
  assert_int_equal(acc_web_session_find(t, sid, 309 * S, 0, &ws), ACC_OK);
  assert_int_equal(acc_web_session_find(t, sid, 311 * S, 0, &ws),
                   ACC_ENOTFOUND);
  assert_int_equal(acc_web_session_open(t, 8, "bob", 400 * S, sid, csrf, &d),
                   ACC_OK);
  assert_int_equal(acc_web_session_close(t, sid), ACC_OK);
  assert_int_equal(acc_web_session_find(t, sid, 401 * S, 1, &ws),
                   ACC_ENOTFOUND);
  assert_int_equal(acc_web_session_close(t, sid), ACC_ENOTFOUND);
  assert_int_equal(acc_web_session_find(t, "", 401 * S, 1, &ws),
                   ACC_ENOTFOUND);
  acc_web_sessions_free(t);
}

static void test_sessions_full(void **state) {
  (void)state;
  acc_web_sessions *t = acc_web_sessions_new(2, 100 * S, 1000 * S);
  char a[ACC_WEB_SECRET_MAX], b[ACC_WEB_SECRET_MAX], c[ACC_WEB_SECRET_MAX];
  char x[ACC_WEB_SECRET_MAX];
  acc_diag d;
  acc_web_session ws;
  assert_int_equal(acc_web_session_open(t, 1, "u1", 1 * S, a, x, &d), ACC_OK);
  assert_int_equal(acc_web_session_open(t, 2, "u2", 2 * S, b, x, &d), ACC_OK);
  assert_int_equal(acc_web_session_find(t, a, 3 * S, 1, &ws), ACC_OK);
  assert_int_equal(acc_web_session_count(t, 3 * S), 2);
  /* Full: the least recently used (b) makes room. */
  assert_int_equal(acc_web_session_open(t, 3, "u3", 4 * S, c, x, &d), ACC_OK);
  assert_int_equal(acc_web_session_find(t, b, 5 * S, 1, &ws), ACC_ENOTFOUND);
  assert_int_equal(acc_web_session_find(t, a, 5 * S, 1, &ws), ACC_OK);
  assert_int_equal(acc_web_session_find(t, c, 5 * S, 1, &ws), ACC_OK);
  /* A user's sessions end together. */
  assert_int_equal(acc_web_session_close_user(t, 1), 1);
  assert_int_equal(acc_web_session_find(t, a, 6 * S, 1, &ws), ACC_ENOTFOUND);
  assert_int_equal(acc_web_session_count(t, 6 * S), 1);
  acc_web_sessions_free(t);
  acc_web_sessions_free(NULL);
}

static void test_csrf(void **state) {
  (void)state;
  acc_web_session ws = {0};
  snprintf(ws.csrf, sizeof ws.csrf, "%s", "abcDEF123");
  assert_true(acc_web_csrf_ok(&ws, "abcDEF123"));
  assert_false(acc_web_csrf_ok(&ws, "abcDEF12"));
  assert_false(acc_web_csrf_ok(&ws, "abcDEF1234"));
  assert_false(acc_web_csrf_ok(&ws, "abcdef123"));
  assert_false(acc_web_csrf_ok(&ws, ""));
  assert_false(acc_web_csrf_ok(&ws, NULL));
  ws.csrf[0] = '\0';
  assert_false(acc_web_csrf_ok(&ws, ""));
}

static void test_cookie(void **state) {
  (void)state;
  char v[16];
  assert_int_equal(acc_web_cookie_value("accord_session=abc", ACC_WEB_COOKIE,
                                        v, sizeof v),
                   0);
  assert_string_equal(v, "abc");
  assert_int_equal(acc_web_cookie_value("x=1; accord_session=q-_9 ; y=2",
                                        ACC_WEB_COOKIE, v, sizeof v),
                   0);
  assert_string_equal(v, "q-_9");
  assert_int_equal(acc_web_cookie_value("accord_session=\"quoted\"",
                                        ACC_WEB_COOKIE, v, sizeof v),
                   0);
  assert_string_equal(v, "quoted");
  assert_int_equal(acc_web_cookie_value("xaccord_session=1", ACC_WEB_COOKIE, v,
                                        sizeof v),
                   -1);
  assert_int_equal(acc_web_cookie_value("accord_session=0123456789abcdefX",
                                        ACC_WEB_COOKIE, v, sizeof v),
                   -1);
  assert_int_equal(acc_web_cookie_value(NULL, ACC_WEB_COOKIE, v, sizeof v),
                   -1);
  assert_int_equal(acc_web_cookie_value("a", ACC_WEB_COOKIE, v, sizeof v), -1);
  char h[256];
  acc_web_cookie_header(h, sizeof h, "SID", 3600, 0);
  assert_string_equal(h, "accord_session=SID; Path=/; Max-Age=3600; HttpOnly; "
                         "SameSite=Strict");
  acc_web_cookie_header(h, sizeof h, NULL, 0, 1);
  assert_string_equal(h, "accord_session=; Path=/; Max-Age=0; HttpOnly; "
                         "SameSite=Strict; Secure");
}

static void test_static_helpers(void **state) {
  (void)state;
  assert_true(acc_web_path_ok("index.html"));
  assert_true(acc_web_path_ok("assets/app-LI63C4DA.js"));
  assert_false(acc_web_path_ok(""));
  assert_false(acc_web_path_ok("../accord.db"));
  assert_false(acc_web_path_ok("assets/../../x"));
  assert_false(acc_web_path_ok(".hidden"));
  assert_false(acc_web_path_ok("assets/.x"));
  assert_false(acc_web_path_ok("/etc/passwd"));
  assert_false(acc_web_path_ok("a//b"));
  assert_false(acc_web_path_ok("a/"));
  assert_false(acc_web_path_ok("a b"));
  assert_false(acc_web_path_ok("a%2e"));
  assert_false(acc_web_path_ok("a\\b"));
  assert_true(acc_web_hashed_name("assets/app-LI63C4DA.js"));
  assert_true(acc_web_hashed_name("icon-a69fb0c6f2.svg"));
  assert_true(acc_web_hashed_name("app-0123abcd.js.gz"));
  assert_false(acc_web_hashed_name("index.html"));
  assert_false(acc_web_hashed_name("app-123.js"));
  assert_false(acc_web_hashed_name("0123abcd.js"));
  assert_true(acc_web_accepts_gzip("gzip"));
  assert_true(acc_web_accepts_gzip("deflate, gzip;q=1.0, br"));
  assert_true(acc_web_accepts_gzip("gzip;q=0.5"));
  assert_false(acc_web_accepts_gzip("gzip;q=0"));
  assert_false(acc_web_accepts_gzip("gzip;q=0.000"));
  assert_false(acc_web_accepts_gzip("identity"));
  assert_false(acc_web_accepts_gzip("x-gzip2"));
  assert_false(acc_web_accepts_gzip(NULL));
  assert_string_equal(acc_web_content_type("a/index.html"),
                      "text/html; charset=utf-8");
  assert_string_equal(acc_web_content_type("app.js"),
                      "text/javascript; charset=utf-8");
  assert_string_equal(acc_web_content_type("x.svg"), "image/svg+xml");
  assert_string_equal(acc_web_content_type("noext"),
                      "application/octet-stream");
  assert_string_equal(acc_web_content_type("dir.js/file"),
                      "application/octet-stream");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sessions),
      cmocka_unit_test(test_sessions_full),
      cmocka_unit_test(test_csrf),
      cmocka_unit_test(test_cookie),
      cmocka_unit_test(test_static_helpers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
